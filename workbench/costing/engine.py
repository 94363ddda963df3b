"""The costing engine's entry points, used alike by the desktop app and the sync server.

Why one thin entry module: a local estimate and a firm quote must come from the same code
(DESIGN D1), so both callers go through `cost_style` / `price_style` with a `RateBook` they
built (the app from its replica via `workbench.costing.rates`, the server from its database,
a test by hand) and get back values, never rows or widgets.
"""

from __future__ import annotations

from datetime import date

from workbench.costing.garment import CostResult, cost_garment
from workbench.costing.inputs import Brand, Style
from workbench.costing.pricing import PriceResult, price_cost
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
    return price_cost(
        cost,
        brand=buyer,
        category=style.category,
        quantity=quantity,
        rules=book.margin_rules,
        fx_rates=book.fx_rates,
    )
