"""docs/costing.md's worked examples, figure by figure, against the engine: each table row of
the document is read back and compared with what the engine computes, to the paisa or cent
(the document shows amounts to 2 decimals, quantities to 4, rounded half up)."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.costing_examples import (
    BOOK,
    INDIA_FOB,
    INDIA_SHIPPING,
    ON,
    SHIRT,
    SHIRT_ORDER,
    SHIRT_SHIPPING,
    TSHIRT,
    TSHIRT_ORDER,
    TSHIRT_SHIPPING,
)
from tests.doc_tables import sections, tables
from workbench.costing import (
    CostResult,
    PriceResult,
    Shipping,
    Style,
    Terms,
    cost_per_minute,
    cost_style,
    delivery_terms,
    price_style,
)

DOC = Path(__file__).resolve().parents[1] / "docs" / "costing.md"


def _sections() -> dict[str, str]:
    return sections(DOC.read_text("utf-8"))


def _number(text: str) -> D:
    return D(re.sub(r"[^\d.\-]", "", text.split()[0]))


def _shown(value: D, text: str) -> D:
    """``value`` rounded as ``text`` shows it (as many decimals)."""
    digits = text.split()[0].replace(",", "")
    places = len(digits.split(".")[1]) if "." in digits else 0
    return value.quantize(D(1).scaleb(-places), ROUND_HALF_UP)


def _check(text: str, value: D, what: str) -> None:
    assert _number(text) == _shown(D(value), text), (
        f"{what}: the document says {text}, the engine {value}"
    )


EXAMPLES = {
    "Worked example 1: a knitted T-shirt for Nordvik Outfitters": (
        TSHIRT,
        TSHIRT_ORDER,
        TSHIRT_SHIPPING,
    ),
    "Worked example 2: a woven shirt for Coastline Basics": (SHIRT, SHIRT_ORDER, SHIRT_SHIPPING),
}

FIGURES: dict[str, Callable[[CostResult, PriceResult, Terms], D]] = {
    "Weight per linear metre (kg/m)": lambda c, p, t: c.fabric.kg_per_m,
    "Fabric consumption per dozen (kg)": lambda c, p, t: c.consumption_kg * 12,
    "Fabric consumption per piece (kg)": lambda c, p, t: c.consumption_kg,
    "Fabric consumption per piece (m)": lambda c, p, t: c.consumption_m,
    "Finished fabric cost per kg (₹)": lambda c, p, t: c.fabric.per_kg,
    "Finished fabric cost per m (₹)": lambda c, p, t: c.fabric.per_m,
    "Manufacturing cost per piece (₹)": lambda c, p, t: c.manufacturing_cost,
    "Factory cost per piece (₹)": lambda c, p, t: c.factory_cost,
    "Total cost per piece (₹)": lambda c, p, t: c.total,
    "Cost per piece in the buyer's currency": lambda c, p, t: p.cost_per_piece,
    "Price before the price point": lambda c, p, t: p.price_before_rounding,
    "FOB price per piece": lambda c, p, t: p.price_per_piece,
    "FOB price per dozen": lambda c, p, t: p.price_per_dozen,
    "Margin on selling price (%)": lambda c, p, t: p.margin * 100,
}

DELIVERY: dict[str, Callable[[Terms], D]] = {
    "Freight per piece": lambda t: t.freight,
    "Insurance per piece": lambda t: t.insurance,
    "CIF price per piece": lambda t: t.cif,
    "Commission per piece": lambda t: t.commission,
    "Buying agent per piece": lambda t: t.buying_agent,
    "Customs value per piece": lambda t: t.customs_value,
    "Duty per piece": lambda t: t.duty,
    "Local freight per piece": lambda t: t.local_freight,
    "Landed cost per piece": lambda t: t.landed,
}


def _run(
    style: Style, order: tuple[str, int], shipping: Shipping
) -> tuple[CostResult, PriceResult, Terms]:
    cost = cost_style(style, BOOK, ON)
    price = price_style(style, BOOK, ON, brand=order[0], quantity=order[1])
    return cost, price, delivery_terms(price.price_per_piece, shipping)


@pytest.mark.parametrize("title", list(EXAMPLES))
def test_every_figure_of_the_worked_example(title: str) -> None:
    cost, price, terms = _run(*EXAMPLES[title])
    fabric_table, piece_table, figure_table, delivery_table, ladder_table = tables(
        _sections()[title]
    )

    fabric = {line.component: line for line in cost.fabric.lines}
    assert [row[0] for row in fabric_table] == list(fabric)
    for component, quantity, rate, amount in fabric_table:
        line = fabric[component]
        _check(quantity, line.quantity, f"{component} quantity")
        _check(rate, line.rate, f"{component} rate")
        _check(amount, line.amount, f"{component} amount")

    lines = {line.component: line for line in cost.lines}
    assert [row[0] for row in piece_table] == list(lines)
    for component, quantity, rate, amount, share in piece_table:
        line = lines[component]
        _check(quantity, line.quantity, f"{component} quantity")
        _check(rate, line.rate, f"{component} rate")
        # shown to the paisa as the sheet shows it: adding up to the total shown
        assert _number(amount) == line.amount_shown, f"{component} amount"
        _check(share, line.share * 100, f"{component} share")
    assert sum((_number(row[3]) for row in piece_table), D(0)) == cost.total_shown

    seen = set()
    for figure, value in figure_table:
        assert figure in FIGURES, f"no check for the figure {figure!r}"
        _check(value, FIGURES[figure](cost, price, terms), figure)
        seen.add(figure)
    assert seen == set(FIGURES)
    _check_delivery(terms, delivery_table, ladder_table)


def _check_delivery(terms: Terms, figures: list[list[str]], ladder: list[list[str]]) -> None:
    """The delivery figures to four decimals, and the Incoterm ladder exactly as shown: each
    column's lines and its total, which the lines add up to."""
    for figure, value in figures:
        assert figure in DELIVERY, f"no check for the delivery figure {figure!r}"
        _check(value, DELIVERY[figure](terms), figure)
    for column, rung in enumerate(terms.incoterms(), start=1):
        shown = {row[0]: row[column] for row in ladder if row[column]}
        total = shown.pop("Total")
        assert _number(total) == rung.total, f"{rung.incoterm} total"
        assert {name: _number(v) for name, v in shown.items()} == dict(rung.lines), rung.incoterm
        assert sum(map(_number, shown.values()), D(0)) == _number(total)


def test_the_delivery_into_india() -> None:
    figures, ladder = tables(_sections()["Worked example 3: a T-shirt into India"])
    _check_delivery(delivery_terms(INDIA_FOB, INDIA_SHIPPING), figures, ladder)


def test_the_numbers_in_the_text() -> None:
    sections = _sections()
    first, second = EXAMPLES.values()
    tee, tee_price, _ = _run(*first)
    shirt, shirt_price, _ = _run(*second)
    net_dozen = tee.consumption_kg / D("1.08") * 12
    markup_margin = D("0.35") / D("1.35") * 100
    claims = [
        (
            "The fabric chain (per kg of finished fabric)",
            "is ₹{} per kg",
            shirt.fabric.lines[1].amount,
            2,
        ),
        (
            "The fabric chain (per kg of finished fabric)",
            "147 cm = {} kg/m",
            shirt.fabric.kg_per_m,
            4,
        ),
        (
            "Worked example 1: a knitted T-shirt for Nordvik Outfitters",
            "= {} kg per dozen;",
            net_dozen,
            4,
        ),
        (
            "Worked example 1: a knitted T-shirt for Nordvik Outfitters",
            "wastage {} kg per dozen",
            tee.consumption_kg * 12,
            4,
        ),
        (
            "Worked example 1: a knitted T-shirt for Nordvik Outfitters",
            "26 days of 8 hours: ₹{}",
            cost_per_minute(D(37440), 26, D(8)),
            2,
        ),
        (
            "Worked example 1: a knitted T-shirt for Nordvik Outfitters",
            "margin gives €{};",
            tee_price.price_before_rounding,
            4,
        ),
        (
            "Worked example 1: a knitted T-shirt for Nordvik Outfitters",
            "a margin of {} %",
            tee_price.margin * 100,
            2,
        ),
        (
            "Worked example 2: a woven shirt for Coastline Basics",
            "markup is a {} % margin",
            markup_margin,
            2,
        ),
        (
            "Worked example 2: a woven shirt for Coastline Basics",
            "lifts ${} to",
            shirt_price.price_before_rounding,
            4,
        ),
    ]
    for section, pattern, value, places in claims:
        shown = D(value).quantize(D(1).scaleb(-places), ROUND_HALF_UP)
        assert pattern.format(f"{shown:,}") in sections[section], (pattern, shown)
    # the trade's own example: 108 cm × 61 cm × 2 × 180 GSM × 12 / 10,000,000
    assert net_dozen == D(108) * 61 * 2 * 180 * 12 / D(10_000_000)
