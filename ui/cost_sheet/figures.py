"""What a costing of the cost sheet shows: the cost, the price for the brand, each colourway's,
the cost of each size, the price at each quantity break, the landed cost at each Incoterm and
the lead time, handed to the breakdown panel in that order.

Apart from the window, which decides when to cost (a short while after each edit) and keeps
the figures last shown for saving, exports and quotes: this module is what one costing is.
Every figure comes from `workbench.costing` and `workbench.capacity`; none is worked out here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ui.cost_sheet.books import Loaded
from ui.cost_sheet.breakdown import BreakdownPanel
from workbench.capacity import CapacityError, LeadTime, lead_time
from workbench.capacity.routes import style_route
from workbench.costing import (
    CostingError,
    CostResult,
    Terms,
    cost_style,
    landed_terms,
    price_style,
)
from workbench.costing.breaks import colourway_breaks, price_breaks
from workbench.costing.colourways import ColourwayCosting, cost_colourways
from workbench.costing.garment import size_costs
from workbench.costing.pricing import PriceResult
from workbench.costing.sheet import CostSheet
from workbench.costing.sizes import SizeRatio


@dataclass(frozen=True)
class Costed:
    """A sheet that could be costed: its cost, its price (None without a brand) and each
    colourway's (None for one colour)."""

    sheet: CostSheet
    cost: CostResult
    price: PriceResult | None
    colourways: ColourwayCosting | None


def cost_form(sheet: CostSheet, loaded: Loaded) -> Costed:
    """Cost ``sheet``, as the form shows it, on the books loaded; a CostingError or
    ValueError says why it cannot be costed."""
    cost = cost_style(sheet.style, loaded.book, sheet.costed_on or date.today())
    price = (
        price_style(
            sheet.style,
            loaded.book,
            cost.on,
            brand=sheet.brand,
            quantity=sheet.quantity,
        )
        if sheet.brand
        else None
    )
    colourways = (
        cost_colourways(
            sheet.style,
            sheet.colourways,
            loaded.book,
            cost.on,
            brand=price.brand if price else None,
            quantity=sheet.quantity,
        )
        if sheet.colourways
        else None
    )
    return Costed(sheet, cost, price, colourways)


def show_costed(
    panel: BreakdownPanel, costed: Costed, loaded: Loaded
) -> tuple[Terms | None, LeadTime | None]:
    """Show ``costed`` in ``panel``; the landed costs and the lead time shown (None where
    the sheet has none)."""
    sheet, cost, price = costed.sheet, costed.cost, costed.price
    panel.show_cost(cost, price)
    ratio = sheet.style.consumption
    panel.show_sizes(
        ratio.text() if isinstance(ratio, SizeRatio) else "",
        size_costs(sheet.style, loaded.book, cost.on) if isinstance(ratio, SizeRatio) else (),
    )
    panel.show_colourways(costed.colourways)
    panel.show_breaks(
        price_breaks(sheet.style, loaded.book, cost.on, brand=price.brand) if price else (),
        sheet.quantity,
        colourway_breaks(sheet.style, sheet.colourways, loaded.book, cost.on, brand=price.brand)
        if price and sheet.colourways
        else (),
    )
    terms = _show_terms(panel, sheet, price)
    return terms, _show_lead_time(panel, loaded, sheet, cost)


def _show_terms(panel: BreakdownPanel, sheet: CostSheet, price: PriceResult | None) -> Terms | None:
    """The landed cost at each Incoterm, for the brand's country, when the sheet says how
    it is delivered."""
    terms = None
    if price is None:
        why = "choose a brand"
    elif not sheet.delivery:
        why = "fill in freight, insurance and duty to see the landed cost"
    else:
        try:
            terms = landed_terms(price.price_per_piece, price.brand.country, sheet.delivery)
            why = ""
        except CostingError as exc:
            why = str(exc)
    panel.show_terms(terms, price.currency if price else "", why)
    return terms


def _show_lead_time(
    panel: BreakdownPanel, loaded: Loaded, sheet: CostSheet, cost: CostResult
) -> LeadTime | None:
    try:
        route = style_route(sheet.style, cost)
        plan = lead_time(loaded.capacity, route, sheet.quantity, date.today())
    except CapacityError as exc:
        panel.show_no_lead_time(str(exc))
        return None
    panel.show_lead_time(plan)
    return plan
