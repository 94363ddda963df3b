"""The order store (`reading.OrderStore`) kept in a file beside the replica, so that opening a
workspace reads a million orders from one file (a fraction of a second) instead of from the
orders table (seconds), then brings them up to the replica's cursor from the changed rows only.

The file is derived data, like the search index: safe to delete at any time, and used only when
its stamp says it holds *this* replica's orders, in this format, as of a cursor the replica has
not gone back from. Anything else (no stamp, a stamp of another replica or format, a truncated
or damaged file, a column missing or of another type) means "read the table", never "trust".

On a laptop whose replica is encrypted (`workbench.replica.cipher`) the file is sealed with
AES-256-GCM under a key derived from the replica's: it holds every order's value. A plain file
found beside an encrypted replica (written before encryption) is deleted on sight.

What the file is: an uncompressed zip (numpy's ``.npz``) of one ``.npy`` array per raw column,
saved and loaded without pickle (``allow_pickle=False``), and ``stamp.json``. Text columns are
categorical codes plus their categories as fixed-width unicode; dates are ``datetime64[ns]``
with NaT where there is none; numbers keep their dtype. Zip keeps a CRC-32 of every member and
numpy checks it on reading, so a damaged byte is caught rather than read as data. It is written
under a temporary name and renamed over the old file (`os.replace`), so a crash leaves either
the old file or the new one, and a half-written file is never under the trusted name.

Which replica: the replica's ``sync_state`` holds a random ``replica_id``, minted the first time
a file is written. A replica file replaced by another (a fresh snapshot, a colleague's copy, a
new empty replica) has another id or none, so the old file is not taken for it; the rowids the
file records (drill-down reads order numbers by rowid) are only meaningful in the replica they
were read from. A repair that replaced the orders rows of the *same* replica without moving the
cursor is caught by the table's row count and highest rowid, checked against the stamp.
"""

from __future__ import annotations

import io
import json
import logging
import os
import sqlite3
import threading
import time
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from workbench.analytics.reading import ORDER_COLUMNS, OrderStore
from workbench.errors import WorkbenchError
from workbench.replica import cipher
from workbench.replica.store import connect

log = logging.getLogger(__name__)

#: Bump when the layout of the file changes: files of another format are read again.
FORMAT = 1
SUFFIX = ".orders.npz"
STAMP_MEMBER = "stamp.json"
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
    """The file beside ``replica_path``: ``replica.sqlite`` → ``replica.orders.npz``."""
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


# -- columns as arrays ---------------------------------------------------------------------------


def _labels(values: np.ndarray) -> pd.Index[str]:
    texts: list[str] = values.tolist()  # numpy types tolist() as Any: these are the labels
    return pd.Index(texts, dtype=str)  # the dtype `reading.categorical` gives


def _arrays(raw: pd.DataFrame) -> dict[str, np.ndarray]:
    """The raw columns as plain arrays; `Unusable` when one would not come back the same (a
    text ending in NUL, which fixed-width unicode drops)."""
    out: dict[str, np.ndarray] = {}
    for name, kind in ORDER_COLUMNS:
        column = raw[name]
        if kind == "text":
            cat = column.array
            labels = [str(c) for c in cat.categories]
            categories = np.array(labels, dtype=str) if labels else np.zeros(0, dtype="<U1")
            if categories.tolist() != labels:
                raise Unusable(f"{name}: a value does not survive fixed-width unicode")
            out[f"{name}.codes"] = np.asarray(cat.codes)
            out[f"{name}.categories"] = categories
        else:
            out[name] = column.to_numpy()
    return out


def _column(name: str, kind: str, arrays: dict[str, np.ndarray], live: int) -> object:
    """One raw column back from its arrays, checked against what `reading` produces."""
    if kind == "text":
        codes, categories = arrays[f"{name}.codes"], arrays[f"{name}.categories"]
        if codes.dtype.kind != "i" or categories.dtype.kind != "U" or categories.ndim != 1:
            raise Unusable(f"{name}: codes {codes.dtype} / categories {categories.dtype}")
        if codes.shape != (live,):
            raise Unusable(f"{name}: {codes.shape} values, the stamp says {live}")
        if live and (codes.min() < -1 or codes.max() >= len(categories)):
            raise Unusable(f"{name}: a code outside its categories")
        return pd.Categorical.from_codes(codes, categories=_labels(categories))
    values = arrays[name]
    allowed = {"int": ("int64",), "number": ("int64", "float64"), "date": ("datetime64[ns]",)}[kind]
    if str(values.dtype) not in allowed:
        raise Unusable(f"{name}: {values.dtype} is not {' / '.join(allowed)}")
    if values.shape != (live,):
        raise Unusable(f"{name}: {values.shape} values, the stamp says {live}")
    return values


# -- the file ------------------------------------------------------------------------------------


def write(path: Path, store: OrderStore, replica: str, key: bytes | None = None) -> Stamp:
    """Write ``store`` as ``replica``'s file at ``path``: complete under a temporary name,
    flushed to disk, then renamed over the old file; sealed with ``key`` when given."""
    arrays = _arrays(store.raw)
    stamp = Stamp(
        FORMAT,
        replica,
        store.cursor,
        store.rows,
        store.max_rowid,
        len(store.raw),
        tuple((n, str(k)) for n, k in ORDER_COLUMNS),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale(path)
    partial = path.with_name(f"{path.name}.{os.getpid()}-{threading.get_ident()}.tmp")
    try:
        with open(partial, "wb") as out:
            # sealed: the zip is made in memory and only its sealed bytes reach the disk
            target: Any = io.BytesIO() if key is not None else out
            with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
                for name, array in arrays.items():
                    with zf.open(f"{name}.npy", "w", force_zip64=True) as member:
                        np.lib.format.write_array(member, array, allow_pickle=False)
                zf.writestr(STAMP_MEMBER, stamp.to_json())
            if key is not None:
                out.write(cipher.seal(target.getbuffer(), key, PURPOSE))
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return stamp


def _remove_stale(path: Path) -> None:
    """Temporary files a crashed writer left (a live writer's are younger than `_STALE_S`)."""
    now = time.time()
    for stale in path.parent.glob(f"{path.name}.*.tmp"):
        try:
            if now - stale.stat().st_mtime > _STALE_S:
                stale.unlink()
        except OSError:
            pass


def _source(path: Path, key: bytes | None) -> Path | io.BytesIO:
    """What numpy reads: the file, or the zip unsealed into memory when ``key`` is given. A
    plain file beside an encrypted replica is deleted: it holds the order values in clear."""
    if key is None:
        return path
    blob = path.read_bytes()
    if not cipher.is_sealed(blob):
        path.unlink(missing_ok=True)
        raise Unusable("the file was written unencrypted; it is deleted")
    try:
        return io.BytesIO(cipher.unseal(blob, key, PURPOSE))
    except cipher.WrongKey as exc:
        raise Unusable(str(exc)) from exc


@contextmanager
def _opened(path: Path, key: bytes | None = None) -> Iterator[tuple[Any, Stamp]]:
    """The file open, with its stamp: a missing file raises `FileNotFoundError`; anything that
    goes wrong reading a damaged one, here or in the caller's block, raises `Unusable`."""
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        source = _source(path, key)
        if not zipfile.is_zipfile(source):
            raise Unusable("the file is no zip: damaged or of another kind")
        with np.load(source, allow_pickle=False) as npz:
            if STAMP_MEMBER not in npz.files:
                raise Unusable("the file has no stamp")
            yield npz, Stamp.from_json(npz[STAMP_MEMBER])
    except (FileNotFoundError, Unusable):
        raise
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise Unusable(f"the file is damaged: {exc}") from exc


def read(path: Path, key: bytes | None = None) -> tuple[Stamp, OrderStore]:
    """The stamp and the store in the file at ``path``, whichever replica it is of; raises
    `Unusable` for a file that is damaged or of another format or columns, and
    `FileNotFoundError` when there is none."""
    with _opened(path, key) as (npz, stamp):
        if stamp.format != FORMAT:
            raise Unusable(f"the file has format {stamp.format}; this app writes {FORMAT}")
        if stamp.columns != tuple((n, str(k)) for n, k in ORDER_COLUMNS):
            raise Unusable("the file holds other columns than this app reads")
        arrays = {name: npz[name] for name in npz.files if name != STAMP_MEMBER}
    try:
        columns = {name: _column(name, kind, arrays, stamp.live) for name, kind in ORDER_COLUMNS}
    except Unusable:
        raise
    except KeyError as exc:
        raise Unusable(f"the file lacks the column {exc}") from exc
    except (ValueError, TypeError) as exc:  # values pandas refuses as they are
        raise Unusable(f"a column is damaged: {exc}") from exc
    raw = pd.DataFrame(columns, copy=False)
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
    """The stamp alone (numpy reads a member of the zip only when asked for it): what deciding
    whether to write the file again needs. `Unusable` or `FileNotFoundError` as `read`."""
    with _opened(path, key) as (_npz, stamp):
        return stamp


def prepare(replica_path: Path, lag: int, key: bytes | None = None) -> Stamp | None:
    """Write the file of the replica at ``replica_path`` unless it has one of its own, in this
    format, at most ``lag`` changes behind; returns the stamp written, or None.

    Run after a sync, on a worker: a first sync brings a million orders, and without this the
    first dashboards of that laptop would read them from the table (seconds) rather than from
    the file. Reads on a connection of its own, in one read transaction.
    """
    path = path_for(replica_path)
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
