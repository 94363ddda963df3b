"""A request id on every request and answer, and the last word on faults.

Each request gets an id: the client's own ``X-Request-ID`` when it is a sane token (so a
laptop's log and the server's can be matched), else a new one. Every answer carries it back
in ``X-Request-ID``, errors in their body too (`errors`), with any header a handler asked for
whatever it answers (a device's replaced token: `handlers.requests.answer_header`). An
exception no handler turned into an answer is a fault of the server's: logged with the id and
its traceback, and answered as a 500 in the same JSON shape as every other error, without the
server's insides.

Plain ASGI rather than Starlette's BaseHTTPMiddleware, so streamed answers (snapshots, long
polls) pass through untouched.
"""

from __future__ import annotations

import logging
import re
import uuid

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.errors import error_body

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

log = logging.getLogger("sync.server")


def request_id_for(incoming: str | None) -> str:
    """The client's id when it is a plain token of at most 100 characters, else a new one."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        rid = request_id_for(incoming)
        scope.setdefault("state", {})["request_id"] = rid
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", ()) if k != b"x-request-id"]
                extra = scope["state"].get("answer_headers", [])  # `answer_header`
                message = {**message,
                           "headers": [*headers, *extra, (b"x-request-id", rid.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s (%s %s) failed", rid, scope.get("method"), scope.get("path"))
            if started:
                raise  # the answer is under way: the connection is cut, which the client sees
            body = orjson.dumps(error_body(
                "server_error",
                f"the server failed to answer this request; its log has the details under "
                f"request id {rid}",
                None, rid,
            ))  # fmt: skip
            await send_with_id({
                "type": "http.response.start", "status": 500,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())],
            })  # fmt: skip
            await send_with_id({"type": "http.response.body", "body": body})
