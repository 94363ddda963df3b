"""First-sync snapshots (architecture D4): a workspace's rows for one role as of one change
sequence, as a gzip-compressed SQLite file in the replica's own schema, and beside it the
search index of its materials (a gzip tar), so a laptop's first sync need not build one.

A snapshot is derived data, cached on disk beside nothing else the server needs: any instance
can rebuild it from the database. Its rows are read inside one read transaction together with
the sequence they reflect, so ``seq`` is exact: the client pulls the change feed after it.
Files are built into a temporary name and renamed into place, so a reader never sees half a
file; the name holds the sequence, so a resumed download (HTTP Range) of the same name is the
same bytes.

Each snapshot also comes as a SQLCipher database under a random key of its own, for a laptop
whose replica is encrypted (architecture D11): it writes the bytes to disk as they arrive, still
encrypted, and copies the file's pages into its replica in SQLCipher itself, with no row
crossing into Python and nothing of it ever in clear. The key is sent in the snapshot's
description, over the same authenticated connection as the file, and kept beside the file here
(the server's snapshot folder holds the plain snapshot anyway). Two such forms (`ENCRYPTED`):
``sqlcipher`` (``.sqlcipher``), SQLCipher's default 4 KiB pages each with its HMAC-SHA512,
which laptops of the version that brought it ask for (ADR 0008); and ``sqlcipher-8k``
(``.8k.sqlcipher``), laid out as a laptop's replica now is (8 KiB pages, room for an
HMAC-SHA256) but without the HMAC, which a laptop checks whole against the file's SHA-256
instead and copies into its replica page by page (ADR 0009).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from isal import igzip

from sync import protocol
from sync.server import schema
from sync.server.scoping import WorkspaceScope
from workbench.replica import cipher, open_replica, validation
from workbench.search import index as search_index

log = logging.getLogger(__name__)

BATCH_ROWS = 10_000
SUFFIX = ".sqlite.gz"
#: The search index built from a snapshot's rows: ``<snapshot name without SUFFIX>`` + this.
INDEX_SUFFIX = ".search.tar.gz"
#: The same snapshot as a SQLCipher database: ``<snapshot name without SUFFIX>`` + a suffix
#: ending in this.
ENCRYPTED_SUFFIX = ".sqlcipher"
#: Each encrypted form, oldest first: its file's suffix, whether its pages carry an HMAC, and
#: how they are laid out.
ENCRYPTED = {
    "sqlcipher": (ENCRYPTED_SUFFIX, True, cipher.LEGACY),
    "sqlcipher-8k": (".8k" + ENCRYPTED_SUFFIX, False, cipher.REPLICA),
}
#: Suffixes of forms no longer built (``sqlcipher-nohmac``: 4 KiB pages without HMAC, built on
#: 2026-12-08 only), whose files a server of that version left: dropped with their snapshot.
RETIRED_SUFFIXES = (".nohmac" + ENCRYPTED_SUFFIX,)
#: Its key, 32 random bytes, beside it: ``<encrypted name>`` + this.
KEY_SUFFIX = ".key"
#: The forms ``GET /v1/snapshot?form=`` accepts: gzip (the default, what older laptops get)
#: or one of the encrypted ones.
FORMS = ("gzip", *ENCRYPTED)


@dataclass(frozen=True)
class Snapshot:
    path: Path
    seq: int
    size: int
    sha256: str
    #: the search index of the same rows, when the role receives materials
    search: Snapshot | None = None
    #: the same rows as SQLCipher databases, by form (`ENCRYPTED`), each with its key
    encrypted: dict[str, Snapshot] = field(default_factory=dict)
    key: bytes | None = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return self.path.name

    def describe(self, form: str = "gzip") -> dict[str, object]:
        """What ``GET /v1/snapshot`` answers: the files to download and their digests. With
        an encrypted ``form``, that database and its key (hex) in place of the gzip, when
        there is one; a snapshot cached before a form existed answers the next one there is
        (sqlcipher-8k, then sqlcipher, then the gzip), naming the form it answers."""
        older = list(ENCRYPTED)[: list(ENCRYPTED).index(form) + 1] if form in ENCRYPTED else []
        given = next((f for f in reversed(older) if f in self.encrypted), "gzip")
        main = self.encrypted.get(given, self)
        described: dict[str, object] = {"seq": self.seq, **main._file()}
        if main is not self:
            assert main.key is not None
            described.update(form=given, key=main.key.hex())
        if self.search is not None:
            described["search"] = self.search._file()
        return described

    def _file(self) -> dict[str, object]:
        return {"name": self.name, "size": self.size, "sha256": self.sha256}


class SnapshotStore:
    """Builds and caches snapshots in ``directory``; reuses one younger than ``max_age_s``."""

    def __init__(self, engine: sa.Engine, directory: Path, max_age_s: float = 600.0) -> None:
        self.engine = engine
        self.directory = Path(directory)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()
        self._digests = _Digests()

    def _prefix(self, workspace_id: str, role: str) -> str:
        return f"{workspace_id}-{role}-"

    def find(self, workspace_id: str, name: str) -> Snapshot | None:
        """A cached snapshot by file name, only if it belongs to this workspace."""
        if (
            "/" in name
            or not name.startswith(workspace_id + "-")
            or not name.endswith((".gz", ENCRYPTED_SUFFIX))
        ):
            return None
        path = self.directory / name
        if not path.is_file():
            return None
        return self._describe(path)

    def latest(self, workspace_id: str, role: str) -> Snapshot:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            prefix = self._prefix(workspace_id, role)
            cached = sorted(
                self.directory.glob(prefix + "*" + SUFFIX), key=lambda p: p.stat().st_mtime
            )
            if cached and time.time() - cached[-1].stat().st_mtime < self.max_age_s:
                recent = self._describe(cached[-1])
                with self.engine.connect() as conn:
                    oldest_allowed = WorkspaceScope(conn, workspace_id).min_seq()
                if recent.seq >= oldest_allowed:  # else its feed continuation was purged
                    return recent
            built = self._build(workspace_id, role)
            for old in cached[:-1]:  # keep the previous one for downloads still running
                for path in (old, *_beside(old)):
                    path.unlink(missing_ok=True)
            return built

    def _build(self, workspace_id: str, role: str) -> Snapshot:
        with tempfile.TemporaryDirectory(dir=self.directory) as tmp:
            replica_path = Path(tmp) / "snapshot.sqlite"
            replica = open_replica(replica_path)
            target = replica.conn
            with self.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                scope = WorkspaceScope(conn, workspace_id)
                seq = scope.last_seq()
                target.execute("BEGIN")
                for table in protocol.tables_for(role):
                    t = schema.replicated[table]
                    columns = [c.name for c in t.columns if c.name != "workspace_id"]
                    insert = (
                        f"INSERT INTO {table} ({', '.join(columns)}) "
                        f"VALUES ({', '.join('?' * len(columns))})"
                    )
                    result = conn.execution_options(yield_per=BATCH_ROWS).execute(
                        scope.select(table, t.c.deleted == 0, t.c.version <= seq).order_by(t.c.id)
                    )
                    for batch in result.partitions():
                        rows = [protocol.redact(role, table, dict(r._mapping)) for r in batch]
                        _insert(target, insert, table, rows, workspace_id)
                target.execute(
                    "INSERT INTO sync_state (key, value) VALUES ('cursor', ?)", (str(seq),)
                )
                target.execute("COMMIT")
            final = self.directory / f"{self._prefix(workspace_id, role)}{seq:012d}{SUFFIX}"
            if "materials" in protocol.tables_for(role):
                # from the file itself, so the index holds exactly the rows the laptop gets
                index_dir = Path(tmp) / "search"
                search_index.build(target, index_dir)
                partial_index = Path(tmp) / _index_of(final).name
                with tarfile.open(partial_index, "w:gz", compresslevel=6) as tar:
                    for file in sorted(index_dir.iterdir()):
                        tar.add(file, arcname=file.name)
                os.replace(partial_index, _index_of(final))  # in place before its snapshot
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            replica.close()
            try:
                for form, (_suffix, hmac, layout) in ENCRYPTED.items():  # before their snapshot
                    _encrypt(replica_path, _encrypted_of(final, form), hmac, layout)
                partial = Path(tmp) / final.name
                # isal ships types, but not for IGzipFile's constructor
                with (
                    replica_path.open("rb") as src,
                    igzip.IGzipFile(partial, "wb", 3, mtime=0) as dst,  # type: ignore[no-untyped-call]
                ):
                    shutil.copyfileobj(src, dst, 1024 * 1024)
                os.replace(partial, final)
            except BaseException:
                # the files put in place before their snapshot: no snapshot describes them and
                # no later build (which clears what older snapshots left) would find them
                for path in _beside(final):
                    path.unlink(missing_ok=True)
                raise
            os.utime(final)
        return self._describe(final)

    def _describe(self, path: Path) -> Snapshot:
        search = None
        encrypted: dict[str, Snapshot] = {}
        if path.name.endswith(SUFFIX):
            index = _index_of(path)
            search = self._describe(index) if index.is_file() else None
            for form in ENCRYPTED:
                sealed, key = _encrypted_of(path, form), _key_of(path, form)
                if sealed.is_file() and key.is_file():
                    encrypted[form] = replace(self._describe(sealed), key=key.read_bytes())
        seq = int(path.name.rsplit("-", 1)[1].split(".")[0])
        size, digest = path.stat().st_size, self._digests.of(path)
        return Snapshot(path, seq, size, digest, search, encrypted)


def _insert(
    target: sqlite3.Connection,
    insert: str,
    table: str,
    rows: list[dict[str, Any]],
    workspace_id: str,
) -> None:
    """Write a batch of rows into the snapshot file; a row the replica's schema refuses (one
    stored before every write was checked) is named in the log and left out, so one bad row
    never stops a first sync (``workbench-sync doctor`` finds and quarantines such rows)."""
    target.execute("SAVEPOINT batch")
    try:
        target.executemany(insert, [tuple(r.values()) for r in rows])
    except (sqlite3.IntegrityError, UnicodeEncodeError, OverflowError):
        target.execute("ROLLBACK TO batch")
        for row in rows:
            try:
                target.execute(insert, tuple(row.values()))
            except (sqlite3.IntegrityError, UnicodeEncodeError, OverflowError) as exc:
                problem = validation.check_row(table, row)
                log.warning(
                    "snapshot of workspace %s leaves out %s (%s)",
                    workspace_id,
                    problem or f"{table} row {row.get('id')}",
                    exc,
                )
    target.execute("RELEASE batch")


def _index_of(snapshot: Path) -> Path:
    return snapshot.with_name(snapshot.name.removesuffix(SUFFIX) + INDEX_SUFFIX)


def _encrypted_of(snapshot: Path, form: str) -> Path:
    return snapshot.with_name(snapshot.name.removesuffix(SUFFIX) + ENCRYPTED[form][0])


def _key_of(snapshot: Path, form: str) -> Path:
    encrypted = _encrypted_of(snapshot, form)
    return encrypted.with_name(encrypted.name + KEY_SUFFIX)


def _beside(snapshot: Path) -> list[Path]:
    """The files built with ``snapshot`` and dropped with it: its search index, and each
    encrypted form with its key, those of retired forms included."""
    stem = snapshot.name.removesuffix(SUFFIX)
    retired = [snapshot.with_name(stem + suffix) for suffix in RETIRED_SUFFIXES]
    return [
        _index_of(snapshot),
        *(
            path
            for form in ENCRYPTED
            for path in (_encrypted_of(snapshot, form), _key_of(snapshot, form))
        ),
        *(path for old in retired for path in (old, old.with_name(old.name + KEY_SUFFIX))),
    ]


def _encrypt(plain: Path, target: Path, hmac: bool, layout: cipher.Layout) -> None:
    """The snapshot file ``plain`` as a SQLCipher database at ``target`` under a new random
    key (its pages laid out as ``layout``, with an HMAC or without: `cipher.export`), written
    to ``target``'s key file (readable by the server's user only) first; both are built
    under temporary names and renamed into place, key first, so a described file always has
    its key."""
    key = cipher.new_key()
    key_file = target.with_name(target.name + KEY_SUFFIX)
    partial = plain.with_name(target.name)
    cipher.export(plain, partial, key, hmac=hmac, layout=layout)
    partial_key = plain.with_name(key_file.name)
    fd = os.open(partial_key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    os.replace(partial_key, key_file)
    os.replace(partial, target)


class _Digests:
    """SHA-256 of the snapshot files, each read once: a file is never rewritten under its
    name (a new build is a new sequence), so its size and modification time identify it.
    Every first sync asks for the digest; hashing 150 MB each time cost a third of a second."""

    def __init__(self) -> None:
        self._known: dict[tuple[Path, int, int], str] = {}
        self._lock = threading.Lock()

    def of(self, path: Path) -> str:
        info = path.stat()
        key = (path, info.st_size, info.st_mtime_ns)
        with self._lock:
            known = self._known.get(key)
        if known is not None:
            return known
        with path.open("rb") as f:
            digest = hashlib.file_digest(f, "sha256").hexdigest()
        with self._lock:
            self._known = {k: v for k, v in self._known.items() if k[0].exists()}
            self._known[key] = digest
        return digest
