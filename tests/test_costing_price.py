"""Pricing a costed style: margin and markup rules, quantity breaks, minimum margins, FX
rates and price points, on the hand-computed T-shirt of tests/test_costing.py."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

import pytest

from tests.test_costing import ON, RULES, book, tee
from workbench.costing import (
    CostingError,
    FxRate,
    MarginRule,
    price_style,
)
from workbench.costing.money import round_up_to

# -- price ------------------------------------------------------------------------------------

# The T-shirt costs ₹248.76406464; at INR→EUR 0.0100 (dated 2026-10-15) that is €2.4876406464.


def test_markup_rule_for_the_exact_category() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=1000)
    assert price.rule.method == "markup" and price.rule.category == "knit tops"
    assert price.cost_per_piece == D("2.4876406464")
    assert price.price_before_rounding == D("3.48269690496")  # × 1.40
    assert price.price_per_piece == D("3.50")  # rounded up to the rule's 0.10
    assert not price.min_margin_applied


def test_margin_rule_for_other_categories_rounds_up_to_005() -> None:
    price = price_style(tee(category="woven shirts"), book(), ON, brand="NORDV", quantity=1000)
    assert price.rule.method == "margin" and price.rule.category == "*"
    assert price.price_before_rounding == D("3.3168541952")  # ÷ (1 − 0.25)
    assert price.price_per_piece == D("3.35")  # up, not to the nearer 3.30
    assert price.margin == (D("3.35") - D("2.4876406464")) / D("3.35")


def test_price_per_dozen_is_twelve_pieces() -> None:
    price = price_style(tee(category="woven shirts"), book(), ON, brand="NORDV", quantity=1000)
    assert price.price_per_dozen == 12 * price.price_per_piece == D("40.20")


def test_moq_break_chooses_the_lower_margin_rule_at_5000() -> None:
    shirts = tee(category="woven shirts")
    below = price_style(shirts, book(), ON, brand="NORDV", quantity=4999)
    at = price_style(shirts, book(), ON, brand="NORDV", quantity=5000)
    assert (below.rule.rate, at.rule.rate) == (D("0.25"), D("0.23"))
    assert at.price_per_piece == D("3.25")  # 2.4876406464 ÷ 0.77 = 3.2307… → 3.25
    assert at.price_per_piece < below.price_per_piece


def test_exact_category_beats_star_even_with_a_higher_moq() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=5000)
    assert price.rule.category == "knit tops" and price.rule.moq_from == 0


def test_min_margin_raises_the_price_and_says_so() -> None:
    thin = (
        MarginRule("b-nordv", "markup", D("0.15"), date(2025, 1, 1), "*", D("0.18"), 0, D("0.05")),
    )
    price = price_style(tee(), book(margin_rules=thin), ON, brand="NORDV", quantity=1000)
    # markup 15 % is a margin of 0.15 / 1.15 = 13.0 % < 18 %: 2.4876406464 ÷ 0.82 = 3.0337…
    assert price.min_margin_applied
    assert price.price_per_piece == D("3.05")
    assert price.margin >= D("0.18")
    assert "13.0%" in price.notes[0] and "18.0%" in price.notes[0]


def test_latest_margin_rule_version_on_or_before_the_date() -> None:
    newer = MarginRule(
        "b-nordv", "margin", D("0.30"), date(2026, 6, 1), "*", D("0.15"), 0, D("0.05")
    )
    rates = book(margin_rules=(*RULES, newer))
    shirts = tee(category="woven shirts")
    assert price_style(shirts, rates, ON, brand="NORDV", quantity=100).rule.rate == D("0.30")
    spring = price_style(shirts, rates, date(2026, 3, 1), brand="NORDV", quantity=100)
    assert spring.rule.rate == D("0.25")


def test_two_rules_alike_but_for_their_margin_choose_the_same_one_in_any_order() -> None:
    """The laptop's estimate and the server's firm quote read the rules in different orders;
    two rules for the same brand, category, quantity and date must not price differently
    depending on which was read first."""
    first = MarginRule(
        "b-nordv", "margin", D("0.30"), date(2026, 6, 1), "*", None, 0, None, id="rule-a"
    )
    second = dataclasses.replace(first, rate=D("0.20"), id="rule-b")
    shirts = tee(category="woven shirts")
    one = price_style(
        shirts, book(margin_rules=(*RULES, first, second)), ON, brand="NORDV", quantity=100
    )
    other = price_style(
        shirts, book(margin_rules=(*RULES, second, first)), ON, brand="NORDV", quantity=100
    )
    assert one.rule == other.rule
    assert one.price_per_piece == other.price_per_piece


def test_fx_rate_dated_on_or_before_the_costing_date() -> None:
    price = price_style(tee(), book(), ON, brand="NORDV", quantity=1000)
    assert price.fx is not None and price.fx.as_of == date(2026, 10, 15)
    assert price.fx.rate == D("0.0100") and price.currency == "EUR"
    spring = price_style(tee(), book(), date(2026, 3, 1), brand="NORDV", quantity=1000)
    assert spring.fx is not None and spring.fx.rate == D("0.0105")


def test_fx_quoted_the_other_way_round_is_divided() -> None:
    eur_inr = (FxRate("EUR", "INR", D(100), date(2026, 10, 15)),)
    price = price_style(tee(), book(fx_rates=eur_inr), ON, brand="NORDV", quantity=1000)
    assert price.cost_per_piece == D("2.4876406464")


def test_no_fx_rate_on_or_before_the_date_is_an_error() -> None:
    with pytest.raises(CostingError) as error:
        price_style(tee(), book(), date(2025, 12, 1), brand="NORDV", quantity=1000)
    assert str(error.value) == (
        "no FX rate from INR to EUR on or before 2025-12-01 (the earliest is dated 2026-01-01)"
    )
    with pytest.raises(CostingError, match="no FX rate from INR to EUR"):
        price_style(tee(), book(fx_rates=()), ON, brand="NORDV", quantity=1000)


def test_no_margin_rule_is_an_error() -> None:
    with pytest.raises(CostingError, match="no margin rule for brand NORDV, category 'knit tops'"):
        price_style(tee(), book(margin_rules=()), ON, brand="NORDV", quantity=1000)


def test_round_up_to_a_price_point() -> None:
    assert round_up_to(D("3.05"), D("0.05")) == D("3.05")
    assert round_up_to(D("3.0501"), D("0.05")) == D("3.10")
    assert round_up_to(D("3.05") + D("1e-20"), D("0.05")) == D("3.05")  # division noise


def test_floats_are_refused_as_money() -> None:
    from workbench.costing.money import to_decimal

    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]
    assert to_decimal(" 412.50 ") == D("412.50")
