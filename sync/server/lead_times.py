"""The lead time a firm quote states: the style's route planned on the workspace's capacity and
work-centre calendars as the server holds them, with the laptop's planner (architecture D5:
one engine), so a quote and the cost sheet that asked for it give the same date from the same
rows.

A quote is still a quote without a date: when the workspace has no capacity for a step, the
answer says why instead of failing the price.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sync.server import schema
from workbench.capacity import (
    CalendarDay,
    CapacityBook,
    CapacityError,
    CapacityRow,
    WorkCentre,
    lead_time,
)
from workbench.capacity.routes import style_route
from workbench.costing.garment import CostResult
from workbench.costing.inputs import Style

#: reads live rows of one table of the caller's workspace: (table, columns, *conditions)
Rows = Callable[..., list[dict[str, Any]]]


def _day(value: object) -> date:
    return date.fromisoformat(str(value)[:10])


def capacity_book(rows: Rows, start: date) -> CapacityBook:
    """The workspace's live centres, capacity and calendar from ``start``."""
    capacity = schema.replicated["capacity"]
    calendar = schema.replicated["calendar_days"]
    names = ("id", "code", "name", "process", "mill")
    centres = [
        WorkCentre(
            code=r["code"],
            process=r["process"],
            name=r["name"] or "",
            mill=r["mill"] or "",
            id=r["id"],
        )
        for r in rows("work_centres", names)
    ]
    try:
        days = [
            CapacityRow(
                r["work_centre_id"],
                _day(r["day"]),
                int(r["minutes_available"]),
                int(r["minutes_booked"] or 0),
            )
            for r in rows(
                "capacity",
                ("work_centre_id", "day", "minutes_available", "minutes_booked"),
                capacity.c.day >= start.isoformat(),
            )
        ]
        entries = [
            CalendarDay(
                r["work_centre_id"],
                _day(r["day"]),
                r["kind"],
                None if r["share"] in (None, "") else Decimal(str(r["share"])),
                r["name"] or "",
            )
            for r in rows(
                "calendar_days",
                ("work_centre_id", "day", "kind", "share", "name"),
                calendar.c.day >= start.isoformat(),
            )
        ]
    except (ValueError, InvalidOperation, TypeError) as exc:
        raise CapacityError(f"the workspace's capacity cannot be read: {exc}") from None
    return CapacityBook(centres, days, entries)


def quote_lead_time(
    rows: Rows, style: Style, cost: CostResult, quantity: int, on: date
) -> dict[str, Any]:
    """``{"completion", "days", "bottleneck", "warnings"}`` if the order were placed on
    ``on``, or ``{"unavailable": why}``."""
    try:
        plan = lead_time(capacity_book(rows, on), style_route(style, cost), quantity, on)
    except CapacityError as exc:
        return {"unavailable": str(exc)}
    return {
        "completion": plan.completion.isoformat(),
        "days": plan.days,
        "bottleneck": plan.bottleneck.process,
        "warnings": list(plan.warnings),
    }
