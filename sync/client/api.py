"""Talking to the sync server: the headers every call carries, one call retried with backoff
and jitter, the answers that will not improve by retrying turned into `SyncError`s, and
signing in.

Apart from what the calls are for (`feed`, `outbox`, `snapshot`, `uploads`, `pricing`) so the
retry policy and the messages the user reads are decided in one place.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import httpx

from sync import protocol
from workbench.errors import Cancelled, WorkbenchError

RETRY_STATUSES = frozenset({429, 502, 503, 504})
#: the longest ``Retry-After`` a call waits out; a longer one is reported to the caller
MAX_RETRY_AFTER_S = 120.0


class SyncError(WorkbenchError, RuntimeError):
    """Sync cannot go on; ``code`` is the server's error code when it gave one, ``details``
    the other fields of its answer (what a program needs to act on the error)."""

    def __init__(
        self, message: str, code: str = "error", details: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.details: Mapping[str, Any] = details or {}


class Request(Protocol):
    """One API call as `SyncClient.request` makes it (retried, cancellable): how the parts of
    the client call the server without holding its connection or retry settings."""

    def __call__(
        self, method: str, path: str, cancel: threading.Event | None = None, **kw: Any
    ) -> Any: ...


def _version_headers() -> dict[str, str]:
    return {
        protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
        protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
    }


#: the answer header a replaced device token comes in (the server's `TOKEN_HEADER`)
TOKEN_HEADER = "X-Workbench-Token"


def open_http(
    base_url: str,
    token: str,
    timeout_s: float,
    transport: httpx.BaseTransport | None,
    on_new_token: Callable[[str], None] | None = None,
    on_update_due: Callable[[str], None] | None = None,
) -> httpx.Client:
    """The connection to the server, signed in with ``token`` and saying which protocol and
    schema this client speaks (the server answers 426 to a version it does not speak).

    When the server replaces the token (an answer carrying ``X-Workbench-Token``), the
    connection signs its next requests with the new one and ``on_new_token`` is told, to keep
    it: the old one stops working once the new one is used. ``on_update_due`` is told what
    the server says when this app is a version behind it (an update is due)."""
    http = httpx.Client(
        base_url=base_url.rstrip("/"),
        timeout=timeout_s,
        transport=transport,
        headers={"Authorization": f"Bearer {token}", **_version_headers()},
    )

    def took_token(answer: httpx.Response) -> None:
        fresh = answer.headers.get(TOKEN_HEADER)
        if fresh:
            http.headers["Authorization"] = f"Bearer {fresh}"
            if on_new_token is not None:
                on_new_token(fresh)
        due = answer.headers.get(protocol.UPDATE_DUE_HEADER)
        if due and on_update_due is not None:
            on_update_due(due)

    http.event_hooks["response"].append(took_token)
    return http


def request(
    http: httpx.Client,
    method: str,
    path: str,
    cancel: threading.Event | None = None,
    *,
    retries: int,
    backoff_s: float,
    **kw: Any,
) -> Any:
    """``method path`` on ``http``, its JSON answer back. Network errors and 429/502/503/504
    are retried up to ``retries`` times, waiting ``backoff_s`` doubled at each try with jitter
    (so clients cut off together do not return together), and at least the ``Retry-After``
    the server asked for (past `MAX_RETRY_AFTER_S` the refusal is raised instead); ``cancel``
    ends a wait at once."""
    attempt = 0
    while True:
        if cancel is not None and cancel.is_set():
            raise Cancelled("sync was cancelled")
        asked: float | None = None
        try:
            answer = http.request(method, path, **kw)
        except httpx.TransportError as exc:
            problem: str = f"cannot reach the sync server ({exc.__class__.__name__})"
        else:
            if answer.status_code < 400:
                return answer.json()
            if answer.status_code not in RETRY_STATUSES:
                raise error_from(answer)
            problem = f"the sync server answered {answer.status_code}"
            asked = retry_after(answer)
            if asked is not None and asked > MAX_RETRY_AFTER_S:
                raise error_from(answer)  # not worth waiting for here: the next sync will try
        attempt += 1
        if attempt > retries:
            raise SyncError(f"{problem}; gave up after {retries} retries", "offline")
        delay = backoff_s * 2 ** (attempt - 1)
        wait = random.uniform(delay / 2, delay * 1.5)
        if asked is not None:
            wait = max(wait, asked)
        if cancel is not None:
            if cancel.wait(wait):
                raise Cancelled("sync was cancelled")
        else:
            time.sleep(wait)


def retry_after(answer: httpx.Response) -> float | None:
    """The seconds a 429 or 503 asks the client to wait (``Retry-After``), when it says."""
    value = answer.headers.get("retry-after", "").strip()
    return float(value) if value.isdigit() else None


def error_from(answer: httpx.Response) -> SyncError:
    """The server's refusal as a `SyncError`: its code and message, or its status and text
    when the answer is not the API's JSON (a proxy's error page)."""
    details: dict[str, Any] = {}
    try:
        body = answer.json()
        code, message = str(body.get("error", "error")), str(body.get("message", ""))
        details = {k: v for k, v in body.items() if k not in ("error", "message")}
    except ValueError:
        code, message = "error", answer.text[:200]
    return SyncError(message or f"the sync server answered {answer.status_code}", code, details)


def login(
    base_url: str,
    username: str,
    password: str,
    device_name: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> protocol.Login:
    """Sign in and register this device; the token is for the keyring, never a file."""
    headers = _version_headers()
    try:
        with httpx.Client(base_url=base_url.rstrip("/"), timeout=30, transport=transport) as http:
            answer = http.post(
                "/v1/login",
                headers=headers,
                json={"username": username, "password": password, "device_name": device_name},
            )
    except httpx.TransportError as exc:
        raise SyncError(f"cannot reach the sync server at {base_url}: {exc}", "offline") from exc
    if answer.status_code >= 400:
        raise error_from(answer)
    return protocol.Login.from_json(answer.json())
