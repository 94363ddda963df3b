"""A first sync from the server's snapshot: the compressed SQLite file downloaded beside the
replica (resumed where a broken download stopped, checked against its digest) with the search
index built from it, then the file taken whole by an empty replica, or its tables imported
one transaction each into a replica that holds rows.

An encrypted replica asks for the snapshot as a SQLCipher database under a key of its own
(``?form=sqlcipher-nohmac``, the key in the answer): its bytes go to disk as they arrive, never
in clear, and SQLCipher copies its pages into the replica, re-encrypting them under the
replica's key, in C instead of row by row through Python (ADR 0008). Its pages carry no HMAC:
the download's SHA-256 already checked every byte, and checking one per page again cost a
quarter of the copy. A server of the version before answers that form 400, and is asked for
``sqlcipher`` (pages with their HMAC); one older still answers the gzip, which an encrypted
replica then decompresses into memory and copies row by row (`_copy_image`).

Its own module because a snapshot is a file, not the change feed: it is streamed, resumed and
verified, and imported with SQL across two databases rather than row by row.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import sqlite3
import tarfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from isal import isal_zlib

from sync.client.api import Request, SyncError, error_from
from sync.client.rows import Columns
from workbench.errors import Cancelled
from workbench.replica import REPLICATED_TABLES, Replica, cipher

#: zlib's window bits for a gzip stream (header and trailer checked)
GZIP_WBITS = 16 + 15


@dataclass(frozen=True)
class Downloaded:
    """A snapshot fetched beside the replica: the SQLite file (or, for an encrypted replica,
    its bytes in memory: ``image``), the sequence it reflects, and the folder of its search
    index when the server sent one. ``key``: the file is a SQLCipher database under this key
    (one of the server's `ENCRYPTED_FORMS`), its pages with an HMAC or not (``hmac``)."""

    path: Path
    seq: int
    search_index: Path | None
    image: bytes | None = None
    key: bytes | None = field(default=None, repr=False)
    hmac: bool = True


#: what a snapshot's partial download is encrypted for (`cipher.Stream`)
PART_PURPOSE = "snapshot-download"
#: the SQLCipher forms of a snapshot this client takes (``GET /v1/snapshot?form=``), the one
#: an encrypted replica asks for first, and whether the file's pages carry an HMAC
ENCRYPTED_FORMS = {"sqlcipher-nohmac": False, "sqlcipher": True}
#: the form an encrypted replica asks the server for
ENCRYPTED_FORM = next(iter(ENCRYPTED_FORMS))
#: the form asked for of a server that refuses `ENCRYPTED_FORM` (the version before it)
PREVIOUS_FORM = "sqlcipher"


def download(
    http: httpx.Client,
    request: Request,
    folder: Path,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    key: bytes | None = None,
) -> Downloaded:
    """The snapshot streamed into ``folder``, decompressed to ``snapshot.sqlite`` as it
    arrives and checked against its SHA-256; then its search index, unpacked to
    ``search.snapshot/`` (see `SyncClient.download_snapshot`).

    With ``key`` (an encrypted replica) nothing of the snapshot rests on disk in clear: the
    server is asked for its SQLCipher form, written as it arrives to ``snapshot.sqlcipher``
    (``Downloaded.key`` opens it). A server that answers the gzip instead has the partial
    download encrypted as it is written (`cipher.Stream`) and the SQLite file decompressed
    into memory (``Downloaded.image``). The search index holds no money and comes as it is.
    """
    info = _describe(request, cancel, key is not None)
    wanted = [info["name"], *([info["search"]["name"]] if info.get("search") else [])]
    for stale in [*folder.glob("*.gz.part"), *folder.glob("*.sqlcipher.part")]:
        if stale.name.removesuffix(".part") not in wanted:
            stale.unlink()
    index = None
    form = info.get("form")
    if key is not None and form in ENCRYPTED_FORMS:
        encrypted = folder / "snapshot.sqlcipher"
        os.replace(_fetch(http, request, folder, info, cancel, progress), encrypted)
        if info.get("search"):
            part = _fetch(http, request, folder, info["search"], cancel)
            index = _unpacked(part, folder / "search.snapshot")
        sealed = bytes.fromhex(info["key"])
        return Downloaded(
            encrypted, int(info["seq"]), index, key=sealed, hmac=ENCRYPTED_FORMS[form]
        )
    target = folder / "snapshot.sqlite"
    inflating = _Inflating(None if key is not None else target)
    try:
        part = _fetch(http, request, folder, info, cancel, progress, inflating, key)
        image = inflating.finish()
    except BaseException:
        inflating.discard()
        raise
    part.unlink()
    if info.get("search"):
        part = _fetch(http, request, folder, info["search"], cancel)
        index = _unpacked(part, folder / "search.snapshot")
    return Downloaded(target, int(info["seq"]), index, image)


def _describe(request: Request, cancel: threading.Event | None, encrypted: bool) -> Any:
    """The server's description of its current snapshot: for an ``encrypted`` replica, asked
    in `ENCRYPTED_FORM`, or in `PREVIOUS_FORM` of a server that refuses that form (400
    naming ``form``: the version before it), whatever form the answer then names."""
    if not encrypted:
        return request("GET", "/v1/snapshot", cancel)
    try:
        return request("GET", "/v1/snapshot", cancel, params={"form": ENCRYPTED_FORM})
    except SyncError as exc:
        if exc.code != "bad_request" or exc.details.get("field") != "form":
            raise
    return request("GET", "/v1/snapshot", cancel, params={"form": PREVIOUS_FORM})


def _fetch(
    http: httpx.Client,
    request: Request,
    folder: Path,
    info: dict[str, Any],
    cancel: threading.Event | None,
    progress: Callable[[int, int], None] | None = None,
    inflating: _Inflating | None = None,
    key: bytes | None = None,
) -> Path:
    """One file the server describes as ``info`` (name, size, sha256), streamed into
    ``folder`` as ``<name>.part`` and appended to when a part is there (Range, If-Range: a
    newer file starts over); a part whose digest is wrong is deleted and refused.

    The digest is taken, and the bytes handed to ``inflating``, as they arrive; bytes a
    previous run left in the part are read back first. With ``key`` the part is encrypted:
    a random nonce, then the bytes under `cipher.Stream` (the digest is of the bytes sent).
    """
    part = folder / f"{info['name']}.part"
    digest = hashlib.sha256()
    header = cipher.STREAM_NONCE_BYTES if key is not None else 0
    stream: cipher.Stream | None = None
    if part.exists() and part.stat().st_size < header:
        part.unlink()  # cut short before its nonce was written
    if part.exists():
        with part.open("rb") as f:
            if key is not None:
                stream = cipher.Stream(key, PART_PURPOSE, f.read(header))
            clear = stream.at(0) if stream is not None else None
            while chunk := f.read(1024 * 1024):
                if clear is not None:
                    chunk = clear.update(chunk)
                digest.update(chunk)
                if inflating is not None:
                    inflating.write(chunk)
    while True:
        have = part.stat().st_size - header if part.exists() else 0
        if have >= info["size"]:
            break
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers.update(Range=f"bytes={have}-", **{"If-Range": info["sha256"]})
        try:
            with http.stream("GET", f"/v1/snapshot/{info['name']}", headers=headers) as answer:
                if answer.status_code >= 400:
                    answer.read()
                    raise error_from(answer)
                mode = "ab" if answer.status_code == 206 and have else "wb"
                if mode == "wb" and have:  # the file changed on the server: from the start
                    digest = hashlib.sha256()
                    if inflating is not None:
                        inflating.restart()
                with part.open(mode) as out:
                    hiding = None
                    if key is not None:
                        if mode == "wb":
                            stream = cipher.Stream(key, PART_PURPOSE, os.urandom(header))
                            out.write(stream.nonce)
                        assert stream is not None
                        hiding = stream.at(have if mode == "ab" else 0)
                    for chunk in answer.iter_bytes(1024 * 1024):
                        if cancel is not None and cancel.is_set():
                            raise Cancelled("sync was cancelled")
                        out.write(hiding.update(chunk) if hiding is not None else chunk)
                        digest.update(chunk)
                        if inflating is not None:
                            inflating.write(chunk)
                        if progress is not None:
                            progress(out.tell() - header, info["size"])
        except httpx.TransportError:
            # resume from what arrived; the request helper's backoff paces the retries
            request("GET", "/v1/health", cancel)
    if digest.hexdigest() != info["sha256"]:
        part.unlink()
        raise SyncError("the downloaded snapshot was damaged; it will be fetched again")
    return part


class _Inflating:
    """A gzip stream decompressed into ``target`` while it downloads, so the file is ready
    when the last byte arrives (on a slow line, decompressing costs nothing extra).

    Bytes that are not gzip are not an error here: the digest decides whether the download
    was damaged, and `finish` refuses a stream that did not end.
    """

    def __init__(self, target: Path | None) -> None:
        """``target`` None: into memory (`finish` returns the bytes)."""
        self.target = target
        self._out: BinaryIO | None = None
        self.restart()

    def restart(self) -> None:
        if self._out is not None:
            self._out.close()
        self._out = self.target.open("wb") if self.target is not None else io.BytesIO()
        self._inflate = isal_zlib.decompressobj(GZIP_WBITS)
        self._broken = False

    def write(self, data: bytes) -> None:
        assert self._out is not None
        while data and not self._broken:
            try:
                self._out.write(self._inflate.decompress(data))
            # isal's stub declares `error` an Exception instance; it is the class IsalError
            except isal_zlib.error:  # type: ignore[misc]
                self._broken = True
                return
            data = self._inflate.unused_data if self._inflate.eof else b""
            if data:  # gzip allows several members one after the other
                self._inflate = isal_zlib.decompressobj(GZIP_WBITS)

    def finish(self) -> bytes | None:
        """Done: the decompressed bytes when they went to memory (None: to the file)."""
        assert self._out is not None
        image = self._out.getvalue() if isinstance(self._out, io.BytesIO) else None
        self._out.close()
        if self._broken or not self._inflate.eof:
            raise SyncError("the downloaded snapshot could not be decompressed")
        return image

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
        if self.target is not None:
            self.target.unlink(missing_ok=True)


def _unpacked(part: Path, target: Path) -> Path:
    """The search index archive at ``part`` unpacked into ``target`` (emptied first); only
    plain files, no paths outside it (tarfile's ``data`` filter)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    with tarfile.open(part, "r:gz") as tar:
        tar.extractall(target, filter="data")
    part.unlink()
    return target


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
    key: bytes | None = None,
    keep_newer: bool = False,
    hmac: bool = True,
) -> None:
    """Replace the replica's rows of the snapshot at ``path`` (taken at ``seq``) table by
    table, then move the cursor; the file is deleted afterwards, imported or not.

    ``keep_newer``: a row the replica holds at a version after ``seq`` stays as it is (see
    `_replaced`), for a first sync, where such a row is a push answer already settled.

    A replica that holds nothing yet takes the file whole instead (`adopt`).
    ``imported(table, rows, n, total)`` is called as each table commits (see
    `SyncClient.bootstrap` for the order, the unsent edits kept, and ``only``).

    ``image``: the snapshot's bytes in memory instead of a file, for an encrypted replica
    (`download`): its rows are copied across (`_copy_image`). ``key``: the file at ``path``
    is a SQLCipher database under this key, its pages with an HMAC or not (``hmac``).
    """
    try:
        if cancel is not None and cancel.is_set():
            raise Cancelled("sync was cancelled")
        if image is not None:
            _copy_image(replica, columns, image, seq, imported, cancel, only, keep_newer)
            return
        if only is None and adopt(replica, path, seq, imported, key, hmac):
            return
        _insert_tables(replica, columns, path, seq, imported, cancel, only, key, keep_newer, hmac)
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
    key: bytes | None = None,
    hmac: bool = True,
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

    ``key``: the snapshot is a SQLCipher database under this key (the server's sqlcipher
    forms), its pages with an HMAC or not (``hmac``). SQLCipher's backup decrypts each page
    with the snapshot's key and encrypts it with the replica's (with the replica's HMAC), so
    the pages cross in C, never in clear on disk. A plain snapshot for an encrypted replica
    is first exported encrypted beside it, since pages only cross between two encrypted
    files or two plain ones. The pages are copied as they are, so the snapshot's must leave
    the cipher as many bytes at their end as the replica's do (`cipher.reserved_bytes`);
    one that does not is not taken whole (False).
    """
    encrypted = path.with_name(path.name + ".encrypted")
    if key is None and replica.key is not None:
        cipher.export(path, encrypted, replica.key)
        path, key = encrypted, replica.key
    if key is not None and replica.key is not None:
        laid_out = cipher.reserved_bytes(path, key, hmac=hmac)
        if laid_out is None or laid_out != cipher.reserved_bytes(replica.path, replica.key):
            encrypted.unlink(missing_ok=True)
            return False
    snap = cipher.connect(path, key, hmac=hmac, isolation_level=None)
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
    key: bytes | None = None,
    keep_newer: bool = False,
    hmac: bool = True,
) -> None:
    """The snapshot's tables inserted into a replica that already holds rows: each table in
    a transaction of its own, keeping the documents with unsent edits (and with
    ``keep_newer`` the rows newer than the snapshot: `_replaced`). ``key``: the snapshot
    is a SQLCipher database under this key (else a plain file), its pages with an HMAC or
    not (``hmac``)."""
    with replica.writing():  # attached to the writer, which every transaction below uses
        writer = replica.conn
        cipher.attach(writer, path, "snap", key, hmac=hmac)
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
