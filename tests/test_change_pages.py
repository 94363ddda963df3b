"""Encoded change pages kept by the server: the same request gets the same bytes only while the
workspace has not moved, and never across roles or workspaces."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync import protocol
from sync.server import accounts, schema
from sync.server.db import create_schema, make_engine
from sync.server.pages import Page, PageCache, PageKey
from sync.server.serve import ServerThread
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows


def test_a_write_is_seen_by_the_next_pull_of_the_same_page(server: Server) -> None:
    ws = server.workspaces["alpha"]
    fabric = material("FAB-1", price="100.00")
    write_rows(server.engine, ws, "materials", [fabric, material("FAB-2")])
    with server.client(server.login("merchandiser@alpha")) as http:
        first = http.get("/v1/changes", params={"after": 0}).json()
        again = http.get("/v1/changes", params={"after": 0}).json()
        write_rows(server.engine, ws, "materials", [{**fabric, "price": "120.00"}])
        after_write = http.get("/v1/changes", params={"after": 0}).json()
    assert again == first
    prices = {c["row"]["code"]: c["row"]["price"] for c in after_write["changes"]}
    assert prices == {"FAB-1": "120.00", "FAB-2": "412.50"}
    assert after_write["seq"] == first["seq"] + 1
    assert [c["row"]["code"] for c in after_write["changes"]] == ["FAB-2", "FAB-1"]


def test_a_page_built_for_a_merchandiser_never_reaches_the_floor(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("FAB-1", price="412.50")])
    merch, floor = server.login("merchandiser@alpha"), server.login("floor@alpha")
    with server.client(merch) as http:
        merch_page = http.get("/v1/changes", params={"after": 0}).json()
    with server.client(floor) as http:
        floor_page = http.get("/v1/changes", params={"after": 0}).json()
    assert merch_page["changes"][0]["row"]["price"] == "412.50"
    assert floor_page["changes"][0]["row"]["price"] is None


def test_workspaces_at_the_same_cursor_get_their_own_rows(server: Server) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("ALPHA-1")])
    write_rows(server.engine, server.workspaces["beta"], "materials", [material("BETA-1")])
    codes = {}
    for name in ("alpha", "beta"):
        with server.client(server.login(f"merchandiser@{name}")) as http:
            page = http.get("/v1/changes", params={"after": 0}).json()
        codes[name] = [c["row"]["code"] for c in page["changes"]]
    assert codes == {"alpha": ["ALPHA-1"], "beta": ["BETA-1"]}


def test_a_kept_page_is_refused_once_the_cursor_is_past_retention(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("FAB-1")])
    with server.client(server.login("merchandiser@alpha")) as http:
        assert http.get("/v1/changes", params={"after": 0}).status_code == 200
        with server.engine.begin() as conn:
            conn.execute(
                sa.update(schema.workspaces).where(schema.workspaces.c.id == ws).values(min_seq=1)
            )
        answer = http.get("/v1/changes", params={"after": 0})
    assert answer.status_code == 410
    assert answer.json()["error"] == "must_refetch"


@contextmanager
def server_with(
    tmp_path: Path, rows: list[dict[str, Any]], **options: Any
) -> Iterator[tuple[Server, PageCache]]:
    """A server of its own (``options`` for `ServerThread`, the page cache's size say) with
    one workspace holding ``rows`` of materials and a merchandiser ``m@alpha``; and the
    server's page cache, to count what it served from memory."""
    engine = make_engine(str(tmp_path / "server.sqlite"))
    create_schema(engine)
    ws = accounts.create_workspace(engine, "alpha")
    accounts.add_user(engine, "alpha", "m@alpha", PASSWORD, "merchandiser", password_cost=FAST_HASH)
    write_rows(engine, ws, "materials", rows)
    with ServerThread(engine, tmp_path / "snapshots", **options) as running:
        yield Server(engine, running.url, {"alpha": ws}), running.app.state.sync.pages
    engine.dispose()


def test_gzip_and_plain_answers_carry_the_same_page(tmp_path: Path) -> None:
    rows = [material(f"FAB-{n}") for n in range(40)]
    with (
        server_with(tmp_path, rows) as (server, pages),
        server.client(server.login("m@alpha")) as http,
    ):
        raw = []
        for encoding in ("gzip", "identity", "gzip"):
            with http.stream(
                "GET", "/v1/changes", params={"after": 0}, headers={"Accept-Encoding": encoding}
            ) as answer:
                body = b"".join(answer.iter_raw())  # as sent, not decompressed
                raw.append((answer.headers.get("content-encoding"), body))
    assert [encoding for encoding, _ in raw] == ["gzip", None, "gzip"]
    plain = raw[1][1]
    assert gzip.decompress(raw[0][1]) == plain == gzip.decompress(raw[2][1])
    assert len(json.loads(plain)["changes"]) == 40
    assert (pages.misses, pages.hits) == (1, 2)


def test_the_cache_keeps_the_most_recently_used_pages_within_its_bytes() -> None:
    def key(after: int) -> PageKey:
        return PageKey("ws", "merchandiser", after, 2000, protocol.SCHEMA_VERSION)

    def page(seq: int, size: int = 100) -> Page:
        return Page(seq, 0, b"x" * size, b"", seq)

    cache = PageCache(max_bytes=1_000)  # ten pages of 100 bytes
    for after in range(10):
        cache.put(key(after), page(after))
    assert cache.get(key(0), 0, 0) is not None  # now the most recently used
    cache.put(key(10), page(10))
    assert cache.get(key(1), 1, 0) is None  # the least recently used went
    assert all(cache.get(key(after), after, 0) for after in (0, *range(2, 11)))
    assert cache.get(key(0), 1, 0) is None  # built at another last_seq
    assert cache.get(key(0), 0, 5) is None  # or another retention horizon
    cache.put(key(20), page(20, size=200))  # over an eighth of the cache: not kept
    assert cache.get(key(20), 20, 0) is None


def test_a_server_without_a_page_cache_answers_every_pull_afresh(tmp_path: Path) -> None:
    with (
        server_with(tmp_path, [material("FAB-1")], page_cache=0) as (server, cache),
        server.client(server.login("m@alpha")) as http,
    ):
        pages = [http.get("/v1/changes", params={"after": 0}).json() for _ in range(2)]
    assert pages[0] == pages[1] and pages[0]["changes"][0]["row"]["code"] == "FAB-1"
    assert (cache.hits, cache.misses) == (0, 2)
