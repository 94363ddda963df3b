"""Bulk loading of reference data into a workspace from a replica-shaped SQLite file.

This is how a workspace is filled with the demo data, and how an admin seeds a new server
from an existing replica. Every row gets a fresh change sequence number in this workspace, so
the rows reach every laptop through the ordinary change feed. One transaction: a failure
leaves the workspace as it was.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from sync.server import schema
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.replica import REPLICATED_TABLES

BATCH_ROWS = 5000


def load_replica_file(
    engine: sa.Engine,
    workspace_id: str,
    path: Path | str,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Insert every live row of the replica at ``path`` into the workspace; returns counts."""
    with writing(engine).begin() as conn:
        return load_replica_rows(conn, workspace_id, path, progress)


def load_replica_rows(
    conn: sa.Connection,
    workspace_id: str,
    path: Path | str,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """`load_replica_file` in the caller's transaction (a new workspace is made and filled in
    one, so a failure leaves no empty workspace behind)."""
    source = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
    source.row_factory = sqlite3.Row
    loaded: dict[str, int] = {}
    try:
        totals = {
            t: source.execute(f"SELECT count(*) FROM {t} WHERE deleted = 0").fetchone()[0]
            for t in REPLICATED_TABLES
        }
        scope = WorkspaceScope(conn, workspace_id)
        seq = scope.next_seq(sum(totals.values()) or 1)
        for table in REPLICATED_TABLES:
            columns = [c.name for c in schema.replicated[table].columns if c.name != "workspace_id"]
            cursor = source.execute(
                f"SELECT {', '.join(columns)} FROM {table} WHERE deleted = 0 ORDER BY version"
            )
            done = 0
            while batch := cursor.fetchmany(BATCH_ROWS):
                rows = []
                for row in batch:
                    values = dict(zip(columns, row, strict=True))
                    values["version"] = seq
                    seq += 1
                    rows.append(values)
                scope.insert(table, rows)
                done += len(rows)
                if progress:
                    progress(table, done, totals[table])
            loaded[table] = done
    finally:
        source.close()
    return loaded
