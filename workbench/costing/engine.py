"""The costing engine's entry points, used alike by the desktop app and the sync server.

Why one thin entry module: a local estimate and a firm quote must come from the same code
(architecture D1), so both callers go through `cost_style` / `price_style` with a `RateBook` they
built (the app from its replica via `workbench.costing.rates`, the server from its database,
a test by hand) and get back values, never rows or widgets.
"""

from __future__ import annotations

from datetime import date

from workbench.costing.garment import CostResult, cost_garment
from workbench.costing.inputs import Brand, Style
from workbench.costing.pricing import PriceResult, choose_fx_rate, price_cost
from workbench.costing.ratebook import RateBook


def cost_style(style: Style, book: RateBook, on: date) -> CostResult:
    """The cost per piece of ``style`` with the rates in force on ``on``, with its breakdown."""
    return cost_garment(style, book, on)


def price_style(
    style: Style, book: RateBook, on: date, *, brand: Brand | str, quantity: int
) -> PriceResult:
    """Cost ``style`` on ``on`` and price it FOB for ``brand`` (a `Brand`, or its id or code
    in the book) at an order of ``quantity`` pieces, with the book's margin rules and FX
    rates."""
    buyer = brand if isinstance(brand, Brand) else book.brand(brand)
    cost = cost_garment(style, book, on)
    # The brand's rules and the FX rate in force are looked up once per book, not per sheet.
    rules = book.remember(
        ("rules", buyer.id), lambda: tuple(r for r in book.margin_rules if r.brand_id == buyer.id)
    )
    fx_rates = book.fx_rates
    if cost.currency.upper() != buyer.currency.upper():
        fx_rates = (
            book.remember(
                ("fx", cost.currency, buyer.currency, on),
                lambda: choose_fx_rate(book.fx_rates, cost.currency, buyer.currency, on),
            ),
        )
    return price_cost(
        cost,
        brand=buyer,
        category=style.category,
        quantity=quantity,
        rules=rules,
        fx_rates=fx_rates,
    )
