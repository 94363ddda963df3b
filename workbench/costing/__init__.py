"""The costing engine: fabric cost per kg and per metre, garment cost per piece with a sourced
breakdown, and a brand's FOB price. One engine for the desktop app and the sync server.

Pure Python over `Decimal`: no Qt, no I/O. `rates` is the one module that reads a replica
(SQLite) to build a `RateBook`; everything else takes values and returns values.

    book = load_rate_book(conn, fx_rates=[FxRate("INR", "EUR", Decimal("0.0105"), day)])
    cost = cost_style(style, book, day)            # CostResult: lines, total …
    price = price_style(style, book, day, brand="NORDV", quantity=5_000)
    stale_lines(cost, day, max_age_days=180)
"""

from workbench.costing.breakdown import BreakdownLine, stale_lines, with_shares
from workbench.costing.breaks import price_breaks
from workbench.costing.engine import cost_style, price_style
from workbench.costing.errors import CostingError
from workbench.costing.fabric import FabricCost, cost_fabric, kg_per_metre
from workbench.costing.garment import CostResult, cost_per_minute, net_consumption_kg, size_costs
from workbench.costing.inputs import (
    BodyMeasurements,
    Brand,
    Embroidery,
    FabricSpec,
    FxRate,
    Making,
    MarginRule,
    MarkerConsumption,
    PrintSpec,
    Rate,
    Style,
    TrimLine,
)
from workbench.costing.marker import MarkerPlan
from workbench.costing.pricing import PriceResult, choose_fx_rate, choose_margin_rule
from workbench.costing.ratebook import RateBook
from workbench.costing.rates import fabric_spec, find_yarn, load_rate_book, trim_line
from workbench.costing.sizes import SizeLine, SizeRatio
from workbench.costing.terms import Shipping, Terms, delivery_terms, landed_terms

__all__ = [
    "BodyMeasurements",
    "Brand",
    "BreakdownLine",
    "CostResult",
    "CostingError",
    "Embroidery",
    "FabricCost",
    "FabricSpec",
    "FxRate",
    "Making",
    "MarginRule",
    "MarkerConsumption",
    "MarkerPlan",
    "PriceResult",
    "PrintSpec",
    "Rate",
    "RateBook",
    "Shipping",
    "SizeLine",
    "SizeRatio",
    "Style",
    "Terms",
    "TrimLine",
    "choose_fx_rate",
    "choose_margin_rule",
    "cost_fabric",
    "cost_per_minute",
    "cost_style",
    "delivery_terms",
    "fabric_spec",
    "find_yarn",
    "kg_per_metre",
    "landed_terms",
    "load_rate_book",
    "net_consumption_kg",
    "price_breaks",
    "price_style",
    "size_costs",
    "stale_lines",
    "trim_line",
    "with_shares",
]
