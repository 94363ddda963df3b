"""The values capacity planning takes and returns: centres, capacity rows, route steps, the
working calendar and the schedule.

Why frozen dataclasses that validate themselves: a lead time is quoted to a buyer, so a
nonsensical input (a negative minute value, a weekday 9) must fail where it is made, with a
message in the merchandiser's words, rather than surface later as a strange date.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from workbench.errors import WorkbenchError

#: The processes the replica's ``work_centres.process`` column uses.
PROCESSES = (
    "knitting",
    "weaving",
    "dyeing",
    "printing",
    "embroidery",
    "cutting",
    "sewing",
    "finishing",
    "packing",
)

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CapacityError(WorkbenchError, ValueError):
    """A lead time cannot be computed: a process has no work centre, a value is out of range,
    or no centre has capacity within the scheduling limit. The message says which.

    A `ValueError` because the cause is bad data or input, not a bug: the UI shows it as is."""


def to_decimal(value: Decimal | float | int | str, what: str) -> Decimal:
    """``value`` as a finite `Decimal`; floats go through their shortest text form so 0.1
    stays 0.1 (the load is rounded up to whole minutes, where 0.1000…01 would cost a minute)."""
    if isinstance(value, bool):
        raise CapacityError(f"{what} must be a number, not {value!r}")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise CapacityError(f"{what} must be a number, not {value!r}") from None
    if not number.is_finite():
        raise CapacityError(f"{what} must be a finite number, not {value!r}")
    return number


def _whole(value: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise CapacityError(f"{what} must be a whole number of days ≥ 0, not {value!r}")
    return value


def process_key(process: str) -> str:
    """How processes are compared: the column is free text in imported masters."""
    return " ".join(str(process).casefold().split())


@dataclass(frozen=True, slots=True)
class WorkCentre:
    """One work centre. ``id`` is the replica's key (capacity rows name it); hand-built books
    may leave it empty, and the code serves as the id."""

    code: str
    process: str
    name: str = ""
    mill: str = ""
    id: str = ""

    def __post_init__(self) -> None:
        if not str(self.code).strip():
            raise CapacityError("a work centre needs a code")
        if not process_key(self.process):
            raise CapacityError(f"work centre {self.code} has no process")
        object.__setattr__(self, "process", process_key(self.process))
        if not self.id:
            object.__setattr__(self, "id", self.code)


@dataclass(frozen=True, slots=True)
class CapacityRow:
    """One centre's minutes on one day. ``booked`` may exceed ``available`` (over-demand);
    the free capacity is then zero, never negative."""

    centre_id: str
    day: date
    available: int
    booked: int = 0


#: What a calendar day of a kind means when it states no share of a full working day.
DEFAULT_SHARES = {"holiday": Decimal(0), "half_day": Decimal("0.5"), "shifts": Decimal(1)}
#: More than four full days' work in one day is a typing error, not a calendar.
MAX_SHARE = Decimal(4)


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day of a work-centre calendar: a holiday, a half day or a day of more (or fewer)
    shifts, for the centre with id ``centre_id`` or, when it is None, for every centre.

    ``share`` is the share of the centre's full working day it works that day (0 closed, 0.5
    half a day, 2 a second shift); a full day is the median of the centre's published minutes
    available. Why a share and not minutes: one mill-wide holiday list serves centres whose
    days are 480 operator-minutes and 19,200 machine-minutes alike. A centre's own day wins
    over one for every centre."""

    centre_id: str | None
    day: date
    kind: str = "holiday"
    share: Decimal | None = None
    name: str = ""

    def __post_init__(self) -> None:
        if self.kind not in DEFAULT_SHARES:
            raise CapacityError(
                f"calendar day {self.day}: kind {self.kind!r} is not one of "
                f"{', '.join(DEFAULT_SHARES)}"
            )
        share = DEFAULT_SHARES[self.kind] if self.share is None else self.share
        share = to_decimal(share, f"calendar day {self.day} share")
        if not 0 <= share <= MAX_SHARE:
            raise CapacityError(
                f"calendar day {self.day}: a share of {share} of a working "
                f"day is not between 0 and {MAX_SHARE}"
            )
        object.__setattr__(self, "share", share)

    def minutes(self, full_day: int) -> int:
        """The minutes available on this day at a centre whose full day is ``full_day``."""
        assert self.share is not None
        return int(self.share * full_day)


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One step of a style's process route.

    The step's load is ``quantity × units_per_piece × minutes_per_unit`` minutes, rounded up to
    whole minutes (capacity is published in whole minutes). ``units_per_piece`` converts the
    order quantity (pieces) to the step's unit, e.g. 0.32 kg of fabric per tee for knitting and
    dyeing rated per kg; leave it at 1 when ``minutes_per_unit`` is per piece.

    ``work_centre`` pins the step to one centre code; None lets the planner pick the centre of
    that process that finishes earliest. ``transit_days_after`` are calendar days between this
    step's finish and the next step's earliest start (after the last step: before the goods are
    ready to ship). ``min_days`` is a minimum duration in the centre's working days, e.g. a
    dyeing batch plus drying that takes two days however small the lot.
    """

    process: str
    minutes_per_unit: Decimal | float | int
    work_centre: str | None = None
    transit_days_after: int = 0
    min_days: int = 0
    units_per_piece: Decimal | float | int = 1

    def __post_init__(self) -> None:
        process = process_key(self.process)
        if not process:
            raise CapacityError("a route step needs a process")
        object.__setattr__(self, "process", process)
        for name in ("minutes_per_unit", "units_per_piece"):
            number = to_decimal(getattr(self, name), f"{process} {name.replace('_', ' ')}")
            if number < 0:
                raise CapacityError(
                    f"{process} {name.replace('_', ' ')} cannot be negative ({number})"
                )
            object.__setattr__(self, name, number)
        _whole(self.transit_days_after, f"{process} transit days")
        _whole(self.min_days, f"{process} minimum days")
        if self.work_centre is not None and not str(self.work_centre).strip():
            object.__setattr__(self, "work_centre", None)

    def load_minutes(self, quantity: Decimal) -> int:
        """Whole minutes this step needs for ``quantity`` pieces (rounded up)."""
        load = quantity * Decimal(self.units_per_piece) * Decimal(self.minutes_per_unit)
        return math.ceil(load)


@dataclass(frozen=True, slots=True)
class Calendar:
    """Days no centre works, on top of each centre's own published working days.

    ``holidays`` close every centre even where a capacity row exists (the rows are often
    generated before the holiday list is agreed); ``weekly_off`` does the same for weekdays,
    numbered as `date.weekday` (Monday 0 … Sunday 6)."""

    holidays: frozenset[date] = frozenset()
    weekly_off: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        off = frozenset(self.weekly_off)
        bad = sorted(d for d in off if isinstance(d, bool) or d not in range(7))
        if bad:
            raise CapacityError(f"weekly off days are 0 (Monday) to 6 (Sunday), not {bad}")
        object.__setattr__(self, "weekly_off", off)


@dataclass(frozen=True, slots=True)
class StepSchedule:
    """Where and when one step runs.

    ``ready`` is the earliest day the step could start (previous finish + 1 + transit);
    ``start`` the first working day it gets capacity. ``queue_days`` are the centre's working
    days in between with no free minutes; ``working_days_used`` the centre's working days from
    start to finish (days in process, including any ``min_days`` extension).
    ``utilisation`` is the share of the centre's free minutes on the days it ran that the order
    takes (below 1 only when the last day is part-used). ``beyond_horizon`` is set when the
    step finishes after the centre's last published capacity row (see the package docstring).
    """

    process: str
    centre_code: str
    ready: date
    start: date
    finish: date
    load_minutes: int
    working_days_used: int
    queue_days: int
    utilisation: float
    beyond_horizon: bool = False

    @property
    def days_at_centre(self) -> int:
        """Working days the order spends at this step, waiting for capacity or in process."""
        return self.queue_days + self.working_days_used


@dataclass(frozen=True, slots=True)
class LeadTime:
    """The earliest completion of a route. ``days`` are calendar days from start to
    completion; ``bottleneck`` is the step the order spends most working days at (queue plus
    process), ties going to the larger load; ``warnings`` are for the merchandiser."""

    start: date
    completion: date
    days: int
    steps: tuple[StepSchedule, ...]
    bottleneck: StepSchedule
    warnings: tuple[str, ...] = ()


class WeekLoad(NamedTuple):
    """One ISO week of one centre, for a capacity chart (published rows only)."""

    week_start: date
    available: int
    booked: int
