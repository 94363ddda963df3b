"""A laptop's replica restored from an earlier copy of itself (a backup, a VM snapshot) numbers
its new edits with numbers the server has already seen for other edits. The server refuses
such a push whole; the laptop numbers its queued edits again above the server's last one and
pushes again, so no edit made after the restore is lost, and a replayed push (the same edits,
the same numbers) still gets the answers it was given."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.client import SyncClient, SyncError, login, outbox
from sync.server import schema
from tests.sync_fixtures import PASSWORD, Server
from workbench import documents
from workbench.replica import open_replica


def take_copy(path: Path, to: Path, how: str) -> None:
    """A copy of the replica as a backup would take it: SQLite's backup, or the files as they
    lie on disk (the database and its write-ahead log, as a VM snapshot holds them)."""
    if how == "backup":
        with closing(sqlite3.connect(path)) as src, closing(sqlite3.connect(to)) as dst:
            src.backup(dst)
        return
    shutil.copyfile(path, to)
    wal = Path(f"{path}-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{to}-wal"))


def restore(copy: Path, path: Path) -> None:
    for extra in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        extra.unlink(missing_ok=True)
    shutil.copyfile(copy, path)
    wal = Path(f"{copy}-wal")
    if wal.exists():
        shutil.copyfile(wal, Path(f"{path}-wal"))


def server_titles(server: Server) -> dict[str, str]:
    t = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        return {r.id: r.title for r in conn.execute(sa.select(t.c.id, t.c.title))}


def last_mutation_seq(server: Server, device_id: str) -> int:
    d = schema.devices
    with server.engine.connect() as conn:
        found = conn.execute(sa.select(d.c.last_mutation_seq).where(d.c.id == device_id))
        return int(found.scalar_one())


def outbox_stamp(client: SyncClient) -> int:
    found = client.replica.conn.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
    return int(found.fetchone()[0])


@pytest.mark.parametrize(
    ("how", "queued_at_copy", "lost", "batch"),
    [
        ("backup", 0, "cost_sheets", 200),
        ("files", 3, "annotations", 200),
        ("backup", 3, "cost_sheets", 2),
        ("files", 0, "annotations", 2),
    ],
)
def test_edits_made_after_a_restore_all_reach_the_server(
    server: Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
    queued_at_copy: int,
    lost: str,
    batch: int,
) -> None:
    monkeypatch.setattr(outbox, "PUSH_BATCH", batch)
    info = login(server.url, "merchandiser@alpha", PASSWORD, "laptop")
    path = tmp_path / "replica.sqlite"
    client = SyncClient(open_replica(path), server.url, info.token)
    sheets = [
        documents.save_document(client.replica, "cost_sheets", {"style_code": f"TS-{n}"})["id"]
        for n in range(4)
    ]
    client.sync()
    for n in range(queued_at_copy):  # edits still queued when the copy was taken
        documents.save_document(
            client.replica, "cost_sheets", {"id": sheets[n], "title": f"queued at copy {n}"}
        )
    take_copy(path, tmp_path / "copy.sqlite", how)

    # what the laptop did after the copy, and pushed, before its disk was lost
    for n in range(5):
        if lost == "annotations":
            documents.add_annotation(client.replica, sheets[0], f"lost timeline {n}", "asha")
        else:
            documents.save_document(client.replica, "cost_sheets", {"style_code": f"LOST-{n}"})
    client.sync()
    client.close()
    client.replica.close()

    restore(tmp_path / "copy.sqlite", path)
    client = SyncClient(open_replica(path), server.url, info.token)
    stamp = outbox_stamp(client)
    made = {}
    for n in range(3):
        row = documents.save_document(
            client.replica, "cost_sheets", {"style_code": f"NEW-{n}", "title": f"new {n}"}
        )
        made[row["id"]] = f"new {n}"
    for n in (0, 3):  # one edit of a row also queued at the copy, one of a row that was not
        documents.save_document(
            client.replica, "cost_sheets", {"id": sheets[n], "title": f"after restore {n}"}
        )
        made[sheets[n]] = f"after restore {n}"

    pushed = client.sync().pushed
    assert (pushed.conflicts, pushed.rejected) == (0, 0)
    assert documents.outbox_counts(client.replica) == {"pending": 0, "rejected": 0}
    assert documents.conflicts(client.replica) == []
    on_server = server_titles(server)
    assert {k: on_server.get(k) for k in made} == made
    mine = {
        r["id"]: r["title"]
        for r in client.replica.conn.execute("SELECT id, title FROM cost_sheets WHERE deleted = 0")
    }
    assert {k: mine.get(k) for k in made} == made
    assert client.count_mismatches() == {}
    # the outbox's sequence only grows (the dashboards' change stamp), past the server's mark
    assert outbox_stamp(client) > stamp
    assert outbox_stamp(client) >= last_mutation_seq(server, info.device_id)
    client.close()


def mutation(seq: int, mutation_id: str, row_id: str, title: str) -> dict:
    row = {
        "id": row_id,
        "style_code": "TS-1",
        "title": title,
        "body": "{}",
        "created_by": "",
        "deleted": 0,
        "updated_at": "2026-11-01T00:00:00Z",
    }
    return {
        "seq": seq,
        "mutation_id": mutation_id,
        "table": "cost_sheets",
        "op": "upsert",
        "row_id": row_id,
        "base_version": 0,
        "row": row,
    }


def test_a_number_used_by_another_edit_refuses_the_whole_push(server: Server) -> None:
    info = login(server.url, "merchandiser@alpha", PASSWORD, "laptop")
    with server.client(info.token) as http:
        first = http.post("/v1/push", json={"mutations": [mutation(1, "m-1", "sheet-1", "one")]})
        assert first.status_code == 200
        batch = [mutation(1, "m-other", "sheet-2", "two"), mutation(2, "m-2", "sheet-3", "three")]
        reused = http.post("/v1/push", json={"mutations": batch})
        assert reused.status_code == 409
        body = reused.json()
        assert body["error"] == "mutation_seq_reused"
        assert body["last_mutation_seq"] == 1 and body["seq"] == 1
        assert "restored" in body["message"]
        assert set(server_titles(server)) == {"sheet-1"}  # nothing of the refused batch
        assert last_mutation_seq(server, info.device_id) == 1
        # the same edit sent again (its answer was lost) still gets the answer it was given
        again = http.post("/v1/push", json={"mutations": [mutation(1, "m-1", "sheet-1", "one")]})
        assert again.status_code == 200 and again.json() == first.json()


def test_answers_stored_before_mutation_ids_were_kept(server: Server) -> None:
    """Answers stored before the server kept mutation ids have none: a replay is recognised by
    the answer itself, the row it is about and the values it holds."""
    info = login(server.url, "merchandiser@alpha", PASSWORD, "laptop")
    with server.client(info.token) as http:
        first = http.post("/v1/push", json={"mutations": [mutation(1, "m-1", "sheet-1", "one")]})
        with server.engine.begin() as conn:
            conn.execute(sa.update(schema.mutations).values(mutation_id=None))
        again = http.post("/v1/push", json={"mutations": [mutation(1, "m-1", "sheet-1", "one")]})
        assert again.status_code == 200 and again.json() == first.json()
        other_row = http.post(
            "/v1/push", json={"mutations": [mutation(1, "m-2", "sheet-2", "two")]}
        )
        assert other_row.status_code == 409
        same_row = http.post(
            "/v1/push", json={"mutations": [mutation(1, "m-3", "sheet-1", "edited again")]}
        )
        assert same_row.status_code == 409
    assert server_titles(server) == {"sheet-1": "one"}


def _answering(results: list[dict], status: int = 200) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        if status != 200:
            return httpx.Response(status, json=results[0])
        return httpx.Response(200, json={"results": results})

    return httpx.MockTransport(handler)


def test_an_answer_about_another_row_is_never_settled(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "replica.sqlite")
    mine = documents.save_document(replica, "cost_sheets", {"style_code": "TS-1"})
    [seq] = [r[0] for r in replica.conn.execute("SELECT seq FROM outbox")]
    note = {
        "id": "note-1",
        "material_id": "m",
        "body": "not this",
        "version": 7,
        "deleted": 0,
        "updated_at": "2026-11-01T00:00:00Z",
    }
    wrong = _answering([{"seq": seq, "status": "applied", "row": note}])
    client = SyncClient(replica, "http://sync.test", "token", transport=wrong)
    with pytest.raises(SyncError, match="answer to another edit"):
        client.push()
    assert documents.outbox_counts(replica) == {"pending": 1, "rejected": 0}
    assert replica.conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    [(version,)] = replica.conn.execute(
        "SELECT version FROM cost_sheets WHERE id = ?", (mine["id"],)
    )
    assert version == 0


def test_a_server_that_keeps_refusing_the_numbers_stops_the_sync(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "replica.sqlite")
    documents.save_document(replica, "cost_sheets", {"style_code": "TS-1"})
    refusal = {
        "error": "mutation_seq_reused",
        "message": "numbers already used",
        "last_mutation_seq": 10,
        "seq": 1,
    }
    client = SyncClient(
        replica, "http://sync.test", "token", transport=_answering([refusal], status=409)
    )
    with pytest.raises(SyncError) as raised:
        client.push()
    assert raised.value.code == "mutation_seq_reused"
    [(seq, pending)] = replica.conn.execute("SELECT seq, status FROM outbox")
    assert seq > 10 and pending == "pending"  # numbered again, and still queued
    assert json.loads(replica.conn.execute("SELECT payload FROM outbox").fetchone()[0])
