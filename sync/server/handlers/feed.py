"""What laptops read: the change feed (pages kept while the workspace has not moved), the
long-poll that wakes an online laptop, the count check, and first-sync snapshots.

Only the long-poll is a coroutine, so that hundreds of waiting laptops cost no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response

from sync import protocol
from sync.server import accounts, metrics, schema
from sync.server.accounts import Caller
from sync.server.db import writing
from sync.server.errors import ApiError
from sync.server.handlers.requests import announced_schema, caller_of, int_param, state_of
from sync.server.pages import Page, PageKey
from sync.server.scoping import WorkspaceScope
from sync.server.snapshot import ENCRYPTED_SUFFIX, FORMS

DEFAULT_PAGE_ROWS = 2000
MAX_PAGE_ROWS = 10_000
#: the highest cursor a laptop may name (change numbers are 64-bit, with room to spare)
MAX_AFTER = 2**62
#: the longest long-poll a laptop may ask for; the server's own limit may be shorter
MAX_WAIT_S = 300


def changes(request: Request) -> Response:
    """Rows written after ``after``, oldest first, at most ``limit`` of them.

    Each table contributes its ``limit + 1`` oldest changes; merged by version, the first
    ``limit`` are the workspace's oldest, so ``next`` (the last version sent) never skips one.
    The encoded answer is kept (`pages.PageCache`) until the workspace moves on.
    """
    state = state_of(request)
    with state.reader.connect() as conn:
        caller = caller_of(request, conn)
        after = int_param(request, "after", 0, 0, MAX_AFTER)
        limit = int_param(request, "limit", DEFAULT_PAGE_ROWS, 1, MAX_PAGE_ROWS)
        schema_version = announced_schema(request)
        key = PageKey(caller.workspace_id, caller.role, after, limit, schema_version)
        scope = WorkspaceScope(conn, caller.workspace_id)
        upto, low = scope.sequence()
        if after < low:
            raise ApiError(
                410,
                "must_refetch",
                "this replica is older than the server keeps deletions for: "
                "it must download a fresh snapshot",
            )
        page = state.pages.get(key, upto, low)
        if page is None:
            page = Page.encode(
                upto, low, *_change_page(scope, caller.role, schema_version, after, upto, limit)
            )
            state.pages.put(key, page)
    metrics.tally.pulled(page.rows)
    if caller.seen_long_ago:
        _record_pull(state.engine, caller, page.next_cursor)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(page.gzipped, media_type="application/json", headers=headers)
    return Response(page.body, media_type="application/json")


def _change_page(
    scope: WorkspaceScope, role: str, schema_version: int, after: int, upto: int, limit: int
) -> tuple[bytes, int, int]:
    """The page's JSON, its ``next`` cursor and how many changes it holds."""
    gathered: list[tuple[int, str, dict[str, Any]]] = []
    tables = protocol.tables_for(role, schema_version)
    for table in scope.tables_changed_after(tables, after):
        for row in scope.changes_after(table, after, upto, limit + 1):
            gathered.append((int(row["version"]), table, protocol.redact(role, table, row)))
    gathered.sort(key=lambda item: item[0])
    page = gathered[:limit]
    more = len(gathered) > limit
    cursor = page[-1][0] if more else upto
    body = {
        "changes": [{"table": table, "row": row} for _, table, row in page],
        "next": cursor,
        "more": more,
        "seq": upto,
        # the role the page was made for: a laptop whose user's role changed sees it here and
        # takes a snapshot of what the new role may see
        "role": role,
    }
    # column names come back as str subclasses (SQLAlchemy quoted names)
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), cursor, len(page)


def _record_pull(engine: sa.Engine, caller: Caller, cursor: int) -> None:
    """Remember how far a device has pulled (for `workbench-sync status`)."""
    d = schema.devices
    with writing(engine).begin() as conn:
        conn.execute(
            sa.update(d)
            .where(d.c.id == caller.device_id)
            .values(last_pull_seq=cursor, last_seen_at=accounts.now())
        )


async def snapshot_info(request: Request) -> JSONResponse:
    """The current snapshot for the caller's role (built now if none is recent enough), in the
    form asked for: ``?form=sqlcipher`` describes the encrypted database and its key, for a
    laptop whose replica is encrypted; without it, the gzip every laptop understands."""
    form = request.query_params.get("form", "gzip")
    if form not in FORMS:
        wanted = ", ".join(FORMS)
        message = f"form must be one of {wanted}, not {form[:50]!r}"
        raise ApiError(400, "bad_request", message, field="form")
    caller = await asyncio.to_thread(caller_of, request)
    store = state_of(request).snapshots
    snap = await asyncio.to_thread(store.latest, caller.workspace_id, caller.role)
    return JSONResponse(snap.describe(form))


def snapshot_file(request: Request) -> Response:
    """A snapshot's bytes, or its search index's; HTTP Range lets a broken download resume."""
    caller = caller_of(request)
    name = request.path_params["name"]
    store = state_of(request).snapshots
    snap = store.find(caller.workspace_id, name)
    if snap is None or f"-{caller.role}-" not in name:
        raise ApiError(404, "not_found", "no such snapshot: ask /v1/snapshot for the current one")
    _check_range(request, snap.path.stat().st_size)
    media = "application/octet-stream" if name.endswith(ENCRYPTED_SUFFIX) else "application/gzip"
    return FileResponse(snap.path, media_type=media, headers={"ETag": snap.sha256})


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def _check_range(request: Request, size: int) -> None:
    """Refuse a Range past the end in the API's error shape (FileResponse would answer it in
    plain text), and ignore one that is not a single valid range of bytes, as RFC 9110 lets a
    server do: the whole file is sent (a resumed download asks for one range, ``bytes=N-``)."""
    asked = request.headers.get("range")
    if asked is None:
        return
    found = _RANGE.fullmatch(asked.strip())
    start, end = (found.group(1), found.group(2)) if found else ("", "")
    if not found or not (start or end) or (start and end and int(start) > int(end)):
        request.scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"range"]
        return
    if start and int(start) >= size:
        raise ApiError(
            416,
            "range_not_satisfiable",
            f"the file has {size} bytes",
            field="Range",
            headers={"Content-Range": f"bytes */{size}"},
        )


def counts(request: Request) -> JSONResponse:
    caller = caller_of(request)
    with state_of(request).engine.connect() as conn:
        scope = WorkspaceScope(conn, caller.workspace_id)
        return JSONResponse(
            {
                "seq": scope.last_seq(),
                "counts": {
                    t: scope.count(t)
                    for t in protocol.tables_for(caller.role, announced_schema(request))
                },
            }
        )


async def wait(request: Request) -> JSONResponse:
    """Long-poll: answer as soon as the workspace has a change after ``after``."""
    caller = await asyncio.to_thread(caller_of, request)
    after = int_param(request, "after", 0, 0, MAX_AFTER)
    state = state_of(request)
    asked = int_param(request, "timeout", int(state.long_poll_s), 0, MAX_WAIT_S)
    timeout = min(state.long_poll_s, asked)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout

    def current() -> int:
        with state.reader.connect() as conn:
            return WorkspaceScope(conn, caller.workspace_id).last_seq()

    while True:
        seq = await asyncio.to_thread(current)
        remaining = deadline - loop.time()
        if seq > after or remaining <= 0 or state.stopping.is_set():
            return JSONResponse({"seq": seq, "changed": seq > after})
        event = state.waiters.setdefault(caller.workspace_id, asyncio.Event())
        # another instance's writes are seen by the periodic re-read
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), timeout=min(remaining, 0.5))
