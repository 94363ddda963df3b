"""Building a `CapacityBook` from a replica's ``work_centres``, ``capacity`` and
``calendar_days`` tables.

Why the only module here that reads SQL: the planner runs unchanged on the sync server and in
tests that build books by hand. Here live the replica's habits: tombstones (``deleted = 1``
rows are ignored), rows of deleted centres, numbers stored as text by an import, and two live
rows for one centre and day (the higher version wins, as it would after a sync).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from workbench.capacity.book import CapacityBook
from workbench.capacity.model import (
    CalendarDay,
    CapacityError,
    CapacityRow,
    WorkCentre,
    process_key,
)


def _minutes(value: object, code: str, day: str, name: str) -> int:
    if type(value) is int:  # the usual case: skip the text round trip
        return value
    try:
        return int(Decimal(str(0 if value in (None, "") else value).strip()))
    except (InvalidOperation, ValueError):
        raise CapacityError(
            f"capacity of {code} on {day}: minutes {name} is {value!r}, not a number"
        ) from None


def load_capacity(
    conn: sqlite3.Connection,
    processes: Iterable[str] | None = None,
    start: date | None = None,
    end: date | None = None,
) -> CapacityBook:
    """The live work centres (of ``processes``, when given) and their capacity rows from
    ``start`` to ``end`` inclusive (open-ended when None): one query per table, the capacity
    query going through the (work_centre_id, day) index.

    ``end`` also ends the published horizon: past it the planner assumes default capacity, so
    leave it None unless the caller means to ignore later bookings.
    """
    wanted = None if processes is None else {process_key(p) for p in processes}
    centres = [
        WorkCentre(code=code, process=process, name=name or "", mill=mill or "", id=centre_id)
        for centre_id, code, name, process, mill in conn.execute(
            "SELECT id, code, name, process, mill FROM work_centres WHERE deleted = 0 "
            "ORDER BY code, id"
        )
        if wanted is None or process_key(process) in wanted
    ]
    codes = {c.id: c.code for c in centres}
    sql = (
        "SELECT work_centre_id, day, minutes_available, minutes_booked, version FROM capacity "
        "WHERE deleted = 0 AND work_centre_id IN (SELECT value FROM json_each(?))"
    )
    params: list[str] = [json.dumps(sorted(codes))]
    if start is not None:
        sql += " AND day >= ?"
        params.append(start.isoformat())
    if end is not None:
        sql += " AND day < ?"  # also excludes "2026-03-02T…" style stamps on the day after
        params.append((end + timedelta(days=1)).isoformat())
    latest: dict[tuple[str, str], tuple[int, CapacityRow]] = {}
    for centre_id, day_text, available, booked, version in conn.execute(sql, params):
        key = (centre_id, str(day_text)[:10])
        rank = int(version or 0)
        if key in latest and rank < latest[key][0]:
            continue
        code = codes[centre_id]
        try:
            day = date.fromisoformat(key[1])
        except ValueError:
            raise CapacityError(f"capacity of {code}: {day_text!r} is not an ISO date") from None
        latest[key] = (
            rank,
            CapacityRow(
                centre_id,
                day,
                _minutes(available, code, key[1], "available"),
                _minutes(booked, code, key[1], "booked"),
            ),
        )
    calendar = load_calendar(conn, codes, start)
    return CapacityBook(centres, (row for _, row in latest.values()), calendar)


def load_calendar(
    conn: sqlite3.Connection, codes: dict[str, str], start: date | None
) -> list[CalendarDay]:
    """The live calendar days of the centres in ``codes`` (id -> code) and of every centre,
    from ``start``; of two live rows for one centre and day the higher version. No end: past
    the capacity horizon the calendar is what the planner still knows."""
    sql = (
        "SELECT work_centre_id, day, kind, share, name, version FROM calendar_days "
        "WHERE deleted = 0 AND (work_centre_id IS NULL OR work_centre_id IN "
        "(SELECT value FROM json_each(?)))"
    )
    params = [json.dumps(sorted(codes))]
    if start is not None:
        sql += " AND day >= ?"
        params.append(start.isoformat())
    latest: dict[tuple[str | None, str], tuple[int, CalendarDay]] = {}
    for centre_id, day_text, kind, share, name, version in conn.execute(sql, params):
        key = (centre_id, str(day_text)[:10])
        rank = int(version or 0)
        if key in latest and rank < latest[key][0]:
            continue
        who = codes[centre_id] if centre_id else "every centre"
        try:
            day = date.fromisoformat(key[1])
            number = None if share in (None, "") else Decimal(str(share))
        except (ValueError, InvalidOperation):
            raise CapacityError(
                f"calendar of {who}: {day_text!r} with share {share!r} is not "
                "an ISO date with a number"
            ) from None
        latest[key] = (rank, CalendarDay(centre_id, day, kind, number, name or ""))
    return [entry for _, entry in latest.values()]
