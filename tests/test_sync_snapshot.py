"""First sync from a server-built snapshot, resumable, then the change feed after it."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
import tantivy

from sync.client import SyncClient, SyncError, login, snapshot, snapshot_import
from sync.server import schema
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import cipher, open_replica
from workbench.search.index import read_stamp
from workbench.search.schema import SCHEMA


def new_client(server: Server, username: str, path: Path, key: bytes | None = None) -> SyncClient:
    info = login(server.url, username, PASSWORD, "laptop")
    return SyncClient(open_replica(path, key), server.url, info.token)


def codes(client: SyncClient) -> set[str]:
    return {
        r[0] for r in client.replica.conn.execute("SELECT code FROM materials WHERE deleted = 0")
    }


def test_an_empty_replica_starts_from_a_snapshot(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    rows = [material(f"F-{i}") for i in range(40)]
    snapshot_seq = write_rows(server.engine, ws, "materials", rows)
    write_rows(server.engine, ws, "materials", [{**rows[0], "deleted": 1}])  # a tombstone
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    client.sync()
    assert codes(client) == {f"F-{i}" for i in range(1, 40)}
    assert client.replica.cursor == snapshot_seq + 1
    assert client.count_mismatches() == {}
    # the snapshot is cached: a second laptop gets the same file and the feed after it
    write_rows(server.engine, ws, "materials", [material("NEW")])
    other = new_client(server, "admin@alpha", tmp_path / "o.sqlite")
    other.sync()
    assert codes(other) == codes(client) | {"NEW"}
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "snapshot.sqlite").exists()


def test_a_snapshot_import_leaves_the_replicas_indexes_as_they_were(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The import into a replica that holds rows drops a table's indexes and builds them
    again over the loaded rows: the replica must end with the same indexes as a new one,
    each usable and consistent."""
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(50)])
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    documents.save_document(client.replica, "cost_sheets", {"style_code": "TS-1"})
    monkeypatch.setattr(snapshot_import, "adopt", refused(snapshot_import.adopt))
    client.sync()
    assert len(codes(client)) == 50

    def indexes(conn) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
        return {
            (r[0], r[1])
            for r in conn.execute(
                "SELECT name, coalesce(sql, '') FROM sqlite_master WHERE type = 'index'"
            )
        }

    fresh = open_replica(tmp_path / "fresh.sqlite")
    conn = client.replica.conn
    assert indexes(conn) == indexes(fresh.conn) and len(indexes(conn)) > 10
    fresh.close()
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    plan = " ".join(
        r[3] for r in conn.execute("EXPLAIN QUERY PLAN SELECT id FROM materials WHERE code = 'F-7'")
    )
    assert "materials_code" in plan
    assert conn.execute("SELECT count(*) FROM materials WHERE code = 'F-7'").fetchone()[0] == 1


def test_the_snapshot_holds_only_what_the_role_may_see(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("F-1", price="10.00")])
    write_rows(server.engine, server.workspaces["beta"], "materials", [material("BETA")])
    client = new_client(server, "floor@alpha", tmp_path / "r.sqlite")
    client.sync()
    conn = client.replica.conn
    assert [tuple(r) for r in conn.execute("SELECT code, price FROM materials")] == [("F-1", None)]


@pytest.mark.parametrize("encrypted", [False, True])
def test_an_interrupted_download_resumes_with_range(
    server: Server, tmp_path: Path, encrypted: bool
) -> None:
    """A plain laptop's gzip, or an encrypted laptop's SQLCipher form (its bytes as sent are
    never in clear, so the part is them as they came)."""
    ws = server.workspaces["alpha"]
    write_rows(
        server.engine,
        ws,
        "materials",
        [material(f"F-{i}", description="x" * 500) for i in range(300)],
    )
    key = cipher.new_key() if encrypted else None
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite", key)
    form = {"form": snapshot.ENCRYPTED_FORM} if encrypted else {}
    info = client.request("GET", "/v1/snapshot", params=form)
    assert info.get("form", "gzip") == (snapshot.ENCRYPTED_FORM if encrypted else "gzip")
    whole = client.http.get(
        f"/v1/snapshot/{info['name']}", headers={"Accept-Encoding": "identity"}
    ).content
    assert len(whole) == info["size"]
    half = len(whole) // 2
    (tmp_path / f"{info['name']}.part").write_bytes(whole[:half])
    asked: list[str | None] = []
    client.http.event_hooks["request"].append(lambda r: asked.append(r.headers.get("range")))
    client.sync()
    assert f"bytes={half}-" in asked
    assert len(codes(client)) == 300


def test_a_part_of_a_file_the_server_replaced_starts_over(server: Server, tmp_path: Path) -> None:
    """When the server answers a resumed download with the whole file (the part was of other
    bytes), the digest and the decompression start again from its first byte."""
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}", description="y" * 300) for i in range(200)],
    )
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    info = client.request("GET", "/v1/snapshot")
    (tmp_path / f"{info['name']}.part").write_bytes(b"older bytes of another build" * 100)
    answers: list[int] = []

    def as_if_replaced(request: httpx.Request) -> None:
        if "If-Range" in request.headers:
            request.headers["If-Range"] = "the digest of an older build"

    client.http.event_hooks["request"].append(as_if_replaced)
    client.http.event_hooks["response"].append(lambda r: answers.append(r.status_code))
    client.sync()
    assert 200 in answers and 206 not in answers
    assert len(codes(client)) == 200


def test_a_damaged_download_is_refused(server: Server, tmp_path: Path) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("F-1")])
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    info = client.request("GET", "/v1/snapshot")
    (tmp_path / f"{info['name']}.part").write_bytes(b"\0" * info["size"])
    with pytest.raises(SyncError, match="damaged"):
        client.sync()
    assert client.replica.cursor == 0
    assert not (tmp_path / "snapshot.sqlite").exists()
    client.sync()  # the damaged part was dropped: the next try downloads afresh
    assert codes(client) == {"F-1"}


def test_must_refetch_rebootstraps_and_keeps_unsent_edits(server: Server, tmp_path: Path) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("F-1")])
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    client.sync()
    gone = material("GONE")
    write_rows(server.engine, ws, "materials", [gone])
    write_rows(server.engine, ws, "materials", [{**gone, "deleted": 1}])
    # the server purges tombstones older than its retention window
    with server.engine.begin() as conn:
        last = conn.execute(
            sa.select(schema.workspaces.c.last_seq).where(schema.workspaces.c.id == ws)
        ).scalar_one()
        conn.execute(
            sa.update(schema.workspaces).where(schema.workspaces.c.id == ws).values(min_seq=last)
        )
    sheet = documents.save_document(client.replica, "cost_sheets", {"style_code": "TS-1"})
    client.sync()
    assert codes(client) == {"F-1"}
    assert (
        client.replica.conn.execute(
            "SELECT style_code FROM cost_sheets WHERE id = ?", (sheet["id"],)
        ).fetchone()[0]
        == "TS-1"
    )
    assert client.count_mismatches() == {}


@pytest.mark.parametrize("form", ["plain", "sqlcipher", "gzip"])
def test_a_snapshot_older_than_the_replica_never_takes_back_a_settled_edit(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    """The server hands out a cached snapshot (younger than its ``max_age_s``), which can be
    older than the push answers a laptop has already settled. A sync that dies between the
    snapshot's import and its pull must not leave the laptop's own applied edit undone: the
    next edit of that sheet would start from the older row and conflict with itself.

    ``form``: a plain replica, or an encrypted one taking the snapshot as SQLCipher or, from
    a server that cached it before that form, as the gzip copied row by row."""
    key = None if form == "plain" else cipher.new_key()
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite", key)
    sheet = documents.save_document(
        client.replica, "cost_sheets", {"style_code": "TS-1", "title": "first"}
    )
    client.push()
    # a first sync that died while its snapshot came in: the server keeps the snapshot
    client.download_snapshot().path.unlink(missing_ok=True)
    if form == "gzip":
        for built in (tmp_path / "snapshots").glob("*.sqlcipher*"):
            built.unlink()
    documents.save_document(client.replica, "cost_sheets", {"id": sheet["id"], "title": "second"})

    def killed(*_args: object, **_kw: object) -> None:
        raise RuntimeError("the app died before its pull")

    monkeypatch.setattr(client, "pull", killed)
    with pytest.raises(RuntimeError):
        client.sync()  # pushes "second", imports the older cached snapshot, dies
    title, version = client.replica.conn.execute(
        "SELECT title, version FROM cost_sheets WHERE id = ?", (sheet["id"],)
    ).fetchone()
    assert (title, version) == ("second", 2)

    monkeypatch.undo()
    documents.save_document(client.replica, "cost_sheets", {"id": sheet["id"], "title": "third"})
    client.sync()
    assert documents.conflicts(client.replica) == []
    with server.engine.connect() as conn:
        t = schema.replicated["cost_sheets"]
        assert conn.execute(sa.select(t.c.title).where(t.c.id == sheet["id"])).scalar_one() == (
            "third"
        )


def test_a_count_mismatch_repairs_that_table(server: Server, tmp_path: Path) -> None:
    from sync.session import sign_in, sync_workspace

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(30)])
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    # rows vanish from the laptop behind the sync's back (a damaged or restored file)
    with workspace.replica.transaction() as conn:
        conn.execute("DELETE FROM materials WHERE code IN ('F-1', 'F-2', 'F-3')")
    write_rows(server.engine, ws, "materials", [material("NEW")])
    report = sync_workspace(workspace)
    assert report.count_mismatches == {}
    assert len(codes_of(workspace.replica)) == 31
    assert workspace.search.state.name == "READY"


def refused(adopt):  # type: ignore[no-untyped-def]
    """``snapshot_import.adopt``, checked to stand back (the replica holds rows)."""

    def checked(*args: object, **kwargs: object) -> bool:
        assert not adopt(*args, **kwargs), "a replica holding rows was replaced whole"
        return False

    return checked


def test_an_empty_replica_takes_the_snapshot_whole(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first sync makes the snapshot file the replica (no row-by-row insert), keeping the
    replica's own sync state and its write-ahead log."""
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}") for i in range(25)],
    )
    client = new_client(server, "merchandiser@alpha", tmp_path / "r.sqlite")
    replica = client.replica
    replica.set_state("device_id", "laptop-7")

    def no_inserts(*_args: object) -> None:
        raise AssertionError("an empty replica must take the snapshot whole")

    monkeypatch.setattr(snapshot_import, "_insert_tables", no_inserts)
    outcome = client.sync()
    assert len(codes(client)) == 25 and outcome.snapshot_rows == 25 and outcome.bootstrapped
    assert replica.get_state("device_id") == "laptop-7"
    assert client.count_mismatches() == {}
    # another thread's connection, opened before or after, sees the same file in WAL mode
    seen: list[object] = []
    reader = threading.Thread(
        target=lambda: seen.extend(
            [
                replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0],
                replica.conn.execute("PRAGMA journal_mode").fetchone()[0],
            ]
        )
    )
    reader.start()
    reader.join()
    assert seen == [25, "wal"]
    assert replica.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    # and the replica goes on syncing from the snapshot's cursor
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("NEW")])
    client.sync()
    assert "NEW" in codes(client)


def local_snapshot(path: Path, *codes: str) -> Path:
    """A snapshot file as the server writes one: a replica-schema file, no log beside it."""
    made = open_replica(path)
    with made.transaction() as conn:
        for code in codes:
            row = material(code)
            conn.execute(
                f"INSERT INTO materials ({', '.join(row)}, version) "
                f"VALUES ({', '.join('?' * len(row))}, 1)",
                [*row.values()],
            )
    made.close()
    with closing(sqlite3.connect(path)) as conn:  # the only connection: the mode can change
        conn.execute("PRAGMA journal_mode = DELETE")
    return path


def test_a_replica_holding_anything_is_not_replaced_whole(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    documents.save_document(replica, "cost_sheets", {"style_code": "TS-1"})
    assert not snapshot_import.adopt(replica, local_snapshot(tmp_path / "s.sqlite", "F-1"), 9)
    assert replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 0
    assert replica.conn.execute("SELECT count(*) FROM cost_sheets").fetchone()[0] == 1
    assert replica.cursor == 0


def test_a_snapshot_of_another_schema_is_not_adopted(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    other = local_snapshot(tmp_path / "s.sqlite", "F-1")
    conn = sqlite3.connect(other)
    conn.execute("CREATE INDEX materials_extra ON materials (colour)")
    conn.close()
    assert not snapshot_import.adopt(replica, other, 9)
    assert replica.cursor == 0
    assert snapshot_import.adopt(replica, local_snapshot(tmp_path / "t.sqlite", "F-1"), 9)
    assert replica.cursor == 9


def test_an_edit_committing_while_a_snapshot_is_adopted_is_never_overwritten(
    tmp_path: Path,
) -> None:
    """The emptiness check and the copy are one step for this app's writers: an edit whose
    transaction is open when the adoption starts makes it stand back, and the edit stays."""
    replica = open_replica(tmp_path / "r.sqlite")
    path = local_snapshot(tmp_path / "s.sqlite", "F-1")
    editing, release = threading.Event(), threading.Event()

    def edit() -> None:
        with replica.transaction() as conn:
            conn.execute(
                "INSERT INTO annotations (id, material_id, body, version, deleted, "
                "updated_at) VALUES ('a-1', 'm', 'note', 0, 0, '2026-12-07')"
            )
            editing.set()
            release.wait(10)

    editor = threading.Thread(target=edit)
    editor.start()
    assert editing.wait(10)
    adopted: list[bool] = []
    adopter = threading.Thread(
        target=lambda: adopted.append(snapshot_import.adopt(replica, path, 9))
    )
    adopter.start()
    adopter.join(0.3)
    assert adopter.is_alive()  # held back by the open edit
    release.set()
    editor.join()
    adopter.join(10)
    assert adopted == [False]
    assert replica.conn.execute("SELECT body FROM annotations").fetchall()[0][0] == "note"


def codes_of(replica) -> set[str]:  # type: ignore[no-untyped-def]
    return {r[0] for r in replica.conn.execute("SELECT code FROM materials WHERE deleted = 0")}


def holds_text(index_dir: Path, text: str) -> bool:
    """Whether any file of the index at ``index_dir`` holds ``text``."""
    needle = text.encode()
    return any(needle in p.read_bytes() for p in index_dir.rglob("*") if p.is_file())


def test_the_snapshot_comes_with_the_search_index_of_its_rows(
    server: Server, tmp_path: Path
) -> None:
    """Each role's snapshot has an index built from that role's rows, and no index holds a
    price: not the merchandiser's, whose replica has them, nor the floor's, whose has none."""
    ws = server.workspaces["alpha"]
    rows = [material(f"F-{i}", price="98765.4321") for i in range(12)]
    write_rows(server.engine, ws, "materials", rows)
    with pytest.raises(ValueError):
        tantivy.Query.range_query(SCHEMA, "price", tantivy.FieldType.Float, -1e12, 1e12)
    for role in ("merchandiser", "floor"):
        client = new_client(server, f"{role}@alpha", tmp_path / role / "r.sqlite")
        got = client.download_snapshot()
        assert got.search_index is not None
        stamp = read_stamp(got.search_index)
        assert stamp.documents == 12 and stamp.version == got.seq
        searcher = tantivy.Index.open(str(got.search_index)).searcher()
        code = tantivy.Query.term_query(SCHEMA, "code_key", "f-11")
        assert searcher.search(code, 1).count == 1  # the index holds the materials …
        assert not holds_text(got.search_index, "98765.43")  # … and no price
        client.close()


def test_a_first_sync_takes_the_servers_search_index(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sync.session import sign_in, sync_workspace
    from workbench.search import MaterialSearch
    from workbench.search.request import SearchRequest

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(30)])

    def no_build(*_args: object, **_kwargs: object) -> int:
        raise AssertionError("the index came with the snapshot: nothing to build")

    monkeypatch.setattr(MaterialSearch, "rebuild", no_build)
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    search = workspace.search
    assert search.state.name == "READY"
    assert search.search(SearchRequest(text="F-7")).ids[:1] == (
        workspace.replica.conn.execute("SELECT id FROM materials WHERE code = 'F-7'").fetchone()[0],
    )
    # the server's index was moved into place: nothing is left beside the replica
    assert not list(workspace.replica.path.parent.glob("search.snapshot*"))
    assert not list(workspace.replica.path.parent.glob("*.part"))
    # later changes reach it the usual way
    write_rows(server.engine, ws, "materials", [material("LATER")])
    sync_workspace(workspace)
    assert search.search(SearchRequest(text="LATER")).total == 1
    workspace.close()


def test_an_unusable_index_from_the_server_is_built_instead(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index the laptop cannot use (another format, damaged files) is set aside and the
    laptop builds its own; the first sync still ends searchable."""
    from sync.session import sign_in, sync_workspace
    from workbench.search import index as disk
    from workbench.search.request import SearchRequest

    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}") for i in range(20)],
    )
    unpack = snapshot._unpacked

    def unpacked_of_another_format(part: Path, target: Path) -> Path:
        folder = unpack(part, target)
        stamp = disk.read_stamp(folder)
        (folder / disk.STAMP_FILE).write_text(
            f'{{"format": 999, "version": {stamp.version}, "documents": {stamp.documents}}}'
        )
        return folder

    monkeypatch.setattr(snapshot, "_unpacked", unpacked_of_another_format)
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    report = sync_workspace(workspace)
    assert report.indexed == 20
    assert workspace.search.state.name == "READY"
    assert workspace.search.search(SearchRequest(text="F-3")).total == 1
    assert disk.read_stamp(workspace.search.index_dir).format == disk.INDEX_FORMAT
    assert not list(workspace.replica.path.parent.glob("search.snapshot*"))
    workspace.close()
