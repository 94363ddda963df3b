"""Throttling over real HTTP: wrong passwords per account and per address, writes per device,
429 with Retry-After, failures and refusals in the audit trail, state shared by servers."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest

from sync.client.api import SyncError, request
from sync.server import audit, throttle
from sync.server import sign_in as signing
from sync.server.accounts import workspace_id
from sync.server.config import ConfigError, Limits, ServerConfig, load_config, parse_config
from sync.server.serve import ServerThread
from tests.sync_fixtures import PASSWORD, Server

USER = "merchandiser@alpha"
HOME, STRANGER = "10.0.0.5", "203.0.113.9"


def sign_in(server: Server, username: str, password: str, address: str) -> httpx.Response:
    with server.client() as http:
        return http.post(
            "/v1/login",
            json={"username": username, "password": password},
            headers={"X-Forwarded-For": address},
        )


def audited(server: Server, action: str) -> list[audit.Entry]:
    with server.engine.connect() as conn:
        entries = audit.entries(conn, workspace_id(server.engine, "alpha"))
        return [e for e in entries if e.action == action]


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check the server makes (each one a scrypt hash)."""
    made: list[str] = []
    real = signing.verify_password

    def counted(password: str, stored: str) -> bool:
        made.append(password)
        return real(password, stored)

    monkeypatch.setattr(signing, "verify_password", counted)
    return made


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The throttle's clock, set by the test: ``clock[0]`` is now."""
    now = [time.time()]
    monkeypatch.setattr(throttle, "now_s", lambda: now[0])
    return now


def test_the_defaults_are_ten_wrong_passwords_in_fifteen_minutes() -> None:
    assert Limits().signin_failures_per_account == 10
    assert Limits().signin_window_s == 15 * 60


def test_wrong_passwords_for_one_account_are_throttled_without_hashing(
    server: Server, hashes: list[str], clock: list[float]
) -> None:
    assert sign_in(server, USER, PASSWORD, HOME).status_code == 200  # the user's usual laptop
    hashes.clear()
    for n in range(10):
        answer = sign_in(server, USER, f"guess {n}", STRANGER)
        assert answer.status_code == 401, n
        clock[0] += 1
    assert len(hashes) == 10
    for password in ("guess 11", PASSWORD):  # even the right password: nothing is checked
        refused = sign_in(server, USER, password, STRANGER)
        assert refused.status_code == 429
        assert refused.json()["error"] == "too_many_requests"
        assert "too many failed sign-ins" in refused.json()["message"]
        assert 880 <= int(refused.headers["Retry-After"]) <= 900
    # another address, another user: refused from the same stranger after the limit? no:
    # the stranger's own count is 10 of 50 for now
    assert sign_in(server, "floor@alpha", PASSWORD, STRANGER).status_code == 200
    assert len(hashes) == 11
    failed = audited(server, "signin.failed")
    assert len(failed) == 10
    assert {e.subject for e in failed} == {USER}
    assert {e.details["address"] for e in failed} == {STRANGER}
    [refusal] = audited(server, "signin.throttled")  # the first refusal of the minute
    assert refusal.subject == USER and refusal.details["address"] == STRANGER
    # the user's usual laptop still signs in meanwhile: the stranger's guesses are not its
    assert sign_in(server, USER, PASSWORD, HOME).status_code == 200
    # and after the window, so does anyone with the right password
    clock[0] += 15 * 60
    assert sign_in(server, USER, PASSWORD, STRANGER).status_code == 200
    assert audit.verify(server.engine, "alpha")[0].ok


def test_the_users_usual_laptop_has_a_budget_of_its_own(server: Server, clock: list[float]) -> None:
    assert sign_in(server, USER, PASSWORD, HOME).status_code == 200
    for n in range(10):
        assert sign_in(server, USER, f"typo {n}", HOME).status_code == 401
    assert sign_in(server, USER, PASSWORD, HOME).status_code == 429
    clock[0] += 15 * 60 + 1
    assert sign_in(server, USER, PASSWORD, HOME).status_code == 200


def test_unknown_usernames_count_against_the_address(
    server: Server, hashes: list[str], clock: list[float], tmp_path: Path
) -> None:
    config = ServerConfig(limits=Limits(signin_failures_per_address=5))
    with ServerThread(server.engine, tmp_path / "snap", config=config) as strict:
        other = Server(server.engine, strict.url, server.workspaces)
        for n in range(5):
            assert sign_in(other, f"nobody-{n}@alpha", PASSWORD, STRANGER).status_code == 401
        assert len(hashes) == 5  # an unknown name costs as much as a wrong password
        assert sign_in(other, USER, PASSWORD, STRANGER).status_code == 429
        assert len(hashes) == 5
        assert sign_in(other, USER, PASSWORD, HOME).status_code == 200


def test_servers_sharing_a_database_share_the_counts(server: Server, tmp_path: Path) -> None:
    """Two server processes' worth of state (two apps on one database): guesses spread
    between them are counted together."""
    with ServerThread(server.engine, tmp_path / "second") as second:
        other = Server(server.engine, second.url, server.workspaces)
        for n in range(10):
            target = server if n % 2 else other
            assert sign_in(target, USER, f"guess {n}", STRANGER).status_code == 401
        assert sign_in(server, USER, PASSWORD, STRANGER).status_code == 429
        assert sign_in(other, USER, PASSWORD, STRANGER).status_code == 429


def test_a_device_sending_too_many_writes_is_told_to_wait(
    server: Server, clock: list[float], tmp_path: Path
) -> None:
    config = ServerConfig(limits=Limits(push_per_minute=3, quote_per_minute=2, import_per_minute=1))
    clock[0] = 1_800_000_000.0  # the start of a minute
    with ServerThread(server.engine, tmp_path / "snap", config=config) as strict:
        other = Server(server.engine, strict.url, server.workspaces)
        token = other.login("admin@alpha")
        with other.client(token) as http:
            for _ in range(3):
                assert http.post("/v1/push", json={"mutations": []}).status_code == 200
            refused = http.post("/v1/push", json={"mutations": []})
            assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
            assert "too many pushes from this device" in refused.json()["message"]
            for _ in range(2):
                assert http.post("/v1/pricing/quote", json={"sheet": {}}).status_code == 422
            assert http.post("/v1/pricing/quote", json={"sheet": {}}).status_code == 429
            imported = http.post("/v1/import/materials?filename=a.csv", content=b"code\n")
            assert imported.status_code != 429
            again = http.post("/v1/import/materials?filename=a.csv", content=b"code\n")
            assert again.status_code == 429
        # another device of the same user has its own count
        with other.client(other.login("admin@alpha")) as http:
            assert http.post("/v1/push", json={"mutations": []}).status_code == 200
        clock[0] += 60  # the next minute
        with other.client(token) as http:
            assert http.post("/v1/push", json={"mutations": []}).status_code == 200


def test_the_client_waits_as_long_as_the_server_asks(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(
        [
            httpx.Response(429, headers={"Retry-After": "7"}, json={}),
            httpx.Response(200, json={"ok": True}),
        ]
    )
    waited: list[float] = []
    monkeypatch.setattr(time, "sleep", waited.append)
    http = httpx.Client(
        transport=httpx.MockTransport(lambda _req: next(answers)), base_url="http://server"
    )
    assert request(http, "GET", "/x", retries=3, backoff_s=0.1) == {"ok": True}
    assert waited == [7.0]
    # a wait longer than a sync should sit through is reported instead
    http = httpx.Client(
        transport=httpx.MockTransport(
            lambda _req: httpx.Response(
                429,
                headers={"Retry-After": "900"},
                json={"error": "too_many_requests", "message": "wait"},
            )
        ),
        base_url="http://server",
    )
    with pytest.raises(SyncError) as refused:
        request(http, "GET", "/x", retries=3, backoff_s=0.1)
    assert refused.value.code == "too_many_requests"


def test_the_limits_come_from_the_servers_settings_file(tmp_path: Path) -> None:
    settings = tmp_path / "sync.toml"
    settings.write_text(
        "[limits]\nsignin_failures_per_account = 5\nsignin_window_s = 600\n"
        "[tokens]\nidle_days = 7\n"
    )
    config = load_config(settings)
    assert config.limits.signin_failures_per_account == 5
    assert config.limits.signin_window_s == 600
    assert config.limits.push_per_minute == Limits().push_per_minute
    assert config.tokens.idle_days == 7.0
    for text, problem in (
        ("[limits]\nsignin_failures = 5\n", "no setting 'signin_failures'"),
        ("[limit]\n", "no section [limit]"),
        ("[limits]\nsignin_window_s = 'long'\n", "must be int"),
        ("[limits]\nsignin_window_s = 0\n", "above 0"),
        ("[limits\n", "not valid TOML"),
    ):
        with pytest.raises(ConfigError, match=re.escape(problem)):
            parse_config(text)
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.toml")
