"""`CapacityBook`: every centre's published capacity, arranged for fast day-by-day loading.

Why precomputed arrays: a merchandiser re-quotes while typing a quantity, and each quote walks
several centres over months of days. Per centre the book keeps the working days as ascending
day ordinals with their free minutes (one `bisect` finds a step's first day, then a plain list
walk), and prefix sums over all rows so a weekly chart is two bisects per week. No SQL after
loading.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate
from statistics import median_low

from workbench.capacity.model import (
    CapacityError,
    CapacityRow,
    WeekLoad,
    WorkCentre,
    process_key,
)


@dataclass(frozen=True, slots=True)
class CentreDays:
    """One centre's capacity, precomputed. Working days are rows with minutes available.

    ``horizon`` is the last day with a row (the end of published capacity); after it the
    planner assumes ``default_free`` minutes on each of ``weekdays`` (see the package docs).
    """

    centre: WorkCentre
    days: tuple[int, ...]  # ordinals of working days, ascending
    free: tuple[int, ...]  # max(0, available - booked) on those days
    horizon: int  # ordinal of the last row; 0 when the centre has none
    weekdays: frozenset[int]  # weekdays the centre works beyond the horizon
    default_free: int  # median available minutes of its working days
    all_days: tuple[int, ...]  # every row's ordinal, ascending (for charts)
    available_sums: tuple[int, ...]  # prefix sums over all_days, with a leading 0
    booked_sums: tuple[int, ...]


def _centre_days(centre: WorkCentre, rows: list[CapacityRow]) -> CentreDays:
    rows.sort(key=lambda r: r.day)
    work = [r for r in rows if r.available > 0]
    if work:
        counts = Counter(r.day.weekday() for r in work)
        busiest = max(counts.values())
        # A weekday is a working day if it is worked at least half as often as the busiest
        # weekday: one overtime Sunday must not make every future Sunday a working day.
        weekdays = frozenset(w for w, n in counts.items() if 2 * n >= busiest)
        default_free = median_low([r.available for r in work])
    else:
        weekdays, default_free = frozenset(), 0
    return CentreDays(
        centre=centre,
        days=tuple(r.day.toordinal() for r in work),
        free=tuple(max(0, r.available - r.booked) for r in work),
        horizon=rows[-1].day.toordinal() if rows else 0,
        weekdays=weekdays,
        default_free=default_free,
        all_days=tuple(r.day.toordinal() for r in rows),
        available_sums=(0, *accumulate(r.available for r in rows)),
        booked_sums=(0, *accumulate(r.booked for r in rows)),
    )


class CapacityBook:
    """The work centres and their daily capacity, keyed for the planner.

    Rows must name a centre of the book by id, and each centre may have one row per day; minute
    values must be whole and ≥ 0. The loader resolves duplicates in the replica before this.
    """

    __slots__ = ("_by_code", "_by_process", "_centres")

    def __init__(self, centres: Iterable[WorkCentre], rows: Iterable[CapacityRow] = ()) -> None:
        centre_list = list(centres)
        by_id: dict[str, list[CapacityRow]] = {}
        for centre in centre_list:
            if centre.id in by_id:
                raise CapacityError(f"work centre id {centre.id!r} appears twice")
            by_id[centre.id] = []
        codes = {c.id: c.code for c in centre_list}
        seen: set[tuple[str, date]] = set()
        for row in rows:
            if row.centre_id not in by_id:
                raise CapacityError(f"capacity on {row.day} names unknown centre {row.centre_id}")
            what = f"capacity of {codes[row.centre_id]} on {row.day}"
            for name, value in (("available", row.available), ("booked", row.booked)):
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise CapacityError(f"{what}: minutes {name} must be whole and ≥ 0, "
                                        f"not {value!r}")  # fmt: skip
            if (row.centre_id, row.day) in seen:
                raise CapacityError(f"{what} appears twice")
            seen.add((row.centre_id, row.day))
            by_id[row.centre_id].append(row)
        self._centres = tuple(_centre_days(c, by_id[c.id]) for c in centre_list)
        self._by_code: dict[str, list[CentreDays]] = {}
        self._by_process: dict[str, list[CentreDays]] = {}
        for days in sorted(self._centres, key=lambda d: d.centre.code):
            self._by_code.setdefault(days.centre.code.strip().casefold(), []).append(days)
            self._by_process.setdefault(days.centre.process, []).append(days)

    @property
    def centres(self) -> tuple[WorkCentre, ...]:
        """Every centre in the book, in the order given."""
        return tuple(d.centre for d in self._centres)

    @property
    def processes(self) -> tuple[str, ...]:
        """The processes some centre of the book performs, sorted."""
        return tuple(sorted(self._by_process))

    def centre_days(self, code: str) -> CentreDays:
        """The precomputed capacity of the centre with this code (case-insensitive)."""
        found = self._by_code.get(str(code).strip().casefold(), [])
        if not found:
            known = ", ".join(sorted(d.centre.code for d in self._centres)) or "none"
            raise CapacityError(f"no work centre {code!r} (known: {known})")
        if len(found) > 1:
            mills = ", ".join(d.centre.mill or d.centre.id for d in found)
            raise CapacityError(f"work centre code {code!r} names {len(found)} centres ({mills})")
        return found[0]

    def for_process(self, process: str) -> tuple[CentreDays, ...]:
        """The centres performing ``process``, by code; empty when there are none."""
        return tuple(self._by_process.get(process_key(process), ()))


def utilisation(book: CapacityBook, centre_code: str, start: date, weeks: int) -> list[WeekLoad]:
    """Available and booked minutes of one centre per ISO week, from the week holding
    ``start``, for ``weeks`` weeks. Raw published rows (booked may exceed available, which is
    what a chart should show); weeks past the horizon read 0 and 0."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
        raise CapacityError(f"weeks must be a whole number ≥ 0, not {weeks!r}")
    days = book.centre_days(centre_code)
    monday = start - timedelta(days=start.weekday())
    out = []
    for n in range(weeks):
        week = monday + timedelta(weeks=n)
        lo = bisect_left(days.all_days, week.toordinal())
        hi = bisect_left(days.all_days, week.toordinal() + 7)
        out.append(
            WeekLoad(
                week,
                days.available_sums[hi] - days.available_sums[lo],
                days.booked_sums[hi] - days.booked_sums[lo],
            )
        )
    return out
