"""Price history of the cost-rate master: every version of every rate, what it changed by, and
the changes summed up by process.

A *rate series* is one rate as the costing engine looks it up: its process, code, material,
dye class, shade, technique, basis and currency. The master keeps every version (a re-quote of
last season's style needs last season's rates), so the history of a series is its versions by
valid-from; a yarn's or trim's series is that material's price.

Rates belong to no brand or season, so of the filters only the date range applies (the
versions in force at some time in the range: the one in force on ``date_from`` and those
starting before ``date_to``) and the mills (a making rate, a mill's cost per minute, names its
mill as technique; other processes are not the mill's).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import numpy as np
import pandas as pd

from workbench.analytics.filters import ALL, Filters, check_dimensions, to_days

_KEY = [
    "process",
    "rate_code",
    "material_id",
    "dye_class",
    "shade_depth",
    "technique",
    "basis",
    "currency",
]
#: The columns `rate_history` returns.
HISTORY_COLUMNS = (
    "process",
    "rate_code",
    "description",
    "material_id",
    "material_code",
    "material_name",
    "technique",
    "dye_class",
    "shade_depth",
    "basis",
    "currency",
    "valid_from",
    "valid_to",
    "rate",
    "previous_rate",
    "change_pct",
    "source",
)
#: What `rate_trends` may group by besides the version date.
TREND_DIMENSIONS = ("process", "rate_code", "basis", "material_code", "technique")


def all_rate_versions(conn: sqlite3.Connection) -> pd.DataFrame:
    """Every live rate version with its series' previous rate and change (unfiltered)."""
    cursor = conn.cursor()
    cursor.row_factory = None
    names = [
        "process",
        "rate_code",
        "description",
        "material_id",
        "material_code",
        "material_name",
        "technique",
        "dye_class",
        "shade_depth",
        "basis",
        "currency",
        "valid_from",
        "rate",
        "source",
        "version",
    ]
    rows = cursor.execute(
        "SELECT r.process, r.rate_code, r.description, r.material_id, m.code, m.name, "
        "r.technique, r.dye_class, r.shade_depth, r.basis, r.currency, r.valid_from, r.rate, "
        "r.source, r.version FROM cost_rates r "
        "LEFT JOIN materials m ON m.id = r.material_id AND m.deleted = 0 WHERE r.deleted = 0"
    ).fetchall()
    table = pd.DataFrame(rows, columns=names)
    for name in names:
        if name not in ("rate", "version"):
            table[name] = table[name].fillna("").astype(str)
    table["currency"] = table["currency"].str.strip().str.upper()
    table["valid_from"] = to_days(table["valid_from"])
    table["rate"] = pd.to_numeric(table["rate"], errors="coerce")
    table = table[table["valid_from"].notna()]
    table = table.sort_values([*_KEY, "valid_from", "version"], kind="stable")
    table = table.drop_duplicates([*_KEY, "valid_from"], keep="last")  # the later edit wins
    series = table.groupby(_KEY, sort=False, observed=True)
    table["previous_rate"] = series["rate"].shift(1)
    table["change_pct"] = (table["rate"] / table["previous_rate"] - 1) * 100
    following = series["valid_from"].shift(-1)
    table["valid_to"] = following - pd.Timedelta(days=1)  # NaT: still in force
    order = [
        "process",
        "rate_code",
        "material_code",
        "dye_class",
        "shade_depth",
        "technique",
        "valid_from",
    ]
    table = table.sort_values(order, kind="stable").reset_index(drop=True)
    return table[list(HISTORY_COLUMNS)]


def rate_history(
    conn: sqlite3.Connection, filters: Filters = ALL, *, versions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The rate versions the filters select, columns `HISTORY_COLUMNS`: ``valid_from`` and
    ``valid_to`` (the day before the next version; NaT while in force) as datetime64, ``rate``
    and ``previous_rate`` as floats in ``currency`` per ``basis`` (a percentage for "percent"),
    ``change_pct`` the change from the previous version in % (NaN for a first version).
    ``versions``: `all_rate_versions`, read from ``conn`` when None."""
    versions = all_rate_versions(conn) if versions is None else versions
    keep = np.ones(len(versions), dtype=bool)
    if filters.date_to is not None:
        keep &= np.asarray(versions["valid_from"] <= pd.Timestamp(filters.date_to))
    if filters.date_from is not None:
        ends = versions["valid_to"]
        keep &= np.asarray(ends.isna() | (ends >= pd.Timestamp(filters.date_from)))
    if filters.mills:
        mills = {m.casefold() for m in filters.mills}
        making = np.asarray(versions["process"].str.casefold() == "making")
        named = np.asarray(versions["technique"].str.strip().str.casefold().isin(mills))
        keep &= ~making | named
    return versions.loc[keep].reset_index(drop=True)


def rate_trends(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    by: Iterable[str] = ("process",),
    *,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The changes of a `rate_history` summed up per ``by`` (of `TREND_DIMENSIONS`) and
    version date: ``*by``, ``valid_from``, ``rates`` (versions starting that day), ``changed``
    (of those, versions of a series that had one before), ``mean_change_pct``,
    ``median_change_pct``, ``min_change_pct``, ``max_change_pct``. ``history``: the
    filtered `rate_history`, read when None."""
    history = rate_history(conn, filters) if history is None else history
    keys = [*check_dimensions(by, TREND_DIMENSIONS), "valid_from"]
    groups = history.groupby(keys, sort=True, observed=True)
    out = groups.agg(
        rates=("rate", "size"),
        changed=("change_pct", "count"),
        mean_change_pct=("change_pct", "mean"),
        median_change_pct=("change_pct", "median"),
        min_change_pct=("change_pct", "min"),
        max_change_pct=("change_pct", "max"),
    )
    return out.reset_index()


def rate_rows(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    history: pd.DataFrame | None = None,
    **cell: object,
) -> pd.DataFrame:
    """The versions behind a `rate_trends` cell (``process="yarn", valid_from="2026-11-01"``,
    any `TREND_DIMENSIONS` or history column)."""
    history = rate_history(conn, filters) if history is None else history
    keep = np.ones(len(history), dtype=bool)
    for key, value in cell.items():
        if key not in history.columns:
            raise ValueError(f"a rate cell has no {key!r}")
        if key in ("valid_from", "valid_to"):
            keep &= np.asarray(history[key] == pd.Timestamp(str(value)))
        else:
            keep &= np.asarray(history[key] == value)
    return history.loc[keep].reset_index(drop=True)
