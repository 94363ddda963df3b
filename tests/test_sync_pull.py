"""Pulling the change feed into a replica over real HTTP."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from sync.client import SyncClient, SyncError, login
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.errors import Cancelled
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
    write_rows(
        server.engine,
        ws,
        "orders",
        [
            {
                "id": "o-1",
                "order_no": "PO-1",
                "brand_id": "b-1",
                "style_code": "TEE-1",
                "quantity": 1200,
                "unit_price": "3.45",
                "currency": "EUR",
                "order_date": "2026-11-01",
                "season": "SS27",
                "mill": "Kongu",
                "uom": "pc",
                "deleted": 0,
                "updated_at": "2026-11-01T00:00:00Z",
            }
        ],
    )
    client = client_for(server, "floor@alpha", tmp_path / "r.sqlite")
    client.pull()
    conn = client.replica.conn
    assert conn.execute("SELECT price FROM materials").fetchall()[0][0] is None
    # the floor sees what was ordered (for its labels), never at what price
    assert tuple(conn.execute("SELECT order_no, quantity, unit_price FROM orders").fetchone()) == (
        "PO-1",
        1200,
        None,
    )
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


def test_a_floor_laptops_first_sync_brings_orders_without_prices(
    server: Server, tmp_path: Path
) -> None:
    from sync.session import sign_in, sync_workspace
    from tests.sync_fixtures import PASSWORD

    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "orders",
        [
            {
                "id": f"o-{n}",
                "order_no": f"PO-{n}",
                "brand_id": "b-1",
                "style_code": "TEE-1",
                "season": "SS27",
                "mill": "Kongu",
                "uom": "pc",
                "quantity": 100 * n,
                "unit_price": "3.45",
                "currency": "EUR",
                "order_date": "2026-11-01",
                "deleted": 0,
                "updated_at": "2026-11-01T00:00:00Z",
            }
            for n in range(1, 4)
        ],
    )
    workspace, _, _ = sign_in(server.url, "floor@alpha", PASSWORD, base=tmp_path)
    report = sync_workspace(workspace)  # from a snapshot built for the floor role
    assert report.count_mismatches == {}
    rows = workspace.replica.conn.execute(
        "SELECT order_no, unit_price FROM orders ORDER BY order_no"
    ).fetchall()
    assert [tuple(r) for r in rows] == [("PO-1", None), ("PO-2", None), ("PO-3", None)]
    workspace.close()


@pytest.mark.parametrize("key", [None, b"k" * 32], ids=["plain", "encrypted"])
def test_a_page_is_written_whole_around_a_refused_row_and_an_unsent_edit(
    tmp_path: Path, key: bytes | None
) -> None:
    """Rows of a page go in together where they can; one the replica refuses is set aside,
    one with an unsent edit keeps the edit, and every other row of its run is still written,
    in the page's order across tables."""
    from sync.client.rows import apply_page, replica_columns
    from workbench import documents

    replica = open_replica(tmp_path / "r.sqlite", key)
    rows = [material(f"M-{i}", version=i + 1) for i in range(6)]
    rows[2]["gsm"] = -5  # refused by the replica's CHECK
    sheet = documents.save_document(replica, "cost_sheets", {"style_code": "MINE"})
    theirs = {**sheet, "style_code": "THEIRS", "version": 7}
    changes = [{"table": "materials", "row": r} for r in rows[:4]]
    changes += [{"table": "cost_sheets", "row": theirs}]
    changes += [{"table": "materials", "row": r} for r in rows[4:]]
    written = apply_page(replica, replica_columns(replica), changes, cursor=9)
    assert written == {"materials": 5}
    codes = sorted(r[0] for r in replica.conn.execute("SELECT code FROM materials"))
    assert codes == ["M-0", "M-1", "M-3", "M-4", "M-5"]
    held = replica.conn.execute("SELECT table_name, row_id FROM quarantine").fetchall()
    assert [tuple(r) for r in held] == [("materials", rows[2]["id"])]
    assert replica.conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == "MINE"
    assert replica.cursor == 9
    replica.close()
