"""The one place where the server reads and writes workspace data.

Handlers never build queries on the data tables themselves: they get a `WorkspaceScope` for
the authenticated caller, and every statement it builds carries ``workspace_id = :caller's``.
A test asks every endpoint with one workspace's token for another's rows and gets none; this
module is why that holds by construction rather than by care in each handler.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from sync.server import schema


@functools.cache
def _changes_statement(table: str) -> sa.Select[*tuple[Any, ...]]:
    """Built once per table (the feed runs it for every table on every pull); the workspace
    filter is a bound parameter like the others, so it is still always there."""
    t = schema.replicated[table]
    columns = [c for c in t.columns if c.name != "workspace_id"]
    return (
        sa.select(*columns)
        .where(
            t.c.workspace_id == sa.bindparam("ws"),
            t.c.version > sa.bindparam("after"),
            t.c.version <= sa.bindparam("upto"),
        )
        .order_by(t.c.version)
        .limit(sa.bindparam("limit"))
    )


_SEQUENCE = sa.select(schema.workspaces.c.last_seq, schema.workspaces.c.min_seq).where(
    schema.workspaces.c.id == sa.bindparam("ws")
)


class WorkspaceScope:
    """Queries over one workspace's rows, on one connection (inside the caller's transaction)."""

    def __init__(self, conn: sa.Connection, workspace_id: str) -> None:
        self.conn = conn
        self.workspace_id = workspace_id

    # -- sequence ----------------------------------------------------------------------------

    def next_seq(self, count: int = 1) -> int:
        """Reserve ``count`` change numbers and return the first.

        The UPDATE takes the workspace row's lock (PostgreSQL) or the database write lock
        (SQLite) until the transaction ends, so numbers are handed out in commit order and a
        reader never sees seq N+1 committed while N is still in flight.
        """
        ws = schema.workspaces
        last = self.conn.execute(
            sa.update(ws)
            .where(ws.c.id == self.workspace_id)
            .values(last_seq=ws.c.last_seq + count)
            .returning(ws.c.last_seq)
        ).scalar_one()
        return int(last) - count + 1

    def last_seq(self) -> int:
        ws = schema.workspaces
        return int(
            self.conn.execute(
                sa.select(ws.c.last_seq).where(ws.c.id == self.workspace_id)
            ).scalar_one()
        )

    def sequence(self) -> tuple[int, int]:
        """``(last_seq, min_seq)`` in one read: what a change page depends on besides rows."""
        last, low = self.conn.execute(_SEQUENCE, {"ws": self.workspace_id}).one()
        return int(last), int(low)

    def min_seq(self) -> int:
        ws = schema.workspaces
        return int(
            self.conn.execute(
                sa.select(ws.c.min_seq).where(ws.c.id == self.workspace_id)
            ).scalar_one()
        )

    # -- replicated rows ---------------------------------------------------------------------

    def _table(self, name: str) -> sa.Table:
        try:
            return schema.replicated[name]
        except KeyError:
            raise ValueError(f"there is no table named {name!r}") from None

    def select(self, table: str, *where: sa.ColumnElement[bool]) -> sa.Select[*tuple[Any, ...]]:
        t = self._table(table)
        columns = [c for c in t.columns if c.name != "workspace_id"]
        return sa.select(*columns).where(t.c.workspace_id == self.workspace_id, *where)

    def rows(self, table: str, *where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
        return [dict(r._mapping) for r in self.conn.execute(self.select(table, *where))]

    def get(self, table: str, row_id: str) -> dict[str, Any] | None:
        t = self._table(table)
        found = self.rows(table, t.c.id == row_id)
        return found[0] if found else None

    def changes_after(self, table: str, after: int, upto: int, limit: int) -> list[dict[str, Any]]:
        """Rows written in (after, upto], oldest first: the change feed's hot query."""
        params = {"ws": self.workspace_id, "after": after, "upto": upto, "limit": limit}
        result = self.conn.execute(_changes_statement(table), params)
        names = tuple(result.keys())  # zipping plain rows costs half of building mappings
        return [dict(zip(names, row, strict=True)) for row in result]

    def count(self, table: str, live_only: bool = True) -> int:
        t = self._table(table)
        stmt = sa.select(sa.func.count()).where(t.c.workspace_id == self.workspace_id)
        if live_only:
            stmt = stmt.where(t.c.deleted == 0)
        return int(self.conn.execute(stmt).scalar_one())

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            t = self._table(table)
            self.conn.execute(t.insert(), [{**r, "workspace_id": self.workspace_id} for r in rows])
            self._mark(table, max(int(r["version"]) for r in rows))

    def update(self, table: str, row_id: str, values: Mapping[str, Any]) -> int:
        t = self._table(table)
        values = {k: v for k, v in values.items() if k not in ("id", "workspace_id")}
        result = self.conn.execute(
            sa.update(t)
            .where(t.c.workspace_id == self.workspace_id, t.c.id == row_id)
            .values(**values)
        )
        if result.rowcount and "version" in values:
            self._mark(table, int(values["version"]))
        return result.rowcount

    def expired(self, table: str, column: str, before: str) -> list[str]:
        """Ids of the live rows of ``table`` whose ``column`` (a date or timestamp) is before
        ``before``: what retention tombstones (`sync.server.retention`)."""
        t = self._table(table)
        return [
            r[0]
            for r in self.conn.execute(
                sa.select(t.c.id).where(
                    t.c.workspace_id == self.workspace_id, t.c.deleted == 0, t.c[column] < before
                )
            )
        ]

    def purge_tombstones(self, table: str, before: str) -> tuple[int, int]:
        """Delete ``table``'s tombstones last written before ``before``; returns how many, and
        the highest version among them (0: none), which the workspace's ``min_seq`` must reach
        so that a laptop whose cursor is older takes a snapshot instead of missing them."""
        t = self._table(table)
        old = sa.and_(
            t.c.workspace_id == self.workspace_id, t.c.deleted == 1, t.c.updated_at < before
        )
        highest = self.conn.execute(sa.select(sa.func.max(t.c.version)).where(old)).scalar()
        count = self.conn.execute(sa.delete(t).where(old)).rowcount
        return int(count), int(highest or 0)

    def raise_min_seq(self, seq: int) -> None:
        """Changes up to ``seq`` are no longer all kept: older cursors must refetch (410)."""
        ws = schema.workspaces
        self.conn.execute(
            sa.update(ws)
            .where(ws.c.id == self.workspace_id, ws.c.min_seq < seq)
            .values(min_seq=seq)
        )

    def mark(self, table: str, version: int) -> None:
        """Record that ``table`` changed at ``version``, for rows written around `insert`
        (an import's bulk write)."""
        self._mark(table, version)

    def _mark(self, table: str, version: int) -> None:
        """Record that ``table`` changed at ``version`` (writers are serialised per workspace
        by `next_seq`, so a plain read-then-write is safe here)."""
        tv = schema.table_versions
        key = (tv.c.workspace_id == self.workspace_id) & (tv.c.table_name == table)
        done = self.conn.execute(
            sa.update(tv).where(key, tv.c.last_version < version).values(last_version=version)
        ).rowcount
        if not done and self.conn.execute(sa.select(tv.c.last_version).where(key)).first() is None:
            self.conn.execute(
                tv.insert().values(
                    workspace_id=self.workspace_id, table_name=table, last_version=version
                )
            )

    def tables_changed_after(self, tables: Iterable[str], after: int) -> list[str]:
        """Of ``tables``, those that may hold rows written after ``after`` (a table with no
        mark yet is asked anyway)."""
        tv = schema.table_versions
        marks = dict(
            self.conn.execute(
                sa.select(tv.c.table_name, tv.c.last_version).where(
                    tv.c.workspace_id == self.workspace_id
                )
            ).all()
        )
        return [t for t in tables if marks.get(t) is None or marks[t] > after]

    # -- label serial numbers ----------------------------------------------------------------

    def take_serials(self, series: str, count: int) -> int | None:
        """Hand out the next ``count`` serials of ``series``; the first of them, or None when
        the series has none handed out yet (then `start_serials`).

        Like `next_seq`, the UPDATE holds the series row's lock (PostgreSQL) or the write
        lock (SQLite) until the transaction ends: two stations asking at once get
        consecutive blocks, never the same numbers."""
        s = schema.serial_series
        last = self.conn.execute(
            sa.update(s)
            .where(s.c.workspace_id == self.workspace_id, s.c.series == series)
            .values(last_serial=s.c.last_serial + count)
            .returning(s.c.last_serial)
        ).scalar()
        return None if last is None else int(last) - count + 1

    def start_serials(self, series: str, count: int) -> int:
        """The first block of a new series: serials 1 to ``count``. A station starting the same
        series at the same moment makes this insert fail (its key exists); the caller retries
        with `take_serials`."""
        self.conn.execute(
            schema.serial_series.insert().values(
                workspace_id=self.workspace_id, series=series, last_serial=count
            )
        )
        return 1

    def record_serial_block(self, block: Mapping[str, Any]) -> None:
        """Keep a handed-out block: who took it, for what, and when."""
        self.conn.execute(
            schema.serial_blocks.insert().values(**block, workspace_id=self.workspace_id)
        )

    def serial_blocks_taken_by(self, username: str) -> list[dict[str, Any]]:
        """The serial blocks ``username`` took, oldest first (a subject access export)."""
        b = schema.serial_blocks
        stmt = (
            sa.select(
                b.c.series,
                b.c.first_serial,
                b.c.last_serial,
                b.c.purpose,
                b.c.device_id,
                b.c.allocated_at,
            )
            .where(b.c.workspace_id == self.workspace_id, b.c.username == username)
            .order_by(b.c.allocated_at, b.c.series, b.c.first_serial)
        )
        return [dict(r._mapping) for r in self.conn.execute(stmt)]

    def ids_taken_elsewhere(self, table: str, ids: Iterable[str]) -> set[str]:
        """Of ``ids``, those used by a row of another workspace (ids are global keys)."""
        t = self._table(table)
        ids = list(ids)
        if not ids:
            return set()
        stmt = sa.select(t.c.id).where(t.c.id.in_(ids), t.c.workspace_id != self.workspace_id)
        return {r[0] for r in self.conn.execute(stmt)}
