"""A user's role changed by an admin reaches their laptop at its next sync: the replica then
holds what the new role may see, no more (costs, margins, prices) and no less, and keeps the
user's unsent edits."""

from __future__ import annotations

from pathlib import Path

from sync.server import accounts
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents


def rate(material_id: str) -> dict[str, object]:
    return {
        "id": f"rate-{material_id}",
        "rate_code": "KNT-1",
        "process": "knitting",
        "description": "",
        "material_id": material_id,
        "dye_class": None,
        "shade_depth": None,
        "technique": None,
        "basis": "per kg",
        "rate": "55.00",
        "currency": "INR",
        "valid_from": "2026-01-01",
        "source": "",
        "deleted": 0,
        "updated_at": "2026-12-01T00:00:00Z",
    }


def held(workspace, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return [tuple(r) for r in workspace.replica.conn.execute(sql)]


def test_a_merchandiser_moved_to_the_floor_and_back(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    fabric = material("FAB-1", price="412.50")
    write_rows(server.engine, ws, "materials", [fabric])
    write_rows(server.engine, ws, "cost_rates", [rate(fabric["id"])])
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    assert held(workspace, "SELECT price FROM materials") == [("412.50",)]
    assert len(held(workspace, "SELECT id FROM cost_rates")) == 1

    accounts.set_role(server.engine, "merchandiser@alpha", "floor")
    job = documents.save_document(
        workspace.replica,
        "label_jobs",
        {"template": "lot-a6", "created_at": "2026-12-07T10:00:00Z"},
    )
    report = sync_workspace(workspace)
    assert workspace.replica.get_state("role") == "floor"
    assert held(workspace, "SELECT price FROM materials") == [(None,)]
    assert held(workspace, "SELECT id FROM cost_rates") == []
    assert held(workspace, "SELECT id FROM label_jobs") == [(job["id"],)]
    assert report.count_mismatches == {} and report.pending == 0

    accounts.set_role(server.engine, "merchandiser@alpha", "merchandiser")
    sync_workspace(workspace)
    assert workspace.replica.get_state("role") == "merchandiser"
    assert held(workspace, "SELECT price FROM materials") == [("412.50",)]
    assert len(held(workspace, "SELECT id FROM cost_rates")) == 1
    assert held(workspace, "SELECT id FROM label_jobs") == [(job["id"],)]


def test_signing_in_again_after_a_role_change_still_takes_the_new_roles_rows(
    server: Server, tmp_path: Path
) -> None:
    fabric = material("FAB-2", price="99.00")
    write_rows(server.engine, server.workspaces["alpha"], "materials", [fabric])
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    workspace.close()
    accounts.set_role(server.engine, "merchandiser@alpha", "floor")
    workspace, info, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    assert info.role == "floor"
    sync_workspace(workspace)
    assert workspace.replica.get_state("role") == "floor"
    assert held(workspace, "SELECT price FROM materials") == [(None,)]
