"""What every handler of the sync API shares: the server's state, the caller resolved from
the bearer token, parameters and bodies read with clear 4xx answers, and waking long-polls.

Handlers are thin: they check the request, resolve the caller, and call the
workspace-scoped data layer (`scoping.WorkspaceScope`). Database work is synchronous
SQLAlchemy, so most handlers are plain functions that Starlette runs in its thread pool.
"""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from starlette.requests import Request

from sync import protocol
from sync.server import accounts, metrics, throttle
from sync.server.accounts import Caller
from sync.server.anchor import Checkpointer
from sync.server.config import ServerConfig
from sync.server.errors import ApiError
from sync.server.pages import PageCache
from sync.server.snapshot import SnapshotStore

MAX_BODY_BYTES = 8 * 1024 * 1024
_WHOLE = re.compile(r"-?[0-9]{1,30}")


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
    #: the admin's settings: limits, token lifetimes, the audit anchor (`config`)
    config: ServerConfig = field(default_factory=ServerConfig)

    #: writes the audit checkpoint log while the server runs (`anchor`), when one is set
    checkpointer: Checkpointer | None = None

    def close(self) -> None:
        """Close the connections of the pool this state made for itself; stop writing
        checkpoints."""
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self.reader is not self.engine:
            self.reader.dispose()


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.sync  # Starlette's State holds Any
    return state


def check_version(request: Request) -> None:
    """Refuse (426) an app whose protocol or schema this server does not speak; tell one a
    version behind that an update is due (`protocol.UPDATE_DUE_HEADER`)."""
    headers = request.headers
    announced = (headers.get(protocol.PROTOCOL_HEADER), headers.get(protocol.SCHEMA_HEADER))
    verdict = _VERDICTS.get(announced)
    if verdict is None:
        verdict = (protocol.version_problem(*announced), protocol.update_due(*announced))
        if len(_VERDICTS) < 64:  # the versions in the field are few; odd headers are not kept
            _VERDICTS[announced] = verdict
    problem, due = verdict
    if problem:
        raise ApiError(426, "update_required", problem)
    if due:
        answer_header(request, protocol.UPDATE_DUE_HEADER, due)


def announced_schema(request: Request) -> int:
    """The replica schema the app announced, once `check_version` let it in (this server's
    own where a request carries none, such as the buyer's page)."""
    value = request.headers.get(protocol.SCHEMA_HEADER, "")
    return int(value) if value.isdigit() else protocol.SCHEMA_VERSION


#: what `check_version` concluded for each pair of announced versions
_VERDICTS: dict[tuple[str | None, str | None], tuple[str | None, str | None]] = {}


def caller_of(request: Request, conn: sa.Connection | None = None) -> Caller:
    """The authenticated caller, after the protocol version check. Raises 401/426.

    ``conn``: a connection the handler goes on to use (one checkout per request, which on
    PostgreSQL saves the pool's ping and the reset's round trips)."""
    check_version(request)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(401, "unauthorized", "sign in first: this request has no device token")
    state = state_of(request)
    token = token.strip()
    tokens = state.config.tokens
    try:
        if conn is None:
            with state.reader.connect() as own:
                caller = accounts.authenticate(own, token, tokens)
        else:
            caller = accounts.authenticate(conn, token, tokens)
    except accounts.TokenExpired as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    if caller is None:
        raise ApiError(
            401, "unauthorized", "this device's token is unknown or was revoked: sign in again"
        )
    if caller.wipe_ordered and request.url.path != WIPED_PATH:
        raise ApiError(
            403,
            "device_wipe",
            "your administrator ordered the workspace data on this device deleted",
            details={"export_allowed": caller.wipe_export_allowed},
        )
    if caller.token_work:
        fresh = accounts.rotate_token(state.engine, caller, token)
        if fresh is not None:
            answer_header(request, TOKEN_HEADER, fresh)
    return caller


#: where a device reports a wipe carried out: the one request a device ordered wiped may make
WIPED_PATH = "/v1/device/wiped"

#: the answer header a device's new token comes in, when its token was replaced (`accounts`)
TOKEN_HEADER = "X-Workbench-Token"


def answer_header(request: Request, name: str, value: str) -> None:
    """A header for this request's answer, whatever the handler answers (`RequestIds` adds
    it)."""
    request.scope.setdefault("state", {}).setdefault("answer_headers", []).append(
        (name.lower().encode("latin-1"), value.encode("latin-1"))
    )


def client_address(request: Request) -> str:
    """The client's address: the peer's, or the one a proxy on loopback forwarded (uvicorn
    takes ``X-Forwarded-For`` from the addresses in ``FORWARDED_ALLOW_IPS``, 127.0.0.1 by
    default)."""
    return request.client.host if request.client else "unknown"


def too_many(exc: throttle.Throttled) -> ApiError:
    return ApiError(
        429, "too_many_requests", str(exc), headers={"Retry-After": str(exc.retry_after_s)}
    )


#: what each throttled kind of request is called in the refusal
_KINDS = {
    "push": "pushes",
    "quote": "quote requests",
    "import": "imports",
    "serials": "serial number requests",
}


def writer_of(request: Request, kind: str) -> Caller:
    """`caller_of`, then the device's requests of ``kind`` counted against their limit a
    minute (`config.Limits`); 429 past it."""
    caller = caller_of(request)
    state = state_of(request)
    limit = getattr(state.config.limits, f"{kind}_per_minute")
    try:
        throttle.check_rate(state.engine, f"{kind}:{caller.device_id}", limit, _KINDS[kind])
    except throttle.Throttled as exc:
        metrics.THROTTLED.labels(kind).inc()
        raise too_many(exc) from None
    return caller


def int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    """A whole-number query parameter, written plainly (digits, an optional minus)."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not _WHOLE.fullmatch(raw):
        raise ApiError(
            400, "bad_request", f"{name} must be a whole number, not {raw[:50]!r}", field=name
        )
    value = int(raw)
    if not low <= value <= high:
        raise ApiError(400, "bad_request", f"{name} must be between {low} and {high}", field=name)
    return value


async def read_body(request: Request) -> bytes:
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


async def save_body(request: Request, path: Path, limit: int) -> None:
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


def notify(state: ServerState, workspace_id: str) -> None:
    """Wake this process's long-polls for a workspace (call on the event loop)."""
    event = state.waiters.pop(workspace_id, None)
    if event is not None:
        event.set()
