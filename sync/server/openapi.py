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
from sync.server.handlers.requests import MAX_BODY_BYTES
from sync.server.handlers.writes import (
    MAX_IMPORT_BYTES,
)
from sync.server.openapi_parts import REF, ref
from sync.server.openapi_paths import paths
from workbench.replica import DOCUMENT_TABLES
from workbench.replica.declaration import row_schemas


def table_row_schemas() -> dict[str, dict[str, Any]]:
    """One JSON Schema per replicated table's row, from the declaration of the tables (the
    typed models every pushed row is checked with)."""
    return row_schemas()


def _row_name(table: str) -> str:
    return "Row." + table


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
    _, schemas = msgspec.json.schema_components(bodies, ref_template=REF)
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
            "items": ref("QuoteBreak"),
            "description": "the style's price from each quantity break, as costed without "
            "colourways",
        },
        "colourways": {
            "type": "array",
            "items": ref("QuoteColourway"),
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
                "properties": {"table": {"const": table}, "row": ref(_row_name(table))},
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
        "paths": paths(),
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
PATHS = paths()
