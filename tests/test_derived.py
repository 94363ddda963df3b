"""One owner keeps what a workspace derives from its replica current (`workbench.derived`):
after a sync, headless or in the app, the search index finds the new rows and the dashboards'
order file holds the new orders, without a window having to ask."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.analytics import store_file
from workbench.demo import generate_demo
from workbench.derived import ReplicaChange
from workbench.search import IndexState, SearchRequest
from workbench.workspace import Workspace, open_workspace


def _order(n: int, **values: Any) -> dict[str, Any]:
    return {
        "id": f"o-{n}",
        "order_no": f"PO-{n}",
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
        **values,
    }


def _synced(server: Server, tmp_path: Path) -> Workspace:
    """A laptop signed in to the workspace alpha, after its first sync."""
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    return workspace


def _codes_found(workspace: Workspace, text: str) -> set[str]:
    result = workspace.search.search(SearchRequest(text=text))
    assert result.engine == "index"
    marks = ",".join("?" * len(result.ids))
    rows = workspace.replica.conn.execute(
        f"SELECT code FROM materials WHERE id IN ({marks})", result.ids
    ).fetchall()
    return {row[0] for row in rows}


def test_a_headless_first_sync_leaves_the_order_file_written(
    server: Server, tmp_path: Path
) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(5)])
    write_rows(server.engine, ws, "orders", [_order(n) for n in range(12)])
    workspace = _synced(server, tmp_path)
    root, key, cursor = workspace.root, workspace.replica.key, workspace.replica.cursor
    workspace.close()  # waits for the order file's write
    stamp = store_file.read_stamp(store_file.path_for(root / "replica.sqlite"), key)
    assert stamp.cursor == cursor and stamp.live == 12


def test_a_sync_that_brings_materials_indexes_them(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("F-1", name="Poplin")])
    workspace = _synced(server, tmp_path)
    write_rows(server.engine, ws, "materials", [material("F-2", name="Seersucker")])
    report = sync_workspace(workspace)
    assert report.indexed == 1
    assert workspace.search.state is IndexState.READY
    assert _codes_found(workspace, "seersucker") == {"F-2"}
    workspace.close()


def test_an_index_deleted_behind_the_apps_back_is_rebuilt_on_open(
    server: Server, tmp_path: Path
) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(7)])
    workspace = _synced(server, tmp_path)
    workspace.search.close()
    shutil.rmtree(workspace.root / "search-index")
    assert workspace.search.check() is IndexState.MISSING
    assert workspace.derived.update().indexed == 7
    assert workspace.search.state is IndexState.READY
    assert workspace.derived.update().indexed == 0  # current: nothing done
    workspace.close()


def test_a_sync_that_brings_no_orders_leaves_the_order_file_alone(
    server: Server, tmp_path: Path
) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "orders", [_order(1)])
    workspace = _synced(server, tmp_path)
    workspace.derived.settle()
    order_file = store_file.path_for(workspace.replica.path)
    written = order_file.stat().st_mtime_ns
    write_rows(server.engine, ws, "materials", [material("F-9")])
    sync_workspace(workspace)
    workspace.derived.settle()
    assert order_file.stat().st_mtime_ns == written
    workspace.close()


def test_a_first_sync_index_build_cancelled_does_not_stop_the_next_update(
    tmp_path: Path,
) -> None:
    """A sync cancelled while its snapshot's index was building leaves that build failed;
    the next update builds the index afresh instead of raising the old cancel."""
    workspace = open_workspace(tmp_path / "alpha")
    generate_demo(workspace.replica, materials=40, orders=0)
    cancel = threading.Event()
    cancel.set()
    workspace.derived.snapshot_table_imported("materials", None, cancel)
    materials = frozenset({"materials"})
    update = workspace.derived.update(ReplicaChange(materials, materials))
    assert update.indexed == 40 and update.order_file is None
    assert workspace.search.state is IndexState.READY
    workspace.close()
