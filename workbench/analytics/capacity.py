"""Capacity utilisation: minutes available and booked per work centre and ISO week, ahead from
a day, and the centre × week table a heatmap draws.

The figures are the published ones, as `workbench.capacity.utilisation` reads them: booked may
exceed available (over-demand, which is what a heatmap should show), a week past the published
horizon reads 0 and 0 (utilisation NaN: unknown, not idle), and of two live rows for one centre
and day the higher version counts, as it would after a sync. Of the filters only the mills
apply (a centre's mill); the weeks are those from ``start``'s week on.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workbench.analytics.filters import ALL, Filters, as_day, to_days

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
)


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
    rows = conn.execute(
        "SELECT work_centre_id, day, minutes_available, minutes_booked, version FROM capacity "
        "WHERE deleted = 0 AND work_centre_id IN (SELECT value FROM json_each(?)) "
        "AND day >= ? AND day < ?",
        (json.dumps(centres["centre_id"].tolist()), first.isoformat(), end.isoformat()),
    ).fetchall()
    table = pd.DataFrame(
        [tuple(r) for r in rows], columns=["centre_id", "day", "available", "booked", "version"]
    )
    table["day"] = to_days(table["day"])
    for name in ("available", "booked", "version"):  # numbers an import may have left as text
        table[name] = pd.to_numeric(table[name], errors="coerce").fillna(0)
    table = table[table["day"].notna()].sort_values(["centre_id", "day", "version"])
    table = table.drop_duplicates(["centre_id", "day"], keep="last")
    table = table.merge(centres[["centre_id", "centre"]], on="centre_id")
    table["utilisation"] = table["booked"] / table["available"].where(table["available"] > 0)
    table = table.sort_values(["centre", "day"]).reset_index(drop=True)
    return table[["centre", "day", "available", "booked", "utilisation"]]


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
    grid = pd.MultiIndex.from_product(
        [centres["centre"].unique(), pd.DatetimeIndex(mondays, dtype="datetime64[ns]")],
        names=["centre", "week"],
    )
    out = sums.reindex(grid, fill_value=0).reset_index()
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
