"""What needs no device token, or none yet: health, the OpenAPI document, signing in (which
issues the token) and who a token signs in as, and the traceability page a label's QR code
opens for anyone.
"""

from __future__ import annotations

import asyncio

import sqlalchemy as sa
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from sync import protocol
from sync.server import accounts, metrics
from sync.server.accounts import AccountError, SignInThrottled
from sync.server.errors import ApiError, error_answer
from sync.server.handlers.requests import (
    caller_of,
    check_version,
    client_address,
    read_body,
    state_of,
)
from sync.server.messages import LoginRequest, decode
from sync.server.openapi import openapi_document
from sync.server.trace import NotFound as TraceNotFound
from sync.server.trace import trace
from workbench.proposals.render import environment


def health(request: Request) -> JSONResponse:
    with state_of(request).reader.connect() as conn:
        conn.execute(sa.text("SELECT 1"))
    return JSONResponse(
        {"status": "ok", "protocol": protocol.PROTOCOL_VERSION, "schema": protocol.SCHEMA_VERSION}
    )


def prometheus(request: Request) -> Response:
    """The server's metrics in Prometheus' text format (`sync.server.metrics`), to the
    addresses the settings allow ([metrics] allow: loopback by default)."""
    state = state_of(request)
    address = client_address(request)
    if not state.config.metrics.allows(address):
        raise ApiError(
            403,
            "forbidden",
            f"metrics are not served to {address}: add it to "
            "[metrics] allow in the server's settings",
        )
    body = metrics.exposition(state.engine, state.config.audit.checkpoint_log)
    return Response(body, media_type=metrics.CONTENT_TYPE)


def openapi(request: Request) -> JSONResponse:
    return JSONResponse(openapi_document())


async def login(request: Request) -> JSONResponse:
    check_version(request)
    data = decode(await read_body(request), LoginRequest)
    device = data.device_name or "unnamed device"
    state = state_of(request)
    try:
        done = await asyncio.to_thread(
            accounts.login,
            state.engine,
            data.username,
            data.password,
            device,
            address=client_address(request),
            config=state.config,
        )
    except SignInThrottled as exc:
        metrics.THROTTLED.labels("signin").inc()
        raise ApiError(
            429, "too_many_requests", str(exc), headers={"Retry-After": str(exc.retry_after_s)}
        ) from None
    except AccountError as exc:
        raise ApiError(401, "unauthorized", str(exc)) from None
    return JSONResponse(done.to_json())


def me(request: Request) -> JSONResponse:
    """Who a device token signs in as: its device, workspace and user (what a machine given a
    token rather than a password needs to set up its workspace)."""
    caller = caller_of(request)
    with state_of(request).reader.connect() as conn:
        name = accounts.workspace_name(conn, caller.workspace_id)
        allowed = accounts.passphrase_allowed(conn, caller.workspace_id)
    return JSONResponse(
        {
            "device_id": caller.device_id,
            "workspace": {"id": caller.workspace_id, "name": name, "passphrase_allowed": allowed},
            "user": {"username": caller.username, "role": caller.role},
        }
    )


async def traceability(request: Request) -> Response:
    """A label's QR code opened by anyone: the traceability page (`sync.server.trace`)."""
    state = state_of(request)
    wants_json = "application/json" in request.headers.get("accept", "")
    try:
        found = await asyncio.to_thread(trace, state.engine, str(request.url))
    except TraceNotFound as exc:
        if wants_json:
            return error_answer(request, 404, "not_found", str(exc))
        page = environment().get_template("trace.html").render(t=None, reason=str(exc))
        return HTMLResponse(page, status_code=404)
    if wants_json:
        return JSONResponse(found)
    return HTMLResponse(environment().get_template("trace.html").render(t=found))
