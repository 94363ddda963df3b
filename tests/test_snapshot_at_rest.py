"""A first sync into an encrypted replica leaves nothing of the snapshot in clear on disk:
the partial download is encrypted as it arrives (and resumes with Range all the same), and the
SQLite file is opened from memory, never written out."""

from __future__ import annotations

from pathlib import Path

from sync.client import SyncClient, login
from sync.client.snapshot import PART_PURPOSE
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import cipher, open_replica

GZIP_MAGIC = b"\x1f\x8b"


def encrypted_client(server: Server, path: Path, user: str = "merchandiser@alpha") -> SyncClient:
    info = login(server.url, user, PASSWORD, "laptop")
    return SyncClient(open_replica(path, cipher.new_key()), server.url, info.token)


def codes(client: SyncClient) -> set[str]:
    return {r[0] for r in client.replica.conn.execute("SELECT code FROM materials")}


def test_the_snapshot_never_rests_in_clear(server: Server, tmp_path: Path) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"AR-{i}", description="z" * 400) for i in range(300)],
    )
    client = encrypted_client(server, tmp_path / "r.sqlite")
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


def test_an_encrypted_download_cut_short_resumes_with_range(server: Server, tmp_path: Path) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"RS-{i}", description="q" * 500) for i in range(300)],
    )
    client = encrypted_client(server, tmp_path / "r.sqlite")
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


def test_a_replica_holding_edits_takes_the_snapshot_and_keeps_them(
    server: Server, tmp_path: Path
) -> None:
    """A repair (or a 410) into an encrypted replica that holds rows: the snapshot's rows
    replace the table's, a document with an unsent edit keeps the user's version."""
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("KP-1")])
    client = encrypted_client(server, tmp_path / "r.sqlite")
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
