"""The order store (`reading.OrderStore`) kept in a file beside the replica, so that opening a
workspace reads a million orders from one file (a fraction of a second) instead of from the
orders table (seconds), then brings them up to the replica's cursor from the changed rows only.

The file is derived data, like the search index: safe to delete at any time, and used only when
its stamp says it holds *this* replica's orders, in this format, as of a cursor the replica has
not gone back from. Anything else (no stamp, a stamp of another replica or format, a truncated
or damaged file, a column missing or of another type) means "read the table", never "trust".

What the file is: an Arrow IPC file (the Feather v2 layout) of the raw columns, written and
read by pyarrow, each column's buffers compressed with LZ4: text columns are dictionaries
(pandas categoricals both ways), dates ``timestamp[ns]`` with nulls where there is none,
numbers int64 or float64; the stamp is JSON in the schema's metadata. Reading it back is
pyarrow's own conversion to pandas, each column kept apart rather than copied into blocks,
after Arrow's full validation; the choice against Parquet and the old ``.npz`` is measured in
docs/adr/0007-order-file-in-arrow.md.

Arrow keeps no checksum, so the Arrow file never lies on disk bare. On a laptop whose replica
is encrypted (`workbench.replica.cipher`) it is sealed with AES-256-GCM under a key derived
from the replica's: it holds every order's value, and the tag catches any changed byte. A
plain replica's file (the demo without a keyring) starts with `PLAIN_HEADER` and the Arrow
file's CRC-32, so a damaged byte is caught rather than read as data. A plain file found beside
an encrypted replica (written before encryption) is deleted on sight, and so is the ``.npz``
file of the releases before Arrow, never read. The file is written under a temporary name and
renamed over the old one (`os.replace`), so a crash leaves either the old file or the new
one, and a half-written file is never under the trusted name.

Which replica: the replica's ``sync_state`` holds a random ``replica_id``, minted the first time
a file is written. A replica file replaced by another (a fresh snapshot, a colleague's copy, a
new empty replica) has another id or none, so the old file is not taken for it; the rowids the
file records (drill-down reads order numbers by rowid) are only meaningful in the replica they
were read from. A repair that replaced the orders rows of the *same* replica without moving the
cursor is caught by the table's row count and highest rowid, checked against the stamp.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import time
import uuid
import zlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from workbench.analytics.reading import ORDER_COLUMNS, OrderStore, categorical
from workbench.errors import WorkbenchError
from workbench.replica import cipher
from workbench.replica.store import Replica, connect

log = logging.getLogger(__name__)

#: Bump when the layout of the file changes: files of another format are read again. Format 1
#: was the ``.npz`` file of the releases before Arrow.
FORMAT = 2
SUFFIX = ".orders.arrow"
#: the files earlier releases kept beside the replica, deleted on sight
OLD_SUFFIXES = (".orders.npz",)
#: how Arrow compresses each column's buffers: LZ4 frames read back faster than the file
#: uncompressed once sealed (less to read and decrypt) at half the size (ADR 0007)
COMPRESSION: str | None = "lz4"
#: the schema metadata key holding the stamp
STAMP_KEY = "workbench.order_file"
#: the first bytes of a plain (unsealed) file, before the Arrow file's CRC-32
PLAIN_HEADER = b"MWORDERS2\x00"
#: the dtype of the categories `reading.categorical` makes
_TEXT = categorical([]).categories.dtype
#: the ``sync_state`` key naming this replica file
IDENTITY_KEY = "replica_id"
#: temporary files older than this are a crashed writer's, removed by the next write
_STALE_S = 3600.0
#: what the sealing key is derived for (`cipher.seal`)
PURPOSE = "orders-file"


class Unusable(WorkbenchError, ValueError):
    """The file cannot be used for this replica (the message says why); read the table."""


@dataclass(frozen=True)
class Stamp:
    """What a file holds: the format, the replica, the cursor the rows were read at, the
    table's row count (tombstones included) and highest rowid then, the live rows in the file
    and the raw columns (name and kind) they were read as."""

    format: int
    replica: str
    cursor: int
    rows: int
    max_rowid: int
    live: int
    columns: tuple[tuple[str, str], ...]

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": self.format,
                "replica": self.replica,
                "cursor": self.cursor,
                "rows": self.rows,
                "max_rowid": self.max_rowid,
                "live": self.live,
                "columns": [list(c) for c in self.columns],
            }
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Stamp:
        try:
            data = json.loads(text)
            return cls(
                int(data["format"]),
                str(data["replica"]),
                int(data["cursor"]),
                int(data["rows"]),
                int(data["max_rowid"]),
                int(data["live"]),
                tuple((str(name), str(kind)) for name, kind in data["columns"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise Unusable(f"the stamp is unreadable: {exc}") from exc


def path_for(replica_path: Path) -> Path:
    """The file beside ``replica_path``: ``replica.sqlite`` → ``replica.orders.arrow``."""
    return replica_path.with_suffix(SUFFIX)


# -- the replica's identity ------------------------------------------------------------------


def replica_id(conn: sqlite3.Connection) -> str | None:
    """This replica file's id, None until a file was first written for it."""
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (IDENTITY_KEY,)).fetchone()
    return None if row is None else str(row[0])


def ensure_replica_id(conn: sqlite3.Connection) -> str:
    """This replica file's id, minted now when it has none (on ``conn``, a connection of its
    own: the write must not join a read transaction of the caller's)."""
    found = replica_id(conn)
    if found is not None:
        return found
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT OR IGNORE INTO sync_state (key, value) VALUES (?, ?)",
            (IDENTITY_KEY, uuid.uuid4().hex),
        )  # another writer may have minted it first: theirs stands
        minted = replica_id(conn)
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
    assert minted is not None
    return minted


def minted_replica_id(replica: Replica) -> str:
    """``replica``'s id, minted now through its writer when it has none. Minted on a
    connection of its own, the write made every other connection of the app drop its page
    cache, the sync's included, and the pull after a first sync decrypted every page again."""
    with replica.writing():
        return ensure_replica_id(replica.conn)


# -- the columns as an Arrow table ------------------------------------------------------------


def _arrow_type(kind: str) -> pa.DataType:
    """The Arrow type a raw column of ``kind`` is kept as; text is a dictionary (categorical)
    whose index width pandas chooses, so only its values' type is fixed."""
    return {
        "int": pa.int64(),
        "number": pa.float64(),
        "date": pa.timestamp("ns"),
        "text": pa.large_string(),
    }[kind]


def _checked_type(name: str, kind: str, found: pa.DataType) -> None:
    """`Unusable` unless ``found`` is what `_table` writes for a raw column of ``kind`` (a whole
    "number" column is int64, as `reading` gives it)."""
    if kind == "text":
        if not (
            pa.types.is_dictionary(found)
            and pa.types.is_integer(found.index_type)
            and found.value_type in (pa.string(), pa.large_string())
        ):
            raise Unusable(f"{name}: {found} is not text")
        return
    allowed = (pa.int64(), pa.float64()) if kind == "number" else (_arrow_type(kind),)
    if found not in allowed:
        raise Unusable(f"{name}: {found} is not {' / '.join(str(t) for t in allowed)}")


def _table(store: OrderStore, stamp: Stamp) -> pa.Table:
    """The raw columns as an Arrow table, the stamp in its schema's metadata."""
    table = pa.Table.from_pandas(store.raw[[n for n, _ in ORDER_COLUMNS]], preserve_index=False)
    return table.replace_schema_metadata({STAMP_KEY: stamp.to_json()})


def _raw(table: pa.Table, stamp: Stamp) -> pd.DataFrame:
    """The raw frame back from the file's table, checked against what `reading` produces:
    the columns, their types, the length the stamp gives and Arrow's own full validation (a
    dictionary index past its values, text that is no UTF-8)."""
    names = [n for n, _ in ORDER_COLUMNS]
    if table.column_names != names:
        raise Unusable(f"the file holds the columns {table.column_names}, not {names}")
    for (name, kind), field in zip(ORDER_COLUMNS, table.schema, strict=True):
        _checked_type(name, kind, field.type)
    if table.num_rows != stamp.live:
        raise Unusable(f"the file holds {table.num_rows} rows, the stamp says {stamp.live}")
    try:
        table.validate(full=True)
        # pyarrow's own conversion, each column kept apart (no copy into one block per dtype)
        raw: pd.DataFrame = table.to_pandas(split_blocks=True)
    except pa.ArrowException as exc:
        raise Unusable(f"a column is damaged: {exc}") from exc
    for name, kind in ORDER_COLUMNS:  # categories of the dtype `reading.categorical` gives,
        # so a refresh can append to them: pyarrow's already are (strings of either width)
        if kind == "text" and raw[name].cat.categories.dtype != _TEXT:
            raw[name] = categorical(raw[name].array)
    return raw


# -- the file ------------------------------------------------------------------------------------


def _ipc(table: pa.Table) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    options = pa.ipc.IpcWriteOptions(compression=COMPRESSION)
    with pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    return sink.getvalue()


def _framed(ipc: pa.Buffer, key: bytes | None) -> bytes:
    """What goes to disk: the Arrow file sealed with ``key``, or behind the plain header and
    its CRC-32."""
    body = memoryview(ipc).cast("B")  # Arrow's buffer, unsigned bytes as the cipher wants
    if key is not None:
        return cipher.seal(body, key, PURPOSE)
    return PLAIN_HEADER + zlib.crc32(body).to_bytes(4, "big") + bytes(body)


def write(path: Path, store: OrderStore, replica: str, key: bytes | None = None) -> Stamp:
    """Write ``store`` as ``replica``'s file at ``path``: complete under a temporary name,
    flushed to disk, then renamed over the old file; sealed with ``key`` when given. A file
    an earlier release kept beside it goes (`retire_old_files`)."""
    stamp = Stamp(
        FORMAT,
        replica,
        store.cursor,
        store.rows,
        store.max_rowid,
        len(store.raw),
        tuple((n, str(k)) for n, k in ORDER_COLUMNS),
    )
    data = _framed(_ipc(_table(store, stamp)), key)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(partial, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    retire_old_files(path)
    return stamp


def retire_old_files(path: Path) -> None:
    """Delete the order files earlier releases kept beside ``path`` (`OLD_SUFFIXES`): they are
    never read, and a sealed one still holds order values."""
    for suffix in OLD_SUFFIXES:
        path.with_name(path.name.removesuffix(SUFFIX) + suffix).unlink(missing_ok=True)


def _remove_stale(path: Path) -> None:
    """Temporary files a crashed writer left (a live writer's are younger than `_STALE_S`)."""
    now = time.time()
    for stale in path.parent.glob(f"{path.name}.*.tmp"):
        try:
            if now - stale.stat().st_mtime > _STALE_S:
                stale.unlink()
        except OSError:
            pass


def _payload(path: Path, key: bytes | None) -> bytes | memoryview:
    """The Arrow file inside the file at ``path``: unsealed with ``key``, or checked against
    its CRC-32. A plain file beside an encrypted replica is deleted: it holds the order values
    in clear."""
    blob = path.read_bytes()
    if key is None:
        if not blob.startswith(PLAIN_HEADER):
            raise Unusable("the file is of another kind or format, or sealed")
        start = len(PLAIN_HEADER) + 4
        expected = int.from_bytes(blob[len(PLAIN_HEADER) : start], "big")
        payload = memoryview(blob)[start:]
        if zlib.crc32(payload) != expected:
            raise Unusable("the file is damaged: its CRC-32 does not match")
        return payload  # no copy: the columns are read from these bytes
    if not cipher.is_sealed(blob):
        path.unlink(missing_ok=True)
        raise Unusable("the file was written unencrypted; it is deleted")
    try:
        return cipher.unseal(blob, key, PURPOSE)
    except cipher.WrongKey as exc:
        raise Unusable(str(exc)) from exc


def _opened(path: Path, key: bytes | None = None) -> tuple[pa.ipc.RecordBatchFileReader, Stamp]:
    """The Arrow file's reader and its stamp: a missing file raises `FileNotFoundError`; one
    that is damaged, of another kind or of another format raises `Unusable`."""
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        reader = pa.ipc.open_file(pa.py_buffer(_payload(path, key)))
    except (pa.ArrowException, OSError) as exc:  # any of Arrow's errors: a damaged file
        raise Unusable(f"the file is damaged: {exc}") from exc
    metadata = reader.schema.metadata or {}
    if STAMP_KEY.encode() not in metadata:
        raise Unusable("the file has no stamp")
    stamp = Stamp.from_json(metadata[STAMP_KEY.encode()])
    if stamp.format != FORMAT:
        raise Unusable(f"the file has format {stamp.format}; this app writes {FORMAT}")
    return reader, stamp


def read(path: Path, key: bytes | None = None) -> tuple[Stamp, OrderStore]:
    """The stamp and the store in the file at ``path``, whichever replica it is of; raises
    `Unusable` for a file that is damaged or of another format or columns, and
    `FileNotFoundError` when there is none."""
    reader, stamp = _opened(path, key)
    if stamp.columns != tuple((n, str(k)) for n, k in ORDER_COLUMNS):
        raise Unusable("the file holds other columns than this app reads")
    try:
        table = reader.read_all()
    except (pa.ArrowException, OSError) as exc:  # any of Arrow's errors: a damaged file
        raise Unusable(f"the file is damaged: {exc}") from exc
    raw = _raw(table, stamp)
    if not raw["rowid"].is_monotonic_increasing:
        raise Unusable("the rows are not in rowid order")
    return stamp, OrderStore(raw, stamp.cursor, stamp.rows, stamp.max_rowid)


def load(path: Path, conn: sqlite3.Connection, cursor: int, key: bytes | None = None) -> OrderStore:
    """The store in the file at ``path`` if it may stand for the orders of the replica behind
    ``conn`` on the way to ``cursor`` (call inside the read transaction ``cursor`` was read
    in); `Unusable` or `FileNotFoundError` otherwise. The caller brings it up to ``cursor``
    (`OrderStore.refreshed`)."""
    if not path.exists():
        raise FileNotFoundError(path)
    identity = replica_id(conn)
    if identity is None:
        raise Unusable("the replica has no id yet: the file was written for another one")
    stamp, store = read(path, key)
    if stamp.replica != identity:
        raise Unusable(f"the file is of replica {stamp.replica}, this one is {identity}")
    if stamp.cursor > cursor:
        raise Unusable(f"the file is at cursor {stamp.cursor}, the replica went back to {cursor}")
    if stamp.cursor == cursor:  # a refresh checks this itself when the cursor moved
        rows, max_rowid = conn.execute("SELECT count(*), max(rowid) FROM orders").fetchone()
        if (int(rows), int(max_rowid or 0)) != (stamp.rows, stamp.max_rowid):
            raise Unusable(
                f"the orders table holds {rows} rows up to rowid {max_rowid}, the file's "
                f"stamp says {stamp.rows} up to {stamp.max_rowid}: rows changed outside a sync"
            )
    return store


def save(
    path: Path,
    replica_path: Path,
    store: OrderStore,
    identity: str | None,
    key: bytes | None = None,
) -> Stamp:
    """Write ``store`` as the file of the replica at ``replica_path`` (opened with ``key``)
    whose id, read with the store, was ``identity``; when it had none, one is minted now (on
    a connection of its own, closed after)."""
    if identity is None:
        conn = connect(replica_path, key)
        try:
            identity = ensure_replica_id(conn)
        finally:
            conn.close()
    return write(path, store, identity, key)


def remove(path: Path) -> None:
    """Delete the file (it no longer describes the replica)."""
    path.unlink(missing_ok=True)


def read_stamp(path: Path, key: bytes | None = None) -> Stamp:
    """The stamp alone, from the Arrow file's schema (its columns are not read): what deciding
    whether to write the file again needs. `Unusable` or `FileNotFoundError` as `read`."""
    return _opened(path, key)[1]


def prepare(replica_path: Path, lag: int, key: bytes | None = None) -> Stamp | None:
    """Write the file of the replica at ``replica_path`` unless it has one of its own, in this
    format, at most ``lag`` changes behind; returns the stamp written, or None.

    Run after a sync, on a worker: a first sync brings a million orders, and without this the
    first dashboards of that laptop would read them from the table (seconds) rather than from
    the file. Reads on a connection of its own, in one read transaction.
    """
    path = path_for(replica_path)
    retire_old_files(path)
    conn = connect(replica_path, key)
    try:
        conn.execute("BEGIN")
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'cursor'").fetchone()
        cursor = int(row[0] or 0) if row is not None else 0
        identity = replica_id(conn)
        try:
            stamp = read_stamp(path, key)
        except (FileNotFoundError, Unusable):
            pass
        else:
            if (
                stamp.format == FORMAT
                and identity is not None
                and stamp.replica == identity
                and 0 <= cursor - stamp.cursor < lag
            ):
                return None
        store = OrderStore.load(conn, cursor)
        conn.execute("COMMIT")
    finally:
        conn.close()
    return save(path, replica_path, store, identity, key)
