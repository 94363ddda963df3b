"""Pulling the change feed into a replica over real HTTP."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.client import Cancelled, SyncClient, SyncError, login
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.replica import open_replica


def client_for(server: Server, username: str, path: Path, **kw: object) -> SyncClient:
    info = login(server.url, username, PASSWORD, "test laptop")
    return SyncClient(open_replica(path), server.url, info.token, **kw)  # type: ignore[arg-type]


def test_pull_fills_an_empty_replica_and_counts_match(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    last = write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(30)])
    client = client_for(server, "merchandiser@alpha", tmp_path / "r.sqlite", page_rows=7)
    summary = client.pull()
    assert (summary.pages, summary.rows, summary.cursor) == (5, 30, last)
    assert client.replica.cursor == last
    assert client.count_mismatches() == {}


def test_updates_and_tombstones_arrive(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    keep, gone = material("KEEP"), material("GONE")
    write_rows(server.engine, ws, "materials", [keep, gone])
    client = client_for(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    client.pull()
    write_rows(
        server.engine, ws, "materials", [{**keep, "name": "Renamed"}, {**gone, "deleted": 1}]
    )
    summary = client.pull()
    assert summary.rows == 2
    rows = dict(client.replica.conn.execute("SELECT code, name || ':' || deleted FROM materials"))
    assert rows == {"KEEP": "Renamed:0", "GONE": "Fabric GONE:1"}
    assert client.count_mismatches() == {}


def test_an_interrupted_pull_resumes_at_the_next_page(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(20)])
    client = client_for(server, "merchandiser@alpha", tmp_path / "r.sqlite", page_rows=5)
    cancel = threading.Event()

    def stop_after_two_pages(done: int, total: int) -> None:
        if client.replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0] >= 10:
            cancel.set()

    with pytest.raises(Cancelled):
        client.pull(progress=stop_after_two_pages, cancel=cancel)
    assert client.replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 10
    resumed = client.pull()
    assert (resumed.pages, resumed.rows) == (2, 10)
    assert client.count_mismatches() == {}


def test_a_floor_replica_holds_no_cost_data(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("F-1", price="99.00")])
    client = client_for(server, "floor@alpha", tmp_path / "r.sqlite")
    client.pull()
    conn = client.replica.conn
    assert conn.execute("SELECT price FROM materials").fetchall()[0][0] is None
    assert conn.execute("SELECT count(*) FROM cost_rates").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM margin_rules").fetchone()[0] == 0


def test_a_revoked_device_gets_a_clear_error(server: Server, tmp_path: Path) -> None:
    from sync.server import accounts

    client = client_for(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    accounts.revoke_device(server.engine, accounts.list_devices(server.engine, "alpha")[0]["id"])
    with pytest.raises(SyncError, match="sign in again") as caught:
        client.pull()
    assert caught.value.code == "unauthorized"


def test_an_unreachable_server_is_retried_then_reported(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    client = SyncClient(replica, "http://127.0.0.1:9", "token", retries=2, backoff_s=0.01)
    with pytest.raises(SyncError, match="gave up after 2 retries") as caught:
        client.pull()
    assert caught.value.code == "offline"
