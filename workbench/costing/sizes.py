"""Costing by size: a size ratio with each size's own fabric consumption.

Why: a 1:2:2:1 run of S–XL does not use the M's fabric for every piece, and merchandisers
price the order on the ratio's weighted consumption (the cutting room lays the ratio in one
marker). Everything else on the sheet (making, trims, prints, overheads as percentages) is the
same for every size, and the cost is linear in the fabric, so:

    consumption of the ratio = Σ ratioᵢ × consumptionᵢ ÷ Σ ratioᵢ      (kg per piece)
    cost of the ratio        = Σ ratioᵢ × costᵢ ÷ Σ ratioᵢ = the cost at that consumption

`workbench.costing.garment.size_costs` gives each size's own cost for the sheet's per-size
figures; their weighted mean is the sheet's cost exactly (checked by tests).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from workbench.costing.errors import CostingError

if TYPE_CHECKING:  # inputs holds the style, whose consumption may be a size ratio
    from workbench.costing.inputs import BodyMeasurements, MarkerConsumption
    from workbench.costing.marker import MarkerPlan


@dataclass(frozen=True)
class SizeLine:
    """One size of the ratio: its name, its share of the ratio (pieces per ratio) and what a
    piece of it consumes."""

    size: str
    ratio: int
    consumption: MarkerConsumption | BodyMeasurements | MarkerPlan

    def __post_init__(self) -> None:
        if not self.size.strip():
            raise CostingError("a size needs a name")
        if self.ratio < 1:
            raise CostingError(
                f"size {self.size}: a ratio of {self.ratio} is not a whole number of pieces from 1"
            )


@dataclass(frozen=True)
class SizeRatio:
    """The sizes of an order in ratio (S:M:L:XL = 1:2:2:1), each with its consumption."""

    sizes: tuple[SizeLine, ...]

    def __post_init__(self) -> None:
        if not self.sizes:
            raise CostingError("a size ratio needs at least one size")
        names = [s.size for s in self.sizes]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise CostingError(f"size {twice} is in the ratio twice")

    @property
    def pieces(self) -> int:
        """Pieces in one ratio (the sum of its numbers)."""
        return sum(s.ratio for s in self.sizes)

    def text(self) -> str:
        """The ratio as the trade writes it: "S:M:L = 1:2:1"."""
        return (
            ":".join(s.size for s in self.sizes)
            + " = "
            + ":".join(str(s.ratio) for s in self.sizes)
        )


def read_size_ratio(
    ratio_text: str, per_size_text: str, number: Callable[[str], Decimal]
) -> SizeRatio:
    """A ratio as the trade writes it, "S:M:L:XL = 1:2:2:1", with each size's marker
    consumption in the same order and its unit after them, "0.22 : 0.24 : 0.26 : 0.28 kg"
    (kg, m or yd per piece). ``number`` reads one figure (in the user's locale). A
    `CostingError` says which part cannot be read."""
    from workbench.costing.inputs import MarkerConsumption

    sizes_part, equals, ratios_part = ratio_text.partition("=")
    names = [n.strip() for n in sizes_part.split(":")]
    if not equals or not all(names):
        raise CostingError(
            f"write the ratio as sizes = pieces, e.g. S:M:L = 1:2:1, not {ratio_text.strip()!r}"
        )
    ratios = []
    for part in ratios_part.split(":"):
        if not part.strip().isdigit():
            raise CostingError(f"{part.strip()!r} in the ratio is not a whole number of pieces")
        ratios.append(int(part))
    if len(ratios) != len(names):
        raise CostingError(f"{len(names)} sizes but {len(ratios)} numbers in the ratio")
    figures, _, unit = per_size_text.strip().rpartition(" ")
    if unit not in ("kg", "m", "yd"):
        raise CostingError(
            "write each size's consumption in the ratio's order with its unit "
            "after them, e.g. 0.22 : 0.24 : 0.26 kg (kg, m or yd)"
        )
    values = [number(v) for v in figures.split(":")]
    if len(values) != len(names):
        raise CostingError(f"{len(names)} sizes but {len(values)} consumptions")
    return SizeRatio(
        tuple(
            SizeLine(n, r, MarkerConsumption(v, unit))  # type: ignore[arg-type]
            for n, r, v in zip(names, ratios, values, strict=True)
        )
    )


def marker_figures(ratio: SizeRatio) -> tuple[tuple[Decimal, ...], str] | None:
    """Each size's marker consumption and their one unit, as `read_size_ratio` reads them
    back; None when the sizes' consumptions are not all marker figures in one unit."""
    from workbench.costing.inputs import MarkerConsumption

    consumptions = [line.consumption for line in ratio.sizes]
    units = {c.uom for c in consumptions if isinstance(c, MarkerConsumption)}
    if len(units) != 1 or not all(isinstance(c, MarkerConsumption) for c in consumptions):
        return None
    return tuple(c.quantity for c in consumptions), units.pop()  # type: ignore[union-attr]
