"""The sync server's HTTP API: a Starlette app over the server database (DESIGN D4-D5).

Handlers are thin: they check the request, resolve the caller from the bearer token, and call
the workspace-scoped data layer (`scoping.WorkspaceScope`). Database work is synchronous
SQLAlchemy, so handlers are plain functions that Starlette runs in its thread pool; only the
long-poll is a coroutine, so that hundreds of waiting laptops cost no threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sync import protocol
from sync.server import accounts, schema
from sync.server.accounts import AccountError, Caller
from sync.server.db import reading, writing
from sync.server.importing import ImportRefused, import_file
from sync.server.openapi import openapi_document
from sync.server.pages import PAGE_CACHE_BYTES, Page, PageCache, PageKey
from sync.server.pricing import PRICING_ROLES, issue_quote
from sync.server.push import BatchError, apply_push, parse_batch
from sync.server.scoping import WorkspaceScope
from sync.server.snapshot import SnapshotStore
from sync.server.trace import NotFound as TraceNotFound
from sync.server.trace import trace
from workbench.costing import CostingError
from workbench.ingest.mapping import KINDS, Mapping, MappingError, load_mapping
from workbench.ingest.preview import override_columns
from workbench.ingest.readers import ReadError
from workbench.proposals.render import environment

MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_IMPORT_BYTES = 512 * 1024 * 1024
#: an import's answer lists this many problems; the rest are counted (fix these first)
MAX_REJECTS_SHOWN = 5000
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv", ".txt", ".tsv")
DEFAULT_PAGE_ROWS = 2000
MAX_PAGE_ROWS = 10_000


class ApiError(HTTPException):
    """An answer with a status, a machine-readable code and a message for people."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status_code=status, detail=message)
        self.code = code


@dataclass
class ServerState:
    engine: sa.Engine
    #: the hot reads' own pool, on PostgreSQL (`db.reading`)
    reader: sa.Engine
    snapshots: SnapshotStore
    long_poll_s: float = 25.0
    #: wakes long-polls in this process when a write commits (other instances poll the DB)
    waiters: dict[str, asyncio.Event] = field(default_factory=dict)
    #: encoded change pages of this process, valid while their workspace has not moved
    pages: PageCache = field(default_factory=PageCache)
    #: set when the server is stopping: open long-polls answer "no change" and end
    stopping: threading.Event = field(default_factory=threading.Event)

    def close(self) -> None:
        """Close the connections of the pool this state made for itself."""
        if self.reader is not self.engine:
            self.reader.dispose()


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = getattr(exc, "code", None) or {
        401: "unauthorized",
        404: "not_found",
        405: "method_not_allowed",
    }.get(exc.status_code, "error")
    return _error(exc.status_code, code, str(exc.detail))


def _state(request: Request) -> ServerState:
    return request.app.state.sync


def _caller(request: Request, conn: sa.Connection | None = None) -> Caller:
    """The authenticated caller, after the protocol version check. Raises 401/426.

    ``conn``: a connection the handler goes on to use (one checkout per request, which on
    PostgreSQL saves the pool's ping and the reset's round trips)."""
    problem = protocol.version_problem(
        request.headers.get(protocol.PROTOCOL_HEADER), request.headers.get(protocol.SCHEMA_HEADER)
    )
    if problem:
        raise ApiError(426, "update_required", problem)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "sign in first: this request has no device token")
    if conn is None:
        with _state(request).reader.connect() as own:
            caller = accounts.authenticate(own, token.strip())
    else:
        caller = accounts.authenticate(conn, token.strip())
    if caller is None:
        raise ApiError(
            401, "unauthorized", "this device's token is unknown or was revoked: sign in again"
        )
    return caller


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", f"{name} must be a whole number, not {raw!r}") from None
    if not low <= value <= high:
        raise ApiError(400, "bad_request", f"{name} must be between {low} and {high}")
    return value


async def _read_body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes the limit (never buffered whole)."""
    too_large = ApiError(413, "too_large", f"request bodies are limited to {MAX_BODY_BYTES} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "bad_json", "the request body is not valid JSON") from None
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", "the request body must be a JSON object")
    return data


def _string_field(data: dict[str, Any], name: str, required: bool = True) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ApiError(422, "invalid", f"'{name}' must be a non-empty string")
    if len(value) > 500:
        raise ApiError(422, "invalid", f"'{name}' is longer than 500 characters")
    return value


# -- handlers ---------------------------------------------------------------------------------


def health(request: Request) -> JSONResponse:
    with _state(request).reader.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return JSONResponse(
        {"status": "ok", "protocol": protocol.PROTOCOL_VERSION, "schema": protocol.SCHEMA_VERSION}
    )


def openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


async def login(request: Request) -> JSONResponse:
    problem = protocol.version_problem(
        request.headers.get(protocol.PROTOCOL_HEADER), request.headers.get(protocol.SCHEMA_HEADER)
    )
    if problem:
        raise ApiError(426, "update_required", problem)
    data = _json_body(await _read_body(request))
    username = _string_field(data, "username")
    password = _string_field(data, "password")
    device = _string_field(data, "device_name", required=False) or "unnamed device"
    engine = _state(request).engine
    try:
        done = await asyncio.to_thread(accounts.login, engine, username, password, device)
    except AccountError as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    return JSONResponse(done.to_json())


def changes(request: Request) -> Response:
    """Rows written after ``after``, oldest first, at most ``limit`` of them.

    Each table contributes its ``limit + 1`` oldest changes; merged by version, the first
    ``limit`` are the workspace's oldest, so ``next`` (the last version sent) never skips one.
    The encoded answer is kept (`pages.PageCache`) until the workspace moves on.
    """
    state = _state(request)
    with state.reader.connect() as conn:
        caller = _caller(request, conn)
        after = _int_param(request, "after", 0, 0, 2**62)
        limit = _int_param(request, "limit", DEFAULT_PAGE_ROWS, 1, MAX_PAGE_ROWS)
        key = PageKey(caller.workspace_id, caller.role, after, limit)
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
            page = Page.encode(upto, low, *_change_page(scope, caller.role, after, upto, limit))
            state.pages.put(key, page)
    if caller.seen_long_ago:
        _record_pull(state.engine, caller, page.next_cursor)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers = {"Content-Encoding": "gzip", "Vary": "Accept-Encoding"}
        return Response(page.gzipped, media_type="application/json", headers=headers)
    return Response(page.body, media_type="application/json")


def _change_page(
    scope: WorkspaceScope, role: str, after: int, upto: int, limit: int
) -> tuple[bytes, int]:
    """The page's JSON, and its ``next`` cursor."""
    gathered: list[tuple[int, str, dict[str, Any]]] = []
    for table in scope.tables_changed_after(protocol.tables_for(role), after):
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
    }
    # column names come back as str subclasses (SQLAlchemy quoted names)
    return orjson.dumps(body, option=orjson.OPT_NON_STR_KEYS), cursor


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
    """The current snapshot for the caller's role (built now if none is recent enough)."""
    caller = await asyncio.to_thread(_caller, request)
    store = _state(request).snapshots
    snap = await asyncio.to_thread(store.latest, caller.workspace_id, caller.role)
    return JSONResponse(snap.describe())


def snapshot_file(request: Request) -> Response:
    """A snapshot's bytes, or its search index's; HTTP Range lets a broken download resume."""
    caller = _caller(request)
    name = request.path_params["name"]
    store = _state(request).snapshots
    snap = store.find(caller.workspace_id, name)
    if snap is None or f"-{caller.role}-" not in name:
        raise ApiError(404, "not_found", "no such snapshot: ask /v1/snapshot for the current one")
    return FileResponse(snap.path, media_type="application/gzip", headers={"ETag": snap.sha256})


def counts(request: Request) -> JSONResponse:
    caller = _caller(request)
    with _state(request).engine.connect() as conn:
        scope = WorkspaceScope(conn, caller.workspace_id)
        return JSONResponse(
            {
                "seq": scope.last_seq(),
                "counts": {t: scope.count(t) for t in protocol.tables_for(caller.role)},
            }
        )


async def wait(request: Request) -> JSONResponse:
    """Long-poll: answer as soon as the workspace has a change after ``after``."""
    caller = await asyncio.to_thread(_caller, request)
    after = _int_param(request, "after", 0, 0, 2**62)
    state = _state(request)
    timeout = min(state.long_poll_s, _int_param(request, "timeout", int(state.long_poll_s), 0, 300))
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


async def push(request: Request) -> JSONResponse:
    """Apply a batch of this device's mutations; see `sync.server.push`."""
    caller = await asyncio.to_thread(_caller, request)
    data = _json_body(await _read_body(request))
    try:
        batch = parse_batch(data)
    except BatchError as exc:
        raise ApiError(422, "invalid", str(exc)) from None
    state = _state(request)
    answers = await asyncio.to_thread(apply_push, state.engine, caller, batch)
    if any(a["status"] == "applied" for a in answers):
        notify(state, caller.workspace_id)
    return JSONResponse({"results": answers})


async def import_master_data(request: Request) -> JSONResponse:
    """Import an uploaded file of master data (admins only): `sync.server.importing`."""
    caller = await asyncio.to_thread(_caller, request)
    if caller.role != "admin":
        raise ApiError(403, "forbidden", "importing master data is for admins")
    kind = request.path_params["kind"]
    if kind not in KINDS:
        raise ApiError(404, "not_found", f"there is no import for {kind!r}; choose one of "
                       f"{', '.join(KINDS)}")  # fmt: skip
    filename = Path(request.query_params.get("filename", "")).name
    if Path(filename).suffix.lower() not in UPLOAD_SUFFIXES:
        raise ApiError(422, "invalid", "filename must name a .xlsx, .xls, .csv or .txt file")
    flags = {n: _int_param(request, n, 0, 0, 1) == 1 for n in ("dry_run", "accept_partial")}
    mapping = _import_mapping(kind, request.query_params.get("columns"))
    with tempfile.TemporaryDirectory(prefix="import-") as folder:
        path = Path(folder) / filename
        await _save_body(request, path, MAX_IMPORT_BYTES)
        state = _state(request)
        try:
            summary = await asyncio.to_thread(import_file, state.engine, caller.workspace_id,
                                              kind, path, mapping=mapping,
                                              actor=caller.username, **flags)  # fmt: skip
        except (ReadError, MappingError, ImportRefused) as exc:
            raise ApiError(422, "invalid", str(exc)) from None
    if summary.written:
        notify(state, caller.workspace_id)
    answer = summary.as_dict()
    del answer["reports"], answer["problems"]
    answer["rejects_total"] = len(summary.rejects)
    answer["rejects"] = summary.rejects[:MAX_REJECTS_SHOWN]
    return JSONResponse(answer)


def _import_mapping(kind: str, columns: str | None) -> Mapping:
    """The shipped mapping for ``kind``, with the columns the admin chose in the app (a JSON
    object of field -> the file's heading)."""
    mapping = load_mapping(kind)
    if not columns:
        return mapping
    try:
        chosen = json.loads(columns)
        if not isinstance(chosen, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in chosen.items()
        ):
            raise ValueError("columns must be a JSON object of field names to headings")
        return override_columns(mapping, chosen)
    except ValueError as exc:
        raise ApiError(400, "bad_request", f"columns: {exc}") from None


async def _save_body(request: Request, path: Path, limit: int) -> None:
    """Stream an upload to a file, refused with 413 as soon as it passes ``limit``."""
    too_large = ApiError(413, "too_large", f"uploads are limited to {limit} bytes")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large
    size = 0
    with path.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            out.write(chunk)


async def pricing_quote(request: Request) -> JSONResponse:
    """A firm quote for a cost sheet (merchandisers and admins): `sync.server.pricing`."""
    caller = await asyncio.to_thread(_caller, request)
    if caller.role not in PRICING_ROLES:
        raise ApiError(403, "forbidden", "firm quotes are for merchandisers and admins")
    data = _json_body(await _read_body(request))
    if not isinstance(data.get("sheet"), dict):
        raise ApiError(422, "invalid", "'sheet' must be a cost sheet object")
    state = _state(request)
    try:
        quote = await asyncio.to_thread(issue_quote, state.engine, caller, data)
    except CostingError as exc:
        raise ApiError(422, "cannot_price", str(exc)) from None
    notify(state, caller.workspace_id)
    return JSONResponse({"quote": quote})


async def traceability(request: Request) -> Response:
    """A label's QR code opened by anyone: the traceability page (`sync.server.trace`)."""
    state = _state(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        found = await asyncio.to_thread(trace, state.engine, str(request.url))
    except TraceNotFound as exc:
        if wants_json:
            return _error(404, "not_found", str(exc))
        page = environment().get_template("trace.html").render(t=None, reason=str(exc))
        return HTMLResponse(page, status_code=404)
    if wants_json:
        return JSONResponse(found)
    return HTMLResponse(environment().get_template("trace.html").render(t=found))


def notify(state: ServerState, workspace_id: str) -> None:
    """Wake this process's long-polls for a workspace (call on the event loop)."""
    event = state.waiters.pop(workspace_id, None)
    if event is not None:
        event.set()


ROUTES: list[tuple[str, Callable[..., Any], list[str]]] = [
    ("/v1/health", health, ["GET"]),
    ("/v1/openapi.json", openapi, ["GET"]),
    ("/v1/login", login, ["POST"]),
    ("/v1/changes", changes, ["GET"]),
    ("/v1/counts", counts, ["GET"]),
    ("/v1/snapshot", snapshot_info, ["GET"]),
    ("/v1/snapshot/{name}", snapshot_file, ["GET"]),
    ("/v1/wait", wait, ["GET"]),
    ("/v1/push", push, ["POST"]),
    ("/v1/import/{kind}", import_master_data, ["POST"]),
    ("/v1/pricing/quote", pricing_quote, ["POST"]),
    # the addresses printed in labels' QR codes (GS1 Digital Link, and our own IDs)
    ("/01/{rest:path}", traceability, ["GET"]),
    ("/id/{rest:path}", traceability, ["GET"]),
]


def create_app(
    engine: sa.Engine,
    *,
    snapshot_dir: Path,
    long_poll_s: float = 25.0,
    snapshot_max_age_s: float = 600.0,
    page_cache: int = PAGE_CACHE_BYTES,
    read_connections: int | None = None,
) -> Starlette:
    app = Starlette(
        routes=[Route(path, fn, methods=methods) for path, fn, methods in ROUTES],
        # level 1: a tenth of level 9's CPU; change pages still shrink about fivefold
        middleware=[Middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)],
        exception_handlers={HTTPException: _http_error},
    )
    app.state.sync = ServerState(
        engine=engine,
        reader=reading(engine, read_connections),
        snapshots=SnapshotStore(engine, snapshot_dir, snapshot_max_age_s),
        long_poll_s=long_poll_s,
        pages=PageCache(page_cache),
    )
    return app


def app_from_environment() -> Starlette:
    """The app for a server process started by uvicorn's process manager (``--workers``):
    the database URL and snapshot folder come from the environment the CLI set."""
    import os

    from sync.server.db import create_schema, make_engine

    engine = make_engine(os.environ["WORKBENCH_SYNC_DB"])
    create_schema(engine)
    page_cache = int(os.environ.get("WORKBENCH_SYNC_PAGE_CACHE", PAGE_CACHE_BYTES))
    connections = os.environ.get("WORKBENCH_SYNC_READ_CONNECTIONS")
    return create_app(
        engine,
        snapshot_dir=Path(os.environ["WORKBENCH_SYNC_SNAPSHOTS"]),
        page_cache=page_cache,
        read_connections=int(connections) if connections else None,
    )


__all__ = ["ApiError", "app_from_environment", "create_app", "notify", "writing"]
