"""A first sync's snapshot taken into the replica: the file (`sync.client.snapshot`) made the
replica's content whole by an empty replica (SQLite's page-level backup, `adopt`), or its tables
imported one transaction each into a replica that holds rows, keeping the documents with unsent
edits; an encrypted replica given the gzip by an older server copies its rows from memory.

Its own module because the import is SQL across two databases (a page copy, an attached file,
an image in memory), not the change feed's rows one by one, and not the download's bytes.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sync.client.rows import Columns
from workbench.errors import Cancelled
from workbench.replica import REPLICATED_TABLES, Replica, cipher


@contextmanager
def _indexes_rebuilt(conn: sqlite3.Connection, table: str) -> Iterator[None]:
    """Drop ``table``'s own indexes for the block and create them again after it, in the
    caller's transaction (a failure rolls both back).

    Inserting a snapshot's rows into indexed columns of random keys (material and brand ids)
    costs a B-tree descent and a page that is rarely in cache for every row; building each
    index once over the loaded rows sorts them instead: 800,000 orders load about 2.5× faster.
    The primary key's index stays: `INSERT OR IGNORE` needs it to keep unsent edits.
    """
    indexes = conn.execute(
        "SELECT name, sql FROM main.sqlite_master "
        "WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table,),
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX main."{name}"')
    yield
    for _name, sql in indexes:
        conn.execute(sql)


def import_tables(
    replica: Replica,
    columns: Columns,
    path: Path,
    seq: int,
    imported: Callable[[str, int, int, int], None],
    cancel: threading.Event | None = None,
    only: frozenset[str] | None = None,
    image: bytes | None = None,
    sealed: cipher.Sealed | None = None,
    keep_newer: bool = False,
) -> None:
    """Replace the replica's rows of the snapshot at ``path`` (taken at ``seq``) table by
    table, then move the cursor; the file is deleted afterwards, imported or not.

    ``keep_newer``: a row the replica holds at a version after ``seq`` stays as it is (see
    `_replaced`), for a first sync, where such a row is a push answer already settled.

    A replica that holds nothing yet takes the file whole instead (`adopt`).
    ``imported(table, rows, n, total)`` is called as each table commits (see
    `SyncClient.bootstrap` for the order, the unsent edits kept, and ``only``).

    ``image``: the snapshot's bytes in memory instead of a file, for an encrypted replica
    (`sync.client.snapshot.download`): its rows are copied across (`_copy_image`).
    ``sealed``: the file at ``path`` is a SQLCipher database that opens so.
    """
    try:
        if cancel is not None and cancel.is_set():
            raise Cancelled("sync was cancelled")
        if image is not None:
            _copy_image(replica, columns, image, seq, imported, cancel, only, keep_newer)
            return
        if only is None and adopt(replica, path, seq, imported, sealed):
            return
        _insert_tables(replica, columns, path, seq, imported, cancel, only, sealed, keep_newer)
    finally:
        path.unlink(missing_ok=True)


def _copy_image(
    replica: Replica,
    columns: Columns,
    image: bytes,
    seq: int,
    imported: Callable[[str, int, int, int], None],
    cancel: threading.Event | None,
    only: frozenset[str] | None,
    keep_newer: bool = False,
) -> None:
    """The snapshot's rows from its bytes in memory into an encrypted replica.

    SQLite opens the bytes as an in-memory database (``deserialize``); the rows cross into
    the replica through the driver, as the two are separate SQLite libraries (SQLCipher's
    cannot read a plain image, nor back one up into an encrypted file). An empty replica
    takes every table in one transaction, so other connections see nothing or all of it, as
    `adopt` gives; a replica holding rows takes them as `_insert_tables` does, a table per
    transaction, keeping documents with unsent edits.
    """
    snap = sqlite3.connect(":memory:")
    try:
        snap.deserialize(image)
        present = _tables(snap)
        tables = [t for t in REPLICATED_TABLES if t in present and (only is None or t in only)]
        if only is None and _adoptable(replica.conn, snap):
            with replica.transaction() as conn:
                counts = {t: _copy_table(conn, snap, columns, t) for t in tables}
                replica.set_state("cursor", str(seq), conn)
            for n, table in enumerate(tables, start=1):
                imported(table, counts[table], n, len(tables))
            return
        for n, table in enumerate(tables, start=1):
            if cancel is not None and cancel.is_set():
                raise Cancelled("sync was cancelled")
            with replica.transaction() as conn:
                conn.execute(*_replaced(table, seq if keep_newer else None))
                inserted = _copy_table(conn, snap, columns, table)
            imported(table, inserted, n, len(tables))
        with replica.transaction() as tx:
            cursor = seq if only is None else min(seq, replica.cursor)
            replica.set_state("cursor", str(cursor), tx)
    finally:
        snap.close()


def _replaced(table: str, newer_than: int | None) -> tuple[str, tuple[object, ...]]:
    """The DELETE (and its parameters) of the replica's rows of ``table`` that a snapshot's
    rows replace: all but the documents with unsent edits (the push answer settles those)
    and, given ``newer_than`` (the snapshot's sequence), the rows at a later version.

    The server hands out a snapshot it built a while ago (`sync.server.snapshot`, reused
    while younger than its ``max_age_s``), so on a first sync that snapshot can be older than
    push answers the laptop has already settled. Replaced, such a row would go back to what
    it was before the laptop's own edit until the pull after the snapshot brings it again;
    an app that stops in between shows the older row, and the next edit of it, starting from
    there, conflicts with the laptop's own earlier edit. A row at a later version than the
    snapshot is what the server answered after it, and the pull brings any change since.
    """
    keep = "SELECT row_id FROM main.outbox WHERE status = 'pending' AND table_name = ?"
    if newer_than is None:
        return f"DELETE FROM main.{table} WHERE id NOT IN ({keep})", (table,)
    return (
        f"DELETE FROM main.{table} WHERE id NOT IN ({keep}) AND version <= ?",
        (table, newer_than),
    )


def _copy_table(
    conn: sqlite3.Connection, snap: sqlite3.Connection, columns: Columns, table: str
) -> int:
    """One table's rows from ``snap`` into the replica (in the caller's transaction, its
    indexes built after); a row the replica holds already stays. Returns the rows added."""
    present = {r[1] for r in snap.execute(f"PRAGMA table_info({table})")}
    cols = [c for c in columns[table] if c in present]
    names = ", ".join(cols)
    with _indexes_rebuilt(conn, table):
        added = conn.executemany(
            f"INSERT OR IGNORE INTO main.{table} ({names}) VALUES ({', '.join('?' * len(cols))})",
            snap.execute(f"SELECT {names} FROM {table}"),
        ).rowcount
    return max(int(added), 0)


def adopt(
    replica: Replica,
    path: Path,
    seq: int,
    imported: Callable[[str, int, int, int], None] | None = None,
    sealed: cipher.Sealed | None = None,
) -> bool:
    """Make the snapshot at ``path`` the replica's content in one step, keeping the
    replica's own ``sync_state`` (server, device, identity) with the cursor at ``seq``.

    Only for a replica with no row in any table but ``sync_state`` (a first sync) and a
    snapshot in exactly this replica's schema; returns False, touching nothing, otherwise.
    SQLite's backup copies the file's pages into the replica as one write transaction, so
    other connections see the empty replica or the whole snapshot and nothing between:
    1.1 million rows in about 1.5 s, against 5–10 s inserting them row by row. The check
    and the copy happen under `Replica.writing`, so no edit of this app can land between
    them and be overwritten.

    ``sealed``: the snapshot is a SQLCipher database that opens so (the server's sqlcipher
    forms). SQLCipher's backup decrypts each page with the snapshot's key and encrypts it
    with the replica's (with the replica's HMAC), so the pages cross in C, never in clear on
    disk. A plain snapshot for an encrypted replica is first exported encrypted beside it,
    since pages only cross between two encrypted files or two plain ones. The pages are
    copied as they are, so the snapshot's must be as large as the replica's and leave the
    cipher as many bytes at their end (`cipher.reserved_bytes`); one that does not (the
    ``sqlcipher`` form, in SQLCipher's default layout) is not taken whole (False).
    """
    encrypted = path.with_name(path.name + ".encrypted")
    if sealed is None and replica.key is not None:
        cipher.export(path, encrypted, replica.key)
        path, sealed = encrypted, cipher.Sealed(replica.key)
    if sealed is not None and replica.key is not None:
        laid_out = sealed.reserved_bytes(path)
        if (
            sealed.layout != cipher.REPLICA
            or laid_out is None
            or laid_out != cipher.reserved_bytes(replica.path, replica.key)
        ):
            encrypted.unlink(missing_ok=True)
            return False
    if sealed is None:
        snap = cipher.connect(path, None, isolation_level=None)
    else:
        snap = sealed.connect(path, isolation_level=None)
    try:
        with replica.writing():
            conn = replica.conn
            if not _adoptable(conn, snap):
                return False
            present = _tables(snap)
            tables = [t for t in REPLICATED_TABLES if t in present]
            counts = {t: snap.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
            state = [
                (key, value)
                for key, value in conn.execute("SELECT key, value FROM sync_state")
                if key != "cursor"
            ]
            snap.execute("BEGIN")
            snap.execute("DELETE FROM sync_state")
            snap.executemany(
                "INSERT INTO sync_state (key, value) VALUES (?, ?)", [*state, ("cursor", str(seq))]
            )
            snap.execute("COMMIT")
            snap.backup(conn)
    finally:
        snap.close()
        encrypted.unlink(missing_ok=True)
    if imported is not None:
        for n, table in enumerate(tables, start=1):
            imported(table, counts[table], n, len(tables))
    return True


def _tables(conn: sqlite3.Connection, schema: str = "main") -> set[str]:
    """The tables of ``conn``'s database ``schema`` (``main``, or an attached one)."""
    return {
        r[0] for r in conn.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")
    }


def _adoptable(replica: sqlite3.Connection, snap: sqlite3.Connection) -> bool:
    """Whether ``snap`` may replace ``replica`` whole: same schema, same page size (a WAL
    file cannot change it), and nothing in the replica but its ``sync_state``."""

    def layout(conn: sqlite3.Connection) -> tuple[object, ...]:
        return (
            conn.execute("PRAGMA user_version").fetchone()[0],
            conn.execute("PRAGMA page_size").fetchone()[0],
            sorted(
                tuple(r)
                for r in conn.execute(
                    "SELECT type, name, tbl_name, sql FROM sqlite_master "
                    "WHERE name NOT LIKE 'sqlite_%'"
                )
            ),
        )

    if layout(replica) != layout(snap):
        return False
    return not any(
        replica.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]
        for table in _tables(replica) - {"sync_state"}
    )


def _insert_tables(
    replica: Replica,
    columns: Columns,
    path: Path,
    seq: int,
    imported: Callable[[str, int, int, int], None],
    cancel: threading.Event | None,
    only: frozenset[str] | None,
    sealed: cipher.Sealed | None = None,
    keep_newer: bool = False,
) -> None:
    """The snapshot's tables inserted into a replica that already holds rows: each table in
    a transaction of its own, keeping the documents with unsent edits (and with
    ``keep_newer`` the rows newer than the snapshot: `_replaced`). ``sealed``: the snapshot
    is a SQLCipher database that opens so (else a plain file)."""
    with replica.writing():  # attached to the writer, which every transaction below uses
        writer = replica.conn
        if sealed is None:
            cipher.attach(writer, path, "snap", None)
        else:
            sealed.attach(writer, path, "snap")
        snap_tables = _tables(writer, "snap")
    try:
        tables = [t for t in REPLICATED_TABLES if t in snap_tables and (only is None or t in only)]
        for n, table in enumerate(tables, start=1):
            if cancel is not None and cancel.is_set():
                raise Cancelled("sync was cancelled")
            with replica.transaction() as conn:
                cols = ", ".join(
                    c
                    for c in columns[table]
                    if c in {r[1] for r in conn.execute(f"PRAGMA snap.table_info({table})")}
                )
                conn.execute(*_replaced(table, seq if keep_newer else None))
                with _indexes_rebuilt(conn, table):
                    inserted = conn.execute(
                        f"INSERT OR IGNORE INTO main.{table} ({cols}) "
                        f"SELECT {cols} FROM snap.{table}"
                    ).rowcount
            imported(table, max(inserted, 0), n, len(tables))
        with replica.transaction() as tx:
            cursor = seq if only is None else min(seq, replica.cursor)
            replica.set_state("cursor", str(cursor), tx)
    finally:
        with replica.writing():
            writer.execute("DETACH DATABASE snap")
