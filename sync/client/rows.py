"""The replica's replicated rows as the server sends them: which columns each table has here,
writing a server row over the replica's, one page of the change feed applied with its cursor,
and the row counts compared with the server's.

Shared by pull, push (the server's version of a settled row) and the snapshot import, which
all write only the columns this replica's schema has.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sync.client.api import SyncError
from workbench.replica import REPLICATED_TABLES, Replica

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
    """Write one page of changes and the new cursor in a single transaction."""
    written: dict[str, int] = {}
    with replica.transaction() as conn:
        pending = {
            (r[0], r[1])
            for r in conn.execute("SELECT table_name, row_id FROM outbox WHERE status = 'pending'")
        }
        for change in changes:
            table, row = change["table"], change["row"]
            if table not in columns:
                raise SyncError(f"the server sent rows of an unknown table {table!r}")
            if (table, row["id"]) in pending:
                # the user's unsent edit stays; the push answer settles it
                continue
            write_row(conn, columns, table, row)
            written[table] = written.get(table, 0) + 1
        replica.set_state("cursor", str(cursor), conn)
    return written


def count_mismatches(
    replica: Replica, server_counts: Mapping[str, int]
) -> dict[str, tuple[int, int]]:
    """The tables whose live row count differs from the server's: {table: (mine, server's)}."""
    mismatches = {}
    for table, expected in server_counts.items():
        mine = replica.conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
        if mine != expected:
            mismatches[table] = (mine, expected)
    return mismatches
