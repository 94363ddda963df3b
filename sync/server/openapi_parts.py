"""The pieces every operation of the OpenAPI document is made of: the version headers each
request carries, a query limit, an answer in JSON with its request id, the errors an
operation may answer with (each described once, here), a body, and who may call it."""

from __future__ import annotations

from typing import Any

from sync import protocol

REF = "#/components/schemas/{name}"
ERROR = {"$ref": "#/components/schemas/Error"}
DEVICE: list[dict[str, list[str]]] = [{"device": []}]
PUBLIC: list[dict[str, list[str]]] = []


def version_headers() -> list[dict[str, Any]]:
    return [
        {
            "name": name,
            "in": "header",
            "required": True,
            "description": "the protocol and replica schema the app speaks: the server's own or "
            "the one before (answers to that one carry X-Workbench-Update-Due); "
            "another is answered 426 update_required",
            "schema": {"type": "integer", "enum": list(range(low, current + 1))},
        }
        for name, low, current in (
            (protocol.PROTOCOL_HEADER, protocol.MIN_PROTOCOL_VERSION, protocol.PROTOCOL_VERSION),
            (protocol.SCHEMA_HEADER, protocol.MIN_SCHEMA_VERSION, protocol.SCHEMA_VERSION),
        )
    ]


def query(
    name: str, low: int, high: int, description: str, default: int | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if default is not None:
        schema["default"] = default
    return {"name": name, "in": "query", "description": description, "schema": schema}


REQUEST_ID_HEADER = {
    "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
    protocol.UPDATE_DUE_HEADER: {
        "description": "present when the app is a version behind the server: what to tell "
        "its user (an update is due before the server's next version stops serving it)",
        "schema": {"type": "string"},
    },
}


def json_answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": REQUEST_ID_HEADER,
        "content": {"application/json": {"schema": schema}},
    }


def ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(name=name)}


ERROR_TEXT = {
    400: "bad_request or bad_json: a query parameter or the JSON body cannot be read (not "
    "JSON, a lone surrogate, nested too deeply)",
    401: "unauthorized: no, unknown or revoked token; or wrong username or password",
    403: "forbidden: the caller's role may not do this; or device_wipe: an admin ordered the "
    "workspace data on this device deleted (`export_allowed` says whether its user may "
    "first export the unsent edits, encrypted); carry it out and report it to "
    "/v1/device/wiped",
    404: "not_found",
    410: "must_refetch: the cursor is older than deletions are kept; download a snapshot",
    413: "too_large: the request body is over the limit",
    416: "range_not_satisfiable: the Range starts past the file's end (Content-Range: "
    "bytes */size)",
    422: "invalid: a field is missing, of the wrong type or out of its limits; `field` names it",
    426: "update_required: a missing version header, or a protocol or schema this server "
    "no longer speaks (older than the one before its own) or does not speak yet; the "
    "message asks the user to update Mill Workbench",
    429: "too_many_requests: too many failed sign-ins for the account or from the address, "
    "or too many requests of this kind from the device; Retry-After says how many "
    "seconds to wait",
    500: "server_error: a fault of the server's, logged under the answer's request id",
}

RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def errors(*codes: int) -> dict[str, Any]:
    answers = {str(c): json_answer(ERROR_TEXT[c], ERROR) for c in (*codes, 500)}
    if "429" in answers:
        answers["429"]["headers"] = {**REQUEST_ID_HEADER, **RETRY_AFTER}
    return answers


def body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": ref(name)}}}


def operation(
    summary: str, security: list[Any], responses: dict[str, Any], **more: Any
) -> dict[str, Any]:
    if security is DEVICE and "403" not in responses:  # any device may be ordered wiped
        responses = {**responses, **errors(403)}
    return {"summary": summary, "security": security, **more, "responses": responses}
