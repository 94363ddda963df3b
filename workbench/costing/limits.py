"""The trade ranges a cost sheet's inputs are checked against, in the units the form shows.

A value outside a field's ``refuse`` range (a SAM of 10⁹ minutes, an efficiency of 0 %) is
not costed; outside its ``usual`` range (a 900 g/m² fabric) it is costed, with a warning
beside the field. The ranges are data, in ``resources/costing/limits.json``, so a mill that
makes coats can widen them without a release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal

from workbench.paths import resources_dir


@dataclass(frozen=True)
class Limits:
    unit: str
    refuse: tuple[Decimal, Decimal]
    usual: tuple[Decimal, Decimal]


@dataclass(frozen=True)
class Implausible:
    """Why a value is out of range; ``refused``: too far out to cost at all."""

    message: str
    refused: bool


def _pair(values: list[object]) -> tuple[Decimal, Decimal]:
    """A ``[low, high]`` range from the limits file (anything but two values is refused)."""
    low, high = (Decimal(str(v)) for v in values)
    return low, high


def _load() -> dict[str, Limits]:
    data = json.loads((resources_dir() / "costing" / "limits.json").read_text("utf-8"))
    return {
        name: Limits(spec["unit"], _pair(spec["refuse"]), _pair(spec["usual"]))
        for name, spec in data.items()
        if not name.startswith("_")
    }


FIELD_LIMITS: dict[str, Limits] = _load()


def show(value: Decimal, unit: str) -> str:
    """``value`` with its unit, as the form writes it: "-50 %", "900 g/m²"."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} {unit}"


def _span(lo: Decimal, hi: Decimal, unit: str) -> str:
    return f"{show(lo, unit).removesuffix(' ' + unit)}–{show(hi, unit)}"


def check_plausible(field: str, value: Decimal) -> Implausible | None:
    """None when ``value`` is within the usual range of ``field`` (a key of FIELD_LIMITS)."""
    limits = FIELD_LIMITS[field]
    (lo, hi), (usual_lo, usual_hi) = limits.refuse, limits.usual
    if not lo <= value <= hi:
        return Implausible(
            f"{show(value, limits.unit)} is outside {_span(lo, hi, limits.unit)}", refused=True
        )
    if not usual_lo <= value <= usual_hi:
        return Implausible(
            f"{show(value, limits.unit)} is unusual (most are "
            f"{_span(usual_lo, usual_hi, limits.unit)}): check it",
            refused=False,
        )
    return None
