"""Invariants of the costing engine over many generated inputs (hypothesis): costs are never
negative, more wastage is never cheaper, a price always honours its margin rule and minimum,
and converting a price to another currency and back gives it back."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.costing_examples import BOOK, ON, SHIRT, TSHIRT
from workbench.costing import (
    BodyMeasurements,
    FxRate,
    MarginRule,
    RateBook,
    cost_style,
    price_style,
)
from workbench.costing.pricing import convert

money = st.decimals(min_value=D("0.01"), max_value=D("5000"), places=2)
fraction = st.decimals(min_value=D("0"), max_value=D("0.6"), places=3)
styles = st.sampled_from([TSHIRT, SHIRT])


def _rebook(scale: dict[str, D]) -> RateBook:
    """The examples' rates with each process's rates scaled."""
    rates = tuple(
        dataclasses.replace(r, rate=(r.rate * scale.get(r.process, D(1))).quantize(D("0.01")))
        for r in BOOK.rates
    )
    return dataclasses.replace(BOOK, rates=rates)


@settings(max_examples=150, deadline=None)
@given(
    style=styles,
    wastage=st.decimals(min_value=D("0"), max_value=D("0.4"), places=3),
    yarn=st.decimals(min_value=D("0.1"), max_value=D("5"), places=2),
    making=st.decimals(min_value=D("0.1"), max_value=D("5"), places=2),
)
def test_costs_are_never_negative_and_shares_add_up(style, wastage: D, yarn: D, making: D) -> None:  # type: ignore[no-untyped-def]
    book = _rebook({"yarn": yarn, "making": making})
    cost = cost_style(dataclasses.replace(style, wastage=wastage), book, ON)
    assert cost.total > 0
    assert all(line.amount >= 0 and line.quantity >= 0 for line in cost.lines)
    assert sum(line.share for line in cost.lines) == 1
    assert cost.manufacturing_cost <= cost.factory_cost <= cost.total


@settings(max_examples=150, deadline=None)
@given(
    style=styles, low=fraction, extra=st.decimals(min_value=D("0"), max_value=D("0.3"), places=3)
)
def test_more_wastage_is_never_cheaper(style, low: D, extra: D) -> None:  # type: ignore[no-untyped-def]
    less = cost_style(dataclasses.replace(style, wastage=low), BOOK, ON)
    more = cost_style(dataclasses.replace(style, wastage=min(low + extra, D("0.99"))), BOOK, ON)
    assert more.total >= less.total
    assert more.consumption_kg >= less.consumption_kg


@settings(max_examples=100, deadline=None)
@given(
    chest=st.decimals(min_value=D("30"), max_value=D("80"), places=1),
    more=st.decimals(min_value=D("0"), max_value=D("20"), places=1),
)
def test_a_bigger_garment_never_costs_less(chest: D, more: D) -> None:
    def cost_for(half_chest: D) -> D:
        body = BodyMeasurements(D(72), D(22), half_chest)
        return cost_style(dataclasses.replace(TSHIRT, consumption=body), BOOK, ON).total

    assert cost_for(chest + more) >= cost_for(chest)


@settings(max_examples=200, deadline=None)
@given(
    style=styles,
    method=st.sampled_from(["margin", "markup"]),
    rate=st.decimals(min_value=D("0"), max_value=D("0.9"), places=3),
    minimum=st.one_of(st.none(), st.decimals(min_value=D("0"), max_value=D("0.6"), places=3)),
    rounding=st.one_of(st.none(), st.sampled_from([D("0.01"), D("0.05"), D("0.10"), D("1")])),
    quantity=st.integers(min_value=1, max_value=100_000),
)
def test_prices_honour_the_margin_rule_and_the_minimum(
    style, method: str, rate: D, minimum: D | None, rounding: D | None, quantity: int
) -> None:  # type: ignore[no-untyped-def]
    brand = "NORDV"
    rule = MarginRule("b-nordvik", method, rate, date(2026, 1, 1), "*", minimum, 0, rounding)  # type: ignore[arg-type]
    book = dataclasses.replace(BOOK, margin_rules=(rule,))
    price = price_style(style, book, ON, brand=brand, quantity=quantity)
    cost = price.cost_per_piece
    assert price.price_per_piece >= price.price_before_rounding
    if method == "margin":
        assert price.margin >= rate
    else:
        assert price.markup >= rate
    if minimum is not None:
        assert price.margin >= minimum
    if rounding is not None:
        assert price.price_per_piece % rounding == 0
    assert price.price_per_piece > cost or (rate == 0 and not minimum)
    assert price.price_per_dozen == 12 * price.price_per_piece


@settings(max_examples=200, deadline=None)
@given(amount=money, rate=st.decimals(min_value=D("0.0001"), max_value=D("500"), places=4))
def test_currency_round_trips(amount: D, rate: D) -> None:
    there = FxRate("INR", "EUR", rate, ON)
    back = FxRate("EUR", "INR", D(1) / rate, ON)
    out = convert(amount, there, "INR")
    assert abs(convert(out, back, "EUR") - amount) < D("1e-20")
    # the same rate quoted the other way round converts the same
    assert abs(convert(out, there, "EUR") - amount) < D("1e-20")
