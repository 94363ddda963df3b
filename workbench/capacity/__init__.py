"""Capacity-aware lead times: "if the order is placed today, when can it ship?"

A style's process route (knitting → dyeing → printing → sewing → finishing) is loaded onto the
work centres' free minutes (available − booked) day by day, with transit days between steps, a
working calendar and a minimum duration per step; the answer is the earliest completion date
and the bottleneck. Pure Python: `loader` is the one module that reads a replica (SQLite).

    book = load_capacity(conn, start=today)                      # once per screen
    plan = lead_time(book, route, quantity=12_000, start=today,
                     calendar=Calendar(holidays={date(2026, 12, 25)}))
    plan.completion, plan.bottleneck.process, plan.warnings
    utilisation(book, "SEW-01", today, weeks=12)                 # for a capacity chart

The calendar. A centre works on the days it has a capacity row with minutes available. The
work-centre calendar (`CalendarDay`, the replicated ``calendar_days`` table) changes that: a
holiday, a half day or a day of extra shifts sets the day's minutes available to its share of
the centre's full day (the median of its published minutes), for one centre or for every
centre, inside the published rows and past them; the bookings of the day stand. A `Calendar`
passed to `lead_time` closes days on top of that (holidays and weekly off days that close
every centre even where a row exists). Transit days are calendar days.

The horizon. Capacity is published some months ahead; an order that runs past a centre's last
row is still scheduled, because "no answer" does not help a merchandiser quote and a large
order is exactly the case that runs long. Past the horizon each weekday the centre usually
works (one worked at least half as often as its busiest weekday) gets that weekday's own
median published minutes, so half-day Saturdays stay half days, with nothing booked and the
calendar applied. That is optimistic (later bookings are not yet known), so every step
finishing past its horizon is flagged (`StepSchedule.beyond_horizon`) and named in the
warnings with the assumption used. The planner gives up with a `CapacityError` only if a step
cannot finish within `MAX_SCHEDULE_DAYS` of the route's start.

The route. Steps run strictly one after another: no overlap (a step never starts before the
previous one finishes, even with part of the lot ready) and no splitting of one step's load
across centres; a step not pinned to a centre goes to the centre of its process that finishes
it earliest. Both are simplifications that make quotes conservative rather than optimistic.
"""

from workbench.capacity.book import CapacityBook, CentreDays, utilisation
from workbench.capacity.loader import load_capacity
from workbench.capacity.model import (
    PROCESSES,
    Calendar,
    CalendarDay,
    CapacityError,
    CapacityRow,
    LeadTime,
    RouteStep,
    StepSchedule,
    WeekLoad,
    WorkCentre,
)
from workbench.capacity.schedule import MAX_SCHEDULE_DAYS, lead_time

__all__ = [
    "MAX_SCHEDULE_DAYS",
    "PROCESSES",
    "Calendar",
    "CalendarDay",
    "CapacityBook",
    "CapacityError",
    "CapacityRow",
    "CentreDays",
    "LeadTime",
    "RouteStep",
    "StepSchedule",
    "WeekLoad",
    "WorkCentre",
    "lead_time",
    "load_capacity",
    "utilisation",
]
