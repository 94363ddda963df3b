"""A laptop's own queued edits of a row, however many and however the push splits them into
batches, reach the server as the user made them: the last edit wins, none of them turns into
a conflict with another, and what the server merged in from another laptop stays."""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync.client import SyncClient, login, outbox
from sync.client.rebase import QueuedEdit, rebase
from sync.server import schema
from tests.sync_fixtures import PASSWORD, Server, write_rows
from workbench import documents
from workbench.replica import open_replica

_names = itertools.count()
FIELDS = ("style_code", "title", "body", "deleted", "version")


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


def local(client: SyncClient, row_id: str) -> tuple:
    row = client.replica.conn.execute("SELECT * FROM cost_sheets WHERE id = ?", (row_id,))
    found = row.fetchone()
    return tuple(found[f] for f in FIELDS)


def brand(client: SyncClient, row_id: str) -> str | None:
    row = client.replica.conn.execute("SELECT brand_id FROM cost_sheets WHERE id = ?", (row_id,))
    return row.fetchone()[0]


def on_server(server: Server, row_id: str) -> tuple:
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        found = conn.execute(sa.select(t).where(t.c.id == row_id)).one()
    return tuple(getattr(found, f) for f in FIELDS)


def edit(client: SyncClient, row_id: str, **values: str) -> None:
    documents.save_document(client.replica, "cost_sheets", {"id": row_id, **values})


def fillers(client: SyncClient, n: int) -> None:
    """``n`` edits of other rows, to move the next edits of a row along the outbox."""
    for _ in range(n):
        documents.save_document(client.replica, "cost_sheets", {"style_code": "FILL"})


def new_sheet(client: SyncClient, title: str = "Tee") -> str:
    row = documents.save_document(
        client.replica, "cost_sheets", {"style_code": "TS-1", "title": title}
    )
    return str(row["id"])


def test_edits_of_a_row_in_two_batches_end_as_the_last_edit(
    server: Server, laptops: list[SyncClient]
) -> None:
    a, _ = laptops
    sheet = new_sheet(a)
    a.sync()
    edit(a, sheet, title="first")
    fillers(a, outbox.PUSH_BATCH - 1)
    edit(a, sheet, title="second")
    edit(a, sheet, title="third")
    pushed = a.sync().pushed
    assert (pushed.sent, pushed.conflicts, pushed.rejected) == (outbox.PUSH_BATCH + 2, 0, 0)
    assert documents.conflicts(a.replica) == []
    assert on_server(server, sheet)[1] == "third"
    assert local(a, sheet) == on_server(server, sheet)


def test_every_batch_boundary_and_chain_of_edits_ends_as_the_laptop_left_it(
    server: Server, laptops: list[SyncClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = laptops
    rng = random.Random(7)
    brands = [
        {
            "id": f"brand {batch}-{offset}",
            "code": f"B{batch}{offset}",
            "name": "Brand",
            "country": "IN",
            "currency": "USD",
            "deleted": 0,
            "updated_at": "2026-12-01T00:00:00Z",
        }
        for batch in range(1, 6)
        for offset in range(batch + 1)
    ]
    write_rows(server.engine, server.workspaces["alpha"], "brands", brands)
    for batch in range(1, 6):
        monkeypatch.setattr(outbox, "PUSH_BATCH", batch)
        for offset in range(batch + 1):
            sheets = [new_sheet(a, f"sheet {n}") for n in range(3)]
            a.sync()
            b.sync()
            for sheet in sheets[1:]:  # a field A never edits, changed on B meanwhile
                edit(b, sheet, brand_id=f"brand {batch}-{offset}")
            b.sync()
            fillers(a, offset)
            for step in range(rng.randrange(3, 9)):
                sheet = rng.choice(sheets)
                roll = rng.random()
                if roll < 0.4:
                    edit(a, sheet, title=f"title {step}")
                elif roll < 0.7:
                    edit(a, sheet, body=f'{{"step": {step}}}')
                elif roll < 0.9:
                    edit(a, sheet, title=f"both {step}", body=f'{{"both": {step}}}')
                else:
                    fillers(a, 1)
            if rng.random() < 0.3:
                documents.delete_document(a.replica, "cost_sheets", sheets[0])
                edit(a, sheets[0], title="edited after deleting")
            left = {s: local(a, s)[:4] for s in sheets}
            pushed = a.sync().pushed
            where = f"batches of {batch}, {offset} edits before"
            assert (pushed.conflicts, pushed.rejected) == (0, 0), where
            assert documents.conflicts(a.replica) == [], where
            for s in sheets:
                assert on_server(server, s)[:4] == left[s], where
                assert local(a, s) == on_server(server, s), where
                assert brand(a, s) == (None if s == sheets[0] else f"brand {batch}-{offset}")


@pytest.mark.parametrize("between", [0, 1, 2, 3])
def test_queued_edits_keep_what_another_laptop_changed_meanwhile(
    server: Server, laptops: list[SyncClient], monkeypatch: pytest.MonkeyPatch, between: int
) -> None:
    a, b = laptops
    monkeypatch.setattr(outbox, "PUSH_BATCH", 2)
    sheet = new_sheet(a)
    a.sync()
    b.sync()
    edit(b, sheet, body='{"from": "b"}')
    b.sync()
    edit(a, sheet, title="A1")
    fillers(a, between)
    edit(a, sheet, title="A2")
    edit(a, sheet, style_code="TS-2")
    pushed = a.sync().pushed
    assert pushed.conflicts == 0
    assert on_server(server, sheet)[:3] == ("TS-2", "A2", '{"from": "b"}')
    assert local(a, sheet) == on_server(server, sheet)
    b.sync()
    assert local(b, sheet) == on_server(server, sheet)


@pytest.mark.parametrize("between", [0, 1, 2])
def test_the_same_field_changed_elsewhere_is_still_a_conflict(
    server: Server, laptops: list[SyncClient], monkeypatch: pytest.MonkeyPatch, between: int
) -> None:
    a, b = laptops
    monkeypatch.setattr(outbox, "PUSH_BATCH", 2)
    sheet = new_sheet(a)
    a.sync()
    b.sync()
    edit(b, sheet, title="B's title")
    b.sync()
    edit(a, sheet, title="A's title")
    fillers(a, between)
    edit(a, sheet, body='{"from": "a"}')
    pushed = a.sync().pushed
    assert pushed.conflicts == 1
    [conflict] = documents.conflicts(a.replica)
    assert conflict.mine is not None and conflict.mine["title"] == "A's title"
    # the later edit changed only the body: it does not bring A's title back over B's
    assert on_server(server, sheet)[1:3] == ("B's title", '{"from": "a"}')
    assert local(a, sheet) == on_server(server, sheet)


def test_a_rebased_edit_carries_only_what_it_changed() -> None:
    server_row = {
        "id": "x",
        "title": "A1",
        "body": "from B",
        "version": 9,
        "deleted": 0,
        "updated_at": "t1",
    }
    first = {
        "id": "x",
        "title": "A1",
        "body": "old",
        "version": 3,
        "deleted": 0,
        "updated_at": "t1",
    }
    second = {**first, "title": "A2", "updated_at": "t2"}
    third = {**second, "style_code": "S2", "updated_at": "t3"}
    edits = [
        QueuedEdit(5, "upsert", second, first),
        QueuedEdit(6, "upsert", third, second),
        QueuedEdit(7, "delete", None, third),
    ]
    done, shown = rebase(server_row, edits)
    assert [r.base_version for r in done] == [9, 9, 9]
    assert done[0].base == server_row
    assert done[0].payload == {**server_row, "title": "A2", "updated_at": "t2"}
    assert done[1].base == done[0].payload
    assert done[1].payload == {**server_row, "title": "A2", "style_code": "S2", "updated_at": "t3"}
    assert done[2].base == done[1].payload and done[2].payload is None
    assert shown == {**done[1].payload, "deleted": 1}


def test_a_rebased_edit_keeps_the_server_deletion_unless_it_made_one() -> None:
    gone = {"id": "x", "title": "T", "version": 9, "deleted": 1, "updated_at": "t1"}
    start = {"id": "x", "title": "T", "version": 3, "deleted": 0, "updated_at": "t0"}
    [kept], _ = rebase(gone, [QueuedEdit(5, "upsert", {**start, "title": "U"}, start)])
    assert kept.payload is not None and kept.payload["deleted"] == 1
    revived = {**start, "deleted": 1}
    [back], _ = rebase(gone, [QueuedEdit(5, "upsert", {**start, "deleted": 0}, revived)])
    assert back.payload is not None and back.payload["deleted"] == 0
