"""The server's edge, as one plain ASGI layer around every request: its id, the headers
handlers asked for, the last word on faults, and (when observed) its metrics and access line.

Each request gets an id: the client's own ``X-Request-ID`` when it is a sane token (so a
laptop's log and the server's can be matched), else a new one. Every answer carries it back
in ``X-Request-ID``, errors in their body too (`errors`), with any header a handler asked for
whatever it answers (a device's replaced token: `handlers.requests.answer_header`). An
exception no handler turned into an answer is a fault of the server's: logged with the id and
its traceback, and answered as a 500 in the same JSON shape as every other error, without the
server's insides. Once answered, the request is counted, timed and logged
(`metrics.Observer`).

One layer rather than one per concern, and plain ASGI rather than Starlette's
BaseHTTPMiddleware: each layer is a coroutine and a wrapped ``send`` that every request of
every route goes through, and a pull answered from the page cache is little else
(`bench/edge.py` measures what this one costs). Streamed answers (snapshots, long polls) pass
through untouched.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import Protocol

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.server.errors import error_body

HEADER = "X-Request-ID"
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

log = logging.getLogger("sync.server")

#: what a new id is made of: 16 random hex digits for this process, then a count of its
#: requests (a uuid4 per request cost 3 µs, most of it asking the kernel for randomness)
_prefix = os.urandom(8).hex()
_numbers = itertools.count()


def _new_process() -> None:
    global _prefix, _numbers
    _prefix, _numbers = os.urandom(8).hex(), itertools.count()


os.register_at_fork(after_in_child=_new_process)  # a forked worker makes ids of its own


def new_request_id() -> str:
    """32 hex digits, unique across processes and restarts (as a uuid4's hex would be)."""
    return f"{_prefix}{next(_numbers):016x}"


def request_id_for(incoming: str | None) -> str:
    """The client's id when it is a plain token of at most 100 characters, else a new one."""
    if incoming and _SANE.fullmatch(incoming):
        return incoming
    return new_request_id()


class Observer(Protocol):
    """What counts and logs requests (`metrics.Observer`)."""

    def begin(self) -> None: ...

    def end(self, scope: Scope, status: int, took: float) -> None:
        """The request was answered with ``status`` in ``took`` seconds."""


class RequestIds:
    """``observer``: what counts and logs each request; None leaves that out."""

    def __init__(self, app: ASGIApp, observer: Observer | None = None) -> None:
        self.app = app
        self.observer = observer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        incoming = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value.decode("latin-1")
        rid = request_id_for(incoming)
        state = scope.setdefault("state", {})
        state["request_id"] = rid
        status = 0  # no answer started yet
        observer = self.observer
        if observer is not None:
            observer.begin()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # handlers set no X-Request-ID of their own: the answer's is this one
                headers = [
                    *message.get("headers", ()),
                    *state.get("answer_headers", ()),
                    (b"x-request-id", rid.encode()),
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception("request %s (%s %s) failed", rid, scope.get("method"), scope.get("path"))
            if status:
                raise  # the answer is under way: the connection is cut, which the client sees
            body = orjson.dumps(
                error_body(
                    "server_error",
                    f"the server failed to answer this request; its log has the details under "
                    f"request id {rid}",
                    None,
                    rid,
                )
            )
            await send_with_id(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"content-length", str(len(body)).encode()),
                    ],
                }
            )
            await send_with_id({"type": "http.response.body", "body": body})
        finally:
            if observer is not None:
                observer.end(scope, status or 500, time.perf_counter() - began)
