"""A garment's cost per piece: fabric, prints, embroidery, making, trims and packing, then the
factory overhead on that manufacturing cost and the commercial costs on the factory cost.

Why this order of bases: the factory overhead recovers the factory's fixed costs, which scale
with what it manufactures (materials and conversion); commercial costs (the commercial team,
testing, freight, duty where it applies) are incurred on the goods as they leave the factory,
so they are charged on the factory cost including its overhead.

Fabric consumption per piece, in kg of finished fabric:
- from a marker: the marker's kg (or m × kg per m, yd × 0.9144 × kg per m) per piece, as given;
- from a marker plan: marker length ÷ garments × kg per m (`workbench.costing.marker`);
- from body measurements, the knit convention (docs/costing.md): kg per dozen =
  (body length + sleeve length + allowance) × (½ chest + allowance) × 2 × GSM × 12 / 10,000,000
  with lengths in cm, so per piece the same without the × 12;
then × (1 + wastage) in both cases.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from workbench.costing.breakdown import BreakdownLine, total_of, with_shares
from workbench.costing.errors import CostingError
from workbench.costing.fabric import FabricCost, cost_fabric, print_rate
from workbench.costing.inputs import BodyMeasurements, MarkerConsumption, Style
from workbench.costing.limits import show
from workbench.costing.marker import MarkerPlan
from workbench.costing.money import ONE, ZERO, to_cents
from workbench.costing.ratebook import RateBook
from workbench.costing.sizes import SizeLine, SizeRatio
from workbench.costing.units import yards_to_m

#: cm² → m² (10,000) times g → kg (1,000): the 10,000,000 of the trade's formula
_CM2_G_PER_KG = Decimal(10_000_000)
_STITCHES_PER_UNIT = Decimal(1000)


@dataclass(frozen=True)
class CostResult:
    """A style's cost per piece in ``currency`` on the costing date ``on``.

    ``lines`` add up to ``total``; ``manufacturing_cost`` is the sum before overheads and
    ``factory_cost`` the sum before commercial costs. ``consumption_kg`` / ``consumption_m``
    are fabric per piece including wastage.
    """

    style_code: str
    on: date
    currency: str
    fabric: FabricCost
    consumption_kg: Decimal
    consumption_m: Decimal
    #: the breakdown without shares; `lines` adds them when first asked (a repricing run
    #: that only wants prices never needs them)
    unshared: tuple[BreakdownLine, ...]
    manufacturing_cost: Decimal
    factory_cost: Decimal
    total: Decimal

    @functools.cached_property
    def lines(self) -> tuple[BreakdownLine, ...]:
        """The breakdown, each line with its share of the total."""
        return with_shares(self.unshared)

    @property
    def total_shown(self) -> Decimal:
        return to_cents(self.total)

    @property
    def rounding(self) -> Decimal:
        """What showing the lines to the cent moved so that they add up to `total_shown`: the
        total shown less the lines rounded one by one (0: nothing moved), for the sheet to
        state."""
        return self.total_shown - sum((to_cents(line.amount) for line in self.unshared), ZERO)

    @property
    def rounded_lines(self) -> tuple[BreakdownLine, ...]:
        """The lines shown a cent away from their own rounding, to take up `rounding`."""
        return tuple(line for line in self.lines if line.amount_shown != to_cents(line.amount))

    def line(self, component: str) -> BreakdownLine:
        """The line named ``component`` (as shown in the breakdown)."""
        for line in self.lines:
            if line.component == component:
                return line
        raise KeyError(component)


_MINUTES_PER_HOUR = Decimal(60)


def cost_per_minute(monthly_cost: Decimal, working_days: int, hours_per_day: Decimal) -> Decimal:
    """A line's cost per minute: its monthly cost (operators' wages and what the line
    carries) over the minutes it works in the month, days × hours × 60."""
    if monthly_cost < 0 or working_days <= 0 or hours_per_day <= 0:
        raise CostingError("cost per minute needs a cost, working days and hours per day")
    return monthly_cost / (working_days * hours_per_day * _MINUTES_PER_HOUR)


def net_consumption_kg(
    consumption: MarkerConsumption | BodyMeasurements | MarkerPlan | SizeRatio,
    fabric: FabricCost,
) -> Decimal:
    """Fabric per piece before wastage, in kg (see the module docstring for the formulas)."""
    if isinstance(consumption, SizeRatio):  # the ratio's weighted mean (workbench.costing.sizes)
        weighted = sum(
            (
                line.ratio * net_consumption_kg(line.consumption, fabric)
                for line in consumption.sizes
            ),
            ZERO,
        )
        return weighted / consumption.pieces
    if isinstance(consumption, MarkerConsumption):
        if consumption.uom == "kg":
            return consumption.quantity
        if consumption.uom == "yd":
            return yards_to_m(consumption.quantity) * fabric.kg_per_m
        return consumption.quantity * fabric.kg_per_m
    if isinstance(consumption, MarkerPlan):
        if consumption.width_cm > fabric.spec.width_cm:
            raise CostingError(
                f"the marker, {show(consumption.width_cm, 'cm')}, is wider than the fabric's "
                f"cuttable width of {show(fabric.spec.width_cm, 'cm')}"
            )
        return consumption.metres_per_piece * fabric.kg_per_m
    length_cm = (
        consumption.body_length_cm + consumption.sleeve_length_cm + consumption.length_allowance_cm
    )
    width_cm = consumption.half_chest_cm + consumption.width_allowance_cm
    return length_cm * width_cm * 2 * Decimal(fabric.spec.gsm) / _CM2_G_PER_KG


def cost_garment(style: Style, book: RateBook, on: date) -> CostResult:
    """Cost one piece of ``style`` with the rates in force on ``on``."""
    fabric = cost_fabric(style.fabric, book, on, style.printing)
    kg = net_consumption_kg(style.consumption, fabric) * (ONE + style.wastage)
    lines = [line.scaled(kg) for line in fabric.lines]

    if style.printing is not None:
        rate = print_rate(book, style.printing, on)
        if rate.unit == "pc":
            placements = Decimal(style.printing.placements)
            lines.append(
                BreakdownLine.from_rate(f"Print {style.printing.technique}", rate, placements)
            )

    for emb in style.embroidery:
        rate = book.find("embroidery", on, rate_code=emb.rate_code)
        if rate.unit != "1000 stitches":
            raise CostingError(
                f"embroidery rate {rate.rate_code} is {rate.basis!r}; expected per 1000 stitches"
            )
        thousands = Decimal(emb.stitches) / _STITCHES_PER_UNIT
        name = f"Embroidery {emb.label}".strip()
        lines.append(BreakdownLine.from_rate(name, rate, thousands))

    making = style.making
    cpm = book.find("making", on, technique=making.mill, label=f"mill {making.mill!r}")
    if cpm.unit != "min":
        raise CostingError(f"making rate {cpm.rate_code} is {cpm.basis!r}; expected per minute")
    # Effective minutes: a line at 80 % efficiency takes SAM / 0.8 minutes per piece.
    lines.append(BreakdownLine.from_rate("Making", cpm, making.sam / making.line_efficiency))

    for trim in style.trims:
        rate = book.find(
            "trim",
            on,
            material_id=trim.material_id,
            label=f"{trim.name} (material {trim.material_id!r})",
        )
        if rate.unit not in ("pc", "m"):
            raise CostingError(
                f"trim rate for {trim.name!r} is {rate.basis!r}; expected per piece or per m"
            )
        kind = "Packing" if trim.packing else "Trims"
        lines.append(BreakdownLine.from_rate(f"{kind}: {trim.name}", rate, trim.quantity))

    manufacturing = total_of(lines)
    for name in style.factory_overheads:
        rate = book.find("overhead", on, description=name)
        if rate.unit != "percent":
            raise CostingError(
                f"factory overhead {name!r} must be a percent rate, not {rate.basis!r}"
            )
        lines.append(BreakdownLine.from_rate(name, rate, manufacturing, book.currency))

    factory = total_of(lines)
    for name in style.commercial_costs:
        rate = book.find("overhead", on, description=name)
        if rate.unit == "percent":
            lines.append(BreakdownLine.from_rate(name, rate, factory, book.currency))
        elif rate.unit == "pc":
            lines.append(BreakdownLine.from_rate(name, rate, ONE))
        else:
            raise CostingError(
                f"commercial cost {name!r} must be a percent or per piece rate, not {rate.basis!r}"
            )

    unshared = tuple(lines)
    return CostResult(
        style_code=style.style_code,
        on=on,
        currency=book.currency,
        fabric=fabric,
        consumption_kg=kg,
        consumption_m=kg / fabric.kg_per_m,
        unshared=unshared,
        manufacturing_cost=manufacturing,
        factory_cost=factory,
        total=total_of(unshared),
    )


def size_costs(style: Style, book: RateBook, on: date) -> tuple[tuple[SizeLine, Decimal], ...]:
    """Each size of ``style``'s ratio with its own cost per piece (its consumption, the rest
    of the style the same), for the sheet's per-size figures; their ratio-weighted mean is
    the style's cost."""
    ratio = style.consumption
    if not isinstance(ratio, SizeRatio):
        raise CostingError(f"style {style.style_code} is not costed by size")
    return tuple(
        (line, cost_garment(replace(style, consumption=line.consumption), book, on).total)
        for line in ratio.sizes
    )
