"""The central server's tables (SQLAlchemy Core; SQLite or PostgreSQL).

The replicated tables are not written out twice: their columns are read from the replica's
own migrations (a throw-away in-memory replica is migrated and reflected), and the server adds
``workspace_id`` to each. A column added to a replica migration therefore reaches the server
schema without a second definition that could drift.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import sqlalchemy as sa

from workbench.replica import REPLICATED_TABLES, migrate

metadata = sa.MetaData()

workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # the workspace's change sequence: the version stamped on its latest write
    sa.Column("last_seq", sa.BigInteger, nullable=False, default=0),
    # changes up to here may have been purged (tombstone retention): older cursors refetch
    sa.Column("min_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("created_at", sa.Text, nullable=False),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # SHA-256 of the bearer token: a stolen database yields no usable token
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("last_seen_at", sa.Text),
    sa.Column("revoked_at", sa.Text),
    # the highest mutation number applied from this device (at-most-once push)
    sa.Column("last_mutation_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("last_pull_seq", sa.BigInteger, nullable=False, default=0),
)
sa.Index("devices_workspace", devices.c.workspace_id)

# The newest change number per table, kept by the writes themselves (same transaction), so a
# pull asks only the tables that have something after its cursor.
table_versions = sa.Table(
    "table_versions",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("last_version", sa.BigInteger, nullable=False),
)

mutations = sa.Table(
    "mutations",
    metadata,
    sa.Column("device_id", sa.Text, sa.ForeignKey("devices.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("workspace_id", sa.Text, nullable=False),
    # the answer given when it was applied, returned again when a push is replayed
    sa.Column("result", sa.Text, nullable=False),
    # which mutation the number was used for, so that a number used again for another one (a
    # laptop restored from an earlier copy) is refused instead of answered; NULL on answers
    # stored before the server kept it (`push.apply_push` says how those are read)
    sa.Column("mutation_id", sa.Text),
)


# The audit trail (DESIGN D9): append-only and hash-chained per workspace. Each entry's hash
# covers the previous entry's hash and its own content, so editing, removing or reordering an
# entry breaks the chain from there on; `audit_heads` holds each chain's last number and hash
# (its row is also the lock that keeps two appends from taking the same number).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
)

audit_heads = sa.Table(
    "audit_heads",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
)


def _replica_info() -> dict[str, list[tuple]]:
    """PRAGMA table_info of each replicated table, from a throw-away migrated replica."""
    conn = sqlite3.connect(":memory:")
    try:
        migrate(conn)
        return {
            table: list(conn.execute(f"PRAGMA table_info({table})"))
            for table in REPLICATED_TABLES
        }
    finally:
        conn.close()


def _replica_columns() -> dict[str, list[tuple[str, str, bool, bool]]]:
    """(name, declared type, not null, primary key) of each replicated table's columns."""
    return {
        table: [(row[1], row[2].upper(), bool(row[3]), bool(row[5])) for row in info]
        for table, info in _replica_info().items()
    }


def _literal(sql: str) -> Any:
    if sql.startswith("'") and sql.endswith("'"):
        return sql[1:-1].replace("''", "'")
    return int(sql)


def _column_defaults() -> dict[str, dict[str, Any]]:
    """What a new row gets for the columns nobody filled (the replica's DEFAULT clauses), so
    an import of a file that lacks optional columns writes the same row the replica would."""
    return {
        table: {row[1]: _literal(row[4]) for row in info if row[4] is not None}
        for table, info in _replica_info().items()
    }


def _column(name: str, declared: str, not_null: bool, primary_key: bool) -> sa.Column:
    if name == "version":
        kind: sa.types.TypeEngine = sa.BigInteger()
    elif declared.startswith("INT"):
        kind = sa.BigInteger() if name.endswith("_seq") else sa.Integer()
    elif declared in ("TEXT", ""):
        kind = sa.Text()
    else:
        raise TypeError(f"replica column {name} has type {declared}, which the server lacks")
    return sa.Column(name, kind, primary_key=primary_key, nullable=not (not_null or primary_key))


def _replicated_tables() -> dict[str, sa.Table]:
    made: dict[str, sa.Table] = {}
    for table, columns in _replica_columns().items():
        made[table] = sa.Table(
            table,
            metadata,
            sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
            *(_column(*c) for c in columns),
        )
        sa.Index(f"{table}_ws_version", made[table].c.workspace_id, made[table].c.version)
    return made


#: The replicated tables by name, each with ``workspace_id`` added.
replicated: dict[str, sa.Table] = _replicated_tables()

#: Each replicated table's column defaults (the replica's DEFAULT clauses).
column_defaults: dict[str, dict[str, Any]] = _column_defaults()
