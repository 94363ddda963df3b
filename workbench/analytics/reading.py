"""Reading the orders table into pandas fast, and keeping that copy current by version.

Why not ``pd.read_sql`` or ``fetchall``: Python's sqlite3 builds a tuple per row and an object
per value, about a microsecond a row, so a million orders take seven seconds to reach pandas.
Here each column comes back as *one* text value (``group_concat`` with a record separator,
``char(30)``, that order data never holds) which pandas' C reader parses in one go: about half
the time. Should a value ever hold the separator, the counts disagree and that chunk is read
again row by row, so the fast path can only be fast, never wrong. A table is read in chunks of
rowids so that no text value nears SQLite's 1 GB limit (one statement up to 2,000,000 rows).

Why incremental: every row a sync writes carries the server change number it came with
(``version``) and the cursor moves past it in the same transaction, so after the cursor moves
the rows to read again are exactly those with ``version >`` the cursor the copy was read at: an
index search, milliseconds for a sync page. The copy is read whole again when that cannot be
trusted: the cursor went back (a repair from a snapshot), the change is a large share of the
table, or the table's row count is not what the copy plus the change predicts (rows deleted
outright, as a snapshot repair does).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray
from pandas.errors import ParserWarning

from workbench.errors import WorkbenchError

Kind = Literal["int", "number", "text", "date"]

_SEP = "\x1e"  # ASCII record separator: the line terminator of the text pandas parses
_FIELD = "\x1f"  # ASCII unit separator: a field separator that never occurs either
CHUNK_ROWS = 2_000_000

#: The orders columns the dashboards use, as read (the `raw` frame): ``rowid`` identifies a
#: row for drill-down and refresh; text columns become categoricals, dates datetime64.
ORDER_COLUMNS: tuple[tuple[str, Kind], ...] = (
    ("rowid", "int"),
    ("brand_id", "text"),
    ("season", "text"),
    ("mill", "text"),
    ("material_id", "text"),
    ("quantity", "number"),
    ("unit_price", "number"),
    ("currency", "text"),
    ("order_date", "date"),
    ("promised_date", "date"),
    ("delivered_date", "date"),
)


class _Misread(WorkbenchError, ValueError):
    """The fast path's columns do not line up with the row count."""


def categorical(values: ExtensionArray | list[str | None]) -> pd.Categorical[str]:
    """A categorical whose categories are text of one dtype, so chunks and refreshes combine
    (pandas refuses to join categoricals whose categories differ in dtype)."""
    cat = values if isinstance(values, pd.Categorical) else pd.Categorical(values)
    labels = pd.Index([str(c) for c in cat.categories], dtype=str)
    return pd.Categorical.from_codes(cat.codes, categories=labels)


def dates(cat: pd.Categorical[str]) -> np.ndarray:
    """datetime64[ns] from a categorical of ISO text: each distinct text parsed once (a
    million orders hold about a thousand distinct days); a timestamp's time is ignored and
    text that is no date becomes NaT."""
    labels = pd.Series(cat.categories, dtype=str).str.slice(0, 10)
    parsed = pd.to_datetime(labels, format="%Y-%m-%d", errors="coerce")
    table = np.append(parsed.to_numpy(dtype="datetime64[ns]"), np.datetime64("NaT", "ns"))
    return table.take(cat.codes)  # code -1 (no value) takes the NaT at the end


def _numbers(values: pd.Series) -> np.ndarray:
    """Whole numbers as int64 when they all are, else float64 (NaN for text that is none)."""
    number = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if not np.isnan(number).any() and np.array_equal(number, np.round(number)):
        return number.astype(np.int64)
    return number


def _parse(text: str, kind: Kind) -> np.ndarray | pd.Categorical[str]:
    dtype = {"int": "int64", "number": "float64", "text": "category", "date": "category"}[kind]
    column = pd.read_csv(
        io.StringIO(text),
        sep=_FIELD,
        lineterminator=_SEP,
        header=None,
        names=["v"],
        index_col=False,
        dtype=dtype,
        quoting=csv.QUOTE_NONE,
        keep_default_na=False,
        na_values=[""],
        skip_blank_lines=False,
        engine="c",
    )["v"]
    if kind == "number":
        return _numbers(column)
    if kind == "int":
        return column.to_numpy()
    cat = categorical(column.array)
    return dates(cat) if kind == "date" else cat


def _convert(values: list[object], kind: Kind) -> np.ndarray | pd.Categorical[str]:
    """One column of rows fetched the ordinary way, converted as `_parse` converts."""
    if kind == "int":
        return np.asarray(values, dtype=np.int64)
    if kind == "number":
        return _numbers(pd.Series(values, dtype=object))
    cat = categorical([None if v in (None, "") else str(v) for v in values])
    return dates(cat) if kind == "date" else cat


def _frame(columns: Mapping[str, object]) -> pd.DataFrame:
    return pd.DataFrame(columns, copy=False)


def _empty(spec: tuple[tuple[str, Kind], ...]) -> pd.DataFrame:
    return _frame({name: _convert([], kind) for name, kind in spec})


#: Columns that may hold NULL, which ``group_concat`` would skip (shifting every later row);
#: the others are NOT NULL and need no ``ifnull`` on each of a million rows.
NULLABLE = frozenset({"material_id", "promised_date", "delivered_date"})


def _value(name: str) -> str:
    return f"ifnull({name}, '')" if name in NULLABLE else name


def _read_one(
    conn: sqlite3.Connection,
    table: str,
    spec: tuple[tuple[str, Kind], ...],
    where: str,
    params: tuple[object, ...],
) -> pd.DataFrame:
    clause = f" WHERE {where}" if where else ""
    parts = ", ".join(
        f"group_concat({_value(name)}, char(30)) || char(30)" for name, _ in spec
    )  # char(30) is _SEP
    cursor = conn.cursor()
    cursor.row_factory = None
    row = cursor.execute(f"SELECT count(*), {parts} FROM {table}{clause}", params).fetchone()
    count = int(row[0])
    if count == 0:
        return _empty(spec)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", ParserWarning)  # a field split in two
            columns = {
                name: _parse(text, kind) for (name, kind), text in zip(spec, row[1:], strict=True)
            }
        if any(len(c) != count for c in columns.values()):
            raise _Misread(table)
    except (ParserWarning, ValueError):
        names = ", ".join(name for name, _ in spec)
        rows = cursor.execute(f"SELECT {names} FROM {table}{clause}", params).fetchall()
        values = list(zip(*rows, strict=True)) if rows else [()] * len(spec)
        columns = {
            name: _convert(list(v), kind) for (name, kind), v in zip(spec, values, strict=True)
        }
    return _frame(columns)


def _append(parts: list[pd.Categorical]) -> pd.Categorical:
    """Categoricals one after another. The first part's codes stay as they are and the new
    categories of the others go after its own, so appending a refresh's thousand rows to a
    million recodes the thousand only (`union_categoricals` would recode all)."""
    categories = parts[0].categories
    for part in parts[1:]:
        new = part.categories.difference(categories, sort=False)
        if len(new):
            categories = categories.append(new)
    codes = [parts[0].codes.astype(np.int32)]
    for part in parts[1:]:
        recode = np.append(categories.get_indexer(part.categories), -1).astype(np.int32)
        codes.append(recode[part.codes])
    return pd.Categorical.from_codes(np.concatenate(codes), categories=categories)


def concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Frames of the same columns one after another, categoricals kept categorical."""
    frames = [f for f in frames if len(f)] or frames[:1]
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns: dict[str, object] = {}
    for name in frames[0].columns:
        if isinstance(frames[0][name].dtype, pd.CategoricalDtype):
            columns[name] = _append([f[name].array for f in frames])
        else:
            columns[name] = np.concatenate([f[name].to_numpy() for f in frames])
    return _frame(columns)


def read_table(
    conn: sqlite3.Connection,
    table: str,
    spec: tuple[tuple[str, Kind], ...],
    where: str = "",
    params: tuple[object, ...] = (),
    *,
    chunked: bool = True,
    chunk_rows: int = CHUNK_ROWS,
) -> pd.DataFrame:
    """The ``spec`` columns of ``table``'s rows matching ``where``; ``chunked``, in rowid order
    with one statement per ``chunk_rows`` rowids (for a whole table; a search by index, such as
    a refresh's, is one statement)."""
    if not chunked:
        return _read_one(conn, table, spec, where, params)
    low, high = conn.execute(f"SELECT min(rowid), max(rowid) FROM {table}").fetchone()
    if low is None:
        return _empty(spec)
    if high - low < chunk_rows:
        return _read_one(conn, table, spec, where, params)
    also = f" AND ({where})" if where else ""
    parts = [
        _read_one(
            conn,
            table,
            spec,
            f"rowid BETWEEN ? AND ?{also}",
            (start, start + chunk_rows - 1, *params),
        )
        for start in range(low, high + 1, chunk_rows)
    ]
    return concat(parts)


_DELTA_COLUMNS = (*ORDER_COLUMNS, ("deleted", "int"))


@dataclass(frozen=True)
class OrderStore:
    """The live orders as read at ``cursor`` (`ORDER_COLUMNS`, sorted by rowid), with the
    table's row count (tombstones included) and highest rowid then: what a refresh checks
    the table against."""

    raw: pd.DataFrame
    cursor: int
    rows: int
    max_rowid: int

    @classmethod
    def load(cls, conn: sqlite3.Connection, cursor: int) -> OrderStore:
        """Read the whole table; call inside the read transaction the cursor was read in, so
        the rows are the cursor's."""
        raw = read_table(conn, "orders", ORDER_COLUMNS, "deleted = 0")
        if not raw["rowid"].is_monotonic_increasing:
            raw = raw.sort_values("rowid", kind="stable").reset_index(drop=True)
        rows, max_rowid = conn.execute("SELECT count(*), max(rowid) FROM orders").fetchone()
        return cls(raw, cursor, int(rows), int(max_rowid or 0))

    def refreshed(self, conn: sqlite3.Connection, cursor: int) -> tuple[OrderStore, str]:
        """This copy brought up to ``cursor``, and how: "unchanged", "delta" or "full".

        The check: rows a sync adds take rowids above the highest one (SQLite's rule), and
        rows it changes or deletes (a tombstone) keep theirs, so the table must now hold the
        rows it held plus the changed rowids above the old highest. Anything else means rows
        went without a tombstone, and the copy is read again.
        """
        if cursor == self.cursor:
            return self, "unchanged"
        if cursor < self.cursor:
            return OrderStore.load(conn, cursor), "full"
        delta = read_table(
            conn, "orders", _DELTA_COLUMNS, "version > ?", (self.cursor,), chunked=False
        )
        if len(delta) > max(100_000, len(self.raw) // 4):
            return OrderStore.load(conn, cursor), "full"  # a scan is faster than that many seeks
        rows, max_rowid = conn.execute("SELECT count(*), max(rowid) FROM orders").fetchone()
        ids = delta["rowid"].to_numpy()
        if int(rows) != self.rows + int((ids > self.max_rowid).sum()):
            return OrderStore.load(conn, cursor), "full"
        live_ids = self.raw["rowid"].to_numpy()
        pos = np.searchsorted(live_ids, ids)
        hit = (pos < len(live_ids)) & (live_ids[np.minimum(pos, len(live_ids) - 1)] == ids)
        keep = np.ones(len(live_ids), dtype=bool)
        keep[pos[hit]] = False
        alive = delta["deleted"].to_numpy() == 0
        raw = concat([self.raw.loc[keep], delta.loc[alive].drop(columns="deleted")])
        if not raw["rowid"].is_monotonic_increasing:
            raw = raw.sort_values("rowid", kind="stable").reset_index(drop=True)
        return OrderStore(raw, cursor, int(rows), int(max_rowid or 0)), "delta"
