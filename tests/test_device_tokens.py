"""Device tokens' lifetime over real HTTP: expiry after idle time and at a maximum age,
replacement on use (the app keeps the new token; the old one stops), the device list's last
use and expiry, and sign-outs on a password or role change."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.client import SyncError
from sync.server import accounts, schema
from sync.server.config import ServerConfig, Tokens
from sync.server.serve import ServerThread
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server
from workbench import credentials


def stamp(days_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def age(server: Server, **columns: str) -> None:
    """Make every device older than it is (its sign-in, last use, token)."""
    with server.engine.begin() as conn:
        conn.execute(sa.update(schema.devices).values(**columns))


def counts(server: Server, token: str):  # type: ignore[no-untyped-def]
    with server.client(token) as http:
        return http.get("/v1/counts")


def test_a_token_unused_for_too_long_or_too_old_gets_401(server: Server) -> None:
    token = server.login("merchandiser@alpha")
    assert counts(server, token).status_code == 200
    age(server, last_seen_at=stamp(31))  # idle past the default 30 days
    answer = counts(server, token)
    assert answer.status_code == 401 and answer.json()["error"] == "unauthorized"
    assert "sign-in has expired" in answer.json()["message"]
    fresh = server.login("merchandiser@alpha")
    age(server, created_at=stamp(181), last_seen_at=stamp(0.5), token_issued_at=stamp(0.5))
    assert counts(server, fresh).status_code == 401  # in use, but older than 180 days


def test_a_replaced_token_works_and_the_old_one_stops(server: Server) -> None:
    old = server.login("merchandiser@alpha")
    age(server, token_issued_at=stamp(2))  # older than a day: replaced on its next use
    with server.client(old) as http:
        answer = http.get("/v1/counts")
    assert answer.status_code == 200
    new = answer.headers["X-Workbench-Token"]
    assert new != old
    # until the new one is used, the old one still works (its answer may have been lost)
    with server.client(new) as http:
        again = http.get("/v1/counts")
        assert again.status_code == 200 and "X-Workbench-Token" not in again.headers
    refused = counts(server, old)
    assert refused.status_code == 401 and "unknown or was revoked" in refused.json()["message"]
    assert counts(server, new).status_code == 200


def test_a_lost_new_token_is_replaced_again(server: Server) -> None:
    old = server.login("merchandiser@alpha")
    age(server, token_issued_at=stamp(2))
    lost = counts(server, old).headers["X-Workbench-Token"]  # never reaches the laptop
    retried = counts(server, old)
    assert retried.status_code == 200
    newer = retried.headers["X-Workbench-Token"]
    assert newer not in (old, lost)
    assert counts(server, lost).status_code == 401
    assert counts(server, newer).status_code == 200
    assert counts(server, old).status_code == 401


def test_the_app_keeps_the_new_token(server: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    try:
        old = credentials.load_token(server.url, "merchandiser@alpha")
        assert old is not None
        sync_workspace(workspace)
        age(server, token_issued_at=stamp(2))
        sync_workspace(workspace)
        new = credentials.load_token(server.url, "merchandiser@alpha")
        assert new is not None and new != old
        sync_workspace(workspace)  # uses the new one: the old one stops
        assert counts(server, old).status_code == 401
        assert counts(server, new).status_code == 200
    finally:
        workspace.close()


def test_an_expired_sign_in_asks_the_user_to_sign_in(server: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    try:
        age(server, last_seen_at=stamp(40))
        with pytest.raises(SyncError) as refused:
            sync_workspace(workspace, retries=0)
        assert refused.value.code == "unauthorized"
        assert "sign in again" in str(refused.value)
    finally:
        workspace.close()


def test_lifetimes_come_from_the_settings(server: Server, tmp_path: Path) -> None:
    config = ServerConfig(tokens=Tokens(idle_days=2, max_age_days=10, rotate_after_s=3600))
    with ServerThread(server.engine, tmp_path / "snap", config=config) as strict:
        other = Server(server.engine, strict.url, server.workspaces)
        token = other.login("floor@alpha")
        age(other, last_seen_at=stamp(1), token_issued_at=stamp(0.01))
        assert counts(other, token).status_code == 200
        assert "X-Workbench-Token" not in counts(other, token).headers
        age(other, last_seen_at=stamp(3))
        assert counts(other, token).status_code == 401


def test_the_device_list_shows_last_use_and_expiry(server: Server) -> None:
    token = server.login("merchandiser@alpha")
    age(server, created_at=stamp(10), last_seen_at=stamp(1))
    counts(server, token)
    db = server.engine.url.render_as_string(hide_password=False)
    result = CliRunner().invoke(sync_cli, ["--db", db, "device", "list", "--json"])
    assert result.exit_code == 0, result.output
    [device] = json.loads(result.output)
    assert device["last_seen_at"] is not None
    expected = datetime.now(UTC) - timedelta(days=1) + timedelta(days=30)
    expires = datetime.fromisoformat(device["expires_at"].replace("Z", "+00:00"))
    assert abs(expires - expected) < timedelta(minutes=5)
    text = CliRunner().invoke(sync_cli, ["--db", db, "device", "list"]).output
    assert "last used 20" in text and "expires 20" in text


def test_a_role_or_password_change_signs_the_users_devices_out(server: Server) -> None:
    laptop, tablet = server.login("merchandiser@alpha"), server.login("merchandiser@alpha")
    other_user = server.login("floor@alpha")
    # by default a role change keeps them signed in (their next sync takes the new role's rows)
    assert accounts.set_role(server.engine, "merchandiser@alpha", "admin") == 0
    assert counts(server, laptop).status_code == 200
    strict = ServerConfig(tokens=Tokens(revoke_on_role_change=True))
    assert (
        accounts.set_role(server.engine, "merchandiser@alpha", "merchandiser", config=strict) == 2
    )
    assert counts(server, laptop).status_code == counts(server, tablet).status_code == 401
    assert counts(server, other_user).status_code == 200
    laptop = server.login("merchandiser@alpha")
    tablet = server.login("merchandiser@alpha")
    keep = accounts.list_devices(server.engine, "alpha")[-1]["id"]  # the tablet's
    revoked = accounts.set_password(
        server.engine,
        "merchandiser@alpha",
        "a new password 1",
        keep_device=keep,
        password_cost=FAST_HASH,
    )
    assert revoked == 1
    assert counts(server, laptop).status_code == 401
    assert counts(server, tablet).status_code == 200
    # where the settings say not to, the devices stay signed in
    relaxed = ServerConfig(
        tokens=Tokens(revoke_on_role_change=False, revoke_on_password_change=False)
    )
    assert (
        accounts.set_role(server.engine, "merchandiser@alpha", "merchandiser", config=relaxed) == 0
    )
    assert (
        accounts.set_password(
            server.engine, "merchandiser@alpha", PASSWORD, config=relaxed, password_cost=FAST_HASH
        )
        == 0
    )
    assert counts(server, tablet).status_code == 200
    actions = [e["action"] for e in _audit(server)]
    assert "user.password_changed" in actions and "user.role_changed" in actions


def _audit(server: Server) -> list[dict]:
    from sync.server.audit import entries

    with server.engine.connect() as conn:
        return [e.as_dict() for e in entries(conn, server.workspaces["alpha"])]


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_the_window_asks_for_a_sign_in_when_it_expired(
    qtbot,
    server: Server,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    from ui.main_window import MainWindow
    from ui.ops import OpRunner

    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    win = MainWindow(
        workspace,
        OpRunner(),
        syncer=lambda ctx: sync_workspace(workspace, cancel=ctx.cancel_event, retries=0),
    )
    qtbot.addWidget(win)
    try:
        age(server, last_seen_at=stamp(40))
        with qtbot.waitSignal(win.sync.synced, timeout=20_000):
            win.sync.sync_now()
        assert win.sync_label.text().startswith("signed out — this device's sign-in has expired")
        dialog = win.sync.login_dialog
        assert dialog is not None and dialog.isVisible()
        # the server this workspace knows is read on a worker and offered once read
        qtbot.waitUntil(lambda: dialog.server.text() == server.url, timeout=10_000)
        dialog.close()
    finally:
        win.close()
        workspace.close()


def test_resetting_a_password_from_the_command_line(server: Server, tmp_path: Path) -> None:
    token = server.login("merchandiser@alpha")
    db = server.engine.url.render_as_string(hide_password=False)
    reset = CliRunner().invoke(
        sync_cli,
        ["--db", db, "user", "reset", "merchandiser@alpha", "--password-stdin"],
        input="another password 9\n",
    )
    assert reset.exit_code == 0, reset.output
    assert "1 device(s) signed out" in reset.output
    assert counts(server, token).status_code == 401
    settings = tmp_path / "sync.toml"
    token = server.login("floor@alpha")
    kept = CliRunner().invoke(
        sync_cli, ["--db", db, "user", "set-role", "floor@alpha", "merchandiser"]
    )
    assert kept.exit_code == 0 and "signed out" not in kept.output, kept.output
    assert counts(server, token).status_code == 200
    settings.write_text("[tokens]\nrevoke_on_role_change = true\n")
    moved = CliRunner().invoke(
        sync_cli,
        ["--db", db, "--config", str(settings), "user", "set-role", "floor@alpha", "floor"],
    )
    assert moved.exit_code == 0 and "1 device(s) signed out" in moved.output, moved.output
    assert counts(server, token).status_code == 401
    settings.write_text("[tokens]\nrevoke_on_roles = false\n")
    wrong = CliRunner().invoke(
        sync_cli,
        ["--db", db, "--config", str(settings), "user", "set-role", "floor@alpha", "floor"],
    )
    assert wrong.exit_code != 0 and "no setting 'revoke_on_roles'" in wrong.output
