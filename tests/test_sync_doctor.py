"""Rows stored before every write was checked (or written into the database by hand) can
break a replica's CHECKs. None of them may stop a first sync or a pull, and
``workbench-sync doctor`` finds them and, with ``--fix``, sets them aside for good."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.client import SyncClient, login
from sync.server import audit, doctor, schema
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.replica import open_replica

NOW = "2026-12-07T10:00:00Z"


def poison(server: Server) -> dict[str, str]:
    """A good material, and two rows no check would let in today, written as they once were."""
    ws = server.workspaces["alpha"]
    good = material("FAB-GOOD")
    write_rows(server.engine, ws, "materials", [good])
    job = {
        "id": str(uuid.uuid4()),
        "template": "lot-a6",
        "printer": "",
        "copies": 1,
        "items": "[]",
        "state": "bogus",
        "error": None,
        "created_by": "x",
        "created_at": NOW,
        "printed_at": None,
        "deleted": 0,
        "updated_at": NOW,
    }
    thin = material("FAB-THIN", gsm=-5)
    with writing(server.engine).begin() as conn:
        scope = WorkspaceScope(conn, ws)
        seq = scope.next_seq(2)
        scope.insert("label_jobs", [{**job, "version": seq}])
        scope.insert("materials", [{**thin, "version": seq + 1}])
    return {"good": good["id"], "job": job["id"], "thin": thin["id"]}


def laptop(server: Server, tmp_path: Path, user: str, name: str) -> SyncClient:
    info = login(server.url, user, PASSWORD, name)
    return SyncClient(open_replica(tmp_path / f"{name}.sqlite"), server.url, info.token)


def ids(client: SyncClient, table: str) -> set[str]:
    return {r[0] for r in client.replica.conn.execute(f"SELECT id FROM {table} WHERE deleted = 0")}


def test_bad_stored_rows_stop_neither_a_first_sync_nor_a_pull(
    server: Server, tmp_path: Path
) -> None:
    before = laptop(server, tmp_path, "merchandiser@alpha", "before")
    before.sync()
    rows = poison(server)

    before.sync()  # the pull goes past both rows
    assert ids(before, "materials") == {rows["good"]}
    held = {r[0] for r in before.replica.conn.execute("SELECT row_id FROM quarantine")}
    assert held == {rows["job"], rows["thin"]}

    fresh = laptop(server, tmp_path, "admin@alpha", "fresh")
    fresh.sync()  # the snapshot builds, leaving the two out
    assert ids(fresh, "materials") == {rows["good"]}
    assert ids(fresh, "label_jobs") == set()


def test_doctor_lists_then_quarantines_and_laptops_drop_the_rows(
    server: Server, tmp_path: Path
) -> None:
    merch = laptop(server, tmp_path, "merchandiser@alpha", "merch")
    rows = poison(server)
    merch.sync()
    db = str(server.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()

    listed = runner.invoke(sync_cli, ["--db", db, "doctor", "--json"])
    assert listed.exit_code == 1, listed.output
    found = [json.loads(line) for line in listed.stdout.splitlines()]
    assert {(f["workspace"], f["table"], f["row_id"], f["field"], f["value"]) for f in found} == {
        ("alpha", "label_jobs", rows["job"], "state", "bogus"),
        ("alpha", "materials", rows["thin"], "gsm", -5),
    }
    plain = runner.invoke(sync_cli, ["--db", db, "doctor"])
    assert f"alpha\tmaterials\t{rows['thin']}\tgsm\t-5\t" in plain.stdout

    fixed = runner.invoke(sync_cli, ["--db", db, "doctor", "--fix"])
    assert fixed.exit_code == 0, fixed.output
    assert doctor.examine(server.engine) == []
    with server.engine.connect() as conn:
        kept = conn.execute(schema.quarantine.select()).mappings().all()
        assert {r["row_id"] for r in kept} == {rows["job"], rows["thin"]}
        assert json.loads(next(r["row"] for r in kept if r["row_id"] == rows["thin"]))["gsm"] == -5
        actions = [e.action for e in audit.entries(conn, server.workspaces["alpha"])]
    assert actions.count("row.quarantined") == 2
    assert all(v.ok for v in audit.verify(server.engine))
    again = runner.invoke(sync_cli, ["--db", db, "doctor"])
    assert again.exit_code == 0 and "No row breaks" in again.output

    merch.sync()
    assert ids(merch, "materials") == {rows["good"]}
    assert merch.count_mismatches() == {}
    fresh = laptop(server, tmp_path, "admin@alpha", "fresh")
    fresh.sync()
    assert ids(fresh, "materials") == {rows["good"]}
    assert fresh.count_mismatches() == {}
