"""The audit trail anchored outside the database: a keyed chain (HMAC) and a checkpoint log.
`workbench-sync audit verify` names each attack a database-only attacker can make: entries
cut off the end with the head rolled back, a workspace's trail wiped with its head, an entry
edited and the plain chain recomputed, a head rolled back alone."""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from sync.cli import cli as sync_cli
from sync.server import anchor, audit, schema
from sync.server.config import AuditSettings, ServerConfig
from sync.server.serve import ServerThread
from tests.sync_fixtures import Server

KEY = "a-long-audit-key-for-the-tests-0123456789"


@pytest.fixture
def anchored(server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    """The server's CLI set up with a key (in the environment) and a checkpoint log; a few
    keyed entries made over HTTP; a checkpoint written."""
    monkeypatch.setenv(anchor.KEY_ENV, KEY)
    audit.use_key(KEY.encode())
    settings = tmp_path / "sync.toml"
    log = tmp_path / "anchor" / "checkpoints.jsonl"
    settings.write_text(f'[audit]\ncheckpoint_log = "{log}"\n')
    db = server.engine.url.render_as_string(hide_password=False)
    for user in ("merchandiser@alpha", "floor@alpha", "admin@beta", "floor@beta"):
        server.login(user)
    setup = {"server": server, "db": db, "settings": str(settings), "log": log}
    written = cli(setup, "audit", "checkpoint", "--print")
    assert written.exit_code == 0, written.output
    yield setup
    audit.use_key(None)


def cli(setup: dict, *args: str) -> Result:
    return CliRunner().invoke(sync_cli, ["--db", setup["db"], "--config", setup["settings"], *args])


def trail(server: Server, workspace: str) -> list[sa.Row]:
    log = schema.audit_log
    with server.engine.connect() as conn:
        return conn.execute(
            sa.select(log)
            .where(log.c.workspace_id == server.workspaces[workspace])
            .order_by(log.c.seq)
        ).all()


def set_head(conn: sa.Connection, ws: str, seq: int, digest: str) -> None:
    h = schema.audit_heads
    conn.execute(sa.update(h).where(h.c.workspace_id == ws).values(seq=seq, hash=digest))


def test_an_untouched_trail_verifies_against_its_checkpoint(anchored: dict) -> None:
    lines = [json.loads(x) for x in anchored["log"].read_text().splitlines()]
    assert {x["workspace"] for x in lines} == {"alpha", "beta"} and all("mac" in x for x in lines)
    assert oct(anchored["log"].stat().st_mode & 0o777) == "0o600"
    done = cli(anchored, "audit", "verify")
    assert done.exit_code == 0, done.output
    assert "alpha:" in done.output and "matches the checkpoint of" in done.output
    # entries made after the checkpoint are fine too
    anchored["server"].login("admin@alpha")
    assert cli(anchored, "audit", "verify").exit_code == 0


def test_deleting_the_last_entries_and_rolling_the_head_back_is_found(anchored: dict) -> None:
    server = anchored["server"]
    ws = server.workspaces["alpha"]
    entries = trail(server, "alpha")
    keep = entries[-3]
    with server.engine.begin() as conn:
        log = schema.audit_log
        conn.execute(sa.delete(log).where(log.c.workspace_id == ws, log.c.seq > keep.seq))
        set_head(conn, ws, keep.seq, keep.hash)
    broken = cli(anchored, "audit", "verify")
    assert broken.exit_code == 1
    assert (
        f"alpha: entry {keep.seq + 1} is broken: entries {keep.seq + 1} to "
        f"{entries[-1].seq} are missing: the checkpoint of"
    ) in broken.output
    assert "beta:" in broken.output and "matches the checkpoint" in broken.output


def test_a_head_rolled_back_alone_is_found(anchored: dict) -> None:
    server = anchored["server"]
    entries = trail(server, "beta")
    with server.engine.begin() as conn:
        set_head(conn, server.workspaces["beta"], entries[-2].seq, entries[-2].hash)
    broken = cli(anchored, "audit", "verify", "--workspace", "beta")
    assert broken.exit_code == 1 and "beta: entry" in broken.output


def test_wiping_a_workspaces_trail_with_its_head_is_found(anchored: dict) -> None:
    server = anchored["server"]
    ws = server.workspaces["beta"]
    seen = trail(server, "beta")[-1].seq
    with server.engine.begin() as conn:
        conn.execute(sa.delete(schema.audit_log).where(schema.audit_log.c.workspace_id == ws))
        conn.execute(sa.delete(schema.audit_heads).where(schema.audit_heads.c.workspace_id == ws))
    broken = cli(anchored, "audit", "verify")
    assert broken.exit_code == 1
    assert "beta: entry 1 is broken: the trail is wiped: the checkpoint of" in broken.output
    assert f"saw {seen} entries, the database holds none" in broken.output


def test_an_edited_entry_with_the_plain_chain_recomputed_is_found(anchored: dict) -> None:
    """Whoever edits the database without the key can only recompute an unkeyed chain."""
    server = anchored["server"]
    ws = server.workspaces["alpha"]
    entries = trail(server, "alpha")
    target = [e for e in entries if e.keyed][1]  # one after an entry made with the key
    log = schema.audit_log
    with server.engine.begin() as conn:
        prev = target.prev_hash
        for e in entries[entries.index(target) :]:
            details = e.details.replace("merchandiser", "mallory") if e is target else e.details
            digest = audit.entry_hash(prev, e.seq, e.at, e.actor, e.action, e.subject, details)
            conn.execute(
                sa.update(log)
                .where(log.c.workspace_id == ws, log.c.seq == e.seq)
                .values(details=details, prev_hash=prev, hash=digest, keyed=False)
            )
            prev = digest
        set_head(conn, ws, entries[-1].seq, prev)
    broken = cli(anchored, "audit", "verify")
    assert broken.exit_code == 1
    assert (
        f"alpha: entry {target.seq} is broken: it was written without the audit key after "
        "entries made with it"
    ) in broken.output
    # even with the keyed flag left alone, the plain hash does not pass for an HMAC
    with server.engine.begin() as conn:
        conn.execute(
            sa.update(log)
            .where(log.c.workspace_id == ws, log.c.seq >= target.seq)
            .values(keyed=True)
        )
    again = cli(anchored, "audit", "verify")
    assert again.exit_code == 1
    assert (
        f"alpha: entry {target.seq} is broken: its content does not match its hash" in again.output
    )


def test_a_sha256_chain_recomputed_whole_is_found_by_the_checkpoint(anchored: dict) -> None:
    """Every entry rewritten as an unkeyed, unsealed chain: nothing in the database says it
    ever was keyed; the checkpoint does."""
    server = anchored["server"]
    ws = server.workspaces["beta"]
    log = schema.audit_log
    with server.engine.begin() as conn:
        prev = audit.GENESIS
        for e in trail(server, "beta"):
            digest = audit.entry_hash(
                prev, e.seq, e.at, e.actor, e.action, e.subject, e.details.replace("beta", "b3ta")
            )
            conn.execute(
                sa.update(log)
                .where(log.c.workspace_id == ws, log.c.seq == e.seq)
                .values(
                    details=e.details.replace("beta", "b3ta"),
                    prev_hash=prev,
                    hash=digest,
                    keyed=False,
                    content_sha256=None,
                    nonce=None,
                )
            )
            last, prev = e.seq, digest
        set_head(conn, ws, last, prev)
    broken = cli(anchored, "audit", "verify", "--workspace", "beta")
    assert broken.exit_code == 1
    assert "the chain was changed or recomputed" in broken.output


def test_an_edited_checkpoint_log_is_refused(anchored: dict) -> None:
    log: Path = anchored["log"]
    lines = log.read_text().splitlines()
    forged = json.loads(lines[0])
    forged["seq"] = 1
    log.write_text("\n".join([json.dumps(forged), *lines[1:]]) + "\n")
    refused = cli(anchored, "audit", "verify")
    assert refused.exit_code == 1 and "does not verify with the audit key" in refused.output


def test_a_keyed_trail_needs_the_key(anchored: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor.KEY_ENV)
    audit.use_key(None)
    refused = cli(anchored, "audit", "verify")
    assert refused.exit_code == 1 and "give the audit key" in refused.output


def test_the_key_file_must_be_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(anchor.KEY_ENV, raising=False)
    key = tmp_path / "audit.key"
    key.write_text(hashlib.sha256(b"k").hexdigest() + "\n")
    key.chmod(0o644)
    with pytest.raises(anchor.AnchorError, match="chmod 600"):
        anchor.load_key(AuditSettings(key_file=str(key)))
    key.chmod(0o600)
    assert (
        anchor.load_key(AuditSettings(key_file=str(key)))
        == hashlib.sha256(b"k").hexdigest().encode()
    )
    key.write_text("short")
    with pytest.raises(anchor.AnchorError, match="at least 16 bytes"):
        anchor.load_key(AuditSettings(key_file=str(key)))


def test_the_server_writes_checkpoints_as_it_runs(server: Server, tmp_path: Path) -> None:
    log = tmp_path / "checkpoints.jsonl"
    config = ServerConfig(audit=AuditSettings(checkpoint_log=str(log), checkpoint_every_s=0.05))
    with ServerThread(server.engine, tmp_path / "snap", config=config):
        deadline = time.monotonic() + 10
        while len(log.read_text().splitlines() if log.exists() else []) < 4:
            assert time.monotonic() < deadline, "no checkpoints written"
            time.sleep(0.02)
    written = [json.loads(x) for x in log.read_text().splitlines()]
    assert {x["workspace"] for x in written} == {"alpha", "beta"}
    assert os.stat(log).st_mode & 0o077 == 0
