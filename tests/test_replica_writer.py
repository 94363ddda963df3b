"""Every write to a replica goes through one connection, whichever thread makes it, so the
pages that connection has decrypted stay in its cache from one write to the next.

SQLite drops a connection's whole page cache when another connection committed since its last
transaction (WAL). On an encrypted replica every page read again from the file is decrypted
and its HMAC checked: a pull right after a first sync, or after a save made on another
worker thread, paid that for every page it touched (BENCHMARKS.md, "Encryption on the
laptop"). Reads from the file are counted with Linux's per-thread I/O accounting (the read
calls a thread made), never timed.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sync.client import rows
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import Replica, cipher, open_replica
from workbench.replica.store import WRITER_CACHE_KIB

IO_COUNTERS = Path("/proc/thread-self/io")


def _read_calls() -> int:
    """The read system calls this thread has made so far."""
    for line in IO_COUNTERS.read_text().splitlines():
        if line.startswith("syscr:"):
            return int(line.split()[1])
    raise AssertionError("no syscr line")


def _pages_read_by_writer(replica: Replica) -> tuple[int, int]:
    """Read calls made while the writing connection reads every materials row and its code
    index, and the replica's pages: 0 reads when they were all in its cache."""
    with replica.writing():
        conn = replica.conn
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        before = _read_calls()
        conn.execute("SELECT sum(length(name)), sum(length(price)) FROM materials").fetchone()
        conn.execute("SELECT count(*) FROM materials INDEXED BY materials_code")
        return _read_calls() - before, pages


def test_writes_from_every_thread_share_one_connection(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite", cipher.new_key())
    seen: list[object] = []

    def save(code: str) -> None:
        with replica.transaction() as conn:
            replica.set_state(code, "saved", conn)
            seen.extend([conn, replica.conn])  # inside a write, the thread reads what it wrote
        seen.append(replica.conn)

    try:
        for n in range(3):
            worker = threading.Thread(target=save, args=(f"TEE-{n}",))
            worker.start()
            worker.join()
        writer = seen[0]
        assert seen[1] is writer and seen[4] is writer and seen[7] is writer
        # outside a write each thread reads on a connection of its own
        assert all(seen[i] is not writer for i in (2, 5, 8))
        assert writer.execute("PRAGMA cache_size").fetchone()[0] == -WRITER_CACHE_KIB
        replica.set_state("note", "kept")  # a single value goes through the writer too
        assert writer.execute("SELECT value FROM sync_state WHERE key = 'note'").fetchone()
    finally:
        replica.close()


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
@pytest.mark.skipif(not IO_COUNTERS.exists(), reason="Linux per-thread I/O counters")
def test_a_pull_after_the_first_sync_finds_its_pages_decrypted(
    server: Server, tmp_path: Path
) -> None:
    """The app syncs on worker threads of a pool: the first sync on one, the order file
    written on another, a save on a third, the next pull on whichever is free."""
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"WARM-{i:05d}", description="d" * 200) for i in range(3000)],
    )
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    replica = workspace.replica
    assert replica.key is not None
    try:
        with ThreadPoolExecutor(max_workers=1) as first:
            first.submit(sync_workspace, workspace).result()
        workspace.derived.settle()  # the order file is written on a thread of its own
        with ThreadPoolExecutor(max_workers=1) as other:
            other.submit(
                documents.save_document,
                replica,
                "cost_sheets",
                {"style_code": "WARM-TEE", "body": "{}"},
            ).result()
        with ThreadPoolExecutor(max_workers=1) as puller:
            reads, pages = puller.submit(_pages_read_by_writer, replica).result()
        assert pages > 100  # 8 KiB pages: reading them again would show
        assert reads <= 2, f"{reads} pages of {pages} read from the file again"
    finally:
        workspace.close()


def test_the_rows_counted_after_a_pull_are_read_by_the_writer(tmp_path: Path) -> None:
    """The counts checked against the server's after every sync read whole tables: on a
    reading connection, whose cache the pull's commit had just dropped, each page again."""
    replica = open_replica(tmp_path / "r.sqlite", cipher.new_key())
    try:
        replica.set_state("opened", "yes")  # the writer exists from here on
        with replica.writing():
            writer = replica.conn
        counted: list[str] = []
        writer.set_trace_callback(counted.append)
        with ThreadPoolExecutor(max_workers=1) as worker:
            found = worker.submit(rows.count_mismatches, replica, {"materials": 1}).result()
        assert found == {"materials": (0, 1)}
        assert any("count(*) FROM materials" in sql for sql in counted)
    finally:
        replica.close()
