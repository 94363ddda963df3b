"""A style's process route with standard loads, for lead times from a cost sheet.

The loads are the trade's working figures per unit, in the units the work centres publish
capacity in (machine or operator minutes); docs/capacity.md derives each one:

- knitting 3 machine-minutes per kg (a circular machine knits about 20 kg of jersey an hour),
- weaving 100 / (600 / 50) = 8.33 loom-minutes per metre (an air-jet loom inserts 600 picks a
  minute; at 50 picks per cm that is 12 cm of cloth a minute),
- dyeing 1 machine-minute per kg with a two-day minimum (a soft-flow batch of ~500 kg runs about
  8 hours, then drying and checking),
- printing 0.3 minutes per placement, embroidery stitches ÷ 800 head-minutes (a head sews
  about 800 stitches a minute), cutting 0.6 minutes a piece,
- sewing the style's SAM ÷ line efficiency, finishing and packing 1.5 minutes a piece,

Knitting, weaving and dyeing handle grey fabric, more of it than the garment's finished
consumption: the costing chain's dyeing loss (`FabricCost.grey_per_kg`, 1.10 for the usual
10 %) turns finished kilograms and metres into grey ones, so capacity and cost agree on the
mass. Later steps are per piece.

With a day in transit from the fabric mill to the dye house and two from dyeing to cutting
(compacting, inspection, relaxation). A planner with better figures for a style changes the
steps; these make a first answer possible the moment a sheet is filled in.
"""

from __future__ import annotations

from decimal import Decimal

from workbench.capacity.model import RouteStep
from workbench.costing.garment import CostResult
from workbench.costing.inputs import Style

#: A circular knitting machine's output of single jersey, kg per hour.
KNIT_KG_PER_HOUR = Decimal(20)
KNIT_MIN_PER_KG = Decimal(60) / KNIT_KG_PER_HOUR
#: An air-jet loom's weft insertion rate and a shirting's weft density.
LOOM_PICKS_PER_MINUTE = Decimal(600)
WEFT_PICKS_PER_CM = Decimal(50)
WEAVE_MIN_PER_M = Decimal(100) * WEFT_PICKS_PER_CM / LOOM_PICKS_PER_MINUTE
DYE_MIN_PER_KG = Decimal(1)
PRINT_MIN_PER_PLACEMENT = Decimal("0.3")
STITCHES_PER_HEAD_MINUTE = Decimal(800)
CUT_MIN_PER_PIECE = Decimal("0.6")
FINISH_MIN_PER_PIECE = Decimal("1.5")


def style_route(style: Style, cost: CostResult) -> list[RouteStep]:
    """The route of a cut-and-sew style from fabric to packed goods, loaded with the grey
    fabric per piece of ``cost`` (the style's costing) for knitting, weaving and dyeing."""
    fabric = style.fabric
    grey = cost.fabric.grey_per_kg
    grey_kg, grey_m = cost.consumption_kg * grey, cost.consumption_m * grey
    steps: list[RouteStep] = []
    if fabric.kind == "knit":
        steps.append(
            RouteStep("knitting", KNIT_MIN_PER_KG, units_per_piece=grey_kg, transit_days_after=1)
        )
    else:
        steps.append(
            RouteStep("weaving", WEAVE_MIN_PER_M, units_per_piece=grey_m, transit_days_after=1)
        )
    if fabric.dye_class is not None:
        steps.append(
            RouteStep(
                "dyeing", DYE_MIN_PER_KG, units_per_piece=grey_kg, min_days=2, transit_days_after=2
            )
        )
    if style.printing is not None:
        steps.append(RouteStep("printing", PRINT_MIN_PER_PLACEMENT * style.printing.placements))
    stitches = sum((e.stitches for e in style.embroidery), 0)
    if stitches:
        steps.append(RouteStep("embroidery", Decimal(stitches) / STITCHES_PER_HEAD_MINUTE))
    steps.append(RouteStep("cutting", CUT_MIN_PER_PIECE))
    steps.append(RouteStep("sewing", style.making.sam / style.making.line_efficiency))
    steps.append(RouteStep("finishing", FINISH_MIN_PER_PIECE))
    return steps
