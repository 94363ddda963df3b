"""How a replica's encrypted pages are laid out (`cipher.Layout`), and the conversion of a
replica made before 8 KiB pages (`cipher.LEGACY`: SQLCipher's default 4 KiB pages with
HMAC-SHA512) as it opens.

What must hold: a new replica is laid out exactly as `cipher.REPLICA` says (so a snapshot's
pages can be copied into it); a replica of the version before opens with every row and every
unsent edit it held, those still in its write-ahead log included, under the same key, and is
then laid out anew; a conversion cut short leaves the old file as it was; a wrong key converts
nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.sync_fixtures import material
from workbench import documents
from workbench.replica import Replica, cipher, keys, open_replica
from workbench.replica.migrate import LATEST_VERSION, migrate
from workbench.workspace import REPLICA_FILE, open_workspace

#: a figure that appears nowhere but in these rows
PRICE = "24680.1357"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _legacy_copy(source: Path, target: Path, key: bytes) -> None:
    """The replica at ``source`` as the version before laid it out, at ``target``."""
    cipher.export(source, target, key, layout=cipher.LEGACY, source_key=key)


def _legacy_replica(
    folder: Path, key: bytes, prefix: str = "", n: int = 0
) -> tuple[Path, dict[str, str]]:
    """A replica as the version before laid it out, at ``folder``/r.sqlite under ``key``, with
    ``n`` materials coded ``prefix``-0… ; its path and their prices by code."""
    replica = open_replica(folder / "new.sqlite", key)
    expected = _insert_materials(replica.conn, prefix, n) if n else {}
    replica.close()
    path = folder / "r.sqlite"
    _legacy_copy(folder / "new.sqlite", path, key)
    return path, expected


def _insert_materials(conn: sqlite3.Connection, prefix: str, n: int) -> dict[str, str]:
    rows = [material(f"{prefix}-{i}", price=PRICE, description="l" * 400) for i in range(n)]
    names = list(rows[0])
    conn.execute("BEGIN")
    conn.executemany(
        f"INSERT INTO materials ({', '.join(names)}, version) "
        f"VALUES ({', '.join('?' * len(names))}, 1)",
        [tuple(r.values()) for r in rows],
    )
    conn.execute("COMMIT")
    return {r["code"]: PRICE for r in rows}


def _whole(path: Path, key: bytes) -> None:
    """SQLite's and SQLCipher's integrity checks pass on the file opened as `REPLICA`."""
    conn = cipher.connect(path, key)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA cipher_integrity_check").fetchall() == []
    finally:
        conn.close()


def test_a_new_replica_is_laid_out_exactly_as_the_layout_says(tmp_path: Path) -> None:
    key = cipher.new_key()
    replica = open_replica(tmp_path / "r.sqlite", key)
    conn = replica.conn
    assert conn.execute("PRAGMA cipher_page_size").fetchone()[0] == "8192"
    assert conn.execute("PRAGMA cipher_hmac_algorithm").fetchone()[0] == "HMAC_SHA256"
    assert int(conn.execute("PRAGMA page_size").fetchone()[0]) == 8192
    replica.close()
    # the header leaves the IV and the HMAC-SHA256 their 48 bytes, not SQLCipher's default 80
    assert cipher.reserved_bytes(tmp_path / "r.sqlite", key) == cipher.REPLICA.reserve == 48
    assert cipher.layout_of(tmp_path / "r.sqlite", key) == cipher.REPLICA
    with pytest.raises(cipher.WrongKey):
        cipher.connect(tmp_path / "r.sqlite", key, layout=cipher.LEGACY)


def test_the_layout_of_a_file_is_told_from_its_first_page(tmp_path: Path) -> None:
    key = cipher.new_key()
    replica = open_replica(tmp_path / "new.sqlite", key)
    replica.close()
    _legacy_copy(tmp_path / "new.sqlite", tmp_path / "old.sqlite", key)
    plain = open_replica(tmp_path / "plain.sqlite")
    plain.close()
    (tmp_path / "empty.sqlite").write_bytes(b"")
    (tmp_path / "noise.sqlite").write_bytes(os.urandom(3 * 8192))
    assert cipher.layout_of(tmp_path / "new.sqlite", key) == cipher.REPLICA
    assert cipher.layout_of(tmp_path / "old.sqlite", key) == cipher.LEGACY
    assert cipher.layout_of(tmp_path / "new.sqlite", cipher.new_key()) is None
    for name in ("plain.sqlite", "empty.sqlite", "noise.sqlite"):
        assert cipher.layout_of(tmp_path / name, key) is None, name


def test_a_replica_of_the_version_before_opens_whole_and_is_laid_out_anew(
    tmp_path: Path,
) -> None:
    """Its rows, its unsent edit and the rows a crash left in its write-ahead log are all
    there, under the same key, and the file is `REPLICA` afterwards."""
    folder = tmp_path / "acme"
    workspace = open_workspace(folder)
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "UNSENT"})
    workspace.close()
    path = folder / REPLICA_FILE
    key = keys.replica_key(path)
    _legacy_copy(path, tmp_path / "legacy.sqlite", key)
    os.replace(tmp_path / "legacy.sqlite", path)
    assert cipher.layout_of(path, key) == cipher.LEGACY

    # the version before writes rows, and the laptop stops before they leave the log
    conn = cipher.connect(path, key, layout=cipher.LEGACY, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    expected = _insert_materials(conn, "OLD", 120)
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    for name in (REPLICA_FILE, f"{REPLICA_FILE}-wal"):
        shutil.copy2(folder / name, crashed / name)
    conn.close()
    assert (crashed / f"{REPLICA_FILE}-wal").stat().st_size > 0
    for file in crashed.iterdir():  # the files as the crash left them
        shutil.copy2(file, folder / file.name)

    workspace = open_workspace(folder)
    conn = workspace.replica.conn
    assert dict(conn.execute("SELECT code, price FROM materials").fetchall()) == expected
    assert conn.execute("SELECT style_code FROM cost_sheets").fetchone()[0] == "UNSENT"
    assert documents.outbox_counts(workspace.replica)["pending"] == 1
    assert workspace.replica.key == key
    workspace.close()
    assert cipher.layout_of(path, key) == cipher.REPLICA
    assert cipher.reserved_bytes(path, key) == cipher.REPLICA.reserve
    _whole(path, key)
    assert not (folder / f"{REPLICA_FILE}.relaying").exists(), "a partial copy was left"
    for file in folder.rglob("*"):
        if file.is_file():
            assert PRICE.encode() not in file.read_bytes(), file.name


def test_a_conversion_cut_short_leaves_the_replica_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A crash while the new copy is written: the old file is untouched, the next open
    converts it from the beginning."""
    key = cipher.new_key()
    path, expected = _legacy_replica(tmp_path, key, "CUT", 80)
    before = _digest(path)
    export = cipher.export

    def crashing(source: Path, target: Path, *args: object, **kwargs: object) -> None:
        Path(target).write_bytes(b"half a copy")
        raise OSError("the disk filled up")

    monkeypatch.setattr(cipher, "export", crashing)
    with pytest.raises(OSError, match="disk filled"):
        open_replica(path, key)
    assert _digest(path) == before and cipher.layout_of(path, key) == cipher.LEGACY
    monkeypatch.setattr(cipher, "export", export)
    replica = open_replica(path, key)
    assert dict(replica.conn.execute("SELECT code, price FROM materials").fetchall()) == expected
    replica.close()
    assert cipher.layout_of(path, key) == cipher.REPLICA
    assert not path.with_name(path.name + ".relaying").exists()


def test_a_wrong_key_converts_nothing(tmp_path: Path) -> None:
    key = cipher.new_key()
    path, _ = _legacy_replica(tmp_path, key)
    before = _digest(path)
    with pytest.raises(cipher.WrongKey):
        open_replica(path, cipher.new_key())
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.sqlite", "r.sqlite"]


def test_a_replica_converted_keeps_its_schema_version(tmp_path: Path) -> None:
    key = cipher.new_key()
    path, _ = _legacy_replica(tmp_path, key)
    version = LATEST_VERSION
    with pytest.raises(cipher.WrongKey):  # not yet: it opens only as it was laid out
        cipher.connect(path, key)
    replica = open_replica(path, key)
    assert replica.conn.execute("PRAGMA user_version").fetchone()[0] == version
    assert migrate(replica.conn) == (version, version)
    replica.close()


def test_two_processes_opening_it_at_once_convert_it_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app and the command line opening a replica of the version before together: one
    converts it, the other finds it done and opens what the first wrote to, so nothing either
    writes afterwards is lost. (Threads here: the lock is a file lock, which two openings of
    the file in one process contend for just as two processes do.)"""
    key = cipher.new_key()
    path, expected = _legacy_replica(tmp_path, key, "TWO", 200)
    exports: list[Path] = []
    export = cipher.export
    both_checked = threading.Barrier(2)

    def counted(source: Path, target: Path, *args: object, **kwargs: object) -> None:
        exports.append(Path(target))
        export(source, target, *args, **kwargs)  # type: ignore[arg-type]

    layout_of = cipher.layout_of

    def together(*args: object, **kwargs: object) -> cipher.Layout | None:
        found = layout_of(*args, **kwargs)  # type: ignore[arg-type]
        if threading.current_thread().name.startswith("opening"):
            with contextlib.suppress(threading.BrokenBarrierError):
                both_checked.wait(timeout=2)  # both have seen the old layout before either locks
        return found

    monkeypatch.setattr(cipher, "export", counted)
    monkeypatch.setattr(cipher, "layout_of", together)
    opened: list[Replica] = []
    errors: list[BaseException] = []

    def open_it() -> None:
        try:
            opened.append(open_replica(path, key))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=open_it, name=f"opening-{n}") for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(opened) == 2
    assert len(exports) == 1, "converted twice"
    first, second = opened
    with first.transaction() as conn:
        conn.execute("UPDATE materials SET price = '1.11' WHERE code = 'TWO-1'")
    with second.transaction() as conn:
        conn.execute("UPDATE materials SET price = '2.22' WHERE code = 'TWO-2'")
    first.close()
    second.close()
    monkeypatch.undo()
    reopened = open_replica(path, key)
    prices = dict(reopened.conn.execute("SELECT code, price FROM materials").fetchall())
    reopened.close()
    assert prices == {**expected, "TWO-1": "1.11", "TWO-2": "2.22"}
