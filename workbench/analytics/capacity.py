"""Capacity utilisation: minutes available and booked per work centre and ISO week, ahead from
a day, and the centre × week table a heatmap draws.

The figures are the published ones with the work-centre calendar applied, as
`workbench.capacity.utilisation` (the Capacity window) and the lead times read them: a holiday,
a half day or a day of shifts sets the day's minutes available to its share of the centre's
full day (`workbench.capacity.book.full_day_minutes`), a centre's own day winning over one for
every centre, and the day's bookings stand. Booked may exceed available (over-demand, or a day
that became a holiday after it was booked, which is what a heatmap should show), a week past
the published horizon reads 0 and 0 (utilisation NaN: unknown, not idle), and of two live rows
for one centre and day the higher version counts, as it would after a sync. Each day and week
names its calendar days (``calendar``). Of the filters only the mills apply (a centre's mill);
the weeks are those from ``start``'s week on.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workbench.analytics.filters import ALL, Filters, as_day, to_days
from workbench.capacity.book import full_day_minutes
from workbench.capacity.loader import load_calendar
from workbench.capacity.model import DEFAULT_SHARES, CalendarDay

#: The columns `capacity_weeks` returns.
WEEK_COLUMNS = (
    "centre",
    "centre_name",
    "process",
    "mill",
    "week",
    "iso_week",
    "available",
    "booked",
    "free",
    "utilisation",
    "calendar",
)

#: how the days and weeks name a calendar day's kind
KIND_TEXT = {"holiday": "Holiday", "half_day": "Half day", "shifts": "Shifts"}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def iso_week(monday: date) -> str:
    """ "2026-W10": how a week is labelled on the heatmap."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def week_of(value: object) -> date:
    """The Monday of a week given as a date, ISO text or an ISO week label ("2026-W10")."""
    text = str(value)
    if "-W" in text:
        year, week = text.split("-W")
        return date.fromisocalendar(int(year), int(week[:2]), 1)
    day = value if isinstance(value, date) else date.fromisoformat(text[:10])
    return _monday(day)


def _centres(conn: sqlite3.Connection, filters: Filters) -> pd.DataFrame:
    rows = conn.execute(
        "SELECT id, code, name, process, mill FROM work_centres WHERE deleted = 0 ORDER BY code, id"
    ).fetchall()
    centres = pd.DataFrame(
        [tuple(r) for r in rows], columns=["centre_id", "centre", "centre_name", "process", "mill"]
    )
    centres = centres.fillna("").astype(str)
    if filters.mills:
        centres = centres[centres["mill"].isin(filters.mills)]
    return centres.drop_duplicates("centre_id").reset_index(drop=True)


def capacity_days(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    start: object,
    days: int = 7,
    centre: str | None = None,
) -> pd.DataFrame:
    """Daily rows of the filtered centres (or of ``centre``, a code) from ``start`` for
    ``days`` days: ``centre``, ``day`` (datetime64), ``available``, ``booked``,
    ``utilisation``; one row per centre and day (the highest version). The rows behind a
    `capacity_weeks` cell: ``capacity_days(conn, start=week, centre=code)``, where ``start``
    may be the week's label ("2026-W10") or any of its days."""
    centres = _centres(conn, filters)
    if centre is not None:
        centres = centres[centres["centre"] == centre]
    first = week_of(start) if "-W" in str(start) else as_day(start)
    assert first is not None
    end = first + timedelta(days=days)
    # every row from ``first`` on, not only the window's: a centre's full day (what a half day
    # is half of) and its horizon are those the Capacity window reads from the same rows
    rows = conn.execute(
        "SELECT work_centre_id, day, minutes_available, minutes_booked, version FROM capacity "
        "WHERE deleted = 0 AND work_centre_id IN (SELECT value FROM json_each(?)) AND day >= ?",
        (json.dumps(centres["centre_id"].tolist()), first.isoformat()),
    ).fetchall()
    table = pd.DataFrame(
        [tuple(r) for r in rows], columns=["centre_id", "day", "available", "booked", "version"]
    )
    table["day"] = to_days(table["day"])
    for name in ("available", "booked", "version"):  # numbers an import may have left as text
        table[name] = pd.to_numeric(table[name], errors="coerce").fillna(0)
    table = table[table["day"].notna()].sort_values(["centre_id", "day", "version"])
    table = table.drop_duplicates(["centre_id", "day"], keep="last")
    table = _with_calendar(conn, table, centres, first)
    table = table[table["day"] < pd.Timestamp(end)]
    table = table.merge(centres[["centre_id", "centre"]], on="centre_id")
    table["utilisation"] = table["booked"] / table["available"].where(table["available"] > 0)
    table = table.sort_values(["centre", "day"]).reset_index(drop=True)
    return table[["centre", "day", "available", "booked", "utilisation", "calendar"]]


def calendar_text(entry: CalendarDay) -> str:
    """ "Holiday: Holi", "Half day", "Shifts (2× a day)": a calendar day as a cell says it."""
    text = KIND_TEXT.get(entry.kind, entry.kind)
    if entry.share is not None and entry.share != DEFAULT_SHARES.get(entry.kind):
        text += f" ({entry.share:g}× a day)"
    return f"{text}: {entry.name}" if entry.name else text


def _with_calendar(
    conn: sqlite3.Connection, table: pd.DataFrame, centres: pd.DataFrame, first: date
) -> pd.DataFrame:
    """``table`` (one row per centre and day, from ``first`` on) with each centre's calendar
    applied up to its horizon, as `workbench.capacity.CapacityBook` applies it: the day's
    minutes available become its share of the centre's full day (a day without a row gets one,
    with nothing booked); past the horizon nothing is published and the calendar adds no day.
    Adds ``calendar``, the day's calendar text ("" for an ordinary day)."""
    table = table.assign(calendar="")
    codes = dict(zip(centres["centre_id"], centres["centre"], strict=True))
    entries = load_calendar(conn, codes, first)
    if not entries or table.empty:
        return table
    everywhere = {e.day: e for e in entries if e.centre_id is None}
    own: dict[str, dict[date, CalendarDay]] = {}
    for e in entries:
        if e.centre_id is not None:
            own.setdefault(e.centre_id, {})[e.day] = e
    horizons = table.groupby("centre_id")["day"].max()
    published: dict[str, list[int]] = {}
    for centre_id, minutes in zip(table["centre_id"], table["available"], strict=True):
        published.setdefault(centre_id, []).append(int(minutes))
    days = []  # (centre, day, minutes, text): a few per centre, so plain Python
    for centre_id, horizon in horizons.items():
        full_day = full_day_minutes(published[str(centre_id)])
        for day, entry in {**everywhere, **own.get(str(centre_id), {})}.items():
            if pd.Timestamp(day) <= horizon:
                days.append(
                    (centre_id, pd.Timestamp(day), entry.minutes(full_day), calendar_text(entry))
                )
    if not days:
        return table
    calendar = pd.DataFrame(days, columns=["centre_id", "day", "minutes", "text"])
    calendar["day"] = calendar["day"].astype(table["day"].dtype)
    merged = table.merge(calendar, on=["centre_id", "day"], how="outer")
    named = merged["text"].notna()
    merged.loc[named, "available"] = merged.loc[named, "minutes"]
    merged.loc[named, "calendar"] = merged.loc[named, "text"]
    merged[["booked", "version"]] = merged[["booked", "version"]].fillna(0)
    return merged.drop(columns=["minutes", "text"])


def capacity_weeks(
    conn: sqlite3.Connection, filters: Filters = ALL, *, start: date, weeks: int = 12
) -> pd.DataFrame:
    """Per centre and week, from ``start``'s week for ``weeks`` weeks, every combination
    present: columns `WEEK_COLUMNS`; ``week`` is the Monday (datetime64), ``iso_week`` its
    label, ``free`` = available − booked, ``utilisation`` = booked ÷ available (NaN when
    nothing is available)."""
    if isinstance(weeks, bool) or not isinstance(weeks, int) or weeks < 0:
        raise ValueError(f"weeks must be a whole number ≥ 0, not {weeks!r}")
    first = _monday(start)
    centres = _centres(conn, filters)
    days = capacity_days(conn, filters, start=first, days=7 * weeks)
    mondays = [first + timedelta(weeks=n) for n in range(weeks)]
    days["week"] = days["day"] - pd.to_timedelta(days["day"].dt.day_of_week, unit="D")
    sums = days.groupby(["centre", "week"])[["available", "booked"]].sum()
    named = days[days["calendar"] != ""]
    notes: dict[tuple[str, pd.Timestamp], list[str]] = {}  # a few days: plain Python
    for centre, week, day, text in zip(
        named["centre"], named["week"], named["day"], named["calendar"], strict=True
    ):
        notes.setdefault((centre, week), []).append(f"{WEEKDAYS[day.weekday()]} {text}")
    grid = pd.MultiIndex.from_product(
        [centres["centre"].unique(), pd.DatetimeIndex(mondays, dtype="datetime64[ns]")],
        names=["centre", "week"],
    )
    out = sums.reindex(grid, fill_value=0).reset_index()
    out["calendar"] = [
        "; ".join(notes.get((c, w), ())) for c, w in zip(out["centre"], out["week"], strict=True)
    ]
    out = out.merge(centres.drop(columns="centre_id").drop_duplicates("centre"), on="centre")
    labels = {pd.Timestamp(m): iso_week(m) for m in mondays}
    out["iso_week"] = out["week"].map(labels).astype(str)
    out["available"] = out["available"].astype(np.int64)
    out["booked"] = out["booked"].astype(np.int64)
    out["free"] = out["available"] - out["booked"]
    out["utilisation"] = out["booked"] / out["available"].where(out["available"] > 0)
    return out[list(WEEK_COLUMNS)].sort_values(["centre", "week"]).reset_index(drop=True)


def capacity_heatmap(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    start: date,
    weeks: int = 12,
    table: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """`capacity_weeks` (``table``, read when None) as a table: one row per centre (index
    ``centre``), one column per week in order (its ISO label), utilisation in the cells (NaN:
    nothing available)."""
    if table is None:
        table = capacity_weeks(conn, filters, start=start, weeks=weeks)
    order = table.drop_duplicates("week").sort_values("week")["iso_week"].tolist()
    heat = table.pivot(index="centre", columns="iso_week", values="utilisation")
    return heat.reindex(columns=order)
