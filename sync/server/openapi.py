"""The OpenAPI document served at ``/v1/openapi.json``, assembled from what the server enforces.

Bodies are the typed structures the handlers decode and answer with (`messages`), their
schemas made by msgspec; the query limits are the handlers' own constants; the routes are the
app's (a test holds the paths to them, and a contract test runs Schemathesis against the
served document). So the published limits are the enforced ones.

Rows, pushed and sent, get one schema per replicated table from the declaration of the
replicated tables (`table_row_schemas`), the same typed models every pushed row is checked with.
"""

from __future__ import annotations

from typing import Any

import msgspec

from sync import protocol
from sync.server import messages as m
from sync.server.handlers.feed import DEFAULT_PAGE_ROWS, MAX_AFTER, MAX_PAGE_ROWS, MAX_WAIT_S
from sync.server.handlers.requests import MAX_BODY_BYTES
from sync.server.handlers.writes import (
    DECIMAL_MARKS,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_PATTERN,
    MAX_FILENAME,
    MAX_IMPORT_BYTES,
    UPLOAD_PATTERN,
)
from workbench.ingest.mapping import KINDS
from workbench.replica import DOCUMENT_TABLES
from workbench.replica.declaration import row_schemas

_REF = "#/components/schemas/{name}"
_ERROR = {"$ref": "#/components/schemas/Error"}
DEVICE: list[dict[str, list[str]]] = [{"device": []}]
PUBLIC: list[dict[str, list[str]]] = []


def table_row_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per replicated table's row, from the declaration of the tables (the
    typed models every pushed row is checked with)."""
    return row_schemas()


def _row_name(table: str) -> str:
    return "Row." + table


# -- the pieces of every operation ---------------------------------------------------------------


def _version_headers() -> list[dict[str, Any]]:
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


def _query(
    name: str, low: int, high: int, description: str, default: int | None = None
) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "integer", "minimum": low, "maximum": high}
    if default is not None:
        schema["default"] = default
    return {"name": name, "in": "query", "description": description, "schema": schema}


_REQUEST_ID_HEADER = {
    "X-Request-ID": {"$ref": "#/components/headers/RequestId"},
    protocol.UPDATE_DUE_HEADER: {
        "description": "present when the app is a version behind the server: what to tell "
        "its user (an update is due before the server's next version stops serving it)",
        "schema": {"type": "string"},
    },
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "description": description,
        "headers": _REQUEST_ID_HEADER,
        "content": {"application/json": {"schema": schema}},
    }


def _ref(name: str) -> dict[str, str]:
    return {"$ref": _REF.format(name=name)}


_ERROR_TEXT = {
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

_RETRY_AFTER = {
    "Retry-After": {
        "description": "seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _errors(*codes: int) -> dict[str, Any]:
    answers = {str(c): _json(_ERROR_TEXT[c], _ERROR) for c in (*codes, 500)}
    if "429" in answers:
        answers["429"]["headers"] = {**_REQUEST_ID_HEADER, **_RETRY_AFTER}
    return answers


def _body(name: str) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": _ref(name)}}}


def _operation(
    summary: str, security: list[Any], responses: dict[str, Any], **more: Any
) -> dict[str, Any]:
    if security is DEVICE and "403" not in responses:  # any device may be ordered wiped
        responses = {**responses, **_errors(403)}
    return {"summary": summary, "security": security, **more, "responses": responses}


def _paths() -> dict[str, dict[str, Any]]:
    versions = _version_headers()
    trace = {
        prefix + "/{rest}": {
            "get": _operation(
                "The traceability page of a label's QR code (" + what + "): the item, lot, mill, "
                "materials, certifications and fibre footprint; nothing priced, and suppliers only "
                "where the workspace allows. HTML, or JSON with Accept: application/json. Needs "
                "no token.",
                PUBLIC,
                {
                    "200": {
                        "description": "the item",
                        "headers": _REQUEST_ID_HEADER,
                        "content": {
                            "text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": _ref("Trace")},
                        },
                    },
                    "404": {
                        "description": "the code names nothing published here: no label "
                        "for it was printed and no admin published it (a page, or the error "
                        "as JSON; the same for every such code)",
                        "headers": _REQUEST_ID_HEADER,
                        "content": {
                            "text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": _ERROR},
                        },
                    },
                    **_errors(),
                },
                parameters=[
                    {
                        "name": "rest",
                        "in": "path",
                        "required": True,
                        "description": "the rest of the label's address",
                        "schema": {"type": "string"},
                    }
                ],
            )
        }
        for prefix, what in (("/01", "GS1 Digital Link"), ("/id", "workspace ID"))
    }
    return {
        "/v1/health": {
            "get": _operation(
                "Liveness and versions; needs no token.",
                PUBLIC,
                {"200": _json("the server is up", _ref("Health")), **_errors()},
            )
        },
        "/metrics": {
            "get": _operation(
                "The server's metrics in Prometheus' text format: requests and latency by route "
                "and status, rows pulled, mutations pushed, imports, throttled requests, how far "
                "behind each device is, the audit checkpoint's age. Served to the addresses the "
                "settings allow (loopback by default); needs no token.",
                PUBLIC,
                {
                    "200": {
                        "description": "the metrics",
                        "headers": _REQUEST_ID_HEADER,
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "403": _json("forbidden: this address may not read the metrics", _ERROR),
                    **_errors(),
                },
            )
        },
        "/v1/openapi.json": {
            "get": _operation(
                "This document.",
                PUBLIC,
                {"200": _json("OpenAPI 3.1", {"type": "object"}), **_errors()},
            )
        },
        "/v1/login": {
            "post": _operation(
                "Exchange username and password for a device token.",
                PUBLIC,
                {
                    "200": _json("signed in", _ref("LoginAnswer")),
                    **_errors(400, 401, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=_body("LoginRequest"),
            )
        },
        "/v1/me": {
            "get": _operation(
                "Who this device token signs in as: its device, workspace and user.",
                DEVICE,
                {"200": _json("the device's identity", _ref("Me")), **_errors(401, 426)},
                parameters=versions,
            )
        },
        "/v1/changes": {
            "get": _operation(
                "Rows written after a cursor, oldest first, paged (gzip when accepted).",
                DEVICE,
                {
                    "200": {
                        **_json("a page of changes", _ref("ChangesAnswer")),
                        "links": {
                            "NextPage": {
                                "operationId": "changes",
                                "parameters": {"after": "$response.body#/next"},
                            }
                        },
                    },
                    **_errors(400, 401, 410, 426),
                },
                operationId="changes",
                parameters=[
                    *versions,
                    _query("after", 0, MAX_AFTER, "the last change number already held"),
                    _query("limit", 1, MAX_PAGE_ROWS, "rows per page", DEFAULT_PAGE_ROWS),
                ],
            )
        },
        "/v1/counts": {
            "get": _operation(
                "Live rows per table this caller's role receives, for the count check.",
                DEVICE,
                {
                    "200": {
                        **_json("counts", _ref("Counts")),
                        "links": {
                            "Wait": {
                                "operationId": "wait",
                                "parameters": {"after": "$response.body#/seq"},
                            }
                        },
                    },
                    **_errors(401, 426),
                },
                parameters=versions,
            )
        },
        "/v1/snapshot": {
            "get": _operation(
                "Describe the current first-sync snapshot for the caller's role.",
                DEVICE,
                {
                    "200": {
                        **_json("the snapshot to download", _ref("Snapshot")),
                        "links": {
                            "Download": {
                                "operationId": "snapshotFile",
                                "parameters": {"name": "$response.body#/name"},
                            }
                        },
                    },
                    **_errors(400, 401, 426),
                },
                parameters=[
                    *versions,
                    {
                        "name": "form",
                        "in": "query",
                        "description": "gzip (the default): the snapshot as a gzip-compressed "
                        "SQLite file; sqlcipher: as a SQLCipher 4 database under a random key "
                        "of its own, sent in the answer, for a laptop whose replica is "
                        "encrypted (it never holds the snapshot in clear)",
                        "schema": {
                            "type": "string",
                            "enum": ["gzip", "sqlcipher"],
                            "default": "gzip",
                        },
                    },
                ],
            )
        },
        "/v1/snapshot/{name}": {
            "get": _operation(
                "Download a snapshot (gzip of a replica-schema SQLite file, or the SQLCipher "
                "database of the same rows) or its search index (gzip tar); honours Range.",
                DEVICE,
                {
                    "200": {
                        "description": "the whole file",
                        "headers": _REQUEST_ID_HEADER,
                        "content": {"application/gzip": {}, "application/octet-stream": {}},
                    },
                    "206": {
                        "description": "the range asked for",
                        "headers": _REQUEST_ID_HEADER,
                        "content": {"application/gzip": {}, "application/octet-stream": {}},
                    },
                    **_errors(401, 404, 416, 426),
                },
                operationId="snapshotFile",
                parameters=[
                    *versions,
                    {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "Range",
                        "in": "header",
                        "description": "one range of bytes (bytes=N-) to resume a download; "
                        "another form is ignored and the whole file sent",
                        "schema": {"type": "string"},
                    },
                ],
            )
        },
        "/v1/wait": {
            "get": _operation(
                "Long-poll until the workspace has a change after a cursor.",
                DEVICE,
                {
                    "200": _json("a change arrived, or the wait timed out", _ref("Waited")),
                    **_errors(400, 401, 426),
                },
                operationId="wait",
                parameters=[
                    *versions,
                    _query("after", 0, MAX_AFTER, "the last change number already held"),
                    _query(
                        "timeout",
                        0,
                        MAX_WAIT_S,
                        "seconds to wait at most (the server may answer sooner)",
                    ),
                ],
            )
        },
        "/v1/push": {
            "post": _operation(
                "Apply a batch of this device's mutations, each at most once.",
                DEVICE,
                {
                    "200": _json(
                        "one answer per mutation: applied, conflict or rejected", _ref("PushAnswer")
                    ),
                    "409": _json(
                        "mutation_seq_reused: a number this device already used for another "
                        "mutation "
                        "(a replica restored from an earlier copy); nothing was applied. Number "
                        "the "
                        "mutations from `seq` on again after `last_mutation_seq` and push again",
                        {
                            "allOf": [_ERROR],
                            "required": ["seq", "last_mutation_seq"],
                            "properties": {
                                "seq": {"type": "integer"},
                                "last_mutation_seq": {"type": "integer"},
                            },
                        },
                    ),
                    **_errors(400, 401, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=_body("PushRequest"),
            )
        },
        "/v1/device/wiped": {
            "post": _operation(
                "Report the wipe an admin ordered done: the laptop deleted the "
                "workspace's replica, "
                "derived files, key and token. The device's token stops working; audited.",
                DEVICE,
                {
                    "200": _json("recorded", _ref("Wiped")),
                    "409": _json("no_wipe_ordered: no wipe was ordered for this device", _ERROR),
                    **_errors(400, 401, 413, 422, 426),
                },
                parameters=versions,
                requestBody=_body("WipeReport"),
            )
        },
        "/v1/pricing/quote": {
            "post": _operation(
                "A firm quote for a cost sheet from the server's current rates, margin rules and "
                "FX rates: numbered, dated, valid for 30 days, stored and audited (merchandisers "
                "and admins).",
                DEVICE,
                {
                    "200": _json("the quote", _ref("QuoteAnswer")),
                    **_errors(400, 401, 403, 413, 422, 426, 429),
                },
                parameters=[
                    *versions,
                    {
                        "name": IDEMPOTENCY_HEADER,
                        "in": "header",
                        "description": "a key for this request (a UUID): the same key with "
                        "the same request is answered with the quote it was first given, "
                        "while that quote is valid, so a retried request makes no second "
                        "quote; with another request it is refused (422 "
                        "idempotency_key_reused)",
                        "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_PATTERN}$"},
                    },
                ],
                requestBody=_body("QuoteRequest"),
            )
        },
        "/v1/serials": {
            "post": _operation(
                "The next consecutive serial numbers (GS1 AI 21) of a series for this device alone "
                "(floor users and admins): for a label run printed now, or a block reserved for "
                "printing offline. No serial is handed out twice; audited.",
                DEVICE,
                {
                    "200": _json("the block: first to last, count of them", _ref("SerialBlock")),
                    **_errors(400, 401, 403, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=_body("SerialRequest"),
            )
        },
        **trace,
        "/v1/import/{kind}": {
            "post": _operation(
                "Import a file of master data into the caller's workspace (admins only). All rows "
                "or none unless accept_partial; dry_run writes nothing.",
                DEVICE,
                {
                    "200": _json(
                        "rows read, inserted, updated, unchanged and rejected", _ref("ImportAnswer")
                    ),
                    **_errors(400, 401, 403, 404, 413, 422, 426, 429),
                },
                parameters=[
                    *versions,
                    {
                        "name": "kind",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": list(KINDS)},
                    },
                    {
                        "name": "filename",
                        "in": "query",
                        "required": True,
                        "description": "the file's name: its extension says how to read it",
                        "schema": {
                            "type": "string",
                            "maxLength": MAX_FILENAME,
                            "pattern": UPLOAD_PATTERN,
                        },
                    },
                    _query("dry_run", 0, 1, "1: check and count, write nothing"),
                    {
                        "name": "columns",
                        "in": "query",
                        "description": "the file's heading to read each field from (400: not a "
                        "JSON object of text; 422: a field the kind does not have)",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                }
                            }
                        },
                    },
                    _query("accept_partial", 0, 1, "1: import the valid rows, report the rest"),
                    {
                        "name": "decimal_mark",
                        "in": "query",
                        "description": "the file's decimal mark, as the SAP user's decimal "
                        "notation "
                        "says (1.234.567,89 is comma), like the command line's "
                        "--decimal-mark: a number that reads both ways (1,234) is "
                        "read with it and one written with the other mark is refused; "
                        "left out, the file's numbers tell it and a number nothing "
                        "tells is rejected as ambiguous (400: not one of these)",
                        "schema": {"type": "string", "enum": list(DECIMAL_MARKS)},
                    },
                ],
                requestBody={
                    "required": True,
                    "description": f"at most {MAX_IMPORT_BYTES} bytes",
                    "content": {
                        "application/octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                },
            )
        },
    }


def _schemas() -> dict[str, Any]:
    bodies = (
        m.LoginRequest,
        m.PushRequest,
        m.QuoteRequest,
        m.Error,
        m.Health,
        m.LoginAnswer,
        m.Me,
        m.ChangesAnswer,
        m.Counts,
        m.Snapshot,
        m.Waited,
        m.PushAnswer,
        m.QuoteAnswer,
        m.QuoteBreak,
        m.QuoteColourway,
        m.ImportAnswer,
        m.Trace,
        m.WipeReport,
        m.Wiped,
        m.SerialRequest,
        m.SerialBlock,
    )
    _, schemas = msgspec.json.schema_components(bodies, ref_template=_REF)
    # read as any number and refused unless whole (`handlers.writes.serials`): what JSON
    # Schema calls an integer, 271.0 included
    schemas["SerialRequest"]["properties"]["count"] = {
        "type": "integer",
        "minimum": 1,
        "maximum": m.MAX_SERIAL_BLOCK,
    }
    # the quote stays open to more fields; the breaks and colourways are described: the
    # top-level breaks are the style's without colourways (what older apps read), and each
    # colourway carries its own
    quote = schemas["QuoteAnswer"]["properties"]["quote"]
    quote["properties"] = {
        "breaks": {
            "type": "array",
            "items": _ref("QuoteBreak"),
            "description": "the style's price from each quantity break, as costed without "
            "colourways",
        },
        "colourways": {
            "type": "array",
            "items": _ref("QuoteColourway"),
            "description": "for a sheet with colourways: each colourway's price at the "
            "order's quantity and under its own breaks",
        },
    }
    rows = table_row_schemas()
    for table, schema in rows.items():
        schemas[_row_name(table)] = schema
    # a change is one table's row; a pushed row is a document table's
    schemas["Change"] = {
        "oneOf": [
            {
                "type": "object",
                "required": ["table", "row"],
                "properties": {"table": {"const": table}, "row": _ref(_row_name(table))},
            }
            for table in rows
        ]
    }
    # a pushed row is taken as any object and checked against its table's row schema one
    # mutation at a time: one that breaks it is answered ``rejected`` with the field and value,
    # and the rest of the batch is applied
    pushed = schemas["Mutation"]["properties"]
    pushed["row"] = {
        "anyOf": [{"type": "object"}, {"type": "null"}],
        "description": "the document row as written on the laptop, checked against "
        + ", ".join(f"Row.{t}" for t in DOCUMENT_TABLES)
        + " by its table: a row that breaks its table's schema is answered rejected",
    }
    return schemas


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mill Workbench sync API",
            "version": str(protocol.PROTOCOL_VERSION),
            "description": f"Request bodies are at most {MAX_BODY_BYTES} bytes (imports: "
            f"{MAX_IMPORT_BYTES}). Every answer carries X-Request-ID; every error is an Error.",
        },
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "device": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "the token /v1/login issues",
                }
            },
            "headers": {
                "RequestId": {
                    "description": "the request's id: the client's own X-Request-ID when it is a "
                    "plain token of up to 100 characters, else one the server made",
                    "schema": {"type": "string"},
                }
            },
            "schemas": _schemas(),
        },
    }


#: the documented paths and methods (a test holds them to the app's routes)
PATHS = _paths()
