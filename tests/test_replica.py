"""The replica store: creation, numbered migrations, and transactions."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from workbench.replica import (
    LATEST_VERSION,
    REPLICATED_TABLES,
    MigrationError,
    migrate,
    open_replica,
    schema_version,
)
from workbench.replica.migrate import load_migrations
from workbench.replica.store import connect, utc_now


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_new_replica_is_at_latest_schema_in_wal_mode(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "ws" / "replica.sqlite")
    assert replica.schema_version == LATEST_VERSION >= 2
    assert replica.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert set(REPLICATED_TABLES) | {"sync_state", "outbox"} <= tables(replica.conn)


def test_every_replicated_table_carries_the_sync_columns(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    for table in REPLICATED_TABLES:
        columns = {r["name"]: r for r in replica.conn.execute(f"PRAGMA table_info({table})")}
        assert {"id", "version", "deleted", "updated_at"} <= set(columns), table
        assert columns["id"]["pk"] == 1, table


def test_old_schema_migrates_with_data_intact(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    conn = connect(path)
    assert migrate(conn, target=1) == (0, 1)
    assert "outbox" not in tables(conn)
    conn.execute(
        "INSERT INTO materials (id, code, name, material_type, category, uom, price, "
        "version, updated_at) VALUES ('m1', 'FAB-1', 'Single Jersey Navy', 'fabric', "
        "'single jersey', 'kg', '412.50', 7, ?)",
        (utc_now(),),
    )
    conn.close()

    replica = open_replica(path)
    assert replica.schema_version == LATEST_VERSION
    row = replica.conn.execute("SELECT code, name, price, version FROM materials").fetchone()
    assert tuple(row) == ("FAB-1", "Single Jersey Navy", "412.50", 7)
    assert "outbox" in tables(replica.conn)
    # opening again is a no-op
    assert migrate(replica.conn) == (LATEST_VERSION, LATEST_VERSION)


def test_a_replica_newer_than_the_app_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite"
    conn = connect(path)
    conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 1}")
    conn.close()
    with pytest.raises(MigrationError, match="please update"):
        open_replica(path)


def test_failed_migration_leaves_previous_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "r.sqlite")
    migrate(conn, target=1)
    # A table the next migration wants to create already exists: that migration must fail
    # whole, leaving neither its other tables nor a bumped version behind.
    conn.execute("CREATE TABLE outbox (x)")
    with pytest.raises(MigrationError, match="0002"):
        migrate(conn)
    assert schema_version(conn) == 1
    assert "sync_state" not in tables(conn)


def test_migration_files_are_numbered_without_gaps(tmp_path: Path) -> None:
    assert [m.number for m in load_migrations()] == list(range(1, LATEST_VERSION + 1))
    (tmp_path / "0001_a.sql").write_text("SELECT 1;")
    (tmp_path / "0003_c.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="0002 was expected"):
        load_migrations(tmp_path)


def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    with pytest.raises(RuntimeError), replica.transaction() as conn:
        replica.set_state("cursor", "42", conn)
        raise RuntimeError("boom")
    assert replica.cursor == 0
    with replica.transaction() as conn:
        replica.set_state("cursor", "43", conn)
    assert replica.cursor == 43


def test_each_thread_gets_its_own_connection(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    seen: list[sqlite3.Connection] = []
    worker = threading.Thread(target=lambda: seen.append(replica.conn))
    worker.start()
    worker.join()
    assert seen[0] is not replica.conn
    replica.close()


def test_a_checkpoint_copies_the_log_once_no_reader_holds_it_back(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    replica.conn.execute("PRAGMA wal_autocheckpoint = 0")  # only the explicit checkpoint
    reader = connect(replica.path)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM sync_state").fetchone()  # a snapshot before the writes
    with replica.transaction() as conn:
        conn.executemany(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)",
            [(f"note-{n}", "Single jersey " * 20) for n in range(3000)],
        )
    assert replica.checkpoint() > 0  # held back by the reader's snapshot
    reader.execute("COMMIT")
    reader.close()
    assert replica.checkpoint() == 0
    replica.close()


CLOSE_DURING_A_READ = """
import sys, threading
from workbench.replica import open_replica
from workbench.replica.cipher import new_key

replica = open_replica(sys.argv[1], new_key() if sys.argv[2] == "encrypted" else None)
started, counted = threading.Event(), []

def read() -> None:
    rows = replica.conn.execute(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000) "
        "SELECT i FROM n"
    )
    started.set()
    counted.append(sum(1 for _ in rows))

for _round in range(3):
    counted.clear()
    started.clear()
    worker = threading.Thread(target=read)
    worker.start()
    started.wait()
    replica.close()  # the window closing its workspace while a search still reads
    worker.join()
    assert counted == [3000000], counted
print("ok")
"""


@pytest.mark.parametrize("kind", ["plain", "encrypted"])
def test_closing_the_replica_while_another_thread_reads_lets_that_read_finish(
    tmp_path: Path, kind: str
) -> None:
    """A worker still reading when the workspace closes (a search answered late) finishes its
    read; its connection closes when it lets go. Closing it under the reader crashed the
    process (SQLite's statements freed while being stepped), so this runs in a child."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", CLOSE_DURING_A_READ, str(tmp_path / "r.sqlite"), kind],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr[-2000:]
