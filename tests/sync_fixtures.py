"""Building blocks for sync tests: a server database with two workspaces, a real server on
a loopback port, and small helpers to write reference rows the way the server does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from sync import protocol
from sync.server import accounts
from sync.server.db import create_schema, make_engine, writing
from sync.server.scoping import WorkspaceScope
from sync.server.serve import ServerThread
from tests.postgres import new_database

PASSWORD = "correct horse battery"
FAST_HASH = 2**10  # scrypt cost for tests only: the real default is 2**17


@dataclass
class Server:
    engine: sa.Engine
    url: str
    workspaces: dict[str, str]  # name -> id

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {
            protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
            protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
        }
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)

    def login(self, username: str) -> str:
        with self.client() as http:
            answer = http.post("/v1/login", json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        return answer.json()["token"]


#: a queued print job as a floor laptop pushes it
LABEL_JOB = {
    "id": "job-1",
    "template": "roll-50x30",
    "printer": "Zebra",
    "copies": 1,
    "items": "[]",
    "state": "queued",
    "error": None,
    "created_by": "floor@alpha",
    "created_at": "2026-11-01T00:00:00Z",
    "deleted": 0,
    "updated_at": "2026-11-01T00:00:00Z",
}


def material(code: str, **values: Any) -> dict[str, Any]:
    row = {
        "id": str(uuid.uuid4()),
        "code": code,
        "name": f"Fabric {code}",
        "material_type": "fabric",
        "category": "single jersey",
        "composition": "100% Cotton",
        "construction": "",
        "yarn_count": None,
        "gsm": 180,
        "width_cm": 180,
        "colour": "Navy",
        "shade_depth": "dark",
        "dye_class": "reactive",
        "finish": "",
        "certifications": "",
        "supplier": "Test Supplier",
        "mill": "Test Mill",
        "uom": "kg",
        "price": "412.50",
        "currency": "INR",
        "description": "",
        "deleted": 0,
        "updated_at": "2026-11-01T00:00:00Z",
    }
    row.update(values)
    return row


def write_rows(engine: sa.Engine, workspace_id: str, table: str, rows: list[dict]) -> int:
    """Insert or replace rows as the server's writers do: each with a fresh change number."""
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, workspace_id)
        seq = scope.next_seq(len(rows))
        for offset, row in enumerate(rows):
            stamped = {**row, "version": seq + offset}
            if scope.get(table, row["id"]) is None:
                scope.insert(table, [stamped])
            else:
                scope.update(table, row["id"], stamped)
    return seq + len(rows) - 1


@pytest.fixture(params=["sqlite", "postgresql"])
def server_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The server database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "server.sqlite")
    return new_database(request.getfixturevalue("postgres_server"))


@pytest.fixture
def server(server_db: str, tmp_path: Path) -> Iterator[Server]:
    engine = make_engine(server_db)
    create_schema(engine)
    workspaces = {}
    for name in ("alpha", "beta"):
        workspaces[name] = accounts.create_workspace(engine, name)
        for role in ("merchandiser", "floor", "admin"):
            accounts.add_user(
                engine, name, f"{role}@{name}", PASSWORD, role, password_cost=FAST_HASH
            )
    with ServerThread(engine, tmp_path / "snapshots", long_poll_s=5) as running:
        yield Server(engine, running.url, workspaces)
    engine.dispose()
