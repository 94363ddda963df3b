"""What-if: the same style with one fibre swapped for another (cotton → organic cotton,
polyester → recycled polyester), both footprints and the change per impact area.

Why the comparability checks: a swap can trade a fibre that has a figure for one that has
none (recycled polyester has no sourced water figure). Its water total would then drop only
because a figure went missing, and a merchandiser would tell a buyer "recycled polyester saves
water" on no evidence. So a change is computed only when the swapped fibres both have, or both
lack, the area's figure; otherwise the change is None and its note says why. Likewise a
fibre whose figure nets off credits (Austrian viscose's −250 kg CO2-eq per tonne counts the
biogenic carbon the fibre stores and the energy its mill exports) is not subtracted from one
whose figure takes none (cotton): the change is None, the credited figure stands on its own
line of the report. Two credited fibres are compared, credits on both sides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from workbench.costing import CostResult, Style
from workbench.esg.areas import AREAS, CREDITED_SCOPE, FIBRE_SCOPE
from workbench.esg.composition import FibreShare, fibre_mix
from workbench.esg.errors import EsgError
from workbench.esg.footprint import Footprint, style_footprint
from workbench.esg.matrix import Matrix, load_matrix

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Change:
    """An area's figure before and after the swap; ``change`` = after − before and
    ``percent`` = change ÷ before × 100 (None when not comparable: ``note`` says why).
    ``basis`` says which total was compared (the section total, or its fibre scope)."""

    area: str
    title: str
    unit: str
    basis: str
    before: Decimal | None
    after: Decimal | None
    change: Decimal | None
    percent: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class WhatIf:
    """Both footprints of a swap and the change in each quantified area."""

    swap: Mapping[str, str]
    before: Footprint
    after: Footprint
    changes: tuple[Change, ...]
    notes: tuple[str, ...] = ()

    def change(self, area: str) -> Change:
        for change in self.changes:
            if change.area == area:
                return change
        raise KeyError(area)


def what_if(
    style: Style,
    cost: CostResult,
    composition: str,
    swap: Mapping[str, str],
    *,
    matrix: Matrix | None = None,
    **options: Any,
) -> WhatIf:
    """``style``'s footprint as it is and with the fibres in ``swap`` replaced
    ({"cotton": "organic cotton"}); ``options`` go to `style_footprint` for both."""
    matrix = matrix or load_matrix()
    shares = fibre_mix(composition, matrix)
    if not swap:
        raise EsgError("a what-if needs a swap, e.g. {'cotton': 'organic cotton'}")
    pairs = {matrix.fibre(a).key: matrix.fibre(b).key for a, b in swap.items()}
    present = {s.fibre for s in shares}
    for old, new in pairs.items():
        if old not in present:
            raise EsgError(f"the composition {composition!r} has no {old} to swap")
        if old == new:
            raise EsgError(f"swapping {old} for itself changes nothing")
    swapped = _swapped(shares, pairs, matrix)
    before = style_footprint(style, cost, shares, matrix=matrix, **options)
    after = style_footprint(style, cost, swapped, matrix=matrix, **options)
    changes = tuple(
        _change(area.key, before, after, pairs, matrix) for area in AREAS if area.fibre_indicator
    )
    notes = tuple(
        dict.fromkeys(
            f"{matrix.fibres[new].name}: {figure.derived}"
            for new in pairs.values()
            for figure in matrix.fibres[new].figures.values()
            if figure.derived
        )
    )
    return WhatIf(dict(pairs), before, after, changes, notes)


def _swapped(
    shares: tuple[FibreShare, ...], pairs: Mapping[str, str], matrix: Matrix
) -> tuple[FibreShare, ...]:
    """The shares with fibres replaced; a fibre already present takes the swapped share."""
    merged: dict[str, Decimal] = {}
    for share in shares:
        key = pairs.get(share.fibre, share.fibre)
        merged[key] = merged.get(key, Decimal(0)) + share.share
    return tuple(
        FibreShare(key, share, f"{(share * _HUNDRED).normalize():f}% {matrix.fibres[key].name}")
        for key, share in merged.items()
    )


def _change(
    area: str, before: Footprint, after: Footprint, pairs: Mapping[str, str], matrix: Matrix
) -> Change:
    spec = next(a for a in AREAS if a.key == area)
    assert spec.fibre_indicator is not None
    b, a = before.section(area), after.section(area)
    if spec.sums_scopes:
        basis, old, new = "total", b.total, a.total
    else:
        basis = FIBRE_SCOPE  # the processes are the same before and after
        old, new = b.scope_total(FIBRE_SCOPE), a.scope_total(FIBRE_SCOPE)
    credited_pairs = 0
    for before_key, after_key in pairs.items():
        was = matrix.fibres[before_key].figures[spec.fibre_indicator]
        now = matrix.fibres[after_key].figures[spec.fibre_indicator]
        if was.missing != now.missing:
            lacking = matrix.fibres[after_key if not was.missing else before_key].name
            return Change(
                area,
                spec.title,
                spec.unit,
                basis,
                old,
                new,
                None,
                None,
                f"not comparable: {lacking} has no {spec.fibre_indicator} figure, "
                "so the totals do not cover the same fibres",
            )
        if bool(was.credits) != bool(now.credits):
            keys = (after_key, before_key) if now.credits else (before_key, after_key)
            name, other = (matrix.fibres[k].name for k in keys)
            return Change(
                area,
                spec.title,
                spec.unit,
                basis,
                old,
                new,
                None,
                None,
                f"not comparable: {name}'s figure nets off credits (biogenic carbon, "
                f"exported energy) that {other}'s does not take, so it is reported "
                "on its own line and not subtracted from it",
            )
        credited_pairs += bool(now.credits)
    if credited_pairs and old is not None and new is not None:
        # credited on both sides: like with like, so the credited figures are compared too
        basis = f"{basis}, with the figures net of credits on both sides"
        old += b.scope_total(CREDITED_SCOPE) or 0
        new += a.scope_total(CREDITED_SCOPE) or 0
    if old is None or new is None:
        return Change(
            area, spec.title, spec.unit, basis, old, new, None, None, "no total to compare"
        )
    delta = new - old
    percent = delta / old * _HUNDRED if old else None
    return Change(area, spec.title, spec.unit, basis, old, new, delta, percent)
