"""A style's process route with standard loads, for lead times from a cost sheet.

The loads are the trade's working figures per unit, in the units the work centres publish
capacity in (machine or operator minutes):

- knitting 3 machine-minutes per kg (a circular machine knits about 20 kg of jersey an hour),
- weaving 12 loom-minutes per metre (an air-jet loom at 600 picks a minute, 50 picks per cm),
- dyeing 1 machine-minute per kg with a two-day minimum (a soft-flow batch of ~500 kg runs about
  8 hours, then drying and checking),
- printing 0.3 minutes per placement, embroidery stitches ÷ 800 head-minutes (a head sews
  about 800 stitches a minute), cutting 0.6 minutes a piece,
- sewing the style's SAM ÷ line efficiency, finishing and packing 1.5 minutes a piece,

with a day in transit from the fabric mill to the dye house and two from dyeing to cutting
(compacting, inspection, relaxation). A planner with better figures for a style changes the
steps; these make a first answer possible the moment a sheet is filled in.
"""

from __future__ import annotations

from decimal import Decimal

from workbench.capacity.model import RouteStep
from workbench.costing.inputs import Style

KNIT_MIN_PER_KG = Decimal(3)
WEAVE_MIN_PER_M = Decimal(12)
DYE_MIN_PER_KG = Decimal(1)
PRINT_MIN_PER_PLACEMENT = Decimal("0.3")
STITCHES_PER_HEAD_MINUTE = Decimal(800)
CUT_MIN_PER_PIECE = Decimal("0.6")
FINISH_MIN_PER_PIECE = Decimal("1.5")


def style_route(style: Style, consumption_kg: Decimal, consumption_m: Decimal) -> list[RouteStep]:
    """The route of a cut-and-sew style from fabric to packed goods."""
    fabric = style.fabric
    steps: list[RouteStep] = []
    if fabric.kind == "knit":
        steps.append(RouteStep("knitting", KNIT_MIN_PER_KG, units_per_piece=consumption_kg,
                               transit_days_after=1))  # fmt: skip
    else:
        steps.append(RouteStep("weaving", WEAVE_MIN_PER_M, units_per_piece=consumption_m,
                               transit_days_after=1))  # fmt: skip
    if fabric.dye_class is not None:
        steps.append(RouteStep("dyeing", DYE_MIN_PER_KG, units_per_piece=consumption_kg,
                               min_days=2, transit_days_after=2))  # fmt: skip
    if style.printing is not None:
        steps.append(RouteStep("printing", PRINT_MIN_PER_PLACEMENT * style.printing.placements))
    stitches = sum((e.stitches for e in style.embroidery), 0)
    if stitches:
        steps.append(RouteStep("embroidery", Decimal(stitches) / STITCHES_PER_HEAD_MINUTE))
    steps.append(RouteStep("cutting", CUT_MIN_PER_PIECE))
    steps.append(RouteStep("sewing", style.making.sam / style.making.line_efficiency))
    steps.append(RouteStep("finishing", FINISH_MIN_PER_PIECE))
    return steps
