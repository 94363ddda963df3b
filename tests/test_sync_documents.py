"""Documents written on laptops reach the server and each other, at most once, with merges,
conflict copies and rejections as architecture D4 describes."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa

from sync.client import SyncClient, login
from sync.server import schema
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.costing.register import next_version, status_step
from workbench.replica import open_replica

_names = itertools.count()

NOW = "2026-12-07T10:00:00Z"


@pytest.fixture
def laptops(server: Server, tmp_path: Path) -> Iterator[list[SyncClient]]:
    made = []
    for username in ("merchandiser@alpha", "admin@alpha"):
        info = login(server.url, username, PASSWORD, f"laptop {next(_names)}")
        replica = open_replica(tmp_path / f"{info.device_id}.sqlite")
        made.append(SyncClient(replica, server.url, info.token))
    yield made
    for client in made:
        client.close()


def sheets(client: SyncClient) -> dict[str, tuple]:
    return {
        r["id"]: (r["style_code"], r["title"], r["body"], r["deleted"], r["version"])
        for r in client.replica.conn.execute("SELECT * FROM cost_sheets")
    }


def server_sheets(server: Server) -> dict[str, tuple]:
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        return {
            r.id: (r.style_code, r.title, r.body, r.deleted, r.version)
            for r in conn.execute(
                sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"])
            )
        }


def test_a_document_written_offline_reaches_the_other_laptop(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, b = laptops
    row = documents.save_document(
        a.replica, "cost_sheets", {"style_code": "TS-001", "title": "Tee"}
    )
    assert documents.outbox_counts(a.replica) == {"pending": 1, "rejected": 0}
    pushed = a.sync().pushed
    assert (pushed.applied, pushed.conflicts, pushed.rejected) == (1, 0, 0)
    assert documents.outbox_counts(a.replica)["pending"] == 0
    b.sync()
    assert sheets(b)[row["id"]][:2] == ("TS-001", "Tee")
    assert sheets(a) == sheets(b) == server_sheets(server)


def test_edits_to_different_fields_merge(server: Server, laptops: list[SyncClient]) -> None:
    a, b = laptops
    row = documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-1", "title": "Tee"})
    a.sync()
    b.sync()
    documents.save_document(a.replica, "cost_sheets", {"id": row["id"], "title": "Crew tee"})
    documents.save_document(b.replica, "cost_sheets", {"id": row["id"], "body": '{"gsm": 180}'})
    a.sync()
    pushed = b.sync().pushed
    a.sync()
    assert pushed.conflicts == 0
    merged = server_sheets(server)[row["id"]]
    assert merged[1:3] == ("Crew tee", '{"gsm": 180}')
    assert sheets(a) == sheets(b) == server_sheets(server)


def test_edits_to_the_same_field_keep_a_conflict_copy(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, b = laptops
    row = documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-1", "title": "Tee"})
    a.sync()
    b.sync()
    documents.save_document(a.replica, "cost_sheets", {"id": row["id"], "title": "A's title"})
    documents.save_document(b.replica, "cost_sheets", {"id": row["id"], "title": "B's title"})
    a.sync()
    pushed = b.sync().pushed
    assert pushed.conflicts == 1
    assert server_sheets(server)[row["id"]][1] == "A's title"
    [conflict] = documents.conflicts(b.replica)
    assert conflict.mine["title"] == "B's title"
    assert conflict.theirs is not None and conflict.theirs["title"] == "A's title"
    assert sheets(b) == server_sheets(server)  # the table shows the server's row meanwhile

    documents.resolve_conflict(b.replica, conflict.id, keep="mine")
    b.sync()
    a.sync()
    assert server_sheets(server)[row["id"]][1] == "B's title"
    assert documents.conflicts(b.replica) == []
    assert sheets(a) == sheets(b) == server_sheets(server)


def test_delete_reaches_everyone_as_a_tombstone(server: Server, laptops: list[SyncClient]) -> None:
    a, b = laptops
    row = documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-1"})
    a.sync()
    b.sync()
    documents.delete_document(b.replica, "cost_sheets", row["id"])
    b.sync()
    a.sync()
    assert sheets(a)[row["id"]][3] == 1
    assert sheets(a) == sheets(b) == server_sheets(server)


def test_a_replayed_push_applies_nothing_twice(server: Server, laptops: list[SyncClient]) -> None:
    a, _ = laptops
    documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-1"})
    pending = a.replica.conn.execute("SELECT * FROM outbox").fetchall()
    body = {
        "mutations": [
            {
                "seq": m["seq"],
                "mutation_id": m["mutation_id"],
                "table": m["table_name"],
                "op": m["op"],
                "row_id": m["row_id"],
                "base_version": 0,
                "row": json.loads(m["payload"]),
            }
            for m in pending
        ]
    }
    first = a.request("POST", "/v1/push", json=body)
    again = a.request("POST", "/v1/push", json=body)
    assert first == again
    assert len(server_sheets(server)) == 1
    with server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.max(schema.workspaces.c.last_seq))).scalar() == 1


def test_a_rejected_mutation_is_set_aside_and_the_queue_goes_on(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, _ = laptops
    # reference data cannot be pushed: queue a forged mutation on materials, then a good one
    with a.replica.transaction() as conn:
        conn.execute(
            "INSERT INTO outbox (mutation_id, table_name, row_id, op, payload, created_at) "
            "VALUES ('m-bad', 'materials', 'x', 'upsert', '{\"id\": \"x\"}', '2026-01-01')"
        )
    good = documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-9"})
    pushed = a.push()
    assert (pushed.applied, pushed.rejected) == (1, 1)
    [rejected] = documents.rejected_mutations(a.replica)
    assert "reference data" in rejected["message"]
    assert good["id"] in server_sheets(server)
    assert a.push().sent == 0  # the rejected one no longer blocks or repeats


def test_floor_staff_cannot_write_cost_sheets(server: Server, tmp_path: Path) -> None:
    info = login(server.url, "floor@alpha", PASSWORD, "station")
    client = SyncClient(open_replica(tmp_path / "f.sqlite"), server.url, info.token)
    write_rows(
        server.engine, server.workspaces["alpha"], "materials", [material("FAB-1", id="material-1")]
    )
    documents.save_document(client.replica, "cost_sheets", {"style_code": "TS-1"})
    documents.add_annotation(client.replica, "material-1", "Shade lot 4 runs dark", "floor")
    pushed = client.push()
    assert (pushed.applied, pushed.rejected) == (1, 1)
    assert "may not write cost sheets" in documents.rejected_mutations(client.replica)[0]["message"]


def test_annotations_with_attachments_travel(
    server: Server, laptops: list[SyncClient], tmp_path: Path
) -> None:
    a, b = laptops
    photo = tmp_path / "swatch.jpg"
    photo.write_bytes(b"\xff\xd8\xff" + bytes(range(256)) * 10)
    write_rows(
        server.engine, server.workspaces["alpha"], "materials", [material("FAB-1", id="material-1")]
    )
    note = documents.add_annotation(a.replica, "material-1", "Swatch approved", "asha", photo)
    a.sync()
    b.sync()
    got = b.replica.conn.execute(
        "SELECT body, attachment_name, attachment_type, attachment_b64 "
        "FROM annotations WHERE id = ?",
        (note["id"],),
    ).fetchone()
    assert tuple(got) == (
        "Swatch approved",
        "swatch.jpg",
        "image/jpeg",
        note["attachment_b64"],
    )
    with pytest.raises(documents.DocumentError, match="cannot be changed"):
        documents.save_document(a.replica, "annotations", {"id": note["id"], "body": "edited"})


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (
            {"row": {"id": "r1", "style_code": 5, "updated_at": NOW}},
            "field 'style_code' = 5: must be text, not a whole number",
        ),
        ({"row": {"id": "r1", "updated_at": NOW}}, "field 'style_code' = None: is required"),
        (
            {"row": {"id": "r1", "style_code": "S", "updated_at": NOW, "evil": 1}},
            "field 'evil' = 1: cost_sheets has no such field",
        ),
        ({"row": {"id": "other", "style_code": "S", "updated_at": "x"}}, "does not match"),
        ({"op": "truncate"}, "unknown operation"),
    ],
)
def test_invalid_mutations_are_rejected_with_a_message(
    server: Server, laptops: list[SyncClient], mutation: dict, message: str
) -> None:
    a, _ = laptops
    body = {"seq": 1, "mutation_id": "m", "table": "cost_sheets", "op": "upsert", "row_id": "r1"}
    answer = a.request("POST", "/v1/push", json={"mutations": [{**body, **mutation}]})
    assert answer["results"][0]["status"] == "rejected"
    assert message in answer["results"][0]["message"]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"mutations": "x"},
        {"mutations": [5]},
        {"mutations": [{"seq": "1"}]},
        {
            "mutations": [
                {"seq": 2, "mutation_id": "a", "table": "t", "op": "o", "row_id": "r"},
                {"seq": 1, "mutation_id": "b", "table": "t", "op": "o", "row_id": "r"},
            ]
        },
    ],
)
def test_malformed_push_batches_get_422(
    server: Server, laptops: list[SyncClient], payload: dict
) -> None:
    a, _ = laptops
    answer = a.http.post("/v1/push", json=payload)
    assert answer.status_code == 422
    assert answer.json()["message"]


def submitted_sheet(client: SyncClient, **values: str) -> dict[str, Any]:
    """A cost sheet saved on ``client`` and submitted for approval."""
    sheet = documents.save_document(client.replica, "cost_sheets", values)
    return documents.save_document(client.replica, "cost_sheets", status_step(sheet, "submitted"))


def test_a_sheets_status_and_versions_reach_the_server_and_the_other_laptop(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, b = laptops
    first = submitted_sheet(a, style_code="TS-9", season="SS27")
    second = documents.save_document(a.replica, "cost_sheets", next_version(a.replica.conn, first))
    pushed = a.sync().pushed
    assert (pushed.applied, pushed.rejected) == (3, 0)
    b.sync()
    got = {
        r["id"]: (r["status"], r["revision"], r["family_id"], r["season"])
        for r in b.replica.conn.execute("SELECT * FROM cost_sheets")
    }
    assert got[first["id"]] == ("submitted", 1, None, "SS27")
    assert got[second["id"]] == ("draft", 2, first["id"], "SS27")
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        on_server = conn.execute(
            sa.select(t.c.status, t.c.revision).where(t.c.id == second["id"])
        ).one()
    assert tuple(on_server) == ("draft", 2)


def test_an_edit_that_reaches_an_approved_sheet_is_rejected_and_it_stays_as_approved(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, b = laptops
    sheet = submitted_sheet(a, style_code="TS-APR", body='{"sam": "12"}')
    a.sync()
    b.sync()
    # a approves while b, not knowing, changes the submitted sheet's contents
    documents.save_document(a.replica, "cost_sheets", status_step(sheet, "approved"))
    a.sync()
    documents.save_document(b.replica, "cost_sheets", {"id": sheet["id"], "body": '{"sam": "9"}'})
    pushed = b.sync().pushed
    assert (pushed.applied, pushed.rejected) == (0, 1)
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        stored = conn.execute(sa.select(t.c.status, t.c.body).where(t.c.id == sheet["id"])).one()
    assert tuple(stored) == ("approved", '{"sam": "12"}')
    # b shows the sheet as approved again, and keeps its edit, values and reason, as refused
    held = b.replica.conn.execute(
        "SELECT status, body FROM cost_sheets WHERE id = ?", (sheet["id"],)
    ).fetchone()
    assert tuple(held) == ("approved", '{"sam": "12"}')
    [refused] = b.replica.conn.execute(
        "SELECT message, payload FROM outbox WHERE status = 'rejected'"
    ).fetchall()
    assert "is approved and is never changed" in refused[0]
    assert "save the change as a new version" in refused[0]
    assert "update Mill Workbench" not in refused[0]  # this app has Save as new version
    assert json.loads(refused[1])["body"] == '{"sam": "9"}'
    # and the laptop that has it approved refuses the change itself, saying why
    with pytest.raises(documents.DocumentError, match="approved and is never changed"):
        documents.save_document(
            a.replica, "cost_sheets", {"id": sheet["id"], "body": '{"sam": "9"}'}
        )


def test_an_edit_from_an_app_that_drops_the_colourways_is_rejected(
    server: Server, laptops: list[SyncClient]
) -> None:
    from tests.costing_examples import TSHIRT
    from tests.test_colourways import COLOURWAYS
    from workbench.costing.sheet import CostSheet, sheet_to_dict

    a, b = laptops
    with_colours = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
    sheet = documents.save_document(
        a.replica, "cost_sheets", {"style_code": "TS-COL", "body": json.dumps(with_colours)}
    )
    a.sync()
    b.sync()
    # the previous release saves what its form shows: sheet version 1, the colourways gone
    older = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3500))
    older["sheet_version"] = 1
    edit = {"id": sheet["id"], "body": json.dumps(older)}
    with pytest.raises(documents.DocumentError, match="has colourways"):
        documents.save_document(b.replica, "cost_sheets", edit)  # this version says so at once
    with pytest.MonkeyPatch.context() as older_app:  # the previous release has no such check
        older_app.setattr(documents, "register", SimpleNamespace(refused_change=lambda *_: None))
        documents.save_document(b.replica, "cost_sheets", edit)
    pushed = b.sync().pushed
    assert (pushed.applied, pushed.rejected) == (0, 1)
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        stored = conn.execute(sa.select(t.c.body).where(t.c.id == sheet["id"])).scalar_one()
    assert len(json.loads(stored)["colourways"]) == 3
    # this version taking the colourways off on purpose writes version 2: applied
    a.sync()
    plain = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000))
    assert plain["sheet_version"] == 2
    documents.save_document(
        a.replica, "cost_sheets", {"id": sheet["id"], "body": json.dumps(plain)}
    )
    assert a.sync().pushed.applied == 1
