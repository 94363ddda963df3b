"""A first sync into an encrypted replica leaves nothing of the snapshot in clear on disk.

It asks the server for the snapshot as a SQLCipher database under a key of its own: the bytes
on disk are encrypted from the first one (and resume with Range), the key is in no log and no
file. Against a server that only knows the gzip form, the partial download is encrypted as it
arrives and the SQLite file is opened from memory, never written out.
"""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest

from sync.client import SyncClient, login
from sync.client.snapshot import ENCRYPTED_FORM, ENCRYPTED_FORMS, PART_PURPOSE
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import cipher, open_replica

GZIP_MAGIC = b"\x1f\x8b"


def encrypted_client(server: Server, path: Path, user: str = "merchandiser@alpha") -> SyncClient:
    info = login(server.url, user, PASSWORD, "laptop")
    return SyncClient(open_replica(path, cipher.new_key()), server.url, info.token)


def as_an_older_server(client: SyncClient) -> None:
    """The client's requests reach the server without the snapshot form, as a server from
    before the form ignores it."""

    def drop_form(request: httpx.Request) -> None:
        request.url = request.url.copy_remove_param("form")

    client.http.event_hooks["request"].append(drop_form)


def codes(client: SyncClient) -> set[str]:
    return {r[0] for r in client.replica.conn.execute("SELECT code FROM materials")}


def many_materials(server: Server, prefix: str) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"{prefix}-{i}", description="z" * 400) for i in range(300)],
    )


def test_the_encrypted_snapshot_is_never_in_clear_on_disk(server: Server, tmp_path: Path) -> None:
    many_materials(server, "EN")
    laptop = tmp_path / "laptop"
    client = encrypted_client(server, laptop / "r.sqlite")
    seen: list[bytes] = []

    def look(done: int, total: int) -> None:  # on disk while the download runs
        for part in laptop.glob("*.part"):
            head = part.read_bytes()[:16]
            assert not head.startswith(GZIP_MAGIC) and head != cipher.PLAIN_HEADER, part.name
            seen.append(head)
        assert not (laptop / "snapshot.sqlite").exists()

    got = client.download_snapshot(progress=look)
    assert seen and got.sealed is not None and got.image is None
    assert got.path.name == "snapshot.sqlcipher" and not cipher.is_plain(got.path)
    assert got.sealed.key.hex() not in repr(got)
    with pytest.raises(cipher.DatabaseError):  # without its key it is no database
        cipher.connect(got.path, None).execute("SELECT count(*) FROM materials").fetchone()
    with pytest.raises(cipher.WrongKey):  # nor under the replica's
        cipher.connect(got.path, client.replica.key)
    client.sync()
    assert codes(client) == {f"EN-{i}" for i in range(300)}
    assert sorted(p.name for p in laptop.iterdir() if "snapshot" in p.name) == []
    assert not list(laptop.glob("*.part"))
    assert client.count_mismatches() == {}


def test_the_snapshot_key_is_in_no_log_and_no_file(
    server: Server,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    many_materials(server, "LG")
    client = encrypted_client(server, tmp_path / "laptop" / "r.sqlite")
    with caplog.at_level(logging.DEBUG):
        client.sync()
    key = client.request("GET", "/v1/snapshot", params={"form": ENCRYPTED_FORM})["key"]
    assert len(bytes.fromhex(key)) == cipher.KEY_BYTES
    assert len(codes(client)) == 300
    out, err = capfd.readouterr()
    for told in (caplog.text, out, err):
        assert key not in told and key.upper() not in told
    for file in (tmp_path / "laptop").rglob("*"):
        if file.is_file():
            assert bytes.fromhex(key) not in file.read_bytes(), file.name
            assert key.encode() not in file.read_bytes(), file.name


def test_a_request_without_the_form_gets_the_gzip(server: Server) -> None:
    many_materials(server, "OL")
    with server.client(server.login("merchandiser@alpha")) as http:
        old = http.get("/v1/snapshot").json()
        assert "key" not in old and old.get("form", "gzip") == "gzip"
        assert http.get(f"/v1/snapshot/{old['name']}").content[:2] == GZIP_MAGIC
        new = http.get("/v1/snapshot", params={"form": ENCRYPTED_FORM}).json()
        assert new["seq"] == old["seq"] and new["name"] != old["name"]
        refused = http.get("/v1/snapshot", params={"form": "zip"})
        assert refused.status_code == 400 and refused.json()["field"] == "form"


def test_the_snapshot_key_file_is_never_served(server: Server, tmp_path: Path) -> None:
    many_materials(server, "KF")
    with server.client(server.login("merchandiser@alpha")) as http:
        infos = [http.get("/v1/snapshot", params={"form": f}).json() for f in ENCRYPTED_FORMS]
        key_files = list((tmp_path / "snapshots").glob("*.key"))
        assert sorted(f.read_bytes().hex() for f in key_files) == sorted(i["key"] for i in infos)
        for name in [f"{i['name']}.key" for i in infos] + [f.name for f in key_files]:
            assert http.get(f"/v1/snapshot/{name}").status_code == 404


def test_a_snapshot_cached_before_the_sqlcipher_form_is_answered_as_gzip(
    server: Server, tmp_path: Path
) -> None:
    """A server upgraded with snapshots in its cache: an encrypted laptop asking for the
    SQLCipher form gets the gzip, saying so, and takes it the earlier way."""
    many_materials(server, "UP")
    with server.client(server.login("merchandiser@alpha")) as http:
        http.get("/v1/snapshot").raise_for_status()
    for built in (tmp_path / "snapshots").glob("*.sqlcipher*"):
        built.unlink()
    client = encrypted_client(server, tmp_path / "laptop" / "r.sqlite")
    info = client.request("GET", "/v1/snapshot", params={"form": ENCRYPTED_FORM})
    assert "key" not in info and info["name"].endswith(".sqlite.gz")
    client.sync()
    assert len(codes(client)) == 300
    assert not list((tmp_path / "laptop").glob("snapshot*"))


def test_from_an_older_server_the_snapshot_never_rests_in_clear(
    server: Server, tmp_path: Path
) -> None:
    many_materials(server, "AR")
    client = encrypted_client(server, tmp_path / "r.sqlite")
    as_an_older_server(client)
    seen: list[str] = []

    def look(done: int, total: int) -> None:  # on disk while the download runs
        assert not (tmp_path / "snapshot.sqlite").exists()
        for part in tmp_path.glob("*.sqlite.gz.part"):
            body = part.read_bytes()
            assert body[cipher.STREAM_NONCE_BYTES :][:2] != GZIP_MAGIC, "a part in clear"
            seen.append(part.name)

    client.download_snapshot(progress=look)  # the whole path, then the import below
    assert seen
    client.sync()
    assert codes(client) == {f"AR-{i}" for i in range(300)}
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "snapshot.sqlite").exists()
    assert client.count_mismatches() == {}


def test_from_an_older_server_a_download_cut_short_resumes_with_range(
    server: Server, tmp_path: Path
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"RS-{i}", description="q" * 500) for i in range(300)],
    )
    client = encrypted_client(server, tmp_path / "r.sqlite")
    as_an_older_server(client)
    key = client.replica.key
    assert key is not None
    info = client.request("GET", "/v1/snapshot")
    whole = client.http.get(
        f"/v1/snapshot/{info['name']}", headers={"Accept-Encoding": "identity"}
    ).content
    half = len(whole) // 2
    stream = cipher.Stream(key, PART_PURPOSE, b"\x07" * cipher.STREAM_NONCE_BYTES)
    hidden = stream.nonce + stream.at(0).update(whole[:half])
    (tmp_path / f"{info['name']}.part").write_bytes(hidden)
    asked: list[str | None] = []
    client.http.event_hooks["request"].append(lambda r: asked.append(r.headers.get("range")))
    client.sync()
    assert f"bytes={half}-" in asked
    assert len(codes(client)) == 300


@pytest.mark.parametrize("older_server", [False, True])
def test_a_replica_holding_edits_takes_the_snapshot_and_keeps_them(
    server: Server, tmp_path: Path, older_server: bool
) -> None:
    """A repair (or a 410) into an encrypted replica that holds rows: the snapshot's rows
    replace the table's, a document with an unsent edit keeps the user's version."""
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("KP-1")])
    client = encrypted_client(server, tmp_path / "r.sqlite")
    if older_server:
        as_an_older_server(client)
    client.sync()
    saved = documents.save_document(client.replica, "cost_sheets", {"style_code": "UNSENT"})
    client.bootstrap()
    row = client.replica.conn.execute(
        "SELECT style_code FROM cost_sheets WHERE id = ?", (saved["id"],)
    ).fetchone()
    assert row is not None and row[0] == "UNSENT"
    assert codes(client) == {"KP-1"}
    client.sync()
    assert documents.outbox_counts(client.replica)["pending"] == 0


def test_a_build_that_fails_part_way_leaves_no_file_behind(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot build that dies after its search index and encrypted copy are in place (the
    disk filling while the gzip is written) takes them away again: nothing lies in the
    snapshot folder that no snapshot describes and no later build would clear."""
    from sync.server import snapshot as module

    many_materials(server, "FAIL")
    store = module.SnapshotStore(server.engine, tmp_path / "built")

    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patch:
        patch.setattr(module.igzip, "IGzipFile", disk_full)
        with pytest.raises(OSError, match="No space left"):
            store.latest(server.workspaces["alpha"], "merchandiser")
    assert sorted(p.name for p in (tmp_path / "built").iterdir()) == []
    built = store.latest(server.workspaces["alpha"], "merchandiser")
    assert built.encrypted is not None and built.search is not None
