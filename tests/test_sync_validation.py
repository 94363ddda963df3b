"""Every pushed row is checked against the one declaration of its table: a mutation that
breaks a rule is rejected alone, with a reason naming the table, the row, the field and the
value, and the rest of the batch is applied. Nothing a device sends can stop another
laptop's sync."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from sync.client import SyncClient, login
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.replica import open_replica

NOW = "2026-12-07T10:00:00Z"


def label_job(**values: Any) -> dict[str, Any]:
    row = {
        "id": str(uuid.uuid4()),
        "template": "lot-a6",
        "printer": "pdf:/tmp/x.pdf",
        "copies": 1,
        "items": "[]",
        "state": "queued",
        "error": None,
        "created_by": "ana",
        "created_at": NOW,
        "printed_at": None,
        "deleted": 0,
        "updated_at": NOW,
    }
    row.update(values)
    return row


def proposal(**values: Any) -> dict[str, Any]:
    row = {
        "id": str(uuid.uuid4()),
        "title": "AW27 knits",
        "brand_id": None,
        "body": "{}",
        "state": "draft",
        "pdf_sha256": None,
        "issued_at": None,
        "created_by": "ana",
        "deleted": 0,
        "updated_at": NOW,
    }
    row.update(values)
    return row


def upsert(seq: int, table: str, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "seq": seq,
        "mutation_id": str(uuid.uuid4()),
        "table": table,
        "op": "upsert",
        "row_id": row["id"],
        "base_version": 0,
        "row": row,
    }


def push(server: Server, user: str, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    with server.client(server.login(user)) as http:
        answer = http.post("/v1/push", json={"mutations": mutations})
    assert answer.status_code == 200, answer.text
    return answer.json()["results"]


def laptop(server: Server, tmp_path: Path, user: str) -> SyncClient:
    info = login(server.url, user, PASSWORD, f"{user} laptop")
    return SyncClient(open_replica(tmp_path / f"{user}.sqlite"), server.url, info.token)


def test_a_bad_state_is_rejected_alone_and_every_laptop_still_syncs(
    server: Server, tmp_path: Path
) -> None:
    """A floor user's job in state 'bogus' used to be stored, after which every first sync
    got a 500 and every replica's pull failed on its CHECK."""
    existing = laptop(server, tmp_path, "merchandiser@alpha")
    existing.sync()
    good, bad = label_job(), label_job(state="bogus")
    results = push(
        server, "floor@alpha", [upsert(1, "label_jobs", bad), upsert(2, "label_jobs", good)]
    )
    assert [r["status"] for r in results] == ["rejected", "applied"]
    message = results[0]["message"]
    for part in ("label_jobs", bad["id"], "state", "bogus"):
        assert part in message

    existing.sync()  # a pull past the batch
    ids = {r[0] for r in existing.replica.conn.execute("SELECT id FROM label_jobs")}
    assert ids == {good["id"]}
    fresh = laptop(server, tmp_path, "admin@alpha")
    fresh.sync()  # a first sync: the snapshot builds
    assert fresh.replica.conn.execute("SELECT count(*) FROM label_jobs").fetchone()[0] == 1


def test_a_bad_proposal_state_is_rejected(server: Server) -> None:
    results = push(
        server, "merchandiser@alpha", [upsert(1, "proposals", proposal(state="sent-by-fax"))]
    )
    assert results[0]["status"] == "rejected"
    assert "must be one of draft, issued" in results[0]["message"]


@pytest.mark.parametrize(
    ("values", "field", "says"),
    [
        ({"copies": 2**63}, "copies", "whole number from 1 to 10000"),
        ({"copies": 0}, "copies", "whole number from 1 to 10000"),
        ({"copies": True}, "copies", "must be a whole number, not true or false"),
        ({"copies": "2"}, "copies", "must be a whole number, not text"),
        ({"items": "{not json"}, "items", "not valid JSON"),
        ({"items": "{}"}, "items", "JSON array"),
        ({"created_at": "yesterday"}, "created_at", "ISO 8601"),
        ({"template": None}, "template", "is required"),
        ({"template": "x" * 201}, "template", "longer than 200"),
        ({"colour": "red"}, "colour", "no such field"),
    ],
)
def test_each_rule_names_the_field_and_value(
    server: Server, values: dict[str, Any], field: str, says: str
) -> None:
    row = label_job(**values)
    results = push(
        server, "floor@alpha", [upsert(1, "label_jobs", row), upsert(2, "label_jobs", label_job())]
    )
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert f"'{field}'" in results[0]["message"] and says in results[0]["message"]
    assert row["id"] in results[0]["message"]


def test_a_missing_field_without_a_default_is_rejected(server: Server) -> None:
    row = label_job()
    del row["template"]
    results = push(server, "floor@alpha", [upsert(1, "label_jobs", row)])
    assert results[0]["status"] == "rejected"
    assert "'template'" in results[0]["message"] and "required" in results[0]["message"]


def test_a_reference_to_an_unknown_row_is_rejected(server: Server) -> None:
    known = material("FAB-1")
    write_rows(server.engine, server.workspaces["alpha"], "materials", [known])
    note = {
        "id": str(uuid.uuid4()),
        "material_id": known["id"],
        "body": "hand feel ok",
        "author": "ana",
        "deleted": 0,
        "updated_at": NOW,
    }
    stray = {**note, "id": str(uuid.uuid4()), "material_id": "no-such-material"}
    results = push(
        server,
        "merchandiser@alpha",
        [upsert(1, "annotations", note), upsert(2, "annotations", stray)],
    )
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert "'material_id'" in results[1]["message"] and "no materials row" in results[1]["message"]


def test_a_reference_to_another_workspaces_row_is_rejected(server: Server) -> None:
    theirs = material("FAB-B")
    write_rows(server.engine, server.workspaces["beta"], "materials", [theirs])
    note = {
        "id": str(uuid.uuid4()),
        "material_id": theirs["id"],
        "body": "x",
        "deleted": 0,
        "updated_at": NOW,
    }
    results = push(server, "merchandiser@alpha", [upsert(1, "annotations", note)])
    assert results[0]["status"] == "rejected"


def test_a_role_may_not_write_what_it_does_not_receive(server: Server) -> None:
    results = push(server, "floor@alpha", [upsert(1, "proposals", proposal())])
    assert results[0]["status"] == "rejected"
    assert "may not write" in results[0]["message"]
