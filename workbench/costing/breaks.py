"""Quantity price breaks: a style's price at each order quantity where the brand's margin
rules change, for the cost sheet to show beside the ordered quantity.

Why from the rules: the breaks are the brand's own (``MarginRule.moq_from``), so the table
shows exactly the quantities at which a larger order earns a lower price, and the price at
each comes from the same engine as the sheet's own (`engine.price_style`). A rule for the
style's own category beats a "*" rule at every quantity, so a break only appears where the
rule chosen actually changes.

A sheet with colourways breaks per colourway (`colourway_breaks`): each colourway is its own
cost (its dyeing, print, embroidery and trims), so each is priced at every break from that
cost, as the order's price is each colourway's at the order's quantity. The breaks of the
style alone are not the price of any colour the buyer orders.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from workbench.costing.colourways import Colourway
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


@dataclass(frozen=True)
class ColourwayBreaks:
    """One colourway's price from each of the brand's quantity breaks, lowest first."""

    colourway: Colourway
    breaks: tuple[PriceResult, ...]


def colourway_breaks(
    style: Style,
    colourways: Sequence[Colourway],
    book: RateBook,
    on: date,
    *,
    brand: Brand | str,
) -> tuple[ColourwayBreaks, ...]:
    """Each colourway of ``style`` priced at each break (`price_breaks` of the style as that
    colourway makes it), in the colourways' order."""
    return tuple(
        ColourwayBreaks(c, price_breaks(c.style(style), book, on, brand=brand)) for c in colourways
    )
