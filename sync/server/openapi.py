"""The OpenAPI document served at ``/v1/openapi.json``.

Written out by hand, next to the handlers, and held true to them by a test that compares its
paths and methods with the app's routes.
"""

from __future__ import annotations

from typing import Any

from sync import protocol
from workbench.ingest.mapping import KINDS

_ERROR = {"$ref": "#/components/schemas/Error"}
_VERSION_HEADERS = [
    {
        "name": protocol.PROTOCOL_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "integer", "const": protocol.PROTOCOL_VERSION},
    },
    {
        "name": protocol.SCHEMA_HEADER,
        "in": "header",
        "required": True,
        "schema": {"type": "integer", "const": protocol.SCHEMA_VERSION},
    },
]


def _answer(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    text = {
        400: "bad query parameter or JSON",
        401: "no, unknown or revoked token; or wrong password",
        404: "not found",
        410: "must_refetch: the cursor is older than deletions are kept",
        403: "the caller's role may not do this",
        413: "request body too large",
        422: "a field is missing or of the wrong type",
        426: "update_required: the app's protocol or schema version differs",
    }
    return {str(c): _answer(text[c], _ERROR) for c in codes}


PATHS: dict[str, dict[str, Any]] = {
    "/v1/health": {
        "get": {
            "summary": "Liveness and versions; needs no token.",
            "responses": {"200": _answer("the server is up", {"type": "object"})},
        }
    },
    "/v1/openapi.json": {
        "get": {
            "summary": "This document.",
            "responses": {"200": _answer("OpenAPI 3.1", {"type": "object"})},
        }
    },
    "/v1/login": {
        "post": {
            "summary": "Exchange username and password for a device token.",
            "parameters": _VERSION_HEADERS,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["username", "password"],
                            "properties": {
                                "username": {"type": "string"},
                                "password": {"type": "string"},
                                "device_name": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _answer(
                    "signed in",
                    {
                        "type": "object",
                        "properties": {
                            "token": {"type": "string"},
                            "device_id": {"type": "string"},
                            "workspace": {"type": "object"},
                            "user": {"type": "object"},
                        },
                    },
                ),
                **_errors(400, 401, 413, 422, 426),
            },
        }
    },
    "/v1/changes": {
        "get": {
            "summary": "Rows written after a cursor, oldest first, paged (gzip).",
            "security": [{"device": []}],
            "parameters": [
                *_VERSION_HEADERS,
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
            ],
            "responses": {
                "200": _answer(
                    "a page of changes",
                    {
                        "type": "object",
                        "properties": {
                            "changes": {"type": "array", "items": {"type": "object"}},
                            "next": {"type": "integer"},
                            "more": {"type": "boolean"},
                            "seq": {"type": "integer"},
                        },
                    },
                ),
                **_errors(400, 401, 410, 426),
            },
        }
    },
    "/v1/counts": {
        "get": {
            "summary": "Live rows per table this caller's role receives, for the count check.",
            "security": [{"device": []}],
            "parameters": _VERSION_HEADERS,
            "responses": {
                "200": _answer("counts", {"type": "object"}),
                **_errors(401, 426),
            },
        }
    },
    "/v1/snapshot": {
        "get": {
            "summary": "Describe the current first-sync snapshot for the caller's role.",
            "security": [{"device": []}],
            "parameters": _VERSION_HEADERS,
            "responses": {
                "200": _answer(
                    "the snapshot to download",
                    {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string"},
                            "seq": {"type": "integer"},
                            "size": {"type": "integer"},
                            "sha256": {"type": "string"},
                            "search": {
                                "description": "the search index of the snapshot's materials, "
                                "a gzip tar downloaded like the snapshot; absent when the "
                                "role receives no materials",
                                "type": "object",
                                "properties": {
                                    "name": {"type": "string"},
                                    "size": {"type": "integer"},
                                    "sha256": {"type": "string"},
                                },
                            },
                        },
                    },
                ),
                **_errors(401, 426),
            },
        }
    },
    "/v1/snapshot/{name}": {
        "get": {
            "summary": "Download a snapshot (gzip of a replica-schema SQLite file) or its search "
            "index (gzip tar); honours Range.",
            "security": [{"device": []}],
            "parameters": [
                *_VERSION_HEADERS,
                {"name": "name", "in": "path", "required": True, "schema": {"type": "string"}},
                {"name": "Range", "in": "header", "schema": {"type": "string"}},
            ],
            "responses": {
                "200": {"description": "the whole file", "content": {"application/gzip": {}}},
                "206": {"description": "the range asked for", "content": {"application/gzip": {}}},
                "404": _answer("no such snapshot for this caller", _ERROR),
                **_errors(401, 426),
            },
        }
    },
    "/v1/push": {
        "post": {
            "summary": "Apply a batch of this device's mutations, each at most once.",
            "security": [{"device": []}],
            "parameters": _VERSION_HEADERS,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["mutations"],
                            "properties": {
                                "mutations": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Mutation"},
                                }
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _answer(
                    "one answer per mutation: applied, conflict or rejected",
                    {"type": "object", "properties": {"results": {"type": "array"}}},
                ),
                "409": _answer(
                    "mutation_seq_reused: a number this device already used for another "
                    "mutation (a replica restored from an earlier copy); nothing was applied. "
                    "Number the mutations from `seq` on again after `last_mutation_seq` and "
                    "push again",
                    {
                        "allOf": [_ERROR],
                        "required": ["seq", "last_mutation_seq"],
                        "properties": {
                            "seq": {"type": "integer"},
                            "last_mutation_seq": {"type": "integer"},
                        },
                    },
                ),
                **_errors(400, 401, 413, 422, 426),
            },
        }
    },
    "/v1/wait": {
        "get": {
            "summary": "Long-poll until the workspace has a change after a cursor.",
            "security": [{"device": []}],
            "parameters": [
                *_VERSION_HEADERS,
                {"name": "after", "in": "query", "schema": {"type": "integer", "minimum": 0}},
                {"name": "timeout", "in": "query", "schema": {"type": "integer", "minimum": 0}},
            ],
            "responses": {
                "200": _answer("a change arrived, or the wait timed out", {"type": "object"}),
                **_errors(400, 401, 426),
            },
        }
    },
    "/v1/pricing/quote": {
        "post": {
            "summary": "A firm quote for a cost sheet from the server's current rates, margin "
            "rules and FX rates: numbered, dated, valid for 30 days, stored and audited "
            "(merchandisers and admins).",
            "security": [{"device": []}],
            "parameters": _VERSION_HEADERS,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "required": ["sheet"],
                            "properties": {
                                "sheet": {"type": "object"},
                                "cost_sheet_id": {"type": "string"},
                            },
                        }
                    }
                },
            },
            "responses": {
                "200": _answer(
                    "the quote: number, price, validity and the breakdown with its rates",
                    {"type": "object", "properties": {"quote": {"type": "object"}}},
                ),
                **_errors(400, 401, 403, 413, 422, 426),
            },
        }
    },
    **{
        prefix + "/{rest}": {
            "get": {
                "summary": "The traceability page of a label's QR code (" + what + "): the item, "
                "lot, mill, materials, certifications and fibre footprint; nothing priced. HTML, "
                "or JSON with Accept: application/json. Needs no token.",
                "parameters": [
                    {"name": "rest", "in": "path", "required": True,
                     "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"description": "the item", "content": {
                        "text/html": {"schema": {"type": "string"}},
                        "application/json": {"schema": {"type": "object"}}}},
                    **_errors(404),
                },
            }
        }
        for prefix, what in (("/01", "GS1 Digital Link"), ("/id", "workspace ID"))
    },
    "/v1/import/{kind}": {
        "post": {
            "summary": "Import a file of master data into the caller's workspace (admins only). "
            "All rows or none unless accept_partial; dry_run writes nothing.",
            "security": [{"device": []}],
            "parameters": [
                *_VERSION_HEADERS,
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
                    "schema": {"type": "string", "pattern": "\\.(xlsx|xlsm|xls|csv|txt|tsv)$"},
                },
                {"name": "dry_run", "in": "query", "schema": {"type": "integer", "enum": [0, 1]}},
                {
                    "name": "columns",
                    "in": "query",
                    "description": "JSON object: field -> the file's heading to read it from",
                    "schema": {"type": "string"},
                },
                {
                    "name": "accept_partial",
                    "in": "query",
                    "schema": {"type": "integer", "enum": [0, 1]},
                },
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}
                },
            },
            "responses": {
                "200": _answer(
                    "rows read, inserted, updated, unchanged and rejected; each rejected row's "
                    "problems (file, row, column, value, message)",
                    {"type": "object"},
                ),
                **_errors(400, 401, 403, 404, 413, 422, 426),
            },
        }
    },
}


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mill Workbench sync API", "version": str(protocol.PROTOCOL_VERSION)},
        "paths": PATHS,
        "components": {
            "securitySchemes": {"device": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Mutation": {
                    "type": "object",
                    "required": ["seq", "mutation_id", "table", "op", "row_id"],
                    "properties": {
                        "seq": {"type": "integer", "minimum": 1},
                        "mutation_id": {"type": "string"},
                        "table": {"type": "string"},
                        "op": {"enum": ["upsert", "delete"]},
                        "row_id": {"type": "string"},
                        "base_version": {"type": "integer"},
                        "base": {"type": "object"},
                        "row": {"type": "object"},
                    },
                },
                "Error": {
                    "type": "object",
                    "required": ["error", "message"],
                    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
                },
            },
        },
    }
