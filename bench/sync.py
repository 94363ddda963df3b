"""Sync benchmark: a server holding a large workspace, and laptops syncing from it over real
HTTP on loopback.

    python bench/sync.py --materials 200000 --orders 800000 [--db postgresql://…] [--clients 50]

Laptop replicas are encrypted as on a real laptop (SQLCipher, keys kept in this process);
``--plain`` opens them unencrypted, to measure what encryption costs. Prints one JSON line
per figure: first sync (empty replica to searchable), 1,000 changes,
an idle sync, change pulls under concurrent clients, and propagation between two online
laptops (long-poll). ``--db`` runs the server on PostgreSQL (a database the script may fill);
the default is a SQLite file in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import keyring
from keyring.backend import KeyringBackend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import pct
from sync import protocol
from sync.client import SyncClient, login
from sync.server import accounts
from sync.server.db import create_schema, make_engine, writing
from sync.server.loading import load_replica_file
from sync.server.scoping import WorkspaceScope
from sync.server.serve import ServerThread
from sync.session import client_for, sign_in, sync_workspace
from workbench import documents
from workbench.demo import generate_demo
from workbench.derived import ReplicaChange
from workbench.replica import open_replica

PASSWORD = "bench password"


class ProcessKeyring(KeyringBackend):
    """The benchmark's laptops keep their tokens and replica keys in this process only,
    never in a real keyring."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.secrets.pop((service, username), None)


def emit(**figures: object) -> None:
    print(json.dumps({"bench": "sync", **figures}), flush=True)


def laptop(url: str, folder: Path, user: str) -> tuple[SyncClient, object]:
    """A signed-in laptop with its own data folder (tokens stay in this process)."""
    workspace, _info, _warning = sign_in(url, user, PASSWORD, base=folder, device_name=folder.name)
    return client_for(workspace), workspace


def main() -> None:
    keyring.set_keyring(ProcessKeyring())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=200_000)
    parser.add_argument("--orders", type=int, default=800_000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--workers", type=int, default=2, help="server processes for the concurrent-pull figure"
    )
    parser.add_argument("--db", help="postgresql://… (default: SQLite in a temp folder)")
    parser.add_argument(
        "--plain",
        action="store_true",
        help="laptops' replicas unencrypted (to measure what encryption costs)",
    )
    args = parser.parse_args()
    if args.plain:  # every laptop replica opened without a key
        import workbench.workspace

        workbench.workspace.open_laptop_replica = lambda path, **_: open_replica(path)  # type: ignore[assignment]
    work = Path(tempfile.mkdtemp(prefix="wb-bench-sync-"))
    db = args.db or str(work / "server.sqlite")
    backend = "postgresql" if db.startswith("postgres") else "sqlite"
    common = {
        "db": backend,
        "materials": args.materials,
        "orders": args.orders,
        "encrypted": not args.plain,
    }

    engine = make_engine(db)
    create_schema(engine)
    t0 = time.perf_counter()
    source = open_replica(work / "source.sqlite")
    generate_demo(source, materials=args.materials, orders=args.orders)
    source.close()
    ws_id = accounts.create_workspace(engine, f"bench-{random.randrange(10**6)}")
    counts = load_replica_file(engine, ws_id, work / "source.sqlite")
    load_s = time.perf_counter() - t0
    name = next(w for w in _workspaces(engine) if w[0] == ws_id)[1]
    for user in ("a", "b"):
        accounts.add_user(
            engine, name, f"{user}@{name}", PASSWORD, "merchandiser", password_cost=2**12
        )
    rows = sum(counts.values())
    emit(figure="server_load", rows=rows, seconds=round(load_s, 2), **common)

    with ServerThread(engine, work / "snapshots", long_poll_s=25) as server:
        url = server.url
        # -- first sync, cold (the server builds the snapshot) and warm (cached) ---------------
        for label in ("first_sync_cold_s", "first_sync_s"):
            folder = work / label
            t0 = time.perf_counter()
            client, workspace = laptop(url, folder, f"a@{name}")
            sync_workspace(workspace)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - t0
            assert workspace.search.state.name == "READY"  # type: ignore[attr-defined]
            emit(
                figure=label,
                seconds=round(elapsed, 2),
                rows=rows,
                rows_per_s=round(rows / elapsed),
                **common,
            )
            # the order file is written in the background after a first sync: done before the
            # next figure, so it does not share the cores with it
            workspace.derived.settle()  # type: ignore[attr-defined]
        a, a_ws = client, workspace

        # -- 1,000 changes made on the server, pulled and re-indexed -------------------------
        with writing(engine).begin() as conn:
            scope = WorkspaceScope(conn, ws_id)
            ids = [r["id"] for r in scope.rows("materials")[:1000]]
            first = scope.next_seq(len(ids))
            for n, material_id in enumerate(ids):
                scope.update("materials", material_id, {"price": "123.45", "version": first + n})
        t0 = time.perf_counter()
        pulled = a.sync().pulled
        a_ws.derived.update(ReplicaChange(pulled.tables))  # type: ignore[attr-defined]
        emit(
            figure="incremental_1000_s",
            seconds=round(time.perf_counter() - t0, 3),
            pulled=pulled.rows,
            **common,
        )

        # -- an idle sync: nothing to push or pull --------------------------------------------
        idle = []
        for _ in range(20):
            t0 = time.perf_counter()
            a.sync()
            idle.append((time.perf_counter() - t0) * 1000)
        emit(
            figure="idle_sync_ms",
            ms=round(statistics.median(idle), 1),
            p95_ms=round(pct(idle, 0.95), 1),
            **common,
        )

        # -- change pulls under concurrent clients --------------------------------------------
        token = login(url, f"b@{name}", PASSWORD, "load").token
        last = a.replica.cursor
        latencies: list[float] = []
        lock = threading.Lock()

        def puller(seed: int, base_url: str) -> None:
            rng = random.Random(seed)
            headers = {
                "Authorization": f"Bearer {token}",
                protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
                protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
            }
            with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
                for _ in range(10):
                    after = max(0, last - rng.randrange(1, 200))  # a laptop a little behind
                    t0 = time.perf_counter()
                    http.get("/v1/changes", params={"after": after}).raise_for_status()
                    with lock:
                        latencies.append((time.perf_counter() - t0) * 1000)

        for workers in sorted({1, args.workers}):
            load_url = url
            process = None
            if workers > 1:
                load_url, process = _serve_processes(db, work, workers)
            latencies.clear()
            threads = [
                threading.Thread(target=puller, args=(n, load_url)) for n in range(args.clients)
            ]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            emit(
                figure="concurrent_pulls",
                clients=args.clients,
                server_workers=workers,
                requests=len(latencies),
                p50_ms=round(statistics.median(latencies), 1),
                p95_ms=round(pct(latencies, 0.95), 1),
                seconds=round(time.perf_counter() - t0, 2),
                **common,
            )
            if shutil.which("wrk"):
                emit(
                    figure="concurrent_pulls_wrk",
                    clients=args.clients,
                    server_workers=workers,
                    page_cache=True,
                    **_wrk_pulls(load_url, token, last, args.clients, work),
                    **common,
                )
            if process is not None:
                process.terminate()
                process.wait(30)
        if shutil.which("wrk") and args.workers > 1:
            # the same pulls with no pages kept: what each pull costs when every one is new
            load_url, process = _serve_processes(db, work, args.workers, page_cache_mb=0)
            emit(
                figure="concurrent_pulls_wrk",
                clients=args.clients,
                server_workers=args.workers,
                page_cache=False,
                **_wrk_pulls(load_url, token, last, args.clients, work),
                **common,
            )
            process.terminate()
            process.wait(30)

        # -- propagation: an edit on one online laptop until another online laptop has it -----
        b, b_ws = laptop(url, work / "laptop-b", f"b@{name}")
        b.sync()
        delays = []
        for n in range(5):
            sheet = documents.save_document(a.replica, "cost_sheets", {"style_code": f"P-{n}"})
            arrived = threading.Event()
            watcher = threading.Thread(target=_watch, args=(b, sheet["id"], arrived))
            t0 = time.perf_counter()
            watcher.start()
            a.push()
            arrived.wait(30)
            delays.append((time.perf_counter() - t0) * 1000)
            watcher.join(30)
        emit(
            figure="propagation_ms",
            ms=round(statistics.median(delays), 1),
            max_ms=round(max(delays), 1),
            **common,
        )
        a.close()
        b.close()
        a_ws.close()  # type: ignore[attr-defined]
        b_ws.close()  # type: ignore[attr-defined]
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


_WRK_SCRIPT = """
wrk.headers["Authorization"] = "Bearer $token"
wrk.headers["$protocol_header"] = "$protocol"
wrk.headers["$schema_header"] = "$schema"
wrk.headers["Accept-Encoding"] = "gzip"
math.randomseed(7)
request = function()
  local after = $last - math.random(1, 200)
  if after < 0 then after = 0 end
  return wrk.format("GET", "/v1/changes?after=" .. after)
end
done = function(summary, latency, requests)
  io.write(string.format("WRK %d %d %.3f %.3f %.3f\\n", summary.requests,
    summary.errors.status + summary.errors.connect + summary.errors.read,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def _wrk_pulls(
    url: str, token: str, last: int, clients: int, work: Path, seconds: int = 10
) -> dict[str, object]:
    """The same change pulls from wrk, a load generator in C: the Python clients above share
    the server's two cores and their own CPU time shows up as latency; wrk's barely does.
    ``clients`` connections pull for ``seconds``, each request a laptop a little behind."""
    from string import Template

    script = work / "pulls.lua"
    script.write_text(
        Template(_WRK_SCRIPT).substitute(
            token=token,
            protocol_header=protocol.PROTOCOL_HEADER,
            protocol=protocol.PROTOCOL_VERSION,
            schema_header=protocol.SCHEMA_HEADER,
            schema=protocol.SCHEMA_VERSION,
            last=last,
        )
    )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("WRK "))
    requests, errors, p50, p95, p99 = line.split()[1:]
    return {
        "requests": int(requests),
        "errors": int(errors),
        "p50_ms": float(p50),
        "p95_ms": float(p95),
        "p99_ms": float(p99),
        "requests_per_s": round(int(requests) / seconds),
    }


def _serve_processes(
    db: str, work: Path, workers: int, page_cache_mb: int = 64
) -> tuple[str, subprocess.Popen[bytes]]:
    """``workbench-sync serve --workers N`` on a free port, once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "sync.cli",
            "--db",
            db,
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--snapshots",
            str(work / "snapshots-2"),
            "--page-cache-mb",
            str(page_cache_mb),
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return answering(process, port), process


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def answering(process: subprocess.Popen[bytes], port: int) -> str:
    """The URL of the server ``process`` started on ``port``, once it answers."""
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/v1/health", timeout=1).status_code == 200:
                time.sleep(1.0)  # let every worker process finish starting
                return url
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError("the multi-process server did not start")


def _watch(client: SyncClient, sheet_id: str, arrived: threading.Event) -> None:
    """An online laptop: long-poll, pull what changed, until the sheet is here."""
    while not arrived.is_set():
        if client.wait_for_changes(timeout_s=10):
            client.pull()
            if client.replica.conn.execute(
                "SELECT 1 FROM cost_sheets WHERE id = ?", (sheet_id,)
            ).fetchone():
                arrived.set()


def _workspaces(engine) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    import sqlalchemy as sa

    from sync.server import schema

    with engine.connect() as conn:
        return [(r.id, r.name) for r in conn.execute(sa.select(schema.workspaces))]


if __name__ == "__main__":
    main()
