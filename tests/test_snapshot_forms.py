"""The snapshot's SQLCipher form laid out as a replica's pages and without their HMAC
(``sqlcipher-8k``), and the version window around it.

An encrypted laptop asks for the snapshot with 8 KiB pages that carry no HMAC: the
download's SHA-256 checks the whole file, so the page copy into the replica skips a second
check of every page. What must hold: the replica the pages land in keeps its own HMAC and reads
back whole once reopened; the file is never in clear on disk and its key in no file and no
log; laptops of the versions before (asking ``sqlcipher``, or ``sqlcipher-nohmac``, a form no
longer built) and plain ones are served as before or told which form to ask instead; and a
laptop of this version still makes a correct first sync from a server that refuses the form
(the version before: 400 naming ``form``), answers it with ``sqlcipher`` or with the gzip.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from sync.client import SyncClient, login, snapshot_import
from sync.client import snapshot as client_snapshot
from sync.client.rows import replica_columns
from sync.server import snapshot as server_snapshot
from sync.server.handlers import feed
from sync.server.openapi import openapi_document
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.replica import cipher, open_replica

#: a price that appears nowhere but in this workspace's rows
PRICE = "86420.1357"
NEW_FORM, SQLCIPHER = "sqlcipher-8k", "sqlcipher"


def encrypted_client(server: Server, path: Path) -> SyncClient:
    info = login(server.url, "merchandiser@alpha", PASSWORD, "laptop")
    return SyncClient(open_replica(path, cipher.new_key()), server.url, info.token)


def priced_materials(server: Server, prefix: str, n: int = 300) -> dict[str, str]:
    """``n`` materials at `PRICE` on the server; their codes and prices."""
    rows = [material(f"{prefix}-{i}", price=PRICE, description="w" * 300) for i in range(n)]
    write_rows(server.engine, server.workspaces["alpha"], "materials", rows)
    return {r["code"]: r["price"] for r in rows}


def asked_forms(client: SyncClient) -> list[str | None]:
    """The ``form`` of every snapshot description the client asks for, as it asks."""
    asked: list[str | None] = []

    def note(request: httpx.Request) -> None:
        if request.url.path == "/v1/snapshot":
            asked.append(request.url.params.get("form"))

    client.http.event_hooks["request"].append(note)
    return asked


def form_rewritten(client: SyncClient, to: str | None) -> None:
    """The client's snapshot requests reach the server asking ``to`` (None: no form), as a
    laptop of the version before asks, or as a server that ignores the new form reads it."""

    def rewrite(request: httpx.Request) -> None:
        if request.url.params.get("form") is not None:
            url = request.url.copy_remove_param("form")
            request.url = url if to is None else url.copy_add_param("form", to)

    client.http.event_hooks["request"].insert(0, rewrite)


def taken(monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[bool]]:
    """What the client downloads (`Downloaded`) and whether each empty replica took it whole
    by the page copy (`adopt`), recorded as the sync runs."""
    downloads: list[Any] = []
    adopted: list[bool] = []
    download, adopt = client_snapshot.download, snapshot_import.adopt

    def downloading(*args: Any, **kwargs: Any) -> Any:
        downloads.append(download(*args, **kwargs))
        return downloads[-1]

    def adopting(*args: Any, **kwargs: Any) -> bool:
        adopted.append(adopt(*args, **kwargs))
        return adopted[-1]

    monkeypatch.setattr(client_snapshot, "download", downloading)
    monkeypatch.setattr(snapshot_import, "adopt", adopting)
    return downloads, adopted


def reopened_whole(path: Path, key: bytes, expected: dict[str, str]) -> None:
    """The replica at ``path``, opened afresh with its key and its HMAC, holds exactly
    ``expected`` (code → price), passes SQLite's and SQLCipher's integrity checks, and still
    detects a changed byte: its pages kept their HMAC."""
    conn = cipher.connect(path, key)
    try:
        rows = dict(conn.execute("SELECT code, price FROM materials").fetchall())
        assert rows == expected
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    with open(path, "r+b") as f:  # one byte of the third page, in what its rows fill
        f.seek(3 * cipher.REPLICA.page_bytes - cipher.REPLICA.reserve - 200)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x01]))
    conn = cipher.connect(path, key)
    try:
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall(), "no HMAC on the page"
    finally:
        conn.close()


def process_defaults() -> list[object]:
    """SQLCipher's process-wide defaults, which an ``ATTACH`` reads (`cipher.attach`)."""
    conn = cipher.sqlcipher.connect(":memory:")
    try:
        return [
            conn.execute(f"PRAGMA cipher_default_{name}").fetchone()[0]
            for name in ("page_size", "hmac_algorithm", "use_hmac")
        ]
    finally:
        conn.close()


def test_every_form_is_built_and_dropped_together_each_under_its_own_key(
    server: Server, tmp_path: Path
) -> None:
    store = server_snapshot.SnapshotStore(server.engine, tmp_path / "built", max_age_s=0)
    workspace = server.workspaces["alpha"]
    builds = []
    for n in range(3):
        write_rows(server.engine, workspace, "materials", [material(f"B-{n}", price=PRICE)])
        builds.append(store.latest(workspace, "merchandiser"))
    first, previous, latest = builds
    names = sorted(p.name for p in (tmp_path / "built").iterdir())
    for built in (previous, latest):
        base = built.name.removesuffix(".sqlite.gz")
        for suffix in (".search.tar.gz", ".sqlcipher", ".8k.sqlcipher"):
            assert base + suffix in names
        for suffix in (".sqlcipher.key", ".8k.sqlcipher.key"):
            assert base + suffix in names
            assert (tmp_path / "built" / (base + suffix)).stat().st_mode & 0o077 == 0
    first_base = first.name.removesuffix(".sqlite.gz")
    assert not [name for name in names if name.startswith(first_base)]  # dropped together

    with_hmac, without = latest.encrypted[SQLCIPHER], latest.encrypted[NEW_FORM]
    assert without.name.endswith(".8k.sqlcipher") and with_hmac.key != without.key
    assert without.key is not None and with_hmac.key is not None
    for form, file in ((SQLCIPHER, with_hmac), (NEW_FORM, without)):
        described = latest.describe(form)
        assert (described["form"], described["name"], described["sha256"]) == (
            form,
            file.name,
            file.sha256,
        )
        assert described["key"] == (file.key or b"").hex()
    # the new form opens only without HMAC, laid out as a replica with HMAC is; the older one
    # in SQLCipher's default layout, as laptops of its version open it
    with pytest.raises(cipher.WrongKey):
        cipher.connect(without.path, without.key)
    assert cipher.layout_of(without.path, without.key, hmac=False) == cipher.REPLICA
    assert cipher.reserved_bytes(without.path, without.key, hmac=False) == cipher.REPLICA.reserve
    assert cipher.layout_of(with_hmac.path, with_hmac.key) == cipher.LEGACY
    read = []
    for file, hmac, layout in ((with_hmac, True, cipher.LEGACY), (without, False, cipher.REPLICA)):
        assert file.key is not None
        conn = cipher.connect(file.path, file.key, hmac=hmac, layout=layout)
        read.append(conn.execute("SELECT code, price FROM materials ORDER BY code").fetchall())
        conn.close()
    assert read[0] == read[1] == [(f"B-{n}", PRICE) for n in range(3)]


def test_the_api_answers_each_form_and_refuses_an_unknown_one(server: Server) -> None:
    priced_materials(server, "API", 20)
    with server.client(server.login("merchandiser@alpha")) as http:
        plain = http.get("/v1/snapshot").json()
        old = http.get("/v1/snapshot", params={"form": SQLCIPHER}).json()
        new = http.get("/v1/snapshot", params={"form": NEW_FORM}).json()
        assert plain.get("form", "gzip") == "gzip" and "key" not in plain
        assert old["form"] == SQLCIPHER and old["name"].endswith(".sqlcipher")
        assert not old["name"].endswith(".8k.sqlcipher")
        assert new["form"] == NEW_FORM and new["name"].endswith(".8k.sqlcipher")
        assert len({plain["name"], old["name"], new["name"]}) == 3
        assert old["key"] != new["key"] and len(bytes.fromhex(new["key"])) == cipher.KEY_BYTES
        assert plain["seq"] == old["seq"] == new["seq"]
        body = http.get(f"/v1/snapshot/{new['name']}")
        assert body.headers["content-type"] == "application/octet-stream"
        assert not body.content.startswith(cipher.PLAIN_HEADER) and len(body.content) == new["size"]
        # sqlcipher-nohmac: a form no longer built, which a laptop of that version asks first;
        # the 400 naming the field sends it to ``sqlcipher``
        for unknown in ("8k", "sqlcipher-nohmac", "sqlcipher-16k", "SQLCIPHER"):
            refused = http.get("/v1/snapshot", params={"form": unknown})
            assert refused.status_code == 400 and refused.json()["field"] == "form"
            assert NEW_FORM in refused.json()["message"]
    document = openapi_document()
    [form] = [
        p for p in document["paths"]["/v1/snapshot"]["get"]["parameters"] if p["name"] == "form"
    ]
    assert form["schema"]["enum"] == ["gzip", SQLCIPHER, NEW_FORM]
    answer = document["components"]["schemas"]["Snapshot"]["properties"]["form"]
    assert set(answer["enum"]) == {"gzip", SQLCIPHER, NEW_FORM}


def test_an_encrypted_first_sync_copies_the_new_forms_pages_and_keeps_its_own_hmac(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = priced_materials(server, "NH")
    client = encrypted_client(server, tmp_path / "laptop" / "r.sqlite")
    asked = asked_forms(client)
    downloads, adopted = taken(monkeypatch)
    client.sync()
    assert asked == [NEW_FORM]
    [got] = downloads
    assert got.sealed == cipher.Sealed(got.sealed.key, cipher.REPLICA, hmac=False)
    assert got.image is None
    assert adopted == [True]  # the page copy, not the tables row by row
    assert client.count_mismatches() == {}
    key = client.replica.key
    assert key is not None
    client.replica.close()
    reopened_whole(tmp_path / "laptop" / "r.sqlite", key, expected)


def test_nothing_of_the_new_form_is_in_clear_and_its_key_nowhere(
    server: Server,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """Every file of the laptop's folder, while the snapshot downloads and after the sync:
    no price of the workspace in it, nor the snapshot's key (raw or hex); nor in any log."""
    priced_materials(server, "CL")
    laptop = tmp_path / "laptop"
    client = encrypted_client(server, laptop / "r.sqlite")
    answered: list[dict[str, Any]] = []

    def described(response: httpx.Response) -> None:
        if response.url.path == "/v1/snapshot":
            response.read()
            answered.append(response.json())

    client.http.event_hooks["response"].append(described)
    looked: list[str] = []

    def no_price_in_any_file(done: int, total: int) -> None:
        for file in laptop.rglob("*"):
            if file.is_file():
                assert PRICE.encode() not in file.read_bytes(), file.name
                looked.append(file.name)

    with caplog.at_level(logging.DEBUG):
        client.download_snapshot(progress=no_price_in_any_file)  # then the whole sync
        client.sync()
    assert any(name.endswith(".8k.sqlcipher.part") for name in looked)
    keys = {a["key"] for a in answered}
    assert len(keys) == 1 and {a["form"] for a in answered} == {NEW_FORM}
    [key] = keys
    out, err = capfd.readouterr()
    for told in (caplog.text, out, err):
        assert key not in told and key.upper() not in told
    client.replica.close()
    for file in laptop.rglob("*"):
        if file.is_file():
            data = file.read_bytes()
            assert PRICE.encode() not in data, file.name
            assert bytes.fromhex(key) not in data and key.encode() not in data, file.name


def _previous_server(monkeypatch: pytest.MonkeyPatch, client: SyncClient) -> None:
    monkeypatch.setattr(feed, "FORMS", ("gzip", SQLCIPHER))


SERVERS: dict[str, Callable[[pytest.MonkeyPatch, SyncClient], None]] = {
    # the version before: the new form is not one it knows, a 400 naming the field
    "refuses the form": _previous_server,
    # a server that ignores the new form and answers the one before it
    "answers sqlcipher": lambda _patch, client: form_rewritten(client, SQLCIPHER),
    # a server from before any encrypted form
    "answers the gzip": lambda _patch, client: form_rewritten(client, None),
}


@pytest.mark.parametrize("answering", list(SERVERS))
def test_a_server_that_does_not_answer_the_new_form_still_gives_a_correct_first_sync(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answering: str
) -> None:
    expected = priced_materials(server, "VW")
    laptop = tmp_path / "laptop"
    client = encrypted_client(server, laptop / "r.sqlite")
    asked = asked_forms(client)
    SERVERS[answering](monkeypatch, client)
    downloads, _adopted = taken(monkeypatch)
    client.sync()
    [got] = downloads
    if answering == "refuses the form":
        assert asked == [NEW_FORM, SQLCIPHER]
    if answering == "answers the gzip":
        assert got.sealed is None and got.image is not None
    else:  # SQLCipher's default layout: its rows imported, not its pages copied
        assert got.sealed == cipher.Sealed(got.sealed.key, cipher.LEGACY, hmac=True)
        assert _adopted == [False]
    assert client.count_mismatches() == {}
    assert not [p for p in laptop.iterdir() if "snapshot" in p.name or p.name.endswith(".part")]
    key = client.replica.key
    assert key is not None
    client.replica.close()
    reopened_whole(laptop / "r.sqlite", key, expected)


def test_a_laptop_of_the_version_before_is_served_the_form_it_asks_for(
    server: Server, tmp_path: Path
) -> None:
    """A laptop of the version before asks ``sqlcipher`` and opens the file with HMAC, as it
    always did: that is what it is answered."""
    priced_materials(server, "OV", 20)
    with server.client(server.login("merchandiser@alpha")) as http:
        info = http.get("/v1/snapshot", params={"form": SQLCIPHER}).json()
        body = http.get(f"/v1/snapshot/{info['name']}").content
    assert info["form"] == SQLCIPHER
    (tmp_path / "old.sqlcipher").write_bytes(body)
    conn = cipher.connect(
        tmp_path / "old.sqlcipher", bytes.fromhex(info["key"]), layout=cipher.LEGACY
    )
    assert conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 20
    conn.close()


@pytest.mark.parametrize("form", [NEW_FORM, SQLCIPHER, None])
def test_a_replica_holding_rows_imports_each_form(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str | None
) -> None:
    """A repair, a 410 or a role change into an encrypted replica that holds rows attaches
    the snapshot (`_insert_tables`), laid out as its form is, under the process's defaults
    put back for every other connection."""
    expected = priced_materials(server, "AT", 50)
    client = encrypted_client(server, tmp_path / "r.sqlite")
    form_rewritten(client, form)
    client.sync()
    defaults = process_defaults()
    with client.replica.transaction() as conn:  # a row the snapshot replaces
        conn.execute("UPDATE materials SET price = '1.00' WHERE code = 'AT-1'")
    downloads, adopted = taken(monkeypatch)
    client.bootstrap()
    assert adopted == ([] if form is None else [False])  # the gzip is copied from memory
    [got] = downloads
    if form is None:
        assert got.sealed is None
    else:
        layout = cipher.REPLICA if form == NEW_FORM else cipher.LEGACY
        assert got.sealed == cipher.Sealed(got.sealed.key, layout, hmac=form == SQLCIPHER)
    assert dict(client.replica.conn.execute("SELECT code, price FROM materials")) == expected
    assert process_defaults() == defaults
    fresh = cipher.connect(tmp_path / "fresh.sqlite", cipher.new_key())
    assert fresh.execute("PRAGMA cipher_use_hmac").fetchone()[0] == "1"
    fresh.close()
    key = client.replica.key
    assert key is not None
    client.replica.close()
    reopened_whole(tmp_path / "r.sqlite", key, expected)


def test_a_file_without_hmac_laid_out_for_less_is_imported_row_by_row(tmp_path: Path) -> None:
    """A snapshot without HMAC whose pages leave only the IV's 16 bytes to the cipher: copied
    page by page, its rows would reach into the 48 bytes the replica's IV and HMAC take, and
    the replica read back damaged once reopened. It is taken row by row instead."""
    source = open_replica(tmp_path / "source.sqlite")
    rows = [material(f"LO-{i}", price=PRICE, description="v" * 700) for i in range(400)]
    with source.transaction() as conn:
        names = list(rows[0])
        conn.executemany(
            f"INSERT INTO materials ({', '.join(names)}, version) "
            f"VALUES ({', '.join('?' * len(names))}, 1)",
            [tuple(r.values()) for r in rows],
        )
    source.close()
    key = cipher.new_key()
    snap = tmp_path / "snapshot.sqlcipher"
    conn = sqlite3.connect(tmp_path / "source.sqlite")
    conn.execute("PRAGMA journal_mode = DELETE")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.close()
    export = cipher.sqlcipher.connect(str(tmp_path / "source.sqlite"), isolation_level=None)
    cipher.attach(export, snap, "tight", key, hmac=False)  # laid out without HMAC from the start
    export.execute("SELECT sqlcipher_export('tight')")
    export.execute(f"PRAGMA tight.user_version = {int(version)}")
    export.execute("DETACH DATABASE tight")
    export.close()
    assert cipher.reserved_bytes(snap, key, hmac=False) == 16
    replica = open_replica(tmp_path / "laptop" / "r.sqlite", cipher.new_key())
    snapshot_import.import_tables(
        replica,
        replica_columns(replica),
        snap,
        7,
        lambda *_: None,
        sealed=cipher.Sealed(key, cipher.REPLICA, hmac=False),
    )
    assert replica.cursor == 7
    replica_key = replica.key
    assert replica_key is not None
    replica.close()
    reopened_whole(tmp_path / "laptop" / "r.sqlite", replica_key, {r["code"]: PRICE for r in rows})
