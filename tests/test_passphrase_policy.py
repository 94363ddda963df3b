"""Whether a laptop with no keyring may keep its replica's key with a passphrase is the
workspace's policy, set by an admin on the server (`workbench-sync workspace policy`), told
to the laptop as it signs in and at each sync, and honoured: forbidden, the passphrase is
refused even when set; allowed, the laptop runs on it; forbidden later, the laptop stops
syncing and the workspace no longer opens there. Real server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from sync.cli import cli as admin_cli
from sync.client import SyncError
from sync.session import sign_in, sync_workspace
from tests.conftest import NoKeyring
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench.replica import cipher, keys
from workbench.workspace import REPLICA_FILE, open_workspace

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)


def policy(server: Server, *flag: str) -> None:
    done = CliRunner().invoke(
        admin_cli, ["--db", str(server.engine.url), "workspace", "policy", "alpha", *flag]
    )
    assert done.exit_code == 0, done.output


def test_the_passphrase_is_refused_where_the_workspace_does_not_allow_it(
    server: Server, tmp_path: Path, passphrase_instead_of_keyring: str
) -> None:
    with pytest.raises(keys.NoKeyError, match="your administrator does not allow"):
        sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    assert not list(tmp_path.rglob(REPLICA_FILE))  # nothing kept, encrypted or not


def test_allowed_the_laptop_runs_on_its_passphrase_until_it_is_forbidden(
    server: Server, tmp_path: Path, passphrase_instead_of_keyring: str
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"P-{i}") for i in range(3)],
    )
    policy(server, "--passphrase")
    with server.client() as http:
        answer = http.post(
            "/v1/login", json={"username": "merchandiser@alpha", "password": PASSWORD}
        ).json()
    assert answer["workspace"]["passphrase_allowed"] is True
    workspace, info, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    assert info.passphrase_allowed
    assert sync_workspace(workspace).pulled == 3
    path = workspace.replica.path
    assert keys.uses_passphrase(path) and not cipher.is_plain(path)
    policy(server, "--no-passphrase")
    with pytest.raises(SyncError) as stopped:
        sync_workspace(workspace)
    assert stopped.value.code == "passphrase_forbidden"
    workspace.close()
    with pytest.raises(keys.NoKeyError, match="your administrator does not allow"):
        open_workspace(path.parent)  # the app's next start
    with pytest.raises(keys.NoKeyError, match="your administrator does not allow"):
        sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)


def test_a_laptop_with_a_keyring_is_not_concerned(server: Server, tmp_path: Path) -> None:
    workspace, info, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    assert not info.passphrase_allowed and not keys.uses_passphrase(workspace.replica.path)
    sync_workspace(workspace)
    workspace.close()


def test_an_unknown_workspace_is_named(server: Server, no_keyring: NoKeyring) -> None:
    done = CliRunner().invoke(
        admin_cli,
        ["--db", str(server.engine.url), "workspace", "policy", "nowhere", "--passphrase"],
    )
    assert done.exit_code != 0 and "no workspace 'nowhere'" in done.output
