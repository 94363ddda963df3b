"""`CapacityBook`: every centre's published capacity, arranged for fast day-by-day loading.

Why precomputed arrays: a merchandiser re-quotes while typing a quantity, and each quote walks
several centres over months of days. Per centre the book keeps the working days as ascending
day ordinals with their free minutes (one `bisect` finds a step's first day, then a plain list
walk), and prefix sums over all rows so a weekly chart is two bisects per week. No SQL after
loading.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from statistics import median_low

from workbench.capacity.model import (
    CalendarDay,
    CapacityError,
    CapacityRow,
    WeekLoad,
    WorkCentre,
    process_key,
)


@dataclass(frozen=True, slots=True)
class CentreDays:
    """One centre's capacity, precomputed, its calendar applied. Working days are days with
    minutes available.

    ``horizon`` is the last day with a row (the end of published capacity); after it the
    planner assumes ``weekday_free[w]`` minutes on each weekday ``w`` (0 where the centre does
    not usually work), except on the calendar days in ``beyond`` (see the package docs).
    """

    centre: WorkCentre
    days: tuple[int, ...]  # ordinals of working days, ascending
    free: tuple[int, ...]  # max(0, available - booked) on those days
    horizon: int  # ordinal of the last row; 0 when the centre has none
    weekdays: frozenset[int]  # weekdays the centre works beyond the horizon
    default_free: int  # a full working day: median available minutes of its working days
    all_days: tuple[int, ...]  # every day's ordinal, ascending (for charts)
    available_sums: tuple[int, ...]  # prefix sums over all_days, with a leading 0
    booked_sums: tuple[int, ...]
    #: the usual available minutes of each weekday (Monday first) beyond the horizon
    weekday_free: tuple[int, ...] = (0,) * 7
    #: calendar days past the horizon: ordinal -> minutes available
    beyond: Mapping[int, int] = field(default_factory=dict)
    #: the calendar days that apply to this centre, by day
    calendar: tuple[CalendarDay, ...] = ()


def _usual_minutes(work: list[CapacityRow]) -> tuple[int, ...]:
    """Each weekday's usual available minutes: the median of that weekday's published
    working days, so a half-day Saturday stays a half day past the horizon. A weekday counts
    only if worked at least half as often as the busiest one: one overtime Sunday must not
    make every future Sunday a working day."""
    by_weekday: dict[int, list[int]] = {}
    for r in work:
        by_weekday.setdefault(r.day.weekday(), []).append(r.available)
    if not by_weekday:
        return (0,) * 7
    busiest = max(len(v) for v in by_weekday.values())
    return tuple(
        median_low(by_weekday[w]) if 2 * len(by_weekday.get(w, ())) >= busiest else 0
        for w in range(7)
    )


def full_day_minutes(available: Iterable[int]) -> int:
    """A centre's full working day: the median (low) of its published minutes available on
    the days it works, which a calendar day's share is taken of (0 when it works none)."""
    work = [a for a in available if a > 0]
    return median_low(work) if work else 0


def _centre_days(
    centre: WorkCentre, rows: list[CapacityRow], calendar: dict[date, CalendarDay]
) -> CentreDays:
    rows.sort(key=lambda r: r.day)
    work = [r for r in rows if r.available > 0]
    full_day = full_day_minutes(r.available for r in work)
    usual = _usual_minutes(work)
    horizon = rows[-1].day.toordinal() if rows else 0
    published = {r.day.toordinal(): (r.available, r.booked) for r in rows}
    beyond: dict[int, int] = {}
    for day, entry in calendar.items():
        ordinal = day.toordinal()
        if ordinal > horizon:
            beyond[ordinal] = entry.minutes(full_day)
        else:  # the calendar decides the minutes; the bookings stand
            published[ordinal] = (entry.minutes(full_day), published.get(ordinal, (0, 0))[1])
    ordered = sorted(published.items())
    open_days = [(day, a, b) for day, (a, b) in ordered if a > 0]
    return CentreDays(
        centre=centre,
        days=tuple(day for day, _, _ in open_days),
        free=tuple(max(0, a - b) for _, a, b in open_days),
        horizon=horizon,
        weekdays=frozenset(w for w, minutes in enumerate(usual) if minutes),
        default_free=full_day,
        all_days=tuple(day for day, _ in ordered),
        available_sums=(0, *accumulate(a for _, (a, _) in ordered)),
        booked_sums=(0, *accumulate(b for _, (_, b) in ordered)),
        weekday_free=usual,
        beyond=beyond,
        calendar=tuple(calendar[day] for day in sorted(calendar)),
    )


class CapacityBook:
    """The work centres and their daily capacity, keyed for the planner.

    Rows must name a centre of the book by id, and each centre may have one row per day; minute
    values must be whole and ≥ 0. ``calendar`` days name a centre of the book or none (every
    centre), one per centre (or none) and day; a centre's own day wins over the one for every
    centre. The loader resolves duplicates in the replica before this.
    """

    __slots__ = ("_by_code", "_by_process", "_centres")

    def __init__(
        self,
        centres: Iterable[WorkCentre],
        rows: Iterable[CapacityRow] = (),
        calendar: Iterable[CalendarDay] = (),
    ) -> None:
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
                    raise CapacityError(
                        f"{what}: minutes {name} must be whole and ≥ 0, not {value!r}"
                    )
            if (row.centre_id, row.day) in seen:
                raise CapacityError(f"{what} appears twice")
            seen.add((row.centre_id, row.day))
            by_id[row.centre_id].append(row)
        everywhere: dict[date, CalendarDay] = {}
        own: dict[str, dict[date, CalendarDay]] = {c.id: {} for c in centre_list}
        for entry in calendar:
            if entry.centre_id is not None and entry.centre_id not in own:
                raise CapacityError(
                    f"calendar day {entry.day} names unknown centre {entry.centre_id}"
                )
            target = everywhere if entry.centre_id is None else own[entry.centre_id]
            if entry.day in target:
                who = "every centre" if entry.centre_id is None else codes[entry.centre_id]
                raise CapacityError(f"calendar day {entry.day} of {who} appears twice")
            target[entry.day] = entry
        self._centres = tuple(
            _centre_days(c, by_id[c.id], {**everywhere, **own[c.id]}) for c in centre_list
        )
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
    ``start``, for ``weeks`` weeks: the published rows with the centre's calendar applied
    (booked may exceed available, as on a day that became a holiday after it was booked, which
    is what a chart should show); weeks past the horizon read 0 and 0."""
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
