"""The lines of a footprint's sections, and the figures it lacks.

Every line carries its quantity, factor, amount, scope and source, so the sheet can be
defended figure by figure; a figure nobody could source is a line with no amount plus a
`Missing` entry — never a zero, which would understate the footprint and hide it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Line:
    """``quantity`` (``quantity_unit``) × ``factor`` (``factor_unit``) = ``amount`` (``unit``)
    of ``indicator``, in ``scope``, from ``source``. A missing figure leaves ``factor`` and
    ``amount`` None (never zero); ``note`` then says why."""

    component: str
    quantity: Decimal | None
    quantity_unit: str
    factor: Decimal | None
    factor_unit: str
    amount: Decimal | None
    unit: str
    indicator: str
    scope: str
    source: str
    note: str = ""
    source_ids: tuple[str, ...] = ()
    #: the figure nets off credits (``note`` says which): flagged, and outside the total
    credited: bool = False


@dataclass(frozen=True)
class Missing:
    """A figure the report lacks: in ``area``, for ``component``, because ``reason``."""

    area: str
    component: str
    reason: str
