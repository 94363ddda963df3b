"""Tokens for headless jobs: ``workbench login --print-token`` with no keyring, and an admin's
``workbench-sync device token``, each driving ``workbench sync`` through WORKBENCH_TOKEN."""

from __future__ import annotations

import json
from pathlib import Path

import keyring
import pytest
from click.testing import CliRunner
from keyring.backends import fail

from sync.cli import cli as sync_cli
from sync.server import accounts
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from ui.cli import cli
from workbench.replica import keys


@pytest.fixture
def no_keyring(server: Server, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server or container: no keyring. The token comes in WORKBENCH_TOKEN, and the key that
    encrypts the job's replica is derived from the passphrase its administrator set, which the
    workspace's policy allows."""
    keyring.set_keyring(fail.Keyring())  # the autouse memory keyring is put back after
    monkeypatch.setenv(keys.PASSPHRASE_ENV, "the job's passphrase")
    accounts.set_passphrase_policy(server.engine, "alpha", True)


def test_print_token_works_with_no_keyring(
    server: Server, tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}") for i in range(3)],
    )
    data = str(tmp_path / "data")
    signed = CliRunner().invoke(
        cli,
        [
            "--data-dir",
            data,
            "login",
            "--server",
            server.url,
            "--user",
            "merchandiser@alpha",
            "--password-stdin",
            "--print-token",
        ],
        input=PASSWORD + "\n",
        obj={},
    )
    assert signed.exit_code == 0, signed.output
    token = signed.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    assert json.loads(signed.stderr)["token"] == "printed"
    for path in Path(data).rglob("*"):  # printed once, kept nowhere
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path
    monkeypatch.setenv("WORKBENCH_TOKEN", token)
    synced = CliRunner().invoke(cli, ["--data-dir", data, "sync"], obj={})
    assert synced.exit_code == 0, synced.output
    assert json.loads(synced.stdout)["pulled"] == 3


def test_an_admins_token_for_a_job(
    server: Server, tmp_path: Path, no_keyring: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("F-1")])
    db = server.engine.url.render_as_string(hide_password=False)
    issued = CliRunner().invoke(
        sync_cli, ["--db", db, "device", "token", "floor@alpha", "--name", "nightly labels"]
    )
    assert issued.exit_code == 0, issued.output
    token = issued.stdout.strip()
    assert "shown this once" in issued.stderr
    [device] = accounts.list_devices(server.engine, "alpha")
    assert device["name"] == "nightly labels" and device["username"] == "floor@alpha"
    monkeypatch.setenv("WORKBENCH_TOKEN", token)
    data = str(tmp_path / "job")
    for _ in range(2):  # the first run sets the folder up, the next finds it
        synced = CliRunner().invoke(
            cli, ["--data-dir", data, "sync", "--server", server.url], obj={}
        )
        assert synced.exit_code == 0, synced.output
    assert (Path(data) / "workspaces" / "alpha" / "replica.sqlite").exists()
    unknown = CliRunner().invoke(
        sync_cli, ["--db", db, "device", "token", "nobody@alpha", "--name", "x"]
    )
    assert unknown.exit_code != 0 and "no user named" in unknown.output
    monkeypatch.delenv("WORKBENCH_TOKEN")
    needs = CliRunner().invoke(cli, ["--data-dir", data, "sync", "--server", server.url], obj={})
    assert needs.exit_code != 0 and "WORKBENCH_TOKEN" in needs.output
