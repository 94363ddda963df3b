"""Quantity price breaks: the tee of worked example 1 for a brand whose margin falls at 5,000
and 10,000 pieces, priced at each break by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal as D

from tests.costing_examples import BOOK, NORDVIK, ON, TSHIRT
from workbench.costing import MarginRule
from workbench.costing.breaks import price_breaks

RULES = (
    MarginRule("b-nordvik", "margin", D("0.28"), date(2026, 1, 1), "*", D("0.15"), 0, D("0.05")),
    MarginRule("b-nordvik", "margin", D("0.25"), date(2026, 1, 1), "*", D("0.15"), 5000, D("0.05")),
    MarginRule(
        "b-nordvik", "margin", D("0.22"), date(2026, 1, 1), "*", D("0.15"), 10000, D("0.05")
    ),
    # another category's rule and a rule not yet in force make no break for the tee
    MarginRule("b-nordvik", "margin", D("0.10"), date(2026, 1, 1), "woven shirts", None, 2000),
    MarginRule("b-nordvik", "margin", D("0.20"), date(2027, 1, 1), "*", None, 20000),
)
BREAK_BOOK = replace(BOOK, margin_rules=RULES)


def test_the_price_at_each_break() -> None:
    # cost €2.39800316… (₹235.0983517… × 0.0102); ÷ (1 − margin), up to €0.05:
    # 0.28 → 3.3306 → 3.35; 0.25 → 3.1973 → 3.20; 0.22 → 3.0744 → 3.10
    breaks = price_breaks(TSHIRT, BREAK_BOOK, ON, brand=NORDVIK)
    assert [(p.quantity, p.price_per_piece) for p in breaks] == [
        (1, D("3.35")),
        (5000, D("3.20")),
        (10000, D("3.10")),
    ]
    assert breaks[0].cost_per_piece.quantize(D("0.0001")) == D("2.3980")


def test_a_brand_with_one_rule_has_one_price() -> None:
    breaks = price_breaks(TSHIRT, BOOK, ON, brand="NORDV")
    assert [(p.quantity, p.price_per_piece) for p in breaks] == [(1, D("3.35"))]
