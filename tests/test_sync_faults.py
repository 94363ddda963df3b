"""Killing the client (SIGKILL) in the middle of pulls and pushes, and the server in the middle
of pushes: afterwards nothing is lost, nothing is applied twice, and replica equals server."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.client import SyncClient, login
from sync.server import schema
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import Replica, open_replica

ROOT = Path(__file__).resolve().parent.parent
KILLS = 30  # per test and backend: 60 client kills in all on each backend
ROUNDS, PER_ROUND = 12, 1000  # server kills, and mutations pushed in each round


def start_worker(mode: str, replica: Path, url: str, token: str) -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.fault_worker", mode, str(replica), url],
        cwd=ROOT,
        env={**os.environ, "WORKBENCH_TOKEN": token},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline().strip()
    assert line == "go", worker.stderr.read() if worker.stderr else line
    return worker


def kill_at_random(worker: subprocess.Popen[str], rng: random.Random, most_s: float) -> None:
    # the pause picks the point of the kill; it is not waiting for anything
    time.sleep(rng.uniform(0, most_s))
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)


def server_rows(server: Server, table: str) -> dict[str, tuple]:
    t = schema.replicated[table]
    with server.engine.connect() as conn:
        return {
            r.id: (r.version, r.deleted, getattr(r, "title", None))
            for r in conn.execute(
                sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"])
            )
        }


def replica_rows(replica_path: Path, table: str) -> dict[str, tuple]:
    replica = open_replica(replica_path)
    has_title = table == "cost_sheets"
    rows = {
        r["id"]: (r["version"], r["deleted"], r["title"] if has_title else None)
        for r in replica.conn.execute(f"SELECT * FROM {table}")
    }
    replica.close()
    return rows


def test_client_killed_during_pulls_resumes_to_an_equal_replica(
    server: Server, tmp_path: Path
) -> None:
    rng = random.Random(11)
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(3000)])
    info = login(server.url, "merchandiser@alpha", PASSWORD, "puller")
    path = tmp_path / "replica.sqlite"
    open_replica(path).close()
    for n in range(KILLS):
        if n % 5 == 4:  # the server moves on meanwhile: new rows, edits and deletes
            more = [material(f"N-{n}-{i}") for i in range(40)]
            write_rows(server.engine, ws, "materials", more)
            gone = next(iter(server_rows(server, "materials")))
            write_rows(
                server.engine, ws, "materials", [{**material("X"), "id": gone, "deleted": 1}]
            )
        worker = start_worker("pull", path, server.url, info.token)
        kill_at_random(worker, rng, 0.25)
    client = SyncClient(open_replica(path), server.url, info.token)
    client.pull()
    assert replica_rows(path, "materials") == server_rows(server, "materials")
    assert client.count_mismatches() == {}


def test_client_killed_during_pushes_loses_and_doubles_nothing(
    server: Server, tmp_path: Path
) -> None:
    rng = random.Random(12)
    info = login(server.url, "merchandiser@alpha", PASSWORD, "pusher")
    path = tmp_path / "replica.sqlite"
    open_replica(path).close()
    for _ in range(KILLS):
        worker = start_worker("push", path, server.url, info.token)
        kill_at_random(worker, rng, 0.4)
    replica = open_replica(path)
    client = SyncClient(replica, server.url, info.token)
    client.sync()
    left = replica.conn.execute("SELECT seq, status, row_id, message FROM outbox").fetchall()
    assert documents.outbox_counts(replica) == {"pending": 0, "rejected": 0}, [
        tuple(r) for r in left
    ]
    # a conflict here is the laptop conflicting with its own earlier edit: it edited a row
    # older than what the server had already answered it
    assert documents.conflicts(replica) == [], _conflicts_told(replica)
    queued = replica.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
    mutations_made = queued.fetchone()[0]
    with server.engine.connect() as conn:
        log = schema.mutations
        answers = {
            int(r.seq): json.loads(r.result)
            for r in conn.execute(
                sa.select(log.c.seq, log.c.result).where(log.c.device_id == info.device_id)
            )
        }
        ws = schema.workspaces
        last_seq = conn.execute(
            sa.select(ws.c.last_seq).where(ws.c.id == info.workspace_id)
        ).scalar_one()
    assert mutations_made > 0
    # every queued mutation applied, each exactly once
    missing = sorted(set(range(1, mutations_made + 1)) - set(answers))
    extra = sorted(set(answers) - set(range(1, mutations_made + 1)))
    assert len(answers) == mutations_made, (
        f"{mutations_made} mutations queued, {len(answers)} answered by the server; "
        f"never applied: {missing[:20]}; numbers the laptop never made: {extra[:20]}"
    )
    # one change number per mutation: none applied twice
    not_applied = {n: a.get("status") for n, a in answers.items() if a.get("status") != "applied"}
    versions = Counter(
        a["row"]["version"] for a in answers.values() if a.get("status") == "applied" and a["row"]
    )
    assert last_seq == mutations_made, (
        f"{mutations_made} mutations made {last_seq} changes on the server; answered other "
        f"than applied: {dict(list(not_applied.items())[:20])}; change numbers answered "
        f"more than once: {[v for v, n in versions.items() if n > 1][:20]}"
    )
    client.pull()
    assert replica_rows(path, "cost_sheets") == server_rows(server, "cost_sheets")


def _conflicts_told(replica: Replica) -> str:
    """Each conflict as the versions and titles of both sides, to tell which edit of the row
    the laptop started from."""
    told = []
    for c in documents.conflicts(replica):
        mine, theirs = c.mine or {}, c.theirs or {}
        told.append(
            f"{c.row_id}: mine v{mine.get('version')} {mine.get('title')!r}, "
            f"server's v{theirs.get('version')} {theirs.get('title')!r}"
        )
    return "; ".join(told)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: str, port: int, snapshots: Path) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.cli",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
            "--snapshots",
            str(snapshots),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:  # readiness check: the health endpoint answers
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            pass
        assert process.poll() is None, "the server process exited"
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)


def test_server_killed_during_pushes_applies_each_mutation_once(
    server: Server, server_db: str, tmp_path: Path
) -> None:
    rng = random.Random(13)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    process = _serve(server_db, port, tmp_path / "snapshots")
    try:
        info = login(url, "merchandiser@alpha", PASSWORD, "laptop")
        replica = open_replica(tmp_path / "replica.sqlite")
        client = SyncClient(replica, url, info.token, retries=12, backoff_s=0.2)
        interrupted = 0
        for round_ in range(ROUNDS):
            for i in range(PER_ROUND):
                documents.save_document(replica, "cost_sheets", {"style_code": f"R{round_}-{i}"})
            started = time.monotonic()
            pusher = threading.Thread(target=client.push)
            pusher.start()
            time.sleep(rng.uniform(0.0, 0.3))  # the point of the kill, chosen at random
            process.send_signal(signal.SIGKILL)
            # counted from another connection: the pushes still to do when the server died
            interrupted += (
                documents.outbox_counts(open_replica(tmp_path / "replica.sqlite"))["pending"] > 0
            )
            process.wait(timeout=30)
            process = _serve(server_db, port, tmp_path / "snapshots")
            pusher.join(timeout=120)
            assert not pusher.is_alive(), (
                f"push did not finish ({time.monotonic() - started:.1f} s)"
            )
        client.push()
        assert documents.outbox_counts(replica)["pending"] == 0
        made = replica.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"
        ).fetchone()[0]
        with server.engine.connect() as conn:
            applied = conn.execute(
                sa.select(sa.func.count())
                .select_from(schema.mutations)
                .where(schema.mutations.c.device_id == info.device_id)
            ).scalar_one()
        assert applied == made == ROUNDS * PER_ROUND
        assert interrupted >= ROUNDS // 2, "the server was rarely killed mid-push"
        client.pull()
        assert replica_rows(tmp_path / "replica.sqlite", "cost_sheets") == server_rows(
            server, "cost_sheets"
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)


pytestmark = pytest.mark.slow
