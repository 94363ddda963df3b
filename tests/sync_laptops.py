"""Laptops for the sync model test (`tests.test_sync_model`, its machine in
`tests.sync_model_machine`): each signs in with a workspace folder of its own and syncs
through the app's session (`sync.session.sync_workspace`) over a transport that can take it
offline or make the app die at one HTTP request of a sync; its replica can be copied,
restored from a copy, wiped, and reopened after a crash. Also the server's side read back:
its rows and the push journal (the answer stored for each mutation).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx
import sqlalchemy as sa

from sync.server import schema
from sync.server.scoping import WorkspaceScope
from sync.session import SyncReport, sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD
from workbench.replica import Replica
from workbench.replica.store import connect
from workbench.workspace import Workspace, open_workspace

#: what goes wrong at the chosen request of a sync: the app dies before sending it, after
#: the server answered it, or half-way through reading the answer; or the network goes away
#: before it is sent, or after the server answered it (the answer never arrives)
Fault = Literal["crash before", "crash after", "crash midstream", "offline before", "offline after"]


class Crash(Exception):
    """The app dies here. Raised in-process where a killed app would stop: the replica
    transaction under way rolls back and nothing after it runs, as after a real crash."""


class _CutStream(httpx.SyncByteStream):
    """A response body that stops half-way through its first piece: the app dies while the
    answer is arriving (a snapshot download leaves its partial file behind)."""

    def __init__(self, inner: httpx.SyncByteStream, what: str) -> None:
        self.inner = inner
        self.what = what

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.inner:
            if len(chunk) > 1:
                yield chunk[: len(chunk) // 2]
            break
        raise Crash(f"the app died while the answer to {self.what} was arriving")

    def close(self) -> None:
        self.inner.close()


@dataclass
class Faults:
    """What goes wrong during one sync: `Fault` at its ``at``-th request (1-based); when the
    network goes away it stays away for the rest of the sync. A sync that makes fewer
    requests finishes."""

    at: int | None = None
    fault: Fault = "crash before"


class FaultTransport(httpx.BaseTransport):
    """Real HTTP on loopback, with `Faults` injected; ``requests`` lists what was asked."""

    def __init__(self, faults: Faults) -> None:
        self.faults = faults
        # plain HTTP on loopback: no certificates to load (that took longer than a sync)
        self.inner = httpx.HTTPTransport(verify=False)
        self.requests: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        what = f"{request.method} {request.url.path}"
        self.requests.append(what)
        n, at, fault = len(self.requests), self.faults.at, self.faults.fault
        hit = n == at
        gone = at is not None and (n > at or (hit and fault == "offline before"))
        if gone and fault.startswith("offline"):
            raise httpx.ConnectError("the network is down", request=request)
        if hit and fault == "crash before":
            raise Crash(f"the app died before sending {what}")
        response = self.inner.handle_request(request)
        if not hit:
            return response
        if fault in ("crash after", "offline after"):
            response.read()
            response.close()
            if fault == "offline after":
                raise httpx.ReadError(
                    "the network went down before the answer came", request=request
                )
            raise Crash(f"the app died after the server answered {what}")
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            response.status_code,
            headers=response.headers,
            stream=_CutStream(response.stream, what),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.inner.close()


@dataclass
class Laptop:
    """One user's laptop: a data folder, the workspace in it, and the devices it signed in as."""

    name: str
    username: str
    folder: Path
    server_url: str
    workspace: Workspace | None = None
    device_ids: list[str] = field(default_factory=list)
    #: what the transport saw during the last sync (for messages)
    last_requests: list[str] = field(default_factory=list)

    def sign_in(self) -> None:
        """Sign in as a new device (a first start, or after the folder was wiped)."""
        workspace, info, _warning = sign_in(
            self.server_url, self.username, PASSWORD, base=self.folder, device_name=self.name
        )
        self.workspace = workspace
        self.device_ids.append(info.device_id)

    @property
    def replica(self) -> Replica:
        assert self.workspace is not None
        return self.workspace.replica

    @property
    def device_id(self) -> str:
        return self.device_ids[-1]

    def sync(self, faults: Faults, page_rows: int) -> SyncReport:
        """One sync as the app runs it; raises `Crash`, or `SyncError` when offline."""
        assert self.workspace is not None
        transport = FaultTransport(faults)
        try:
            return sync_workspace(
                self.workspace,
                transport=transport,
                page_rows=page_rows,
                retries=1,
                backoff_s=0.001,
            )
        finally:
            self.last_requests = transport.requests

    def restart(self) -> None:
        """The app starts again after a crash: every connection to the replica is new."""
        assert self.workspace is not None
        root = self.workspace.root
        self.workspace.close()
        self.workspace = open_workspace(root)

    def copy_to(self, path: Path) -> None:
        """A consistent copy of the replica as it is now (SQLite's backup API)."""
        target = connect(path, self.replica.key)  # encrypted alike: backup copies pages
        try:
            self.replica.conn.backup(target)
        finally:
            target.close()

    def restore(self, path: Path) -> None:
        """Put an earlier copy back in place of the replica, as a user restoring a backup."""
        assert self.workspace is not None
        root, replica_path = self.workspace.root, self.replica.path
        self.workspace.close()
        for suffix in ("-wal", "-shm"):
            replica_path.with_name(replica_path.name + suffix).unlink(missing_ok=True)
        shutil.copyfile(path, replica_path)
        self.workspace = open_workspace(root)

    def wipe(self) -> None:
        """The laptop's data folder is deleted (a reinstall); the user signs in again."""
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None
        shutil.rmtree(self.folder, ignore_errors=True)
        self.sign_in()

    def close(self) -> None:
        if self.workspace is not None:
            self.workspace.close()
            self.workspace = None

    # -- what the replica holds ----------------------------------------------------------------

    def rows(self, table: str) -> dict[str, dict[str, Any]]:
        return {r["id"]: dict(r) for r in self.replica.conn.execute(f"SELECT * FROM {table}")}

    def outbox(self) -> dict[str, dict[str, Any]]:
        """mutation id -> its outbox entry (pending or rejected)."""
        return {
            r["mutation_id"]: dict(r) for r in self.replica.conn.execute("SELECT * FROM outbox")
        }

    def newest_mutation(self) -> str:
        found = self.replica.conn.execute(
            "SELECT mutation_id FROM outbox ORDER BY seq DESC LIMIT 1"
        ).fetchone()
        assert found is not None, "the edit queued nothing"
        return str(found[0])

    def integrity(self) -> str:
        return str(self.replica.conn.execute("PRAGMA integrity_check").fetchone()[0])


def server_rows(engine: sa.Engine, workspace_id: str, table: str) -> dict[str, dict[str, Any]]:
    with engine.connect() as conn:
        return {r["id"]: r for r in WorkspaceScope(conn, workspace_id).rows(table)}


@dataclass(frozen=True)
class Answer:
    """One mutation as the server applied it: the device, its number, and the answer kept."""

    device_id: str
    seq: int
    status: str
    row: dict[str, Any] | None


def journal(engine: sa.Engine, workspace_id: str) -> list[Answer]:
    """Every mutation the server took from the workspace's devices, with the answer stored."""
    log = schema.mutations
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(log.c.device_id, log.c.seq, log.c.result).where(
                log.c.workspace_id == workspace_id
            )
        ).all()
    answers = []
    for device_id, seq, result in found:
        answer = json.loads(result)
        answers.append(Answer(device_id, int(seq), answer["status"], answer.get("row")))
    return answers
