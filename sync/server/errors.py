"""The one shape of every error the sync API answers, and the answers themselves.

``{"error": code, "message": sentence, "field": name or null, "request_id": id}``: a code for
programs, a sentence for the person using the app, the request's field to blame when there
is one (``mutations[3].seq``), and the id the server logged the request under (also in the
``X-Request-ID`` header of every answer). The code and message keep the names apps already
in the field read, so an app too old for this server still shows why (426, "please update").

4xx answers are about what the client sent; a 500 is a fault of the server's own, logged
with its request id (`request_ids`) and told to the client without the server's insides.
"""

from __future__ import annotations

from collections.abc import Mapping

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response

from workbench.errors import WorkbenchError

#: the code of each status when the error raised gave none (Starlette's own 404 and 405)
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    416: "range_not_satisfiable",
    422: "invalid",
    426: "update_required",
    429: "too_many_requests",
    500: "server_error",
}
#: Starlette's own messages, in the user's words
_MESSAGES = {
    404: "there is nothing at this address",
    405: "this address does not take that method",
}


class ApiError(WorkbenchError, HTTPException):
    """An answer with a status, a machine-readable code, a message for people and, when one
    field of the request is to blame, its name."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, object] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=dict(headers or {}) or None)
        self.code = code
        self.field = field
        #: what a program needs to act on the error, beside the message (`error_body`)
        self.details = dict(details or {})


def request_id(conn: HTTPConnection) -> str:
    """The id `request_ids.RequestIds` gave this request ("" outside that middleware)."""
    return str(conn.scope.get("state", {}).get("request_id", ""))


def error_body(
    code: str, message: str, field: str | None, request_id: str, **details: object
) -> dict[str, object]:
    """The error shape, with any ``details`` a program needs to act on it beside the rest
    (a reused mutation number's answer carries the server's last one)."""
    return {"error": code, "message": message, "field": field, "request_id": request_id, **details}


def error_answer(
    conn: HTTPConnection,
    status: int,
    code: str,
    message: str,
    *,
    field: str | None = None,
    headers: Mapping[str, str] | None = None,
    **details: object,
) -> JSONResponse:
    body = error_body(code, message, field, request_id(conn), **details)
    return JSONResponse(body, status_code=status, headers=dict(headers or {}) or None)


async def http_error(request: Request, exc: Exception) -> Response:
    """Every raised error in the same shape: `ApiError`s and Starlette's own (404, 405)."""
    assert isinstance(exc, HTTPException)
    status = exc.status_code
    code = getattr(exc, "code", None) or STATUS_CODES.get(status, "error")
    message = str(exc.detail)
    if not isinstance(exc, ApiError):
        message = _MESSAGES.get(status, message)
    headers = dict(exc.headers or {})
    if "Allow" in headers:  # Starlette lists a route's methods in no set order
        headers["Allow"] = ", ".join(sorted(m.strip() for m in headers["Allow"].split(",")))
    return error_answer(
        request,
        status,
        code,
        message,
        field=getattr(exc, "field", None),
        headers=headers,
        **getattr(exc, "details", {}),
    )
