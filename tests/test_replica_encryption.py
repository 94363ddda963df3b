"""A laptop's replica is encrypted at rest (SQLCipher), its key in the OS keyring.

What a thief who copies the data directory gets: files in which none of the workspace's
prices or costing figures appear, and that no SQLite tool opens without the key.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from sync.session import sign_in, sync_workspace
from tests.conftest import MemoryKeyring, NoKeyring
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import cipher, keys, open_replica
from workbench.replica.store import ENCRYPTED_CACHE_KIB
from workbench.workspace import REPLICA_FILE, demo_workspace, open_workspace

#: figures that appear nowhere but in this workspace's rows
PRICE = "98765.4321"
FOB = "13579.2468"


def _files(folder: Path) -> list[Path]:
    """The replica and everything SQLite keeps beside it (write-ahead log, shared memory)."""
    return [p for p in folder.glob(f"{REPLICA_FILE}*") if p.is_file()]


def _holds(path: Path, text: str) -> bool:
    return text.encode() in path.read_bytes()


def test_a_synced_laptop_holds_no_price_or_cost_in_readable_form(
    server: Server, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"ENC-{i}", price=PRICE) for i in range(30)],
    )
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    documents.save_document(
        workspace.replica, "cost_sheets", {"style_code": "ENC-TEE", "body": f'{{"fob": "{FOB}"}}'}
    )
    # the figures are there for the app…
    price = workspace.replica.conn.execute("SELECT price FROM materials LIMIT 1").fetchone()[0]
    assert price == PRICE
    root = workspace.root
    # …and nowhere in the files, neither while the app runs (the write-ahead log) nor after
    for path in _files(root):
        assert not _holds(path, PRICE) and not _holds(path, FOB), path
    workspace.close()
    files = _files(root)
    assert root / REPLICA_FILE in files
    for path in files:
        assert not _holds(path, PRICE) and not _holds(path, FOB), path
    # the key is in the keyring, not in any file of the folder
    [key] = [s for (service, _), s in memory_keyring.secrets.items() if service == keys.SERVICE]
    for path in root.rglob("*"):
        assert not path.is_file() or key.encode() not in path.read_bytes(), path


def test_the_replica_does_not_open_without_its_key(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "acme")
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "KEYED"})
    workspace.close()
    replica_file = tmp_path / "acme" / REPLICA_FILE
    with closing(sqlite3.connect(replica_file)) as plain, pytest.raises(sqlite3.DatabaseError):
        plain.execute("SELECT count(*) FROM cost_sheets").fetchone()
    with pytest.raises(cipher.WrongKey, match="another key"):
        open_replica(replica_file, cipher.new_key())
    again = open_workspace(tmp_path / "acme")  # with its own key, from the keyring
    assert again.replica.conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == "KEYED"
    again.close()


def test_a_keyring_that_lost_the_key_is_named_not_a_damaged_file(
    tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    open_workspace(tmp_path / "acme").close()
    memory_keyring.secrets.clear()
    keys.drop_keys_in_memory()  # the app started again
    with pytest.raises(keys.NoKeyError, match="holds no key for acme"):
        open_workspace(tmp_path / "acme")


def test_signing_in_again_after_the_key_was_lost_starts_afresh(
    server: Server, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    """The keyring was reset: the old file is set aside, unread and undeleted, and signing in
    downloads the workspace into a new replica."""
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("LOST-1")])
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    root = workspace.root
    workspace.close()
    memory_keyring.secrets.clear()
    keys.drop_keys_in_memory()
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    assert workspace.replica.conn.execute("SELECT code FROM materials").fetchone()[0] == "LOST-1"
    workspace.close()
    [aside] = root.glob(f"{REPLICA_FILE}.unreadable-*[0-9]Z")
    assert not cipher.is_plain(aside)


def test_a_plain_replica_from_before_is_encrypted_as_it_opens(tmp_path: Path) -> None:
    folder = tmp_path / "acme"
    plain = open_replica(folder / REPLICA_FILE)  # as replicas were before encryption
    body = f'{{"fob": "{FOB}"}}'
    documents.save_document(plain, "cost_sheets", {"style_code": "OLD", "body": body})
    plain.close()
    assert cipher.is_plain(folder / REPLICA_FILE)
    assert _holds(folder / REPLICA_FILE, FOB) or any(_holds(p, FOB) for p in _files(folder))

    workspace = open_workspace(folder)
    conn = workspace.replica.conn
    assert conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == "OLD"
    # its unsent edit is still queued
    assert documents.outbox_counts(workspace.replica)["pending"] == 1
    workspace.close()
    assert not cipher.is_plain(folder / REPLICA_FILE)
    for path in _files(folder):
        assert not _holds(path, FOB), path


def test_an_encryption_cut_short_leaves_the_replica_as_it_was(tmp_path: Path) -> None:
    """A crash after the encrypted copy was half written: the plain replica is untouched,
    and the next start encrypts it again from the beginning."""
    folder = tmp_path / "acme"
    plain = open_replica(folder / REPLICA_FILE)
    documents.save_document(plain, "cost_sheets", {"style_code": "KEPT"})
    plain.close()
    (folder / f"{REPLICA_FILE}.encrypting").write_bytes(b"half an encrypted copy")
    workspace = open_workspace(folder)
    assert workspace.replica.conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == (
        "KEPT"
    )
    workspace.close()
    assert not (folder / f"{REPLICA_FILE}.encrypting").exists()


def test_without_a_keyring_the_app_says_so(tmp_path: Path, no_keyring: NoKeyring) -> None:
    with pytest.raises(keys.NoKeyError, match="no system keyring is available"):
        open_workspace(tmp_path / "acme")
    assert not (tmp_path / "acme" / REPLICA_FILE).exists()  # nothing written unencrypted


def test_without_a_keyring_a_passphrase_may_stand_in(
    tmp_path: Path, no_keyring: NoKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "correct horse battery staple")
    workspace = open_workspace(tmp_path / "acme")
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "PASS"})
    workspace.close()
    assert not cipher.is_plain(tmp_path / "acme" / REPLICA_FILE)
    again = open_workspace(tmp_path / "acme")
    assert again.replica.conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == "PASS"
    again.close()
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "a wrong guess")
    with pytest.raises(cipher.WrongKey):
        open_workspace(tmp_path / "acme")
    monkeypatch.delenv(keys.PASSPHRASE_ENV)
    with pytest.raises(keys.NoKeyError, match="encrypted with a passphrase"):
        open_workspace(tmp_path / "acme")


def test_the_demo_runs_without_a_keyring(tmp_path: Path, no_keyring: NoKeyring) -> None:
    """Made-up demo data only: kept plain where no keyring exists, so the demo still starts."""
    workspace = demo_workspace(tmp_path, materials=50)
    assert workspace.replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 50
    workspace.close()


def test_the_dashboards_order_file_is_sealed(tmp_path: Path) -> None:
    """The order file beside the replica holds every order's value: sealed with a key derived
    from the replica's, it shows none of them; the dashboards still open from it."""
    import numpy as np

    from workbench.analytics import Filters, cache, store_file
    from workbench.demo import generate_demo

    workspace = open_workspace(tmp_path / "acme")
    replica = workspace.replica
    generate_demo(replica, materials=40, orders=300, seed=3)
    price, mill = replica.conn.execute(
        "SELECT unit_price, mill FROM orders WHERE mill != '' LIMIT 1"
    ).fetchone()
    assert cache.prepare_order_file(replica.path, replica.key)
    path = store_file.path_for(replica.path)
    blob = path.read_bytes()
    assert cipher.is_sealed(blob)
    for clear in (np.float64(price).tobytes(), mill.encode(), mill.encode("utf-32-le")):
        assert clear not in blob
    # read back through the key (and not without it)
    _stamp, store = store_file.read(path, replica.key)
    assert len(store.raw) == 300
    with pytest.raises(store_file.Unusable):
        store_file.read(path)
    with pytest.raises(store_file.Unusable):
        store_file.read(path, cipher.new_key())
    # the dashboards open from the sealed file
    analytics = cache.Analytics(replica)
    analytics.order_history(Filters())
    assert analytics.last_refresh["source"] == "file"
    workspace.close()


def test_a_plain_order_file_beside_an_encrypted_replica_is_deleted(tmp_path: Path) -> None:
    from workbench.analytics import cache, store_file
    from workbench.demo import generate_demo

    folder = tmp_path / "acme"
    plain = open_replica(folder / REPLICA_FILE)  # from before encryption, with its order file
    generate_demo(plain, materials=40, orders=200, seed=3)
    assert cache.prepare_order_file(plain.path)
    plain.close()
    path = store_file.path_for(folder / REPLICA_FILE)
    assert not cipher.is_sealed(path.read_bytes())
    workspace = open_workspace(folder)
    with pytest.raises(store_file.Unusable, match="unencrypted"):
        store_file.read(path, workspace.replica.key)
    assert not path.exists()
    assert cache.prepare_order_file(workspace.replica.path, workspace.replica.key)
    assert cipher.is_sealed(path.read_bytes())
    workspace.close()


def test_rows_of_an_encrypted_replica_read_as_a_plain_replicas_do(tmp_path: Path) -> None:
    """Code reads rows by index, by column name in any case, with keys() and dict(): the
    encrypted replica's rows answer each of them as sqlite3.Row does on a plain one."""
    plain = open_replica(tmp_path / "plain.sqlite")
    encrypted = open_replica(tmp_path / "encrypted.sqlite", b"k" * 32)
    query = "SELECT key, value, key AS Other, 7 AS seven FROM sync_state ORDER BY key"
    for replica in (plain, encrypted):
        replica.set_state("cursor", "41")
        replica.set_state("username", "ana")
    for replica in (plain, encrypted):
        for other in ("SELECT 1 AS a", "SELECT 2 AS b, 3 AS a"):  # other shapes in between
            assert replica.conn.execute(other).fetchone()["a"] in (1, 3)
    mine = [r for r in encrypted.conn.execute(query) if r["key"] in ("cursor", "username")]
    theirs = [r for r in plain.conn.execute(query) if r["key"] in ("cursor", "username")]
    assert [dict(r) for r in mine] == [dict(r) for r in theirs]
    distinct = "SELECT key, value, 7 AS seven FROM sync_state ORDER BY key"
    assert [cipher.as_dict(r) for r in encrypted.conn.execute(distinct)] == [
        dict(r) for r in plain.conn.execute(distinct)
    ]
    assert [cipher.as_dict(r) for r in plain.conn.execute(distinct)] == [
        dict(r) for r in plain.conn.execute(distinct)
    ]
    assert [r.keys() for r in mine] == [r.keys() for r in theirs]
    assert [(r[1], r["VALUE"], r["other"], r[-1], tuple(r)) for r in mine] == [
        (r[1], r["VALUE"], r["other"], r[-1], tuple(r)) for r in theirs
    ]
    for row in (mine[0], theirs[0]):
        with pytest.raises(IndexError):
            row["nothing"]
    plain.close()
    encrypted.close()


def test_an_encrypted_replica_keeps_a_larger_page_cache(tmp_path: Path) -> None:
    """Each page an encrypted replica reads is decrypted: its connections keep more of them
    (a plain one keeps SQLite's default, the OS caches its file)."""
    encrypted = open_replica(tmp_path / "e.sqlite", cipher.new_key())
    plain = open_replica(tmp_path / "p.sqlite")
    try:
        assert encrypted.conn.execute("PRAGMA cache_size").fetchone()[0] == -ENCRYPTED_CACHE_KIB
        assert plain.conn.execute("PRAGMA cache_size").fetchone()[0] == -2000
    finally:
        encrypted.close()
        plain.close()
