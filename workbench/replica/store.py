"""Opening a replica file and handing out connections to it."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from workbench.errors import WorkbenchError
from workbench.replica import cipher
from workbench.replica.commits import WalHeader
from workbench.replica.migrate import migrate, schema_version

#: How long a connection waits for another writer before giving up with "database is locked".
BUSY_TIMEOUT_S = 30.0


#: The page cache of a connection to an encrypted replica, in KiB (allocated as pages are read)
ENCRYPTED_CACHE_KIB = 64 * 1024
#: The page cache of an encrypted replica's one writing connection (`Replica.transaction`), in
#: KiB: room for the pages a first sync's snapshot copied in and a pull then rewrites (55 MB
#: for 20,000 materials and 100,000 orders), bounded so a laptop's memory stays its own
WRITER_CACHE_KIB = 128 * 1024


def utc_now() -> str:
    """The timestamp format every ``updated_at`` uses: ISO 8601, UTC, seconds."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def connect(
    path: Path | str, key: bytes | None = None, cache_kib: int = ENCRYPTED_CACHE_KIB
) -> sqlite3.Connection:
    """A connection configured the way every replica connection must be: encrypted with
    ``key`` (`workbench.replica.cipher`), or a plain file without one (the server's snapshot
    files, tests that build a replica to look at).

    WAL lets readers (the UI thread) run while one writer (a sync or import worker) commits;
    ``synchronous=NORMAL`` is durable across application crashes in WAL mode and much faster
    than FULL; the busy timeout turns brief writer contention into a wait instead of an error.

    An encrypted replica's connection keeps a larger page cache (`ENCRYPTED_CACHE_KIB`, where
    SQLCipher's own is 8 MiB): every page read from the file is decrypted and its HMAC checked,
    where a plain file's page comes from the OS's cache for a copy, so a page a pull has just
    written and the search refresh then reads, or the rows a search shows again, cost a
    decryption each time they fall out of a small cache. Memory is taken only as pages are
    read, at most ``cache_kib`` per connection (one per thread, and the replica's writer).
    """
    conn = cipher.connect(
        path, key, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = cipher.row_factory(conn)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA temp_store = MEMORY")
    if key is not None:
        conn.execute(f"PRAGMA cache_size = -{int(cache_kib)}")
    return conn


class ReplicaClosed(WorkbenchError, sqlite3.ProgrammingError):
    """The replica was closed for good (its workspace is being deleted by a remote wipe) and is
    not opened again behind its owner's back: a connection made then, by a window still
    painting its rows, would create an empty file in the folder being deleted."""


class Replica:
    """One workspace's SQLite file.

    Reading connections are per thread (``conn`` is thread-local), and autocommit by default:
    writes that belong together go through ``transaction()``, which is how an import batch, a
    sync page or a document plus its outbox entry are committed atomically.

    Every write goes through one connection, the writer, whichever thread makes it: while a
    thread holds `writing` (every `transaction` does), its ``conn`` is the writer. SQLite
    drops a connection's whole page cache when another connection has committed since its
    last transaction (WAL); with writes spread over the threads' connections, a pull on the
    app's sync worker after a save made on another worker, or right after a first sync whose
    order file minted its id elsewhere, read every page it touched from the file again, and
    on an encrypted replica decrypted each (BENCHMARKS.md, "Encryption on the laptop"). Only
    the writer commits, so what it has read or written stays in its cache
    (`WRITER_CACHE_KIB`).
    """

    def __init__(self, path: Path | str, key: bytes | None = None) -> None:
        self.path = Path(path)
        #: the SQLCipher key (None: a plain file); kept for this process's connections only
        self.key = key
        self._local = threading.local()
        #: how deep each thread is in `writing` (kept apart from ``_local``, which `close`
        #: replaces while a write may be under way)
        self._writing = threading.local()
        #: every thread's connection, with the thread that made it
        self._all: list[tuple[int, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._writer = threading.RLock()
        #: the one connection every write goes through (None until the first write)
        self._writer_conn: sqlite3.Connection | None = None
        self._closed = False
        #: the WAL-index header's mapping (`commit_stamp`): None until asked for, False when
        #: it could not be mapped; valid while the connections it was mapped beside are open
        self._header: WalHeader | bool | None = None
        #: moves each time the connections are closed, so no stamp repeats one from before
        self._generation = 0

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection: the writer while this thread holds `writing`, else one
        of its own for reading."""
        if getattr(self._writing, "depth", 0):
            return self._writer_connection()
        conn = getattr(self._local, "conn", None)
        if conn is None:
            with self._lock:  # a thread's first connection and `close` never cross
                if self._closed:
                    raise ReplicaClosed(f"the workspace in {self.path.parent} is closed")
                conn = connect(self.path, self.key)
                self._local.conn = conn
                self._all.append((threading.get_ident(), conn))
        return conn

    def _writer_connection(self) -> sqlite3.Connection:
        with self._lock:
            if self._closed:
                raise ReplicaClosed(f"the workspace in {self.path.parent} is closed")
            if self._writer_conn is None:
                self._writer_conn = connect(self.path, self.key, WRITER_CACHE_KIB)
            return self._writer_conn

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold this process's writes to the replica back for the block.

        SQLite lets one writer in at a time anyway; this is for work that must look at the
        file and then replace it with no write in between, which a SQLite lock cannot span
        (see `sync.client.snapshot_import.adopt`). Every `transaction()` takes it. Waiting ends
        after the same 30 s as SQLite's busy timeout, with SQLite's own error. Within the
        block this thread's ``conn`` is the writer.
        """
        if not self._writer.acquire(timeout=BUSY_TIMEOUT_S):
            raise sqlite3.OperationalError("database is locked")
        self._writing.depth = getattr(self._writing, "depth", 0) + 1
        try:
            yield
        finally:
            self._writing.depth -= 1
            self._writer.release()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``, rolled back on any exception."""
        with self.writing():
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            else:
                conn.commit()

    @property
    def schema_version(self) -> int:
        return schema_version(self.conn)

    def get_state(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
        return default if row is None else row[0]

    def set_state(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        """Set one ``sync_state`` value: in ``conn``'s transaction, or through the writer."""
        if conn is None:
            with self.writing():
                self.set_state(key, value, self.conn)
            return
        conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def checkpoint(self) -> int:
        """Copy what the write-ahead log holds into the database file, without waiting for
        readers (``PASSIVE``); returns the log frames still not copied (0: all of them).

        SQLite does this at a commit once the log is long, but not past a reader's snapshot:
        after a first sync, whose import ran while the search index was being built from
        another connection, the whole import would otherwise be copied at the next small
        commit, and the first sync of changes would wait a second for it.
        """
        _busy, frames, copied = self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        return max(int(frames) - int(copied), 0)

    def commit_stamp(self) -> bytes | None:
        """A value that differs after every commit to the replica, by any connection of any
        process, read without a statement (`workbench.replica.commits`); None when it cannot
        be read (no connection open yet, or no WAL index), so the caller asks the replica.

        Equal stamps mean nothing was committed between the two reads; a stamp read before a
        query is never newer than what the query sees.
        """
        with self._lock:
            opened = self._all or self._writer_conn is not None
            if self._header is None and opened and not self._closed:
                try:
                    self._header = WalHeader(self.path)
                except (OSError, ValueError):
                    self._header = False
            if isinstance(self._header, bool) or self._header is None:
                return None
            return self._generation.to_bytes(8, "little") + self._header.read()

    @property
    def cursor(self) -> int:
        """The change sequence this replica has applied up to (the sync pull cursor)."""
        return int(self.get_state("cursor", "0") or 0)

    def close(self, *, for_good: bool = False) -> None:
        """Close every thread's connection. A thread that reads afterwards connects again,
        unless ``for_good`` (the file is about to be deleted): then it gets `ReplicaClosed`.

        Only this thread's connection is closed here, and the writer when no other thread is
        writing. Another thread's is let go: an idle one closes at once (nothing else holds
        it), and one still reading (a search answered after its window closed) closes when
        that read lets go of it. Closing it under the reader freed SQLite statements while
        they were being stepped, and crashed the process.
        """
        me = threading.get_ident()
        idle = self._writer.acquire(blocking=False)  # held by this thread too: its own write
        with self._lock:
            self._closed = self._closed or for_good
            mine = [conn for owner, conn in self._all if owner == me]
            if idle and self._writer_conn is not None:
                mine.append(self._writer_conn)
            self._writer_conn = None
            self._all.clear()
            self._local = threading.local()
            if isinstance(self._header, WalHeader):
                self._header.close()
            self._header = None
            self._generation += 1
        try:
            for conn in mine:
                conn.close()
        finally:
            if idle:
                self._writer.release()


def open_replica(path: Path | str, key: bytes | None = None) -> Replica:
    """Open (creating if needed) a replica and migrate it to this app's schema.

    With ``key`` the file is encrypted: a new one is made encrypted, and a plain one (a
    replica from before encryption) is encrypted first, before anything else reads it; one
    encrypted with an older page layout is laid out anew first (`cipher.relaid`).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if key is not None and cipher.is_plain(path):
        cipher.encrypt_file(path, key)
    elif key is not None and path.exists() and path.stat().st_size > 0:
        cipher.relaid(path, key)
    replica = Replica(path, key)
    migrate(replica.conn)
    return replica
