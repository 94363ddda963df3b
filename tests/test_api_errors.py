"""What the sync API answers to input it cannot use, over real HTTP: a 4xx in one JSON error
envelope naming what was wrong, never a 500; a request id on every answer; and 500s, for
real faults only, logged under the id the answer carries."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from tests.sync_fixtures import LABEL_JOB, Server


def mutation(seq: int = 1, **row: Any) -> dict[str, Any]:
    return {
        "seq": seq,
        "mutation_id": f"m-{seq}",
        "table": "label_jobs",
        "op": "upsert",
        "row_id": "job-1",
        "row": {**LABEL_JOB, **row},
    }


def assert_envelope(answer: httpx.Response, status: int, code: str, field: str | None = None):  # type: ignore[no-untyped-def]
    """One shape for every error: a code for programs, a sentence for people, the field when
    one is to blame, and the request id the server logged it under."""
    assert answer.status_code == status, answer.text[:500]
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert set(body) == {"error", "message", "field", "request_id"}, body
    assert body["error"] == code, body
    assert isinstance(body["message"], str) and body["message"]
    assert body["field"] == field, body
    assert body["request_id"] == answer.headers["x-request-id"]
    return body


def test_a_sequence_number_past_64_bits_is_refused(server: Server) -> None:
    with server.client(server.login("floor@alpha")) as http:
        answer = http.post("/v1/push", json={"mutations": [mutation(seq=2**63)]})
    body = assert_envelope(answer, 422, "invalid", "mutations[0].seq")
    assert "mutations[0].seq" in body["message"]


@pytest.mark.parametrize("value", [2**63, -(2**63) - 1, 10**30, "nul \x00 inside"])
def test_a_row_value_no_column_holds_is_rejected_alone(server: Server, value: object) -> None:
    """A number past 64 bits or text with a NUL breaks the row's declared rules like any other
    bad value: that mutation is set aside with a message and the rest of the batch goes on
    (a whole batch refused would hold the laptop's outbox back for good)."""
    with server.client(server.login("floor@alpha")) as http:
        field = "copies" if isinstance(value, int) else "printer"
        bad = mutation(**{field: value})
        good = {**mutation(seq=2, id="job-2"), "row_id": "job-2"}
        answer = http.post("/v1/push", json={"mutations": [bad, good]})
    assert answer.status_code == 200, answer.text
    rejected, applied = answer.json()["results"]
    assert rejected["status"] == "rejected" and f"'{field}'" in rejected["message"]
    assert applied["status"] == "applied"


def test_a_row_integer_too_large_for_its_column_is_rejected_not_a_fault(server: Server) -> None:
    """Within 64 bits but past what the column holds (32 bits on PostgreSQL): the mutation is
    set aside with a message, like any other invalid value, and the rest of the batch goes on."""
    with server.client(server.login("floor@alpha")) as http:
        answer = http.post("/v1/push", json={"mutations": [mutation(copies=2**40)]})
    assert answer.status_code == 200, answer.text
    [result] = answer.json()["results"]
    assert result["status"] == "rejected" and "copies" in result["message"]


LONE_SURROGATE = b'"\\ud800"'


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/login", b'{"username": ' + LONE_SURROGATE + b', "password": "x"}'),
        (
            "/v1/push",
            b'{"mutations": [{"seq": 1, "mutation_id": '
            + LONE_SURROGATE
            + b', "table": "label_jobs", "op": "delete", "row_id": "r"}]}',
        ),
        (
            "/v1/push",
            b'{"mutations": [{"seq": 1, "mutation_id": "m", "table": "label_jobs", '
            b'"op": "upsert", "row_id": "job-1", "row": {"id": "job-1", "printer": '
            + LONE_SURROGATE
            + b"}}]}",
        ),
        ("/v1/pricing/quote", b'{"sheet": {"name": ' + LONE_SURROGATE + b"}}"),
    ],
)
def test_a_lone_surrogate_is_not_json(server: Server, path: str, body: bytes) -> None:
    with server.client(server.login("admin@alpha")) as http:
        answer = http.post(path, content=body, headers={"content-type": "application/json"})
    assert_envelope(answer, 400, "bad_json")


@pytest.mark.parametrize("path", ["/v1/login", "/v1/push", "/v1/pricing/quote"])
def test_deeply_nested_json_is_refused(server: Server, path: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    with server.client(server.login("admin@alpha")) as http:
        answer = http.post(path, content=b'{"sheet": {"style": ' + deep + b"}}")
    assert_envelope(answer, 400, "bad_json")


def test_a_lone_surrogate_in_import_columns_is_refused(server: Server) -> None:
    with server.client(server.login("admin@alpha")) as http:
        answer = http.post(
            "/v1/import/materials",
            content=b"code\nX\n",
            params={"filename": "m.csv", "columns": '{"code": "\\ud800"}'},
        )
    assert_envelope(answer, 400, "bad_request", "columns")


def test_unknown_routes_are_404_and_wrong_methods_405_with_allow(server: Server) -> None:
    with server.client() as http:
        assert_envelope(http.get("/v1/nowhere"), 404, "not_found")
        wrong = http.delete("/v1/push")
        assert_envelope(wrong, 405, "method_not_allowed")
        assert wrong.headers["allow"] == "POST"
        assert http.put("/v1/health").headers["allow"] == "GET, HEAD"


def test_every_error_has_the_same_envelope(server: Server) -> None:
    token = server.login("floor@alpha")
    with server.client() as anonymous:
        assert_envelope(anonymous.get("/v1/changes"), 401, "unauthorized")
        assert_envelope(anonymous.post("/v1/login", content=b"{no"), 400, "bad_json")
        bad_login = anonymous.post("/v1/login", json={"username": "a", "password": 5})
        assert_envelope(bad_login, 422, "invalid", "password")
        old = anonymous.get("/v1/counts", headers={"X-Workbench-Protocol": "0"})
        assert_envelope(old, 426, "update_required")
    with server.client(token) as http:
        assert_envelope(http.get("/v1/changes", params={"limit": 0}), 400, "bad_request", "limit")
        assert_envelope(http.post("/v1/pricing/quote", json={"sheet": {}}), 403, "forbidden")
        assert_envelope(http.get("/v1/snapshot/nothing.gz"), 404, "not_found")
    answer = httpx.get(
        f"{server.url}/id/alpha/material/NOPE", headers={"Accept": "application/json"}
    )
    assert_envelope(answer, 404, "not_found")


def test_every_answer_carries_a_request_id(server: Server) -> None:
    with server.client() as http:
        made = http.get("/v1/health")
        kept = http.get("/v1/health", headers={"X-Request-ID": "lt-7f3a.42"})
        unsafe = http.get("/v1/health", headers={"X-Request-ID": "no spaces\tor tabs" * 20})
    assert len(made.headers["x-request-id"]) >= 16
    assert kept.headers["x-request-id"] == "lt-7f3a.42"
    assert unsafe.headers["x-request-id"] not in ("", "no spaces\tor tabs" * 20)


def test_a_server_fault_is_a_500_logged_under_its_request_id(
    server: Server, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("the disk went away")

    token = server.login("floor@alpha")
    monkeypatch.setattr("sync.server.scoping.WorkspaceScope.last_seq", broken)
    with caplog.at_level(logging.ERROR), server.client(token) as http:
        answer = http.get("/v1/counts", headers={"X-Request-ID": "fault-1"})
    body = assert_envelope(answer, 500, "server_error")
    assert body["request_id"] == "fault-1"
    assert "the disk went away" not in body["message"]  # nothing of the server's insides
    logged = [r for r in caplog.records if "fault-1" in r.getMessage()]
    assert logged and logged[0].exc_info is not None


def test_snapshot_ranges_are_answered_in_the_api_shape(server: Server) -> None:
    """A download resumes with one Range; one past the end is a 416 in the error shape (with
    the file's size); what is not one valid range is ignored: the whole file comes back."""
    with server.client(server.login("admin@alpha")) as http:
        name = http.get("/v1/snapshot").json()["name"]
        whole = http.get(f"/v1/snapshot/{name}")
        part = http.get(f"/v1/snapshot/{name}", headers={"Range": "bytes=10-"})
        assert part.status_code == 206 and part.content == whole.content[10:]
        for ignored in ("bytes=abc", "bytes=5-1", "lines=1-2", "bytes=0-1,3-4"):
            answer = http.get(f"/v1/snapshot/{name}", headers={"Range": ignored})
            assert answer.status_code == 200 and answer.content == whole.content
        past = http.get(f"/v1/snapshot/{name}", headers={"Range": "bytes=999999999-"})
        assert_envelope(past, 416, "range_not_satisfiable", "Range")
        assert past.headers["content-range"] == f"bytes */{len(whole.content)}"
