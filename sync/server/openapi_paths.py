"""The paths of the OpenAPI document: each route of the server with its parameters, their
limits (the handlers' own constants), its body and its answers (`sync.server.openapi_parts`).
A test holds them to the app's routes."""

from __future__ import annotations

from typing import Any

from sync.server.handlers.feed import DEFAULT_PAGE_ROWS, MAX_AFTER, MAX_PAGE_ROWS, MAX_WAIT_S
from sync.server.handlers.writes import (
    DECIMAL_MARKS,
    IDEMPOTENCY_HEADER,
    IDEMPOTENCY_PATTERN,
    MAX_FILENAME,
    MAX_IMPORT_BYTES,
    UPLOAD_PATTERN,
)
from sync.server.openapi_parts import (
    DEVICE,
    ERROR,
    PUBLIC,
    REQUEST_ID_HEADER,
    body,
    errors,
    json_answer,
    operation,
    query,
    ref,
    version_headers,
)
from sync.server.snapshot import FORMS
from workbench.ingest.mapping import KINDS


def paths() -> dict[str, dict[str, Any]]:
    versions = version_headers()
    trace = {
        prefix + "/{rest}": {
            "get": operation(
                "The traceability page of a label's QR code (" + what + "): the item, lot, mill, "
                "materials, certifications and fibre footprint; nothing priced, and suppliers only "
                "where the workspace allows. HTML, or JSON with Accept: application/json. Needs "
                "no token.",
                PUBLIC,
                {
                    "200": {
                        "description": "the item",
                        "headers": REQUEST_ID_HEADER,
                        "content": {
                            "text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": ref("Trace")},
                        },
                    },
                    "404": {
                        "description": "the code names nothing published here: no label "
                        "for it was printed and no admin published it (a page, or the error "
                        "as JSON; the same for every such code)",
                        "headers": REQUEST_ID_HEADER,
                        "content": {
                            "text/html": {"schema": {"type": "string"}},
                            "application/json": {"schema": ERROR},
                        },
                    },
                    **errors(),
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
            "get": operation(
                "Liveness and versions; needs no token.",
                PUBLIC,
                {"200": json_answer("the server is up", ref("Health")), **errors()},
            )
        },
        "/metrics": {
            "get": operation(
                "The server's metrics in Prometheus' text format: requests and latency by route "
                "and status, rows pulled, mutations pushed, imports, throttled requests, how far "
                "behind each device is, the audit checkpoint's age. Served to the addresses the "
                "settings allow (loopback by default); needs no token.",
                PUBLIC,
                {
                    "200": {
                        "description": "the metrics",
                        "headers": REQUEST_ID_HEADER,
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    },
                    "403": json_answer("forbidden: this address may not read the metrics", ERROR),
                    **errors(),
                },
            )
        },
        "/v1/openapi.json": {
            "get": operation(
                "This document.",
                PUBLIC,
                {"200": json_answer("OpenAPI 3.1", {"type": "object"}), **errors()},
            )
        },
        "/v1/login": {
            "post": operation(
                "Exchange username and password for a device token.",
                PUBLIC,
                {
                    "200": json_answer("signed in", ref("LoginAnswer")),
                    **errors(400, 401, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=body("LoginRequest"),
            )
        },
        "/v1/me": {
            "get": operation(
                "Who this device token signs in as: its device, workspace and user.",
                DEVICE,
                {"200": json_answer("the device's identity", ref("Me")), **errors(401, 426)},
                parameters=versions,
            )
        },
        "/v1/changes": {
            "get": operation(
                "Rows written after a cursor, oldest first, paged (gzip when accepted).",
                DEVICE,
                {
                    "200": {
                        **json_answer("a page of changes", ref("ChangesAnswer")),
                        "links": {
                            "NextPage": {
                                "operationId": "changes",
                                "parameters": {"after": "$response.body#/next"},
                            }
                        },
                    },
                    **errors(400, 401, 410, 426),
                },
                operationId="changes",
                parameters=[
                    *versions,
                    query("after", 0, MAX_AFTER, "the last change number already held"),
                    query("limit", 1, MAX_PAGE_ROWS, "rows per page", DEFAULT_PAGE_ROWS),
                ],
            )
        },
        "/v1/counts": {
            "get": operation(
                "Live rows per table this caller's role receives, for the count check.",
                DEVICE,
                {
                    "200": {
                        **json_answer("counts", ref("Counts")),
                        "links": {
                            "Wait": {
                                "operationId": "wait",
                                "parameters": {"after": "$response.body#/seq"},
                            }
                        },
                    },
                    **errors(401, 426),
                },
                parameters=versions,
            )
        },
        "/v1/snapshot": {
            "get": operation(
                "Describe the current first-sync snapshot for the caller's role.",
                DEVICE,
                {
                    "200": {
                        **json_answer("the snapshot to download", ref("Snapshot")),
                        "links": {
                            "Download": {
                                "operationId": "snapshotFile",
                                "parameters": {"name": "$response.body#/name"},
                            }
                        },
                    },
                    **errors(400, 401, 426),
                },
                parameters=[
                    *versions,
                    {
                        "name": "form",
                        "in": "query",
                        "description": "gzip (the default): the snapshot as a gzip-compressed "
                        "SQLite file; sqlcipher: as a SQLCipher 4 database under a random key "
                        "of its own, sent in the answer, for a laptop whose replica is "
                        "encrypted (it never holds the snapshot in clear); sqlcipher-8k: "
                        "the same laid out as a replica's pages (8 KiB, room for an "
                        "HMAC-SHA256) without the pages' HMAC (the file's sha256 checks it), "
                        "copied into a replica page by page. A snapshot built before a form "
                        "existed is answered in the next older form it has, named in the answer",
                        "schema": {
                            "type": "string",
                            "enum": list(FORMS),
                            "default": "gzip",
                        },
                    },
                ],
            )
        },
        "/v1/snapshot/{name}": {
            "get": operation(
                "Download a snapshot (gzip of a replica-schema SQLite file, or the SQLCipher "
                "database of the same rows) or its search index (gzip tar); honours Range.",
                DEVICE,
                {
                    "200": {
                        "description": "the whole file",
                        "headers": REQUEST_ID_HEADER,
                        "content": {"application/gzip": {}, "application/octet-stream": {}},
                    },
                    "206": {
                        "description": "the range asked for",
                        "headers": REQUEST_ID_HEADER,
                        "content": {"application/gzip": {}, "application/octet-stream": {}},
                    },
                    **errors(401, 404, 416, 426),
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
            "get": operation(
                "Long-poll until the workspace has a change after a cursor.",
                DEVICE,
                {
                    "200": json_answer("a change arrived, or the wait timed out", ref("Waited")),
                    **errors(400, 401, 426),
                },
                operationId="wait",
                parameters=[
                    *versions,
                    query("after", 0, MAX_AFTER, "the last change number already held"),
                    query(
                        "timeout",
                        0,
                        MAX_WAIT_S,
                        "seconds to wait at most (the server may answer sooner)",
                    ),
                ],
            )
        },
        "/v1/push": {
            "post": operation(
                "Apply a batch of this device's mutations, each at most once.",
                DEVICE,
                {
                    "200": json_answer(
                        "one answer per mutation: applied, conflict or rejected", ref("PushAnswer")
                    ),
                    "409": json_answer(
                        "mutation_seq_reused: a number this device already used for another "
                        "mutation "
                        "(a replica restored from an earlier copy); nothing was applied. Number "
                        "the "
                        "mutations from `seq` on again after `last_mutation_seq` and push again",
                        {
                            "allOf": [ERROR],
                            "required": ["seq", "last_mutation_seq"],
                            "properties": {
                                "seq": {"type": "integer"},
                                "last_mutation_seq": {"type": "integer"},
                            },
                        },
                    ),
                    **errors(400, 401, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=body("PushRequest"),
            )
        },
        "/v1/device/wiped": {
            "post": operation(
                "Report the wipe an admin ordered done: the laptop deleted the "
                "workspace's replica, "
                "derived files, key and token. The device's token stops working; audited.",
                DEVICE,
                {
                    "200": json_answer("recorded", ref("Wiped")),
                    "409": json_answer(
                        "no_wipe_ordered: no wipe was ordered for this device", ERROR
                    ),
                    **errors(400, 401, 413, 422, 426),
                },
                parameters=versions,
                requestBody=body("WipeReport"),
            )
        },
        "/v1/pricing/quote": {
            "post": operation(
                "A firm quote for a cost sheet from the server's current rates, margin rules and "
                "FX rates: numbered, dated, valid for 30 days, stored and audited (merchandisers "
                "and admins).",
                DEVICE,
                {
                    "200": json_answer("the quote", ref("QuoteAnswer")),
                    **errors(400, 401, 403, 413, 422, 426, 429),
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
                requestBody=body("QuoteRequest"),
            )
        },
        "/v1/serials": {
            "post": operation(
                "The next consecutive serial numbers (GS1 AI 21) of a series for this device alone "
                "(floor users and admins): for a label run printed now, or a block reserved for "
                "printing offline. No serial is handed out twice; audited.",
                DEVICE,
                {
                    "200": json_answer(
                        "the block: first to last, count of them", ref("SerialBlock")
                    ),
                    **errors(400, 401, 403, 413, 422, 426, 429),
                },
                parameters=versions,
                requestBody=body("SerialRequest"),
            )
        },
        **trace,
        "/v1/import/{kind}": {
            "post": operation(
                "Import a file of master data into the caller's workspace (admins only). All rows "
                "or none unless accept_partial; dry_run writes nothing.",
                DEVICE,
                {
                    "200": json_answer(
                        "rows read, inserted, updated, unchanged and rejected", ref("ImportAnswer")
                    ),
                    **errors(400, 401, 403, 404, 413, 422, 426, 429),
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
                    query("dry_run", 0, 1, "1: check and count, write nothing"),
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
                    query("accept_partial", 0, 1, "1: import the valid rows, report the rest"),
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
