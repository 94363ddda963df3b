"""The version window over real HTTP: the server serves apps of its own protocol and replica
schema and of the ones before (a laptop a version behind syncs as before, and is told an update
is due), and refuses older ones with 426 "please update".

The previous version is run as itself: its ``sync`` and ``workbench`` packages are taken from
git (the commit before the one that added this schema's migration) and a laptop of that code
signs in, syncs, pushes and pulls against this server (`tests/previous_app.py`).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sync import protocol
from sync.server import schema
from sync.server.openapi import openapi_document
from sync.session import client_for, sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica.migrate import MIGRATIONS

PREVIOUS = protocol.SCHEMA_VERSION - 1
ROOT = Path(__file__).resolve().parent.parent


def previous_version(folder: Path) -> Path:
    """The previous version's ``sync`` and ``workbench`` packages, unpacked in ``folder``:
    as they were just before the commit that added this schema's migration (skips the test
    where git or the history is not at hand)."""
    latest = MIGRATIONS[-1].path.relative_to(ROOT)
    try:
        added = subprocess.run(
            ["git", "log", "--diff-filter=A", "--format=%H", "-1", "--", str(latest)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        packed = subprocess.run(
            ["git", "archive", f"{added}^", "sync", "workbench"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"the previous version's code is not in reach: {exc}")
    if not added:
        pytest.skip(f"git does not know when {latest} was added")
    with tarfile.open(fileobj=io.BytesIO(packed)) as tar:
        tar.extractall(folder, filter="data")
    return folder


def test_the_previous_version_of_the_app_syncs(server: Server, tmp_path: Path) -> None:
    """The previous version's own code, end to end against this server: sign in, a first sync
    from a snapshot, a cost sheet pushed, rows pulled, the counts compared.

    What differs between the two versions is the replica schema: this one's latest migration
    (schema 11) added a table, the work centres' calendar days, and four columns to cost
    sheets (season, status, revision, family); the previous app's replica (schema 10) has
    none of them. The protocol, and so every request and answer, is the same (protocol 1): the
    previous app sends the same requests announcing schema 10, is neither counted nor sent the
    table it lacks, takes the server's newer snapshot table by table into its own tables,
    writes pulled rows in the columns it has, and the cost sheet it pushes takes the declared
    defaults of the columns it does not know. Its answers say an update is due.
    """
    code = previous_version(tmp_path / "previous")
    ws = server.workspaces["alpha"]
    weighed = {"gross_weight_kg": "0.350", "net_weight_kg": "0.310"}
    write_rows(server.engine, ws, "materials", [material(f"F-{n}", **weighed) for n in range(5)])
    write_rows(
        server.engine,
        ws,
        "calendar_days",
        [
            {
                "id": "holiday-1",
                "work_centre_id": None,
                "day": "2026-12-25",
                "kind": "holiday",
                "share": None,
                "name": "Christmas",
                "deleted": 0,
                "updated_at": "2026-12-01T00:00:00Z",
            }
        ],
    )
    found = previous_laptop(
        server,
        code,
        tmp_path / "laptop",
        "go",
        meanwhile=lambda: write_rows(server.engine, ws, "materials", [material("F-9", **weighed)]),
    )
    # the previous version's code, with its own replica: schema 10, no calendar, no status
    assert found["schema_version"] == found["replica_version"] == PREVIOUS
    assert "calendar_days" not in found["tables"]
    assert "status" not in found["sheet_columns"]
    assert "gross_weight_kg" in found["material_columns"]
    assert found["first"] == {"pushed": 0, "pulled": 5, "rejected": 0, "count_mismatches": {}}
    # the cost sheet went up, the new material (and the sheet as the server settled it) down
    assert found["second"] == {"pushed": 1, "pulled": 2, "rejected": 0, "count_mismatches": {}}
    assert found["materials"] == 6
    sheets = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        sheet = conn.execute(
            sa.select(sheets.c.style_code, sheets.c.status, sheets.c.revision).where(
                sheets.c.id == found["sheet_id"]
            )
        ).one()
    assert tuple(sheet) == ("PV-1", "draft", 1)
    answers = found["answers"]
    assert {"/v1/login", "/v1/snapshot", "/v1/push", "/v1/changes", "/v1/counts"} <= {
        a["path"] for a in answers
    }
    assert all(a["status"] < 400 for a in answers), answers
    assert {a["schema_sent"] for a in answers} == {str(PREVIOUS)}
    assert all("update of Mill Workbench is due" in (a["update_due"] or "") for a in answers)


def previous_laptop(
    server: Server,
    code: Path,
    folder: Path,
    command: str,
    meanwhile: Callable[[], object] = lambda: None,
) -> dict[str, Any]:
    """Run `tests/previous_app.py` on the previous version's ``code`` as merchandiser@alpha:
    it signs in and syncs, ``meanwhile`` runs, ``command`` is its next line; its JSON line."""
    laptop = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "tests" / "previous_app.py"),
            server.url,
            "merchandiser@alpha",
            PASSWORD,
            str(folder),
        ],
        # no keyring here, as on a build server: the laptop keeps its key with a passphrase
        cwd=code,
        env={
            **_environment(),
            "PYTHONPATH": str(code),
            "WORKBENCH_PASSPHRASE": "previous version laptop",
        },
        text=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert laptop.stdout is not None and laptop.stdin is not None
        ready = laptop.stdout.readline()
        assert ready.strip() == "ready", ready + (laptop.stderr.read() if laptop.stderr else "")
        meanwhile()
        out, err = laptop.communicate(command + "\n", timeout=120)
    finally:
        if laptop.poll() is None:
            laptop.kill()
    assert laptop.returncode == 0, err
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def test_an_edit_the_previous_app_makes_to_an_approved_sheet_is_refused_and_kept(
    server: Server, tmp_path: Path
) -> None:
    """The previous app knows no sheet status, so its user can change an approved sheet on
    the laptop. The server refuses the edit, saying the sheet is approved and how to change
    it; the laptop keeps the edit, with its values, in its list of refused edits, and shows
    the sheet again as it was approved rather than as nobody else has it."""
    code = previous_version(tmp_path / "previous")
    approved = {
        "id": "sheet-approved",
        "style_code": "PV-2",
        "title": "Crew neck tee",
        "brand_id": None,
        "body": '{"sam": "12"}',
        "created_by": "merchandiser@alpha",
        "season": "SS27",
        "status": "approved",
        "revision": 1,
        "family_id": "sheet-approved",
        "deleted": 0,
        "updated_at": "2026-12-01T00:00:00Z",
    }
    write_rows(server.engine, server.workspaces["alpha"], "cost_sheets", [approved])
    found = previous_laptop(server, code, tmp_path / "laptop", 'edit sheet-approved {"sam":"9"}')
    assert found["first"]["pulled"] == 1
    assert found["pushed"]["rejected"] == 1 and found["pushed"]["pushed"] == 0
    [kept] = found["rejected"]
    assert kept["row_id"] == "sheet-approved" and kept["payload"]["body"] == '{"sam":"9"}'
    message = kept["message"]
    assert "PV-2 v1 is approved" in message and "save the change as a new version" in message
    assert "update Mill Workbench" in message  # this app has no "Save as new version"
    assert [r["message"] for r in found["listed"]] == [message]
    # the server keeps the sheet as approved; the laptop shows it so again
    sheets = schema.replicated["cost_sheets"]
    with server.engine.connect() as conn:
        stored = conn.execute(
            sa.select(sheets.c.status, sheets.c.body).where(sheets.c.id == "sheet-approved")
        ).one()
    assert tuple(stored) == ("approved", '{"sam": "12"}')
    assert found["held_body"] == '{"sam": "12"}'
    assert found["again"]["rejected"] == 1 and found["again"]["count_mismatches"] == {}


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


class PreviousApp(httpx.HTTPTransport):
    """This app's requests announcing the previous schema: what the server sees of a laptop a
    version behind, with this version's client code (the test above runs the previous code
    itself)."""

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
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{n}") for n in range(5)],
    )
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
        report.update_due
    )
    paths = {a.request.url.path for a in previous.answers}
    assert {
        "/v1/login",
        "/v1/snapshot",
        "/v1/push",
        "/v1/changes",
        "/v1/counts",
        "/v1/wait",
    } <= paths
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


@pytest.mark.parametrize(
    ("header", "value"),
    [(protocol.SCHEMA_HEADER, str(PREVIOUS - 1)), (protocol.PROTOCOL_HEADER, "0")],
)
def test_an_app_older_than_the_window_is_told_to_update(
    server: Server, header: str, value: str
) -> None:
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        for method, path in (("GET", "/v1/changes"), ("POST", "/v1/push"), ("GET", "/v1/counts")):
            answer = http.request(
                method,
                path,
                headers={header: value},
                json={"mutations": []} if method == "POST" else None,
            )
            assert answer.status_code == 426, path
            body = answer.json()  # the error shape of every answer, as the OpenAPI document says
            assert set(body) == {"error", "message", "field", "request_id"}
            assert body["error"] == "update_required"
            assert "please update Mill Workbench" in body["message"]
            assert body["request_id"] == answer.headers["X-Request-ID"]
        sign = {"username": "merchandiser@alpha", "password": PASSWORD}
        refused = http.post("/v1/login", headers={header: value}, json=sign)
    assert refused.status_code == 426


def test_the_window_and_the_426_are_in_the_openapi_document() -> None:
    document = openapi_document()
    changes = document["paths"]["/v1/changes"]["get"]
    [schema] = [p["schema"] for p in changes["parameters"] if p["name"] == protocol.SCHEMA_HEADER]
    assert schema["enum"] == [PREVIOUS, protocol.SCHEMA_VERSION]
    assert (
        "426" in changes["responses"]
        and "426" in document["paths"]["/v1/push"]["post"]["responses"]
    )
    assert protocol.UPDATE_DUE_HEADER in changes["responses"]["200"]["headers"]
