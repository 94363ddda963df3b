"""Fabric per piece from a marker plan: its length (or the length a planned efficiency gives),
its width and the garments laid in it.

Why: before a CAD marker exists a merchandiser knows the pattern's area per garment and the
efficiency the cutting room usually reaches; once it exists, its length and width. Marker
efficiency is the share of the marker's area the pattern pieces cover (the trade's
definition, e.g. *Online Clothing Study*, "Marker efficiency", and Gerber AccuMark's marker
report):

    efficiency     = pattern area per garment × garments / (marker length × marker width)
    marker length  = pattern area per garment × garments / (efficiency × marker width)
    metres a piece = marker length / garments

The fabric is bought across its whole cuttable width, so the kg per piece is the metres per
piece times the fabric's kg per metre; a marker wider than the fabric is refused where it is
costed (`workbench.costing.garment`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from workbench.costing.errors import CostingError
from workbench.costing.money import HUNDRED, ONE, ZERO
from workbench.costing.units import yards_to_m


@dataclass(frozen=True)
class MarkerPlan:
    """A marker ``width_cm`` wide holding ``garments`` garments, either ``length`` long (in
    ``length_uom``) or planned at ``efficiency`` (a fraction) for patterns of
    ``pattern_area_m2`` per garment. With a length, a pattern area gives the efficiency
    reached. ``length_uom`` is also the unit the sheet shows the length in."""

    width_cm: Decimal
    garments: int
    length: Decimal | None = None
    length_uom: Literal["m", "yd"] = "m"
    efficiency: Decimal | None = None
    pattern_area_m2: Decimal | None = None

    def __post_init__(self) -> None:
        if self.length_uom not in ("m", "yd"):
            raise CostingError(f"a marker's length is in m or yd, not {self.length_uom!r}")
        if self.width_cm <= 0:
            raise CostingError(f"a marker width of {self.width_cm} cm is not positive")
        if self.garments < 1:
            raise CostingError(f"a marker holds at least one garment, not {self.garments} garments")
        if self.length is not None and self.efficiency is not None:
            raise CostingError("give the marker's length or a planned efficiency, not both")
        if self.length is None and self.efficiency is None:
            raise CostingError("a marker plan needs the marker length or a planned efficiency")
        if self.length is not None and self.length <= 0:
            raise CostingError(
                f"a marker length of {self.length} {self.length_uom} is not positive"
            )
        if self.pattern_area_m2 is not None and self.pattern_area_m2 <= 0:
            raise CostingError(f"a pattern area of {self.pattern_area_m2} m² is not positive")
        if self.efficiency is not None:
            if not ZERO < self.efficiency < ONE:
                raise CostingError(
                    f"a marker efficiency of {self.efficiency * HUNDRED} % is "
                    f"not between 0 and 100 %"
                )
            if self.pattern_area_m2 is None:
                raise CostingError("a planned efficiency needs the pattern area per garment")
        elif self.efficiency_reached is not None and self.efficiency_reached > ONE:
            raise CostingError(
                f"{self.garments} garments of {self.pattern_area_m2} m² cover more than the "
                f"marker's {self.marker_length_m * self.width_cm / HUNDRED} m²"
            )

    @property
    def marker_length_m(self) -> Decimal:
        """The marker's length in metres, as laid or as the planned efficiency gives it."""
        if self.length is not None:
            return yards_to_m(self.length) if self.length_uom == "yd" else self.length
        assert self.efficiency is not None and self.pattern_area_m2 is not None
        return self.pattern_area_m2 * self.garments / (self.efficiency * self.width_cm / HUNDRED)

    @property
    def efficiency_reached(self) -> Decimal | None:
        """The share of the marker the patterns cover: the planned efficiency, or the one a
        laid marker reaches when the pattern area is known (None when it is not)."""
        if self.efficiency is not None:
            return self.efficiency
        if self.pattern_area_m2 is None:
            return None
        area = self.marker_length_m * self.width_cm / HUNDRED
        return self.pattern_area_m2 * self.garments / area

    @property
    def metres_per_piece(self) -> Decimal:
        return self.marker_length_m / self.garments
