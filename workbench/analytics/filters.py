"""What every dashboard can be narrowed to: brands, seasons, an order-date range and mills.

Why one frozen value: the cache keys results by it, so two selections that mean the same must
compare and hash equal. Values are normalised on creation (any iterable of names becomes a
sorted, de-duplicated tuple; ISO text becomes a `date`), so ``Filters(brands=["B", "A"])`` and
``Filters(brands=("A", "B", "A"))`` are one key.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

#: The order dimensions a dashboard can group by and a drill-down can select on.
ORDER_DIMENSIONS: tuple[str, ...] = (
    "brand",
    "season",
    "fabric_type",
    "mill",
    "currency",
    "month",
    "due_month",
)
#: Dimensions holding a month (first day of the month), given as a date or "YYYY-MM".
MONTH_DIMENSIONS = frozenset({"month", "due_month"})


def _names(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):  # one name, not its letters
        value = (value,)
    if not isinstance(value, Iterable):
        raise TypeError(f"expected names, not {value!r}")
    return tuple(sorted({str(v) for v in value}))


def as_day(value: object) -> date | None:
    """A `date` from a date, a datetime or ISO text ("2026-03-02"); None stays None."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):  # pandas Timestamps too
        return value.date()
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(f"not an ISO date: {value!r}") from None


def to_days(values: pd.Series) -> pd.Series:
    """ISO dates (or timestamps: the time is ignored) as datetime64[ns], NaT for text that is
    no date. One resolution everywhere, so joins and comparisons never meet [us] and [ns]."""
    text = values.astype(str).str.slice(0, 10)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")


def as_month(value: object) -> pd.Timestamp:
    """The first day of a month, from a date or "YYYY-MM" / "YYYY-MM-DD" text."""
    text = str(value)
    day = as_day(text + "-01" if len(text) == 7 else value)
    assert day is not None
    return pd.Timestamp(day.replace(day=1))


@dataclass(frozen=True)
class Filters:
    """A dashboard selection; empty means "all". Brands are brand codes ("NORDV"), the date
    range is on the order date and inclusive at both ends."""

    brands: tuple[str, ...] = ()
    seasons: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None
    mills: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("brands", "seasons", "mills"):
            object.__setattr__(self, name, _names(getattr(self, name)))
        for name in ("date_from", "date_to"):
            object.__setattr__(self, name, as_day(getattr(self, name)))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"date_from {self.date_from} is after date_to {self.date_to}")

    def within(self, day: date) -> bool:
        """Whether ``day`` is in the date range."""
        return (self.date_from is None or day >= self.date_from) and (
            self.date_to is None or day <= self.date_to
        )


ALL = Filters()


def _isin(column: pd.Series, wanted: tuple[str, ...]) -> np.ndarray:
    return np.asarray(column.isin(wanted))


def order_mask(
    frame: pd.DataFrame, filters: Filters, cell: dict[str, object] | None = None
) -> np.ndarray | None:
    """The rows of an order frame the filters (and a drill-down ``cell``) select, as a boolean
    array; None when nothing is filtered (cheaper than an all-true array on a million rows)."""
    masks: list[np.ndarray] = []
    for column, wanted in (
        ("brand", filters.brands),
        ("season", filters.seasons),
        ("mill", filters.mills),
    ):
        if wanted:
            masks.append(_isin(frame[column], wanted))
    days = frame["order_date"]
    if filters.date_from is not None:
        masks.append(np.asarray(days >= pd.Timestamp(filters.date_from)))
    if filters.date_to is not None:
        masks.append(np.asarray(days <= pd.Timestamp(filters.date_to)))
    for key, value in (cell or {}).items():
        if key in MONTH_DIMENSIONS:
            masks.append(np.asarray(frame[key] == as_month(value)))
        elif key in ORDER_DIMENSIONS:
            masks.append(np.asarray(frame[key] == str(value)))
        elif key == "lead_time":  # the orders a lead-time figure is computed from
            measured = np.asarray(frame["days_late"].notna())
            masks.append(measured if value else ~measured)
        elif key == "on_time":
            late = np.asarray(frame["days_late"].to_numpy() > 0)
            measured = np.asarray(frame["days_late"].notna())
            masks.append(measured & (~late if value else late))
        else:
            known = ", ".join((*ORDER_DIMENSIONS, "lead_time", "on_time"))
            raise ValueError(f"an order cell has no {key!r}; it may name {known}")
    if not masks:
        return None
    mask = masks[0]
    for more in masks[1:]:
        mask = mask & more
    return mask


def check_dimensions(by: Iterable[str], allowed: Iterable[str]) -> tuple[str, ...]:
    """``by`` as a tuple, every name in ``allowed`` (a typo would otherwise be a KeyError deep
    inside pandas)."""
    names = (by,) if isinstance(by, str) else tuple(by)
    known = tuple(allowed)
    for name in names:
        if name not in known:
            raise ValueError(f"cannot group by {name!r}; choose from {', '.join(known)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a dimension is named twice in {names!r}")
    return names
