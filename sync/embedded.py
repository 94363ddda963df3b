"""The demo's own sync server: a real server on loopback, over a demo server database.

``python main.py --demo`` runs the same path a mill's laptop does against the company
server: the server holds the workspace, the laptop signs in as the demo merchandiser, makes
its first sync from a snapshot, and keeps syncing. The server database is created with demo
data on first use and kept in the data directory, so later starts are quick.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from sync.client import SyncError
from sync.server import accounts
from sync.server.db import create_schema, make_engine
from sync.server.demo import DEMO_PASSWORD, create_demo_workspace
from sync.server.serve import ServerThread
from sync.session import SyncReport, client_for, sign_in, sync_workspace
from workbench import credentials
from workbench.paths import data_dir
from workbench.workspace import Workspace

DEMO_WORKSPACE = "demo"
DEMO_USER = "demo-merch@demo"
PREFERRED_PORT = 8750

Progress = Callable[[str, int, int], None]


@dataclass
class DemoSession:
    server: ServerThread
    workspace: Workspace
    report: SyncReport
    warning: str | None

    def close(self) -> None:
        self.workspace.close()
        self.server.stop()
        self.server.engine.dispose()


def demo_server_engine(
    base: Path | str | None,
    materials: int,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> sa.Engine:
    """The demo server database, created and filled with demo data on first use."""
    folder = data_dir(base) / "server"
    folder.mkdir(parents=True, exist_ok=True)
    engine = make_engine(str(folder / "demo-sync.sqlite"))
    create_schema(engine)
    try:
        accounts.workspace_id(engine, DEMO_WORKSPACE)
        return engine
    except accounts.AccountError:
        pass  # first start: fill it below
    create_demo_workspace(
        engine, DEMO_WORKSPACE, materials=materials, progress=progress, cancel=cancel
    )
    return engine


def _free_preferred_port() -> int:
    """The demo's usual port when it is free (so the laptop's saved sign-in stays valid)."""
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", PREFERRED_PORT))
        except OSError:
            return 0
    return PREFERRED_PORT


def start_demo(
    base: Path | str | None = None,
    *,
    materials: int = 20_000,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> DemoSession:
    """Start the embedded server, sign in the demo merchandiser, sync. Blocking (a worker)."""
    engine = demo_server_engine(base, materials, progress, cancel)
    server = ServerThread(
        engine, data_dir(base) / "server" / "snapshots", port=_free_preferred_port()
    ).start()
    try:
        workspace, warning = _signed_in_workspace(base, server.url)
        if progress is not None:
            progress("first sync", 0, 1)
        report = sync_workspace(workspace, cancel=cancel)
    except BaseException:
        server.stop()
        raise
    return DemoSession(server, workspace, report, warning)


def _signed_in_workspace(base: Path | str | None, url: str) -> tuple[Workspace, str | None]:
    from workbench.paths import workspace_dir
    from workbench.workspace import open_workspace

    folder = workspace_dir(DEMO_WORKSPACE, base)
    if (folder / "replica.sqlite").exists():
        workspace = open_workspace(folder, DEMO_WORKSPACE)
        same_server = workspace.replica.get_state("server_url") == url
        if same_server and credentials.load_token(url, DEMO_USER):
            try:
                client_for(workspace).request("GET", "/v1/counts")
                return workspace, None
            except SyncError:
                pass  # the saved sign-in no longer works: sign in again below
        workspace.close()
    workspace, _info, warning = sign_in(
        url, DEMO_USER, DEMO_PASSWORD, base=base, device_name="demo laptop"
    )
    return workspace, warning
