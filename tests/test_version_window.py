"""The version window over real HTTP: the server serves apps of its own protocol and replica
schema and of the ones before (a laptop a version behind syncs as before, and is told an update
is due), and refuses older ones with 426 "please update"."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from sync import protocol
from sync.server.openapi import openapi_document
from sync.session import client_for, sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents

PREVIOUS = protocol.SCHEMA_VERSION - 1


class PreviousApp(httpx.HTTPTransport):
    """The requests of the app one schema version behind: the same requests (the previous
    schema's tables and columns are this one's), announcing the previous schema."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[httpx.Response] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.headers[protocol.SCHEMA_HEADER] = str(PREVIOUS)
        answer = super().handle_request(request)
        self.answers.append(answer)
        return answer


def test_the_window_is_this_version_and_the_one_before() -> None:
    now = protocol.SCHEMA_VERSION
    assert now - 1 == protocol.MIN_SCHEMA_VERSION
    assert protocol.MIN_PROTOCOL_VERSION == protocol.PROTOCOL_VERSION == 1  # the first one
    assert protocol.version_problem("1", str(now)) is None
    assert protocol.version_problem("1", str(now - 1)) is None
    assert "please update Mill Workbench" in str(protocol.version_problem("1", str(now - 2)))
    assert "please update Mill Workbench" in str(protocol.version_problem("0", str(now)))
    assert "upgrade the sync server" in str(protocol.version_problem("1", str(now + 1)))


def test_an_app_a_version_behind_syncs_and_is_told_an_update_is_due(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The previous version's requests, end to end: sign in, a first sync from a snapshot, an
    edit pushed, a pull, the count check and the long-poll."""
    write_rows(server.engine, server.workspaces["alpha"], "materials",
               [material(f"F-{n}") for n in range(5)])  # fmt: skip
    previous = PreviousApp()
    monkeypatch.setattr("sync.client.api.httpx.Client.__init__", _with_transport(previous))
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    try:
        report = sync_workspace(workspace)
        assert report.pulled == 5 and report.count_mismatches == {}
        documents.save_document(workspace.replica, "cost_sheets", {"style_code": "TS-1"})
        write_rows(server.engine, server.workspaces["alpha"], "materials", [material("F-9")])
        report = sync_workspace(workspace)
        assert (report.pushed, report.pulled, report.rejected) == (1, 2, 0)
        client = client_for(workspace)
        try:
            assert client.wait_for_changes(timeout_s=0) is False
        finally:
            client.close()
    finally:
        workspace.close()
    assert report.update_due is not None and "update of Mill Workbench is due" in (
        report.update_due)  # fmt: skip
    paths = {a.request.url.path for a in previous.answers}
    assert {"/v1/login", "/v1/snapshot", "/v1/push", "/v1/changes", "/v1/counts",
            "/v1/wait"} <= paths  # fmt: skip
    assert all(a.status_code < 400 for a in previous.answers)
    assert all(protocol.UPDATE_DUE_HEADER in a.headers for a in previous.answers)


def _with_transport(transport: httpx.BaseTransport):  # type: ignore[no-untyped-def]
    """httpx.Client's constructor, with every client given ``transport`` (the app's own
    clients make their connections deep inside sign_in and sync)."""
    original = httpx.Client.__init__

    def init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        kwargs["transport"] = transport
        original(self, *args, **kwargs)

    return init


def test_the_current_app_is_not_told_anything(server: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    try:
        assert sync_workspace(workspace).update_due is None
    finally:
        workspace.close()
    with server.client(server.login("floor@alpha")) as http:
        assert protocol.UPDATE_DUE_HEADER not in http.get("/v1/counts").headers


@pytest.mark.parametrize(("header", "value"), [(protocol.SCHEMA_HEADER, str(PREVIOUS - 1)),
                                               (protocol.PROTOCOL_HEADER, "0")])  # fmt: skip
def test_an_app_older_than_the_window_is_told_to_update(
    server: Server, header: str, value: str
) -> None:
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        for method, path in (("GET", "/v1/changes"), ("POST", "/v1/push"),
                             ("GET", "/v1/counts")):  # fmt: skip
            answer = http.request(method, path, headers={header: value},
                                  json={"mutations": []} if method == "POST" else None)  # fmt: skip
            assert answer.status_code == 426, path
            assert answer.json()["error"] == "update_required"
            assert "please update Mill Workbench" in answer.json()["message"]
        sign = {"username": "merchandiser@alpha", "password": PASSWORD}
        refused = http.post("/v1/login", headers={header: value}, json=sign)
    assert refused.status_code == 426


def test_the_window_and_the_426_are_in_the_openapi_document() -> None:
    document = openapi_document()
    changes = document["paths"]["/v1/changes"]["get"]
    [schema] = [p["schema"] for p in changes["parameters"] if p["name"] == protocol.SCHEMA_HEADER]
    assert schema["enum"] == [PREVIOUS, protocol.SCHEMA_VERSION]
    assert "426" in changes["responses"] and "426" in document["paths"]["/v1/push"]["post"][
        "responses"]  # fmt: skip
    assert protocol.UPDATE_DUE_HEADER in changes["responses"]["200"]["headers"]
