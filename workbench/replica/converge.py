"""Bringing a replica's replicated tables to their declared shape.

A table whose stored definition differs from `Table.ddl` is rebuilt the way SQLite advises
for any change ALTER TABLE cannot make: the old table is renamed away, the declared one
created, the rows copied across, the old one dropped and the indexes made again, all inside
the migration's transaction. Rows the declaration refuses (a value out of range, a state no
one knows) are not dropped: they go to the ``quarantine`` table with the rule they broke, where
diagnostics find them. Rebuilding under the declared statement itself keeps every replica's
schema text identical to a new replica's, which a first sync's whole-file copy relies on.
"""

from __future__ import annotations

import sqlite3

from workbench.replica.declaration import TABLES, Table
from workbench.replica.fields import Field

QUARANTINE_DDL = """CREATE TABLE IF NOT EXISTS quarantine (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name      TEXT NOT NULL,
    row_id          TEXT,
    row             TEXT NOT NULL,
    reason          TEXT NOT NULL,
    quarantined_at  TEXT NOT NULL
)"""


def converge(conn: sqlite3.Connection) -> dict[str, int]:
    """Rebuild each replicated table that differs from its declaration (inside the caller's
    transaction); returns how many rows each rebuild set aside in ``quarantine``."""
    conn.execute(QUARANTINE_DDL)
    set_aside: dict[str, int] = {}
    for declared in TABLES:
        if _stored_ddl(conn, declared.name) == sorted(declared.ddl()):
            continue
        set_aside[declared.name] = _rebuild(conn, declared)
    return set_aside


def passes(fields: list[Field]) -> str:
    """An SQL condition true for a row that every CHECK and NOT NULL of ``fields`` accepts."""
    conditions = [f"({check}) IS NOT 0" for f in fields for check in f.checks()]
    conditions += [f"{f.name} IS NOT NULL" for f in fields if f.required]
    return " AND ".join(conditions) or "1"


def _stored_ddl(conn: sqlite3.Connection, table: str) -> list[str]:
    return sorted(
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
        )
    )


def _rebuild(conn: sqlite3.Connection, declared: Table) -> int:
    name = declared.name
    old = f"{name}_before_rebuild"
    had = [r[1] for r in conn.execute(f"PRAGMA table_info({name})")]
    if had:
        conn.execute(f"ALTER TABLE {name} RENAME TO {old}")
        for (index,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL",
            (old,),
        ).fetchall():
            conn.execute(f"DROP INDEX {index}")
    create, *indexes = declared.ddl()
    conn.execute(create)
    if not had:
        for statement in indexes:
            conn.execute(statement)
        return 0
    kept = [f for f in declared.columns if f.name in had]
    missing = [
        f.name for f in declared.columns if f.name not in had and f.required and f.default is None
    ]
    if missing:
        raise sqlite3.IntegrityError(
            f"{name}: the declared field(s) {', '.join(missing)} need a value that the rows "
            "already stored cannot have; give them a default"
        )
    names = ", ".join(f.name for f in kept)
    ok = passes(kept)
    pairs = ", ".join(f"'{c}', {c}" for c in had)
    quarantined = 0
    # asked first: even an INSERT of no rows would start the AUTOINCREMENT bookkeeping, and a
    # new replica must hold nothing at all (a first sync replaces only an empty one whole)
    if conn.execute(f"SELECT EXISTS (SELECT 1 FROM {old} WHERE NOT ({ok}))").fetchone()[0]:
        quarantined = conn.execute(
            "INSERT INTO quarantine (table_name, row_id, row, reason, quarantined_at) "
            f"SELECT '{name}', id, json_object({pairs}), "
            "'breaks the rules declared for its table', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') "
            f"FROM {old} WHERE NOT ({ok})"
        ).rowcount
    conn.execute(f"INSERT INTO {name} ({names}) SELECT {names} FROM {old} WHERE {ok}")
    conn.execute(f"DROP TABLE {old}")
    for statement in indexes:
        conn.execute(statement)
    return quarantined
