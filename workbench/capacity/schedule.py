"""Finite-capacity loading of a sequential route: the earliest day an order can be complete.

Why greedy, step by step, is exact here: each step's finish is a non-decreasing function of the
day it may start, so the earliest finish of every step (over the centres allowed) gives the
earliest start of the next, and so the earliest completion of the route.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.capacity.book import CapacityBook, CentreDays
from workbench.capacity.model import (
    WEEKDAY_NAMES,
    Calendar,
    CapacityError,
    LeadTime,
    RouteStep,
    StepSchedule,
    to_decimal,
)

#: How far past the route's start the planner looks before giving up (calendar days).
MAX_SCHEDULE_DAYS = 5 * 366


@dataclass(frozen=True, slots=True)
class _Run:
    centre: CentreDays
    start: int
    finish: int
    working_days: int
    queue_days: int
    offered: int  # free minutes on the days the step consumed capacity


def _open_days(
    c: CentreDays, ready: int, stop: int, holidays: frozenset[int], off: frozenset[int]
) -> Iterator[tuple[int, int]]:
    """(day ordinal, free minutes) of the centre's working days from ``ready`` to before
    ``stop``: published rows with the centre's calendar applied, then past the horizon each
    weekday's usual minutes, or the calendar's where it names the day. Ordinal 1 is a Monday,
    so ``(ordinal + 6) % 7`` is `date.weekday`."""
    days, free = c.days, c.free
    for i in range(bisect_left(days, ready), len(days)):
        day = days[i]
        if day >= stop:
            return
        if day in holidays or (off and (day + 6) % 7 in off):
            continue
        yield day, free[i]
    usual, beyond = c.weekday_free, c.beyond
    if not any(usual[w] for w in range(7) if w not in off) and not beyond:
        return
    for day in range(max(ready, c.horizon + 1), stop):
        weekday = (day + 6) % 7
        if weekday in off or day in holidays:
            continue
        minutes = beyond.get(day, usual[weekday]) if beyond else usual[weekday]
        if minutes:
            yield day, minutes


def _run(
    c: CentreDays,
    ready: int,
    load: int,
    min_days: int,
    holidays: frozenset[int],
    off: frozenset[int],
    give_up: int,
) -> _Run | None:
    """Load ``load`` minutes onto ``c`` from ``ready``; None if it cannot finish by
    ``give_up`` (another centre finishes then, or the scheduling limit).

    The step starts on the first working day with free minutes (a step with no load passes
    through on the first working day), takes min(remaining, free) each working day and ends
    when nothing remains and it has been in process ``min_days`` working days."""
    remaining = load
    start = working = queue = offered = 0
    for day, free in _open_days(c, ready, give_up + 1, holidays, off):
        if not start:
            if remaining and not free:
                queue += 1
                continue
            start = day
        working += 1
        if remaining:
            remaining -= min(free, remaining)
            offered += free
        if not remaining and working >= min_days:
            return _Run(c, start, day, working, queue, offered)
    return None


def _candidates(book: CapacityBook, step: RouteStep, number: int) -> tuple[CentreDays, ...]:
    what = f"step {number} ({step.process})"
    if step.work_centre is not None:
        pinned = book.centre_days(step.work_centre)
        if pinned.centre.process != step.process:
            raise CapacityError(
                f"{what}: work centre {pinned.centre.code} does {pinned.centre.process}, "
                f"not {step.process}"
            )
        return (pinned,)
    found = book.for_process(step.process)
    if not found:
        known = ", ".join(book.processes) or "none"
        raise CapacityError(f"{what}: no work centre does {step.process} (known: {known})")
    return found


def _warnings(step: RouteStep, s: StepSchedule, c: CentreDays) -> list[str]:
    out = []
    if s.queue_days:
        out.append(
            f"{step.process} at {s.centre_code}: no free capacity on {s.queue_days} working "
            f"day(s) from {s.ready}; starts {s.start}"
        )
    if s.beyond_horizon:
        groups: dict[int, list[str]] = {}
        for w, minutes in enumerate(c.weekday_free):
            if minutes:
                groups.setdefault(minutes, []).append(WEEKDAY_NAMES[w])
        usual = "; ".join(f"{', '.join(names)}: {m}" for m, names in groups.items())
        out.append(
            f"{step.process} at {s.centre_code} finishes after its published capacity ends "
            f"({date.fromordinal(c.horizon)}); assumed each weekday's usual free minutes "
            f"({usual}) and the work-centre calendar, with nothing booked after that"
        )
    return out


def lead_time(
    book: CapacityBook,
    route: Sequence[RouteStep],
    quantity: Decimal | float | int,
    start: date,
    calendar: Calendar | None = None,
) -> LeadTime:
    """The earliest completion of ``quantity`` pieces through ``route`` if the first step may
    start on ``start``.

    Steps run one after another (no overlap: a step starts the day after the previous one
    finishes, plus its transit days) and each step's whole load goes to one centre: the pinned
    one, or the one of its process that finishes earliest (ties: the lower code).
    """
    if not route:
        raise CapacityError("a route needs at least one step")
    qty = to_decimal(quantity, "quantity")
    if qty <= 0:
        raise CapacityError(f"quantity must be more than 0, not {qty}")
    calendar = calendar or Calendar()
    holidays = frozenset(d.toordinal() for d in calendar.holidays)
    off = calendar.weekly_off
    ready = start.toordinal()
    limit = ready + MAX_SCHEDULE_DAYS  # one limit for the route keeps plans monotone
    steps: list[StepSchedule] = []
    warnings: list[str] = []
    for number, step in enumerate(route, 1):
        candidates = _candidates(book, step, number)
        load = step.load_minutes(qty)
        best: _Run | None = None
        for c in candidates:
            give_up = best.finish if best else limit
            run = _run(c, ready, load, step.min_days, holidays, off, give_up)
            if run is not None and (best is None or run.finish < best.finish):
                best = run
        if best is None:
            codes = ", ".join(c.centre.code for c in candidates)
            raise CapacityError(
                f"step {number} ({step.process}): no capacity at {codes} within "
                f"{MAX_SCHEDULE_DAYS} days of {start}"
            )
        schedule = StepSchedule(
            process=step.process,
            centre_code=best.centre.centre.code,
            ready=date.fromordinal(ready),
            start=date.fromordinal(best.start),
            finish=date.fromordinal(best.finish),
            load_minutes=load,
            working_days_used=best.working_days,
            queue_days=best.queue_days,
            utilisation=load / best.offered if best.offered else 0.0,
            beyond_horizon=best.finish > best.centre.horizon,
        )
        steps.append(schedule)
        warnings.extend(_warnings(step, schedule, best.centre))
        ready = best.finish + 1 + step.transit_days_after
    completion = date.fromordinal(ready - 1)
    return LeadTime(
        start=start,
        completion=completion,
        days=(completion - start).days,
        steps=tuple(steps),
        bottleneck=max(steps, key=lambda s: (s.days_at_centre, s.load_minutes)),
        warnings=tuple(warnings),
    )
