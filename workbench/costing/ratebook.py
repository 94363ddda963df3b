"""The rates the engine prices with, and the one rule for which rate is in force.

Why one place: "the rate with the latest valid-from on or before the costing date" must be
applied the same way to every process, and a missing rate must be reported the same way,
naming the process, the keys that were looked for and the date. The book holds every version
of every rate, so one book serves costings on any date (a re-quote of last season's style picks
last season's rates).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from workbench.costing.errors import CostingError
from workbench.costing.inputs import Brand, FxRate, MarginRule, Rate

#: How a key is named in a "no … rate for …" message.
_KEY_NAMES = {
    "material_id": "material",
    "dye_class": "dye class",
    "shade_depth": "shade",
    "technique": "technique",
    "rate_code": "rate code",
    "description": "",
}


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").strip().casefold() == (b or "").strip().casefold()


@dataclass(frozen=True)
class RateBook:
    """All versions of the cost rates, the brands' margin rules and the FX rates a costing may
    use. ``currency`` is the currency costs are computed in (the rates' currency)."""

    rates: tuple[Rate, ...] = ()
    margin_rules: tuple[MarginRule, ...] = ()
    brands: tuple[Brand, ...] = ()
    fx_rates: tuple[FxRate, ...] = ()
    currency: str = "INR"
    _by_process: dict[str, list[Rate]] = field(init=False, repr=False, compare=False)
    _found: dict[tuple[object, ...], Rate] = field(init=False, repr=False, compare=False)
    _by_material: dict[tuple[str, str], list[Rate]] = field(init=False, repr=False, compare=False)
    #: answers already worked out with this book: fabric costs by (spec, print, date) (many
    #: sheets share a fabric, and its cost per kg depends on nothing else), FX rates, a
    #: brand's rules
    fabric_costs: dict[tuple[object, ...], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Rate]] = defaultdict(list)
        by_material: dict[tuple[str, str], list[Rate]] = defaultdict(list)
        for rate in self.rates:
            grouped[rate.process.casefold()].append(rate)
            if rate.material_id:
                by_material[(rate.process.casefold(), rate.material_id.strip().casefold())].append(
                    rate
                )
        object.__setattr__(self, "_by_process", dict(grouped))
        # yarn and trim prices are most of the book: one material's are found by its id
        object.__setattr__(self, "_by_material", dict(by_material))
        # The book never changes, so a lookup's answer never does: repricing many sheets
        # asks the same few dozen questions, and each is answered once.
        object.__setattr__(self, "_found", {})
        object.__setattr__(self, "fabric_costs", {})

    def find(
        self,
        process: str,
        on: date,
        *,
        material_id: str | None = None,
        dye_class: str | None = None,
        shade_depth: str | None = None,
        technique: str | None = None,
        rate_code: str | None = None,
        description: str | None = None,
        technique_prefix: bool = False,
        label: str | None = None,
    ) -> Rate:
        """The ``process`` rate matching every key given, with the latest valid-from ≤ ``on``.

        String keys compare without regard to case or surrounding spaces. With
        ``technique_prefix`` the ``technique`` given is a fabric construction and a rate
        matches when the construction starts with the rate's technique; the longest such
        technique wins (so "28G single knit, elastane plated" does not take the plain
        "28G single knit" rate). ``label`` replaces the keys in the error message.
        """
        memo = (
            process,
            on,
            material_id,
            dye_class,
            shade_depth,
            technique,
            rate_code,
            description,
            technique_prefix,
        )
        found = self._found.get(memo)
        if found is not None:
            return found
        keys = {
            "material_id": material_id,
            "dye_class": dye_class,
            "shade_depth": shade_depth,
            "technique": technique,
            "rate_code": rate_code,
            "description": description,
        }
        wanted = {k: v for k, v in keys.items() if v is not None}
        candidates = []
        kind = process.casefold()
        if material_id is not None:
            pool = self._by_material.get((kind, material_id.strip().casefold()), [])
        else:
            pool = self._by_process.get(kind, [])
        for rate in pool:
            if all(self._matches(rate, k, v, technique_prefix) for k, v in wanted.items()):
                candidates.append(rate)
        if technique_prefix and candidates:
            longest = max(len((r.technique or "").strip()) for r in candidates)
            candidates = [r for r in candidates if len((r.technique or "").strip()) == longest]
        in_force = [r for r in candidates if r.valid_from <= on]
        if not in_force:
            raise CostingError(self._missing(process, on, wanted, label, candidates))
        rate = max(in_force, key=lambda r: r.valid_from)
        if rate.currency.upper() != self.currency.upper():
            raise CostingError(
                f"{process} rate {rate.rate_code} is in {rate.currency}; this costing is in "
                f"{self.currency}"
            )
        self._found[memo] = rate
        return rate

    @staticmethod
    def _matches(rate: Rate, key: str, value: str, prefix: bool) -> bool:
        have = getattr(rate, key)
        if key == "technique" and prefix:
            stem = (have or "").strip().casefold()
            return bool(stem) and value.strip().casefold().startswith(stem)
        return _same(have, value)

    @staticmethod
    def _missing(
        process: str, on: date, wanted: dict[str, str], label: str | None, later: list[Rate]
    ) -> str:
        if label is None:
            parts = [
                f"{_KEY_NAMES[k]} {v!r}".strip() if _KEY_NAMES[k] else repr(v)
                for k, v in wanted.items()
            ]
            label = ", ".join(parts)
        message = f"no {process} rate{' for ' + label if label else ''} on or before {on}"
        if later:
            first = min(r.valid_from for r in later)
            message += f" (the earliest is valid from {first})"
        return message

    def remember(self, key: tuple[object, ...], work: Callable[[], Any]) -> Any:
        """``work()``'s answer, worked out once per book (the book never changes)."""
        if key not in self.fabric_costs:
            self.fabric_costs[key] = work()
        return self.fabric_costs[key]

    def brand(self, key: str) -> Brand:
        """A brand by id or code (codes compare without regard to case)."""
        for brand in self.brands:
            if brand.id == key or _same(brand.code, key):
                return brand
        raise CostingError(f"no brand {key!r} in the rate book")
