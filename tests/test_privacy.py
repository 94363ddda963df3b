"""A person's data on the server, exported for a subject access request: the account without
its password hash, its devices, the audit entries naming it, the documents it made; another
user's are left out. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from sync.cli import cli as admin_cli
from sync.server import accounts
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents


def test_a_users_data_is_exported_whole_and_only_theirs(server: Server, tmp_path: Path) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("P-1")])
    mine, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "m")
    sync_workspace(mine)
    material_id = mine.replica.conn.execute("SELECT id FROM materials").fetchone()[0]
    documents.add_annotation(mine.replica, material_id, "hand feel is soft",
                             "merchandiser@alpha")  # fmt: skip
    sheet = {"style_code": "MINE-1", "created_by": "merchandiser@alpha"}
    documents.save_document(mine.replica, "cost_sheets", sheet)
    sync_workspace(mine)
    mine.close()
    accounts.set_role(server.engine, "floor@alpha", "merchandiser")  # an entry about another
    out = tmp_path / "export.json"
    result = CliRunner().invoke(admin_cli, ["--db", str(server.engine.url), "user", "export",
                                            "merchandiser@alpha", "--out", str(out)])  # fmt: skip
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
    result = CliRunner().invoke(admin_cli, ["--db", str(server.engine.url), "user", "export",
                                            "nobody@alpha"])  # fmt: skip
    assert result.exit_code != 0 and "no user 'nobody@alpha'" in result.output
