"""Notes on materials are never changed, but the one who wrote a note, or an admin, may delete
it: synced like any deletion and audited; anyone else is refused, on the laptop and (for a
forged push) by the server. Over real HTTP."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync.server import accounts, audit, schema
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows
from workbench import documents

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)


def _note_on_server(server: Server, note_id: str) -> int | None:
    a = schema.replicated["annotations"]
    with server.engine.connect() as conn:
        return conn.execute(sa.select(a.c.deleted).where(a.c.id == note_id)).scalar()


def _laptop(server: Server, user: str, base: Path):  # type: ignore[no-untyped-def]
    workspace, _, _ = sign_in(server.url, user, PASSWORD, base=base)
    sync_workspace(workspace)
    return workspace


def test_the_author_deletes_a_note_and_it_is_audited(server: Server, tmp_path: Path) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("N-1")])
    mine = _laptop(server, "merchandiser@alpha", tmp_path / "mine")
    material_id = mine.replica.conn.execute("SELECT id FROM materials").fetchone()[0]
    note = documents.add_annotation(
        mine.replica, material_id, "pilling after 3 washes", "merchandiser@alpha"
    )
    sync_workspace(mine)
    assert _note_on_server(server, note["id"]) == 0
    documents.delete_document(mine.replica, "annotations", note["id"])
    report = sync_workspace(mine)
    assert (report.rejected, report.pending) == (0, 0)
    assert _note_on_server(server, note["id"]) == 1
    assert audit.verify(server.engine, "alpha")[0].ok
    with server.engine.connect() as conn:
        actions = [(e.action, e.actor) for e in audit.entries(conn, server.workspaces["alpha"])]
    assert ("annotation.deleted", "merchandiser@alpha") in actions
    mine.close()


def test_someone_elses_note_is_refused_and_an_admin_may_delete_it(
    server: Server, tmp_path: Path
) -> None:
    accounts.add_user(
        server.engine, "alpha", "other@alpha", PASSWORD, "merchandiser", password_cost=FAST_HASH
    )
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("N-2")])
    author = _laptop(server, "merchandiser@alpha", tmp_path / "a")
    material_id = author.replica.conn.execute("SELECT id FROM materials").fetchone()[0]
    note = documents.add_annotation(
        author.replica, material_id, "shade varies by lot", "merchandiser@alpha"
    )
    sync_workspace(author)
    author.close()

    other = _laptop(server, "other@alpha", tmp_path / "o")
    with pytest.raises(documents.DocumentError, match="only the one who wrote it"):
        documents.delete_document(other.replica, "annotations", note["id"])
    # a laptop that skips that check (a forged push) is refused by the server
    with other.replica.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (mutation_id, table_name, row_id, op, payload, base_version, "
            "base, created_at) VALUES (?, 'annotations', ?, 'delete', 'null', 0, NULL, "
            "'2026-12-07T00:00:00Z')",
            (str(uuid.uuid4()), note["id"]),
        )
    report = sync_workspace(other)
    assert report.rejected == 1
    assert _note_on_server(server, note["id"]) == 0
    other.close()

    admin = _laptop(server, "admin@alpha", tmp_path / "admin")
    documents.delete_document(admin.replica, "annotations", note["id"])
    assert sync_workspace(admin).rejected == 0
    assert _note_on_server(server, note["id"]) == 1
    admin.close()
