"""``workbench login``, ``workbench sync`` and ``workbench status`` against a real server."""

from __future__ import annotations

import json
import shutil
from contextlib import closing
from pathlib import Path

import sqlalchemy as sa
from click.testing import CliRunner

from sync.server import schema
from tests.conftest import MemoryKeyring
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from ui.cli import cli
from workbench import credentials, documents
from workbench.replica import keys
from workbench.replica.store import connect
from workbench.workspace import REPLICA_FILE, open_workspace


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=input, obj={})
    return result.exit_code, result.output


def test_login_sync_status(server: Server, tmp_path: Path, memory_keyring: MemoryKeyring) -> None:
    data = str(tmp_path / "data")
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}") for i in range(12)],
    )
    code, out = run(
        "--data-dir",
        data,
        "login",
        "--server",
        server.url,
        "--user",
        "merchandiser@alpha",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert code == 0, out
    login = json.loads(out)
    assert (login["workspace"], login["role"], login["token"]) == (
        "alpha",
        "merchandiser",
        "keyring",
    )
    # the token is in the keyring (beside the replica's key), not in any file of the data
    # directory
    [token] = [
        secret
        for (service, _), secret in memory_keyring.secrets.items()
        if service == credentials.SERVICE
    ]
    for path in Path(data).rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path

    code, out = run("--data-dir", data, "sync")
    assert code == 0, out
    report = json.loads(out)
    assert report["pulled"] == 12 and report["count_mismatches"] == {}

    workspace = open_workspace(Path(login["folder"]))
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "TS-1"})
    workspace.close()
    code, out = run("--data-dir", data, "status")
    status = json.loads(out)
    assert status["outbox"]["pending"] == 1 and status["counts"]["materials"] == 12
    assert status["search_index"] == "ready"
    code, out = run("--data-dir", data, "sync")
    assert json.loads(out)["pushed"] == 1
    assert json.loads(run("--data-dir", data, "status")[1])["outbox"]["pending"] == 0


def test_a_replica_restored_from_a_backup_keeps_the_edits_made_since(
    server: Server, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    data = str(tmp_path / "data")
    code, out = run(
        "--data-dir",
        data,
        "login",
        "--server",
        server.url,
        "--user",
        "merchandiser@alpha",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert code == 0, out
    folder = Path(json.loads(out)["folder"])
    run("--data-dir", data, "sync")
    replica_file = folder / REPLICA_FILE
    yesterday = tmp_path / "yesterday.sqlite"
    key = keys.replica_key(replica_file)
    with closing(connect(replica_file, key)) as src, closing(connect(yesterday, key)) as dst:
        src.backup(dst)

    def edit(prefix: str) -> None:
        workspace = open_workspace(folder)
        for n in range(5):
            values = {"style_code": f"{prefix}-{n}"}
            documents.save_document(workspace.replica, "cost_sheets", values)
        workspace.close()

    edit("BEFORE-THE-DISK-FAILED")
    assert json.loads(run("--data-dir", data, "sync")[1])["pushed"] == 5
    for extra in ("-wal", "-shm"):
        Path(f"{replica_file}{extra}").unlink(missing_ok=True)
    shutil.copyfile(yesterday, replica_file)  # restored from yesterday's backup
    edit("AFTER-THE-RESTORE")
    code, out = run("--data-dir", data, "sync")
    assert code == 0, out
    report = json.loads(out)
    assert report["pushed"] == 5 and report["count_mismatches"] == {}
    status = json.loads(run("--data-dir", data, "status")[1])
    assert status["outbox"]["pending"] == 0 and status["counts"]["cost_sheets"] == 10
    sheets = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        codes = set(conn.execute(sa.select(sheets.c.style_code)).scalars())
    assert {f"AFTER-THE-RESTORE-{n}" for n in range(5)} <= codes and len(codes) == 10


def test_login_with_a_wrong_password_says_so(server: Server, tmp_path: Path) -> None:
    code, out = run(
        "--data-dir",
        str(tmp_path),
        "login",
        "--server",
        server.url,
        "--user",
        "merchandiser@alpha",
        "--password-stdin",
        input="nope\n",
    )
    assert code == 1 and "unknown username or wrong password" in out


def test_sync_without_login_says_what_to_do(tmp_path: Path) -> None:
    code, out = run("--data-dir", str(tmp_path), "sync")
    assert code == 1 and "workbench login" in out


def test_an_unreachable_server_is_reported(tmp_path: Path) -> None:
    code, out = run(
        "--data-dir",
        str(tmp_path),
        "login",
        "--server",
        "http://127.0.0.1:9",
        "--user",
        "x",
        "--password-stdin",
        input="pw\n",
    )
    assert code == 1 and "cannot reach the sync server" in out
