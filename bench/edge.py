"""What the server's edge costs the pull path: the same server with and without the metrics
and access-log middleware, over real HTTP on loopback, in one process.

    python bench/edge.py [--materials 20000] [--requests 3000]

Both servers share one SQLite database with a signed-in laptop; each round sends a batch of
pulls to one server then the other (so a slow moment of the machine falls on both), an idle
pull (nothing new: what a laptop asks every few minutes) and a full page of 2,000 changes
(served from the page cache). The access log is written as in production, to a stream (here
/dev/null) unless --no-access-log. Prints one JSON line per figure, with the cost in percent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import pct
from sync import protocol
from sync.server import accounts
from sync.server.db import create_schema, make_engine, writing
from sync.server.metrics import access_log
from sync.server.scoping import WorkspaceScope
from sync.server.serve import ServerThread
from tests.sync_fixtures import material

PASSWORD = "bench password 1"


def emit(**figures: object) -> None:
    print(json.dumps({"bench": "edge", **figures}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--no-access-log", action="store_true",
                        help="Leave the access log off (metrics only)")
    parser.add_argument("--same", action="store_true",
                        help="Both servers without the middleware: the noise of the A/B")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    engine = make_engine(str(folder / "server.sqlite"))
    create_schema(engine)
    ws = accounts.create_workspace(engine, "bench")
    accounts.add_user(engine, "bench", "merch@bench", PASSWORD, "merchandiser")
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, ws)
        seq = scope.next_seq(args.materials)
        scope.insert("materials", [{**material(f"M-{n:06d}"), "version": seq + n}
                                   for n in range(args.materials)])  # fmt: skip
    if not args.no_access_log:  # as `serve` sets it up, to nowhere
        access_log.start(open("/dev/null", "wb"))  # noqa: SIM115
    servers = {"with": ServerThread(engine, folder / "a", observed=not args.same).start(),
               "without": ServerThread(engine, folder / "b", observed=False).start()}  # fmt: skip
    login = httpx.post(f"{servers['with'].url}/v1/login",
                       json={"username": "merch@bench", "password": PASSWORD},
                       headers={protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
                                protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION)})  # fmt: skip
    headers = {"Authorization": f"Bearer {login.json()['token']}",
               protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
               protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
               "Accept-Encoding": "gzip"}  # fmt: skip
    last = seq + args.materials - 1
    kinds = {"idle_pull": {"after": last}, "page_2000": {"after": 0, "limit": 2000}}
    clients = {name: httpx.Client(base_url=s.url, headers=headers) for name, s in servers.items()}
    timings: dict[tuple[str, str], list[float]] = {(k, n): [] for k in kinds for n in servers}
    for client in clients.values():  # warm: caches, connections, the page built once
        for params in kinds.values():
            for _ in range(50):
                client.get("/v1/changes", params=params).raise_for_status()
    batch = 100
    for _ in range(args.requests // batch):
        for kind, params in kinds.items():
            for name, client in clients.items():
                for _ in range(batch):
                    started = time.perf_counter()
                    client.get("/v1/changes", params=params)
                    timings[(kind, name)].append((time.perf_counter() - started) * 1000)
    for kind in kinds:
        with_, without = timings[(kind, "with")], timings[(kind, "without")]
        m_with, m_without = statistics.median(with_), statistics.median(without)
        emit(figure=kind, requests=len(with_), median_ms_with=round(m_with, 3),
             median_ms_without=round(m_without, 3), p95_ms_with=round(pct(with_, 0.95), 3),
             p95_ms_without=round(pct(without, 0.95), 3),
             cost_pct=round(100 * (m_with - m_without) / m_without, 1))  # fmt: skip
    for client in clients.values():
        client.close()
    for server in servers.values():
        server.stop()


if __name__ == "__main__":
    main()
