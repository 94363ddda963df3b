"""First-sync snapshots (DESIGN D4): a workspace's rows for one role as of one change
sequence, as a gzip-compressed SQLite file in the replica's own schema.

A snapshot is derived data, cached on disk beside nothing else the server needs: any instance
can rebuild it from the database. Its rows are read inside one read transaction together with
the sequence they reflect, so ``seq`` is exact: the client pulls the change feed after it.
Files are built into a temporary name and renamed into place, so a reader never sees half a
file; the name holds the sequence, so a resumed download (HTTP Range) of the same name is the
same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sync import protocol
from sync.server import schema
from sync.server.scoping import WorkspaceScope
from workbench.replica import open_replica

BATCH_ROWS = 10_000


@dataclass(frozen=True)
class Snapshot:
    path: Path
    seq: int
    size: int
    sha256: str

    @property
    def name(self) -> str:
        return self.path.name


class SnapshotStore:
    """Builds and caches snapshots in ``directory``; reuses one younger than ``max_age_s``."""

    def __init__(self, engine: sa.Engine, directory: Path, max_age_s: float = 600.0) -> None:
        self.engine = engine
        self.directory = Path(directory)
        self.max_age_s = max_age_s
        self._lock = threading.Lock()

    def _prefix(self, workspace_id: str, role: str) -> str:
        return f"{workspace_id}-{role}-"

    def find(self, workspace_id: str, name: str) -> Snapshot | None:
        """A cached snapshot by file name, only if it belongs to this workspace."""
        if "/" in name or not name.startswith(workspace_id + "-") or not name.endswith(".gz"):
            return None
        path = self.directory / name
        if not path.is_file():
            return None
        return _describe(path)

    def latest(self, workspace_id: str, role: str) -> Snapshot:
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            prefix = self._prefix(workspace_id, role)
            cached = sorted(
                self.directory.glob(prefix + "*.sqlite.gz"), key=lambda p: p.stat().st_mtime
            )
            if cached and time.time() - cached[-1].stat().st_mtime < self.max_age_s:
                recent = _describe(cached[-1])
                with self.engine.connect() as conn:
                    oldest_allowed = WorkspaceScope(conn, workspace_id).min_seq()
                if recent.seq >= oldest_allowed:  # else its feed continuation was purged
                    return recent
            built = self._build(workspace_id, role)
            for old in cached[:-1]:  # keep the previous one for downloads still running
                old.unlink(missing_ok=True)
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
                        target.executemany(
                            insert,
                            [
                                tuple(protocol.redact(role, table, dict(r._mapping)).values())
                                for r in batch
                            ],
                        )
                target.execute(
                    "INSERT INTO sync_state (key, value) VALUES ('cursor', ?)", (str(seq),)
                )
                target.execute("COMMIT")
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            replica.close()
            final = self.directory / f"{self._prefix(workspace_id, role)}{seq:012d}.sqlite.gz"
            partial = Path(tmp) / final.name
            with replica_path.open("rb") as src, gzip.GzipFile(partial, "wb", 6, mtime=0) as dst:
                shutil.copyfileobj(src, dst, 1024 * 1024)
            os.replace(partial, final)
            os.utime(final)
        return _describe(final)


def _describe(path: Path) -> Snapshot:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    seq = int(path.name.rsplit("-", 1)[1].split(".")[0])
    return Snapshot(path, seq, path.stat().st_size, digest.hexdigest())
