"""Quantity price breaks: a style's price at each order quantity where the brand's margin
rules change, for the cost sheet to show beside the ordered quantity.

Why from the rules: the breaks are the brand's own (``MarginRule.moq_from``), so the table
shows exactly the quantities at which a larger order earns a lower price, and the price at
each comes from the same engine as the sheet's own (`engine.price_style`). A rule for the
style's own category beats a "*" rule at every quantity, so a break only appears where the
rule chosen actually changes.
"""

from __future__ import annotations

from datetime import date

from workbench.costing.engine import price_style
from workbench.costing.errors import CostingError
from workbench.costing.inputs import Brand, Style
from workbench.costing.pricing import PriceResult
from workbench.costing.ratebook import RateBook


def price_breaks(
    style: Style, book: RateBook, on: date, *, brand: Brand | str
) -> tuple[PriceResult, ...]:
    """The price from the first quantity of each of the brand's rules in force on ``on`` for
    ``style``'s category, lowest quantity first, one entry each time the rule chosen changes.
    An order of q pieces is priced by the last entry whose quantity is at most q."""
    buyer = brand if isinstance(brand, Brand) else book.brand(brand)
    category = style.category.strip().casefold()
    starts = {
        max(r.moq_from, 1)
        for r in book.margin_rules
        if r.brand_id == buyer.id
        and r.valid_from <= on
        and r.category.strip().casefold() in ("*", category)
    }
    prices: list[PriceResult] = []
    for q in sorted(starts):
        try:
            price = price_style(style, book, on, brand=buyer, quantity=q)
        except CostingError:
            continue  # below every rule's first quantity: no price at all
        if not prices or price.rule != prices[-1].rule:
            prices.append(price)
    return tuple(prices)
