"""Retention enforced by the server (`workbench-sync purge`): it expires and purges exactly
what the settings say, audits it, and a laptop behind the window takes a new snapshot with
its unsent edits intact; old audit entries go while the chain still verifies from its signed
boundary, and tampering after the purge still shows. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from click.testing import CliRunner, Result

from sync.cli import cli as admin_cli
from sync.server import accounts, audit, schema
from sync.server.anchor import write_checkpoints
from sync.server.config import Retention
from sync.server.retention import purge
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
SETTINGS = Retention(tombstone_days=90, quote_days_after_validity=365, label_job_days=730)


def brand() -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "code": "NRD",
        "name": "Nordvik",
        "country": "SE",
        "currency": "EUR",
        "deleted": 0,
        "updated_at": "2024-01-01T00:00:00Z",
    }


def quote(brand_id: str, valid_until: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "quote_no": f"Q-{valid_until}",
        "cost_sheet_id": None,
        "style_code": "TEE-1",
        "brand_id": brand_id,
        "quantity": 1200,
        "currency": "USD",
        "cost_per_piece": "3.10",
        "price_per_piece": "4.20",
        "price_per_dozen": "50.40",
        "margin": "0.26",
        "costed_on": "2024-01-01",
        "valid_until": valid_until,
        "body": "{}",
        "created_by": "ana",
        "deleted": 0,
        "updated_at": "2024-01-01T00:00:00Z",
    }


def label_job(created_at: str) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "template": "lot-a6",
        "printer": "pdf:/tmp/x.pdf",
        "copies": 1,
        "items": "[]",
        "state": "printed",
        "error": None,
        "created_by": "ana",
        "created_at": created_at,
        "printed_at": created_at,
        "deleted": 0,
        "updated_at": created_at,
    }


def live(server: Server, table: str) -> dict[str, int]:
    t = schema.replicated[table]
    mine = t.c.workspace_id == server.workspaces["alpha"]
    with server.engine.connect() as conn:
        return {r.id: r.deleted for r in conn.execute(sa.select(t.c.id, t.c.deleted).where(mine))}


def test_purge_lets_go_exactly_what_the_settings_say(server: Server) -> None:
    ws = server.workspaces["alpha"]
    nrd = brand()
    write_rows(server.engine, ws, "brands", [nrd])
    old_quote, fresh_quote = quote(nrd["id"], "2025-11-30"), quote(nrd["id"], "2026-01-10")
    write_rows(server.engine, ws, "quotes", [old_quote, fresh_quote])
    old_job, fresh_job = label_job("2024-11-01T08:00:00Z"), label_job("2025-06-01T08:00:00Z")
    write_rows(server.engine, ws, "label_jobs", [old_job, fresh_job])
    gone_long_ago = material("GONE-1", deleted=1, updated_at="2026-08-01T00:00:00Z")
    gone_lately = material("GONE-2", deleted=1, updated_at="2026-11-20T00:00:00Z")
    kept = material("KEPT-1")
    write_rows(server.engine, ws, "materials", [gone_long_ago, gone_lately, kept])

    dry = purge(server.engine, SETTINGS, now=NOW, dry_run=True, workspace="alpha")
    [report] = dry
    assert report.expired == {"quotes": 1, "label_jobs": 1}
    assert report.tombstones == {"materials": 1}
    assert live(server, "quotes") == {old_quote["id"]: 0, fresh_quote["id"]: 0}  # untouched

    [done] = purge(server.engine, SETTINGS, now=NOW, workspace="alpha")
    assert (done.expired, done.tombstones) == (report.expired, report.tombstones)
    # expired rows became tombstones (laptops hear of them), the old tombstone is gone
    assert live(server, "quotes") == {old_quote["id"]: 1, fresh_quote["id"]: 0}
    assert live(server, "label_jobs") == {old_job["id"]: 1, fresh_job["id"]: 0}
    assert live(server, "materials") == {gone_lately["id"]: 1, kept["id"]: 0}
    with server.engine.connect() as conn:
        min_seq = conn.execute(
            sa.select(schema.workspaces.c.min_seq).where(schema.workspaces.c.id == ws)
        ).scalar_one()
    assert min_seq == done.min_seq > 0
    assert audit.verify(server.engine, "alpha")[0].ok
    # a second run finds nothing more to do
    [again] = purge(server.engine, SETTINGS, now=NOW, workspace="alpha")
    assert (again.expired, again.tombstones) == ({}, {})


def test_a_laptop_behind_the_window_takes_a_snapshot_and_keeps_its_edits(
    server: Server, tmp_path: Path
) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"M-{i}") for i in range(3)])
    laptop, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(laptop)
    documents.save_document(laptop.replica, "cost_sheets", {"style_code": "WHILE-AWAY"})
    # while it was away: a material deleted long ago, then purged
    write_rows(
        server.engine,
        ws,
        "materials",
        [material("OLD", deleted=1, updated_at="2026-01-01T00:00:00Z")],
    )
    [done] = purge(server.engine, SETTINGS, now=NOW, workspace="alpha")
    assert done.min_seq > laptop.replica.cursor
    report = sync_workspace(laptop)  # answered 410 must_refetch: a new snapshot
    assert report.pending == 0
    codes = {r[0] for r in laptop.replica.conn.execute("SELECT code FROM materials")}
    assert codes == {"M-0", "M-1", "M-2"}
    sheets = [r[0] for r in laptop.replica.conn.execute("SELECT style_code FROM cost_sheets")]
    assert sheets == ["WHILE-AWAY"]
    laptop.close()
    c = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        assert conn.execute(sa.select(c.c.style_code)).scalars().all() == ["WHILE-AWAY"]


def test_the_command_prints_what_it_did(server: Server, tmp_path: Path) -> None:
    settings = tmp_path / "server.toml"
    settings.write_text("[retention]\ntombstone_days = 1\n", "utf-8")
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material("X", deleted=1, updated_at="2020-01-01T00:00:00Z")],
    )
    args = [
        "--db",
        str(server.engine.url),
        "--config",
        str(settings),
        "purge",
        "--workspace",
        "alpha",
    ]
    result = CliRunner().invoke(admin_cli, args)
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.strip().splitlines()[-1])
    assert line["workspace"] == "alpha" and line["tombstones"] == {"materials": 1}


AUDIT_KEY = "k" * 32


def verify_cli(server: Server, log: Path) -> Result:
    return CliRunner().invoke(
        admin_cli,
        ["--db", str(server.engine.url), "audit", "verify", "--checkpoints", str(log)],
        env={"WORKBENCH_SYNC_AUDIT_KEY": AUDIT_KEY},
    )


def test_old_audit_entries_go_and_the_chain_still_verifies_from_its_boundary(
    server: Server, tmp_path: Path
) -> None:
    audit.use_key(AUDIT_KEY.encode())
    try:
        log = tmp_path / "checkpoints.jsonl"
        ws = server.workspaces["alpha"]
        accounts.set_role(server.engine, "floor@alpha", "merchandiser")
        write_checkpoints(server.engine, log, AUDIT_KEY.encode())  # seen before the purge
        before = len(trail(server, ws))
        later = datetime.now(UTC) + timedelta(days=400)  # every entry so far is a year old
        [done] = purge(server.engine, Retention(audit_days=365), now=later, workspace="alpha")
        assert done.audit_entries == before
        kept = trail(server, ws)
        assert [e.action for e in kept] == ["audit.purged"]
        assert kept[0].details["through_seq"] == before
        assert len(trail(server, server.workspaces["beta"])) > 0  # another workspace's stays
        accounts.set_role(server.engine, "floor@alpha", "floor")  # the chain goes on
        held = verify_cli(server, log)
        assert held.exit_code == 0, held.output
        assert "alpha: 2 entries, chain intact, matches the checkpoint" in held.output
        write_checkpoints(server.engine, log, AUDIT_KEY.encode())
        assert verify_cli(server, log).exit_code == 0
    finally:
        audit.use_key(None)


def trail(server: Server, ws: str) -> list[audit.Entry]:
    with server.engine.connect() as conn:
        return list(audit.entries(conn, ws))


def test_tampering_after_an_audit_purge_is_still_found(server: Server, tmp_path: Path) -> None:
    audit.use_key(AUDIT_KEY.encode())
    try:
        log = tmp_path / "checkpoints.jsonl"
        ws = server.workspaces["alpha"]
        later = datetime.now(UTC) + timedelta(days=400)
        purge(server.engine, Retention(audit_days=365), now=later, workspace="alpha")
        for role in ("merchandiser", "floor", "merchandiser"):
            accounts.set_role(server.engine, "floor@alpha", role)
        write_checkpoints(server.engine, log, AUDIT_KEY.encode())
        assert verify_cli(server, log).exit_code == 0
        entries, bounds, log_t = trail(server, ws), schema.audit_boundaries, schema.audit_log
        first = entries[0]
        with server.engine.connect() as conn:
            boundary = conn.execute(sa.select(bounds).where(bounds.c.workspace_id == ws)).one()
            as_stored = conn.execute(
                sa.select(log_t).where(log_t.c.workspace_id == ws, log_t.c.seq == first.seq)
            ).one()
        # more entries deleted with the boundary moved up to them: its HMAC gives it away
        with server.engine.begin() as conn:
            conn.execute(
                sa.delete(log_t).where(log_t.c.workspace_id == ws, log_t.c.seq == first.seq)
            )
            conn.execute(
                sa.update(bounds)
                .where(bounds.c.workspace_id == ws)
                .values(seq=first.seq, hash=first.hash)
            )
        moved = verify_cli(server, log)
        assert moved.exit_code == 1
        assert (
            f"alpha: entry {first.seq + 1} is broken: the purge boundary it starts after "
            "does not verify with the audit key"
        ) in moved.output
        # the boundary removed: the chain's start is missing
        with server.engine.begin() as conn:
            conn.execute(sa.delete(bounds).where(bounds.c.workspace_id == ws))
        gone = verify_cli(server, log)
        assert gone.exit_code == 1 and "alpha: entry 1 is broken: entry 1 is missing" in gone.output
        # put it back as it was; an entry kept, edited, is found
        with server.engine.begin() as conn:
            conn.execute(bounds.insert().values(**boundary._mapping))
            conn.execute(log_t.insert().values(**as_stored._mapping))
        assert verify_cli(server, log).exit_code == 0
        edited = entries[2]
        with server.engine.begin() as conn:
            conn.execute(
                sa.update(log_t)
                .where(log_t.c.workspace_id == ws, log_t.c.seq == edited.seq)
                .values(actor="mallory")
            )
        found = verify_cli(server, log)
        assert found.exit_code == 1
        assert f"alpha: entry {edited.seq} is broken: its content does not match" in found.output
    finally:
        audit.use_key(None)
