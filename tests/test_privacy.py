"""A person's data on the server, exported for a subject access request: the account without
its password hash, its devices, the audit entries naming it, the documents it made; another
user's are left out. Erased on request: the name is gone from every table, laptops follow, the
audit chain still verifies and tampering with a redacted entry still shows. On SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner, Result

from sync.cli import cli as admin_cli
from sync.server import accounts, audit, schema
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents


def merchandiser_writes_a_note_and_a_sheet(server: Server, base: Path) -> None:
    """merchandiser@alpha signs in, notes a material and saves a cost sheet, synced."""
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("P-1")])
    mine, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=base)
    sync_workspace(mine)
    material_id = mine.replica.conn.execute("SELECT id FROM materials").fetchone()[0]
    documents.add_annotation(mine.replica, material_id, "hand feel is soft", "merchandiser@alpha")
    sheet = {"style_code": "MINE-1", "created_by": "merchandiser@alpha"}
    documents.save_document(mine.replica, "cost_sheets", sheet)
    sync_workspace(mine)
    mine.close()


def test_a_users_data_is_exported_whole_and_only_theirs(server: Server, tmp_path: Path) -> None:
    merchandiser_writes_a_note_and_a_sheet(server, tmp_path / "m")
    accounts.set_role(server.engine, "floor@alpha", "merchandiser")  # an entry about another
    out = tmp_path / "export.json"
    result = CliRunner().invoke(
        admin_cli,
        ["--db", str(server.engine.url), "user", "export", "merchandiser@alpha", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    found = json.loads(out.read_text("utf-8"))
    assert found["user"]["username"] == "merchandiser@alpha"
    assert "password_hash" not in found["user"]
    assert PASSWORD not in out.read_text("utf-8")
    assert len(found["devices"]) == 1 and found["devices"][0]["signed_in_from"]
    assert [a["body"] for a in found["documents"]["annotations"]] == ["hand feel is soft"]
    assert [s["style_code"] for s in found["documents"]["cost_sheets"]] == ["MINE-1"]
    assert all("floor@alpha" not in (e["actor"], e["subject"]) for e in found["audit_entries"])


def test_an_unknown_user_is_named(server: Server) -> None:
    result = CliRunner().invoke(
        admin_cli, ["--db", str(server.engine.url), "user", "export", "nobody@alpha"]
    )
    assert result.exit_code != 0 and "no user 'nobody@alpha'" in result.output


AUDIT_KEY = "k" * 32


def admin(server: Server, *args: str) -> Result:
    return CliRunner().invoke(
        admin_cli,
        ["--db", str(server.engine.url), *args],
        env={"WORKBENCH_SYNC_AUDIT_KEY": AUDIT_KEY},
    )


def every_stored_text(engine: sa.Engine) -> str:
    """Every row of every server table, as one text to search."""
    with engine.connect() as conn:
        return "\n".join(
            str(tuple(row))
            for table in schema.metadata.sorted_tables
            for row in conn.execute(sa.select(table))
        )


@pytest.fixture
def keyed() -> object:
    audit.use_key(AUDIT_KEY.encode())
    yield None
    audit.use_key(None)


def test_an_erased_user_is_gone_everywhere_and_the_trail_still_verifies(
    server: Server, tmp_path: Path, keyed: object
) -> None:
    merchandiser_writes_a_note_and_a_sheet(server, tmp_path / "m")
    theirs, _, _ = sign_in(server.url, "admin@alpha", PASSWORD, base=tmp_path / "a")
    documents.save_document(
        theirs.replica, "cost_sheets", {"style_code": "THEIRS-1", "created_by": "admin@alpha"}
    )
    sync_workspace(theirs)
    accounts.set_role(server.engine, "merchandiser@alpha", "floor")
    assert "merchandiser@alpha" in every_stored_text(server.engine)

    erased = admin(server, "user", "erase", "merchandiser@alpha", "--yes")
    assert erased.exit_code == 0, erased.output
    done = json.loads(erased.output.strip().splitlines()[-1])
    pseudonym = done["pseudonym"]
    assert done["devices"] == 1 and done["audit_entries"] >= 3
    assert done["documents"] == {"cost_sheets": 1, "annotations": 1}
    assert "merchandiser@alpha" not in every_stored_text(server.engine)
    verified = admin(server, "audit", "verify")
    assert verified.exit_code == 0, verified.output
    assert "alpha:" in verified.output and "chain intact" in verified.output
    # the erasure is itself in the trail, naming only the pseudonym
    with server.engine.connect() as conn:
        last = list(audit.entries(conn, server.workspaces["alpha"]))[-1]
    assert (last.action, last.subject) == ("user.erased", pseudonym)
    # the account cannot sign in or be exported any more; another user's work is untouched
    assert (
        "no user 'merchandiser@alpha'"
        in admin(server, "user", "export", "merchandiser@alpha").output
    )
    # laptops follow: the other user's replica names the pseudonym after its next pull
    sync_workspace(theirs)
    held = dict(theirs.replica.conn.execute("SELECT style_code, created_by FROM cost_sheets"))
    assert held == {"MINE-1": pseudonym, "THEIRS-1": "admin@alpha"}
    authors = [r[0] for r in theirs.replica.conn.execute("SELECT author FROM annotations")]
    assert authors == [pseudonym]
    theirs.close()


def test_tampering_with_a_redacted_entry_is_still_found(
    server: Server, tmp_path: Path, keyed: object
) -> None:
    accounts.set_role(server.engine, "merchandiser@alpha", "floor")
    assert admin(server, "user", "erase", "merchandiser@alpha", "--yes").exit_code == 0
    log, ws = schema.audit_log, server.workspaces["alpha"]
    with server.engine.connect() as conn:
        redacted = conn.execute(
            sa.select(log)
            .where(log.c.workspace_id == ws, log.c.redacted_by.is_not(None))
            .order_by(log.c.seq)
        ).first()
        plain = conn.execute(
            sa.select(log)
            .where(log.c.workspace_id == ws, log.c.redacted_by.is_(None))
            .order_by(log.c.seq)
        ).first()
    assert redacted is not None and plain is not None
    with server.engine.begin() as conn:
        conn.execute(
            sa.update(log)
            .where(log.c.workspace_id == ws, log.c.seq == redacted.seq)
            .values(subject="someone-else")
        )
    broken = admin(server, "audit", "verify", "--workspace", "alpha")
    assert broken.exit_code == 1
    assert (
        f"entry {redacted.seq} is broken: it is marked redacted, but no erasure in the "
        "chain recorded it as it reads now"
    ) in broken.output
    with server.engine.begin() as conn:  # put it back; now pass an edit off as a redaction
        conn.execute(
            sa.update(log)
            .where(log.c.workspace_id == ws, log.c.seq == redacted.seq)
            .values(subject=redacted.subject)
        )
    assert admin(server, "audit", "verify").exit_code == 0
    with server.engine.begin() as conn:
        conn.execute(
            sa.update(log)
            .where(log.c.workspace_id == ws, log.c.seq == plain.seq)
            .values(actor="mallory", redacted_by=redacted.redacted_by)
        )
    forged = admin(server, "audit", "verify", "--workspace", "alpha")
    assert forged.exit_code == 1 and f"entry {plain.seq} is broken" in forged.output
