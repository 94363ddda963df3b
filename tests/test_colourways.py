"""Costing by colourway: the tee of worked example 1 ordered in White, Navy and Charcoal, each
colourway with its own dyeing, print or embroidery and trims, costed and priced by hand below;
the order's cost and price weighted by the split; the colourways kept through the saved
sheet, and a sheet from a later version refused rather than costed without what it holds."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from tests.costing_examples import BOOK, NORDVIK, ON, TSHIRT, VALID
from workbench.costing import Embroidery, Rate, TrimLine, cost_style
from workbench.costing.colourways import AS_STYLE, Colourway, cost_colourways
from workbench.costing.errors import CostingError
from workbench.costing.sheet import CostSheet, sheet_from_dict, sheet_to_dict


def _rate(code: str, process: str, basis: str, amount: str, **keys: object) -> Rate:
    return Rate(code, process, basis, D(amount), VALID, "Mill quotation 2026-10", **keys)  # type: ignore[arg-type]


COLOUR_BOOK = replace(
    BOOK,
    rates=(
        *BOOK.rates,
        _rate(
            "DYE-REA-D",
            "dyeing",
            "per kg",
            "130",
            dye_class="reactive",
            shade_depth="dark",
            process_loss=D("0.12"),
        ),
        _rate(
            "DYE-REA-W",
            "dyeing",
            "per kg",
            "60",
            dye_class="reactive",
            shade_depth="white",
            process_loss=D("0.06"),
        ),
        _rate("TRIM", "trim", "per piece", "2.10", material_id="hang-tag-navy"),
    ),
)
WHITE = Colourway("White", 1200, "reactive", "white")
NAVY = Colourway(
    "Navy", 1200, "reactive", "dark", trims=(TrimLine("hang-tag-navy", "hang tag", D(1)),)
)
CHARCOAL = Colourway(
    "Charcoal",
    600,
    "reactive",
    "dark",
    printing=None,
    embroidery=(Embroidery(6000, "EMB-FLAT", "chest logo"),),
)
COLOURWAYS = (WHITE, NAVY, CHARCOAL)


def test_each_colourways_cost_by_hand() -> None:
    # Grey fabric per kg 1.005 × 290 + 55 = 346.45; consumption 0.237168 × 1.08 = 0.25614144 kg.
    # Finished fabric per kg = (1 + dyeing loss) × 346.45 + dyeing + 18 compacting:
    #   White (reactive white, ₹60, 6 %)  1.06 × 346.45 + 60 + 18 = 445.237
    #   Navy, Charcoal (dark, ₹130, 12 %) 1.12 × 346.45 + 130 + 18 = 536.024
    # Manufacturing = fabric + print 8 + making 36 ÷ 0.65 + trims and packing 10.10, except
    # Navy's hang tag at 2.10 instead of 1.50 (10.70) and Charcoal's embroidery 6 × 4.5 = 27
    # instead of the print. Total = manufacturing × 1.12 (factory) × 1.04 (commercial, testing).
    making = D(36) / D("0.65")
    kg = D("0.25614144")
    white = (kg * D("445.237") + 8 + making + D("10.10")) * D("1.12") * D("1.04")
    navy = (kg * D("536.024") + 8 + making + D("10.70")) * D("1.12") * D("1.04")
    charcoal = (kg * D("536.024") + 27 + making + D("10.10")) * D("1.12") * D("1.04")
    costing = cost_colourways(TSHIRT, COLOURWAYS, COLOUR_BOOK, ON)
    totals = [c.cost.total for c in costing.colourways]
    assert [t.quantize(D("0.0001")) for t in totals] == [
        D("218.4329"),
        D("246.2184"),
        D("267.6507"),
    ]
    for got, by_hand in zip(totals, (white, navy, charcoal), strict=True):
        assert abs(got - by_hand) < D("1e-20")
    # the order: (1,200 × 218.4329… + 1,200 × 246.2184… + 600 × 267.6507…) ÷ 3,000
    assert costing.cost.quantize(D("0.0001")) == D("239.3907")
    assert abs(costing.cost - (1200 * white + 1200 * navy + 600 * charcoal) / 3000) < D("1e-20")


def test_each_colourways_price_and_the_orders() -> None:
    # in euros at 0.0102, ÷ 0.72 (28 % margin), up to €0.05:
    # White 2.2280 → 3.0945 → 3.10; Navy 2.5114 → 3.4881 → 3.50; Charcoal 2.7300 → 3.7917 → 3.80
    costing = cost_colourways(TSHIRT, COLOURWAYS, COLOUR_BOOK, ON, brand=NORDVIK, quantity=3000)
    prices = [c.price.price_per_piece for c in costing.colourways if c.price]
    assert prices == [D("3.10"), D("3.50"), D("3.80")]
    # 0.4 × 3.10 + 0.4 × 3.50 + 0.2 × 3.80 = 3.40
    assert costing.price == D("3.40")
    assert not costing.one_price


def test_a_colourway_as_the_style_costs_the_style() -> None:
    same = Colourway("Medium blue", 3000)
    costing = cost_colourways(TSHIRT, (same,), COLOUR_BOOK, ON)
    assert costing.cost == cost_style(TSHIRT, COLOUR_BOOK, ON).total
    assert same.style(TSHIRT) == TSHIRT


def test_the_colourways_are_kept_through_the_sheet() -> None:
    data = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
    assert data["sheet_version"] == 2
    assert "printing" not in data["colourways"][0] and data["colourways"][2]["printing"] is None
    read = sheet_from_dict(data)
    assert read.colourways == COLOURWAYS
    assert read.colourways[0].printing is AS_STYLE
    assert sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000))["sheet_version"] == 2


def test_a_split_that_is_not_the_order_is_refused() -> None:
    data = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
    data["quantity"] = 2800
    with pytest.raises(CostingError, match="add up to 3,000 pieces but the order is 2,800"):
        sheet_from_dict(data)
    data["quantity"] = 3000
    data["colourways"][1]["pieces"] = 0
    with pytest.raises(CostingError, match=r"sheet\.colourways\[1\]: .*0 pieces"):
        sheet_from_dict(data)


def test_a_sheet_from_a_later_version_is_refused() -> None:
    data = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000))
    data["sheet_version"] = 3
    with pytest.raises(CostingError, match="later version of Mill Workbench"):
        sheet_from_dict(data)


def test_a_colourway_the_rates_cannot_cost_is_named() -> None:
    pigment = Colourway("Sand", 3000, "pigment", "light")
    with pytest.raises(CostingError, match="colourway Sand: "):
        cost_colourways(TSHIRT, (pigment,), COLOUR_BOOK, ON)


def test_the_costing_page_states_the_colourway_example() -> None:
    from pathlib import Path

    from tests.doc_tables import sections

    page = (Path(__file__).resolve().parents[1] / "docs" / "costing.md").read_text("utf-8")
    text = " ".join(sections(page)["Costing by colourway"].split())
    costing = cost_colourways(TSHIRT, COLOURWAYS, COLOUR_BOOK, ON, brand=NORDVIK, quantity=3000)
    for c in costing.colourways:
        assert c.price is not None
        row = (
            f"| {c.colourway.name} | {c.colourway.pieces:,} | "
            f"₹{c.cost.total.quantize(D('0.0001'))} | "
            f"€{c.price.cost_per_piece.quantize(D('0.0001'))} | €{c.price.price_per_piece} |"
        )
        assert row in text
    assert (
        f"| The order | 3,000 | ₹{costing.cost.quantize(D('0.0001'))} | | €{costing.price} |"
        in text
    )


def test_the_costing_page_states_each_colourways_breaks() -> None:
    from pathlib import Path

    from tests.doc_tables import sections
    from tests.test_price_breaks import RULES
    from workbench.costing.breaks import colourway_breaks

    page = (Path(__file__).resolve().parents[1] / "docs" / "costing.md").read_text("utf-8")
    text = " ".join(sections(page)["The price"].split())
    book = replace(COLOUR_BOOK, margin_rules=RULES)
    for c in colourway_breaks(TSHIRT, COLOURWAYS, book, ON, brand=NORDVIK):
        cost = c.breaks[0].cost_per_piece
        cells = [f"| {c.colourway.name} | €{cost.quantize(D('0.00000001'))} |"]
        for p in c.breaks:
            share = (cost / (1 - D(p.rule.rate))).quantize(D("0.00000001"))
            cells.append(f" {share} | €{p.price_per_piece} |")
        assert "".join(cells) in text
    # by hand: the price points are the smallest multiple of 0.05 at or above each quotient
    assert (
        "| Charcoal | €2.73003758 | 3.79171886 | €3.80 | 3.64005010 | €3.65 | 3.50004818 | €3.55 |"
        in text
    )
