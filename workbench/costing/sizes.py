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

from dataclasses import dataclass
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
            raise CostingError(f"size {self.size}: a ratio of {self.ratio} is not a whole "
                               f"number of pieces from 1")  # fmt: skip


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
        return (":".join(s.size for s in self.sizes) + " = "
                + ":".join(str(s.ratio) for s in self.sizes))  # fmt: skip
