"""The replica's replicated rows as the server sends them: which columns each table has here,
writing a server row over the replica's, one page of the change feed applied with its cursor,
and the row counts compared with the server's.

Shared by pull, push (the server's version of a settled row) and the snapshot import, which
all write only the columns this replica's schema has.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from sync.client.api import SyncError
from workbench.replica import REPLICATED_TABLES, Replica, cipher, validation
from workbench.replica.store import utc_now

log = logging.getLogger(__name__)

#: table name -> the replica's column names, in table order
Columns = Mapping[str, tuple[str, ...]]


def replica_columns(replica: Replica) -> dict[str, tuple[str, ...]]:
    """The columns of every replicated table in this replica's schema."""
    return {
        t: tuple(r[1] for r in replica.conn.execute(f"PRAGMA table_info({t})"))
        for t in REPLICATED_TABLES
    }


def write_row(conn: Any, columns: Columns, table: str, row: Mapping[str, Any]) -> None:
    """Insert or overwrite ``row`` by id, in the columns both the row and the replica have."""
    cols = [c for c in columns[table] if c in row]
    updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
    conn.execute(
        f"INSERT INTO {table} ({', '.join(cols)}) "
        f"VALUES ({', '.join('?' * len(cols))}) "
        f"ON CONFLICT (id) DO UPDATE SET {updates}",
        [row[c] for c in cols],
    )


def apply_page(
    replica: Replica, columns: Columns, changes: list[Mapping[str, Any]], cursor: int
) -> dict[str, int]:
    """Write one page of changes and the new cursor in a single transaction.

    Consecutive rows of one table with the same columns are written with one statement run
    for all of them (`_write_run`), in the page's order, so references between tables hold
    as they would row by row; a run the replica refuses is undone and written row by row,
    where the refused row is set aside (`_write_or_set_aside`). One statement per row costs
    the SQLCipher binding twice what it costs Python's own sqlite3 (BENCHMARKS.md).
    """
    written: dict[str, int] = {}
    with replica.transaction() as conn:
        pending = {
            (r[0], r[1])
            for r in conn.execute("SELECT table_name, row_id FROM outbox WHERE status = 'pending'")
        }
        run: list[Mapping[str, Any]] = []
        run_key: tuple[str, tuple[str, ...]] | None = None
        for change in changes:
            table, row = change["table"], change["row"]
            if table not in columns:
                raise SyncError(f"the server sent rows of an unknown table {table!r}")
            if (table, row["id"]) in pending:
                # the user's unsent edit stays; the push answer settles it
                continue
            key = (table, tuple(c for c in columns[table] if c in row))
            if key != run_key and run:
                _write_run(conn, columns, run_key, run, written)  # type: ignore[arg-type]
                run = []
            run_key = key
            run.append(row)
        if run:
            _write_run(conn, columns, run_key, run, written)  # type: ignore[arg-type]
        replica.set_state("cursor", str(cursor), conn)
    return written


def _write_run(
    conn: Any,
    columns: Columns,
    key: tuple[str, tuple[str, ...]],
    rows: list[Mapping[str, Any]],
    written: dict[str, int],
) -> None:
    """Rows of one table with the same columns, in one statement run for all; if the replica
    refuses any, the run is undone and its rows written one by one (`_write_or_set_aside`)."""
    table, cols = key
    if len(rows) > 1:
        conn.execute("SAVEPOINT pulled_run")
        try:
            for written_cols, group in _by_columns_to_set(conn, table, cols, rows):
                updates = ", ".join(f"{c} = excluded.{c}" for c in written_cols if c != "id")
                conn.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' * len(cols))}) "
                    f"ON CONFLICT (id) DO UPDATE SET {updates}",
                    [[row[c] for c in cols] for row in group],
                )
        except (*cipher.IntegrityError, UnicodeEncodeError, OverflowError):
            conn.execute("ROLLBACK TO pulled_run")
            conn.execute("RELEASE pulled_run")
        else:
            conn.execute("RELEASE pulled_run")
            written[table] = written.get(table, 0) + len(rows)
            return
    for row in rows:
        if _write_or_set_aside(conn, columns, table, row):
            written[table] = written.get(table, 0) + 1


def _by_columns_to_set(
    conn: Any, table: str, cols: tuple[str, ...], rows: list[Mapping[str, Any]]
) -> list[tuple[tuple[str, ...], list[Mapping[str, Any]]]]:
    """A run's rows grouped by the columns their update sets: all of ``cols``, less those an
    index holds whose value the replica already has for that row (a pulled row's brand,
    material or code seldom changes).

    SQLite rewrites the index entry of every column an update sets, to the same value too,
    and each entry rewritten dirties a page of that index: 1,000 pulled orders dirtied 2,272
    pages setting every column and 939 leaving out the two indexed columns that had not
    changed (`orders_brand`, `orders_material`). Every dirty page is written to the log at
    the commit, and on an encrypted replica encrypted first (BENCHMARKS.md). Leaving a column
    out when the replica holds exactly the value sent (same type and value) writes the same
    row. A run in which an id comes twice is written as it came.
    """
    keyed = [c for c in cols if c != "id" and c in _indexed(conn, table)]
    ids = [row["id"] for row in rows]
    if not keyed or len(set(ids)) != len(ids):
        return [(cols, rows)]
    held: dict[Any, tuple[Any, ...]] = {}
    for start in range(0, len(ids), _IDS_PER_QUERY):
        chunk = ids[start : start + _IDS_PER_QUERY]
        for r in conn.execute(
            f"SELECT id, {', '.join(keyed)} FROM {table} "
            f"WHERE id IN ({', '.join('?' * len(chunk))})",
            chunk,
        ):
            held[r[0]] = tuple(r[1:])
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    for row in rows:
        stored = held.get(row["id"])
        same = (
            set()
            if stored is None
            else {c for c, value in zip(keyed, stored, strict=True) if _same(row[c], value)}
        )
        groups.setdefault(tuple(c for c in cols if c not in same), []).append(row)
    return list(groups.items())


#: ids read back per query (SQLite allows 32,766 parameters; a short list plans as fast)
_IDS_PER_QUERY = 500


def _same(sent: Any, held: Any) -> bool:
    """Whether the replica holds exactly the value sent: same type and value, so writing it
    would store what is there (``1`` is not ``1.0`` nor ``True``, ``NaN`` never the same)."""
    return type(sent) is type(held) and sent == held


def _indexed(conn: Any, table: str) -> frozenset[str]:
    """The columns of ``table`` that an index other than its primary key's holds; every
    column when an index is on an expression (which columns it reads is not told)."""
    names: set[str] = set()
    for index in conn.execute(f"PRAGMA index_list({table})").fetchall():
        if index[3] == "pk":
            continue
        for column in conn.execute(f"PRAGMA index_info({index[1]})").fetchall():
            if column[2] is None:
                return frozenset(r[1] for r in conn.execute(f"PRAGMA table_info({table})"))
            names.add(str(column[2]))
    return frozenset(names)


def _write_or_set_aside(conn: Any, columns: Columns, table: str, row: Mapping[str, Any]) -> bool:
    """Write a pulled row; one this replica's schema refuses does not stop the sync.

    The server checks every row it takes against the same declaration, so this happens only
    for a row stored before it did: a tombstone is applied by its id alone, any other row is
    kept in ``quarantine`` with the reason (the failed statement alone is undone, the page's
    transaction goes on). Returns whether the row was written.
    """
    try:
        write_row(conn, columns, table, row)
        return True
    except (*cipher.IntegrityError, UnicodeEncodeError, OverflowError) as exc:
        if row.get("deleted"):
            conn.execute(
                f"UPDATE {table} SET deleted = 1, version = ?, updated_at = ? WHERE id = ?",
                (row.get("version"), row.get("updated_at"), row.get("id")),
            )
            return True
        problem = validation.check_row(table, row)
        conn.execute(
            "INSERT INTO quarantine (table_name, row_id, row, reason, quarantined_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                table,
                str(row.get("id")),
                json.dumps(row, default=str, ensure_ascii=True),
                str(problem or exc),
                utc_now(),
            ),
        )
        log.warning("pulled row set aside: %s", problem or exc)
        return False


def count_mismatches(
    replica: Replica, server_counts: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """The tables whose live row count differs from the server's: {table: (mine, server's)}.

    Counted on the replica's writer (`Replica.writing`), whose page cache holds the pages the
    pull just wrote: a reading connection's cache was dropped by that pull's commit, and on
    an encrypted replica counting 100,000 orders through it decrypted every page of the table
    again (284 ms against 59 ms plain, `bench/encryption.py`'s replica)."""
    mismatches = {}
    with replica.writing():
        conn = replica.conn
        for table, expected in server_counts.items():
            mine = conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
            if mine != expected:
                mismatches[table] = (mine, expected)
    return mismatches
