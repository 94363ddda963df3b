"""A demo workspace on the server: generated demo data and one demo user per role.

Made whole or not at all. The name is checked first (an existing workspace is never touched),
then the data is generated into a throw-away replica, and the workspace, its rows and its
users are written in one transaction, so a failure at any point leaves nothing behind.
The rows' ids are salted with the new workspace's id: a server can hold several demos from
the same seed (ids are unique server-wide), each with the same codes, names and prices.
"""

from __future__ import annotations

import tempfile
import threading
import uuid
from collections.abc import Callable
from pathlib import Path

import sqlalchemy as sa

from sync.server import accounts, schema
from sync.server.db import writing
from sync.server.loading import load_replica_rows

DEMO_PASSWORD = "demo-password"
DEMO_USERS = (("demo-merch", "merchandiser"), ("demo-floor", "floor"), ("demo-admin", "admin"))

Progress = Callable[[str, int, int], None]


def demo_usernames(workspace: str) -> list[tuple[str, str]]:
    """The demo users of ``workspace``: (username, role)."""
    return [(f"{user}@{workspace}", role) for user, role in DEMO_USERS]


def create_demo_workspace(
    engine: sa.Engine,
    workspace: str,
    *,
    materials: int,
    orders: int | None = None,
    seed: int = 7,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, int]:
    """Create ``workspace`` filled with demo data; rows loaded per table.

    Raises `accounts.AccountError` when the workspace (or a demo user's name) exists, and
    `workbench.errors.Cancelled` when ``cancel`` is set while the data is made.
    """
    from workbench.demo import generate_demo
    from workbench.replica import open_replica

    _refuse_existing(engine, workspace)
    hashed = {
        name: accounts.user_password_hash(name, DEMO_PASSWORD, role)
        for name, role in demo_usernames(workspace)
    }
    ws_id = str(uuid.uuid4())
    with tempfile.TemporaryDirectory(prefix="demo-") as tmp:
        path = Path(tmp) / "demo.sqlite"
        replica = open_replica(path)
        try:  # before the transaction: the database is not held while the data is made
            generate_demo(
                replica,
                materials=materials,
                orders=orders,
                seed=seed,
                progress=progress,
                cancel=cancel,
                id_salt=ws_id,
            )
        finally:
            replica.close()
        with writing(engine).begin() as conn:
            accounts.insert_workspace(conn, workspace, ws_id)
            counts = load_replica_rows(conn, ws_id, path, progress)
            for name, role in demo_usernames(workspace):
                accounts.insert_user(conn, ws_id, name, hashed[name], role)
    return counts


def _refuse_existing(engine: sa.Engine, workspace: str) -> None:
    """Say so before generating anything when the name is taken (checked again on writing)."""
    w = schema.workspaces
    with engine.connect() as conn:
        if conn.execute(sa.select(w.c.id).where(w.c.name == workspace)).first():
            raise accounts.AccountError(
                f"a workspace named {workspace!r} already exists: the demo goes into a new "
                f"workspace (choose another name with --workspace)"
            )
