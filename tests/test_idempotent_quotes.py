"""Firm quotes asked for with an idempotency key, over real HTTP: a retry after the server
issued the quote but before the laptop heard the answer gives the same quote, not a second."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from sync.client import SyncClient
from sync.server import accounts, pricing, schema
from tests.sync_fixtures import Server
from tests.test_pricing_service import _server_quotes, master_rows, sheet, write_rows
from workbench import quotes
from workbench.replica import open_replica


@pytest.fixture
def priced(server: Server) -> Server:
    for table, rows in master_rows().items():
        write_rows(server.engine, server.workspaces["alpha"], table, rows)
    return server


class AnswerLost(httpx.HTTPTransport):
    """Delivers each request to the server, then loses the first quote's answer on its way
    back (the connection drops after the server has committed)."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[httpx.Request] = []
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        answer = super().handle_request(request)
        if request.url.path == "/v1/pricing/quote":
            self.sent.append(request)
            if self.lost == 0:
                answer.read()
                answer.close()
                self.lost += 1
                raise httpx.ReadError("the connection dropped", request=request)
        return answer


def client(server: Server, tmp_path: Path, transport: httpx.BaseTransport | None = None):  # type: ignore[no-untyped-def]
    replica = open_replica(tmp_path / "replica.sqlite")
    return SyncClient(
        replica, server.url, server.login("merchandiser@alpha"), backoff_s=0.01, transport=transport
    )


def test_a_retried_quote_request_gives_one_quote(priced: Server, tmp_path: Path) -> None:
    lossy = AnswerLost()
    merch = client(priced, tmp_path, lossy)
    try:
        quote = merch.request_quote(sheet(), "sheet-1")
    finally:
        merch.close()
    assert lossy.lost == 1 and len(lossy.sent) == 2  # applied, answer lost, asked again
    keys = {r.headers["Idempotency-Key"] for r in lossy.sent}
    assert len(keys) == 1
    [stored] = _server_quotes(priced)
    assert quote["id"] == stored["id"] and quote["quote_no"] == stored["quote_no"]
    assert quote["report"]["price_per_piece"] == stored["price_per_piece"]
    with priced.engine.connect() as conn:
        issued = conn.execute(
            sa.select(sa.func.count())
            .select_from(schema.audit_log)
            .where(schema.audit_log.c.action == "quote.issued")
        ).scalar()
    assert issued == 1


def test_a_key_is_one_quote_a_new_key_another(priced: Server) -> None:
    token = priced.login("merchandiser@alpha")
    with priced.client(token) as http:
        first = http.post(
            "/v1/pricing/quote", json={"sheet": sheet()}, headers={"Idempotency-Key": "k-1"}
        )
        again = http.post(
            "/v1/pricing/quote", json={"sheet": sheet()}, headers={"Idempotency-Key": "k-1"}
        )
        other = http.post(
            "/v1/pricing/quote", json={"sheet": sheet()}, headers={"Idempotency-Key": "k-2"}
        )
        unkeyed = http.post("/v1/pricing/quote", json={"sheet": sheet()})
        reused = http.post(
            "/v1/pricing/quote",
            json={"sheet": sheet(quantity=10)},
            headers={"Idempotency-Key": "k-1"},
        )
        bad = http.post(
            "/v1/pricing/quote", json={"sheet": sheet()}, headers={"Idempotency-Key": "not a key!"}
        )
    assert first.status_code == again.status_code == other.status_code == 200
    assert first.json() == again.json()
    assert other.json()["quote"]["id"] != first.json()["quote"]["id"]
    assert unkeyed.status_code == 200
    assert reused.status_code == 422 and reused.json()["error"] == "idempotency_key_reused"
    assert bad.status_code == 400 and bad.json()["field"] == "Idempotency-Key"
    assert len(_server_quotes(priced)) == 3
    # another user's same key is their own
    with priced.client(priced.login("admin@alpha")) as http:
        theirs = http.post(
            "/v1/pricing/quote", json={"sheet": sheet()}, headers={"Idempotency-Key": "k-1"}
        )
    assert theirs.json()["quote"]["id"] != first.json()["quote"]["id"]


def test_a_key_is_kept_for_the_quotes_validity_only(priced: Server) -> None:
    token = priced.login("merchandiser@alpha")
    with priced.engine.connect() as conn:
        me = accounts.authenticate(conn, token)
    assert me is not None
    today = date.today()
    first = pricing.issue_quote(priced.engine, me, {"sheet": sheet()}, today, "k-9")
    same = pricing.issue_quote(priced.engine, me, {"sheet": sheet()}, today + timedelta(30), "k-9")
    later = pricing.issue_quote(priced.engine, me, {"sheet": sheet()}, today + timedelta(31), "k-9")
    assert same["id"] == first["id"] and later["id"] != first["id"]


def test_requests_with_one_key_at_once_make_one_quote(priced: Server) -> None:
    token = priced.login("merchandiser@alpha")
    with priced.engine.connect() as conn:
        me = accounts.authenticate(conn, token)
    assert me is not None
    got: list[str] = []
    start = threading.Barrier(4)

    def ask() -> None:
        start.wait()
        got.append(
            pricing.issue_quote(priced.engine, me, {"sheet": sheet()}, idempotency_key="together")[
                "id"
            ]
        )

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 4 and len(set(got)) == 1
    assert len(_server_quotes(priced)) == 1


def test_a_quote_queued_offline_is_asked_for_with_its_own_key(
    priced: Server, tmp_path: Path
) -> None:
    lossy = AnswerLost()
    merch = client(priced, tmp_path, lossy)
    try:
        queued = quotes.queue_request(merch.replica, "sheet-1", sheet())
        assert merch.send_quote_requests() == 1
    finally:
        merch.close()
    assert {r.headers["Idempotency-Key"] for r in lossy.sent} == {queued}
    assert len(_server_quotes(priced)) == 1
