"""What the server's edge costs the pull path: the same server with and without the layer that
gives each request its id, counts and times it for the metrics and writes its access line
(`sync.server.request_ids`, `sync.server.metrics`).

    python bench/edge.py [--materials 20000] [--requests 3000]
    python bench/edge.py --processes 2 [--rounds 20] [--seconds 3] [--clients 50]

Both servers share one SQLite database with a signed-in laptop.

In one process (the default), over real HTTP on loopback: each round sends a batch of pulls to
one server then the other (so a slow moment of the machine falls on both): an idle pull
(nothing new: what a laptop asks every few minutes), a pull of a laptop a little behind (up to
200 changes, a page kept in the page cache: what most pulls are) and a full page of 2,000
changes (also kept). The access log is written as in production, to a stream (here
/dev/null) unless --no-access-log.

With ``--processes N``: each server is ``workbench-sync serve --workers N`` (metrics counted
across processes, access lines on standard output, here /dev/null), and wrk (a load generator
in C, which must be installed) sends ``--clients`` concurrent pulls of laptops a little behind
for ``--seconds``, to one server then the other, ``--rounds`` times. The figures are pulls a
second and CPU time of the server processes per pull, medians of the rounds; the cost is the
median of the rounds' own costs (each round's two runs are back to back, so what the machine
is doing meanwhile weighs on both).

With ``--instructions``: the same pulls of a laptop a little behind, through the app itself
(no network, no HTTP), with and without the edge, each run under valgrind (which must be
installed), which counts the instructions spent between the warmed-up app's first pull and
its last (its counts and access lines written out included): what a machine busy with other
work does not change.

Prints one JSON line per figure, with the cost in percent.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import statistics
import subprocess
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
HEADERS = {
    protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
    protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
}


def emit(**figures: object) -> None:
    print(json.dumps({"bench": "edge", **figures}), flush=True)


def app_without_edge():  # type: ignore[no-untyped-def]
    """What each process of the server without the edge serves (uvicorn's factory)."""
    from sync.server.app import app_from_environment

    return app_from_environment(edge=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument(
        "--requests", type=int, default=3000, help="pulls of each kind per server (in one process)"
    )
    parser.add_argument(
        "--no-access-log", action="store_true", help="Leave the access log off (in one process)"
    )
    parser.add_argument(
        "--same", action="store_true", help="Both servers with the edge: the noise of the A/B"
    )
    parser.add_argument(
        "--processes",
        type=int,
        default=0,
        help="serve each with this many processes, load them with wrk",
    )
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions per pull under valgrind"
    )
    parser.add_argument("--asgi-pulls", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions:
        instructions(args)
        return
    folder = Path(tempfile.mkdtemp(prefix="bench-edge-"))
    db = str(folder / "server.sqlite")
    engine = make_engine(db)
    create_schema(engine)
    ws = accounts.create_workspace(engine, "bench")
    accounts.add_user(engine, "bench", "merch@bench", PASSWORD, "merchandiser", password_cost=2**12)
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, ws)
        seq = scope.next_seq(args.materials)
        scope.insert(
            "materials",
            [{**material(f"M-{n:06d}"), "version": seq + n} for n in range(args.materials)],
        )
    last = seq + args.materials - 1
    try:
        if args.asgi_pulls:
            asyncio.run(asgi_pulls(engine, folder, last, args.requests, args.asgi_pulls == "with"))
        elif args.processes:
            in_processes(db, folder, last, args)
        else:
            in_one_process(engine, folder, last, args)
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def in_one_process(engine, folder: Path, last: int, args: argparse.Namespace) -> None:  # type: ignore[no-untyped-def]
    if not args.no_access_log:  # as `serve` sets it up, to nowhere
        access_log.start(open("/dev/null", "wb"))  # noqa: SIM115
    servers = {
        "with": ServerThread(engine, folder / "a").start(),
        "without": ServerThread(engine, folder / "b", edge=args.same).start(),
    }
    login = httpx.post(
        f"{servers['with'].url}/v1/login",
        headers=HEADERS,
        json={"username": "merch@bench", "password": PASSWORD},
    )
    headers = {
        "Authorization": f"Bearer {login.json()['token']}",
        **HEADERS,
        "Accept-Encoding": "gzip",
    }
    rng = random.Random(7)
    behind = [{"after": last - rng.randrange(1, 201)} for _ in range(args.requests)]
    kinds = {
        "idle_pull": lambda n: {"after": last},
        "behind_pull": lambda n: behind[n % len(behind)],
        "page_2000": lambda n: {"after": 0, "limit": 2000},
    }
    clients = {name: httpx.Client(base_url=s.url, headers=headers) for name, s in servers.items()}
    timings: dict[tuple[str, str], list[float]] = {(k, n): [] for k in kinds for n in servers}
    for client in clients.values():  # warm: caches, connections, the pages built once
        for params in kinds.values():
            for n in range(300):
                client.get("/v1/changes", params=params(n)).raise_for_status()
    batch = 100
    for round_ in range(args.requests // batch):
        for kind, params in kinds.items():
            names = list(clients) if round_ % 2 == 0 else list(reversed(clients))
            for name in names:
                client = clients[name]
                for n in range(round_ * batch, (round_ + 1) * batch):
                    started = time.perf_counter()
                    client.get("/v1/changes", params=params(n))
                    timings[(kind, name)].append((time.perf_counter() - started) * 1000)
    for kind in kinds:
        with_, without = timings[(kind, "with")], timings[(kind, "without")]
        m_with, m_without = statistics.median(with_), statistics.median(without)
        emit(
            figure=kind,
            requests=len(with_),
            median_ms_with=round(m_with, 3),
            median_ms_without=round(m_without, 3),
            p95_ms_with=round(pct(with_, 0.95), 3),
            p95_ms_without=round(pct(without, 0.95), 3),
            cost_pct=round(100 * (m_with - m_without) / m_without, 1),
        )
    for client in clients.values():
        client.close()
    for server in servers.values():
        server.stop()


def in_processes(db: str, folder: Path, last: int, args: argparse.Namespace) -> None:
    from bench.sync import _wrk_pulls

    if not shutil.which("wrk"):
        emit(figure="concurrent_pulls_wrk", skipped="wrk is not installed")
        return
    factories = {
        "with": "sync.server.app:app_from_environment",
        "without": "sync.server.app:app_from_environment"
        if args.same
        else "bench.edge:app_without_edge",
    }
    servers = {
        name: _serve(db, folder / name, args.processes, app) for name, app in factories.items()
    }
    try:
        url = servers["with"][0]
        login = httpx.post(
            f"{url}/v1/login",
            headers=HEADERS,
            json={"username": "merch@bench", "password": PASSWORD},
        )
        token = login.json()["token"]
        for url, _ in servers.values():  # warm: every page built, in each process
            _wrk_pulls(url, token, last, args.clients, folder, seconds=2)
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
        costs: list[float] = []
        for round_ in range(args.rounds):
            names = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for name in names:
                url, process = servers[name]
                cpu = _cpu_s(process.pid)
                done = _wrk_pulls(url, token, last, args.clients, folder, seconds=args.seconds)
                runs[name].append(
                    {
                        "per_s": float(done["requests_per_s"]),  # type: ignore[arg-type]
                        "p50_ms": float(done["p50_ms"]),
                        "p95_ms": float(done["p95_ms"]),  # type: ignore[arg-type]
                        "cpu_us": 1e6 * (_cpu_s(process.pid) - cpu) / int(done["requests"]),  # type: ignore[call-overload]
                        "errors": float(done["errors"]),  # type: ignore[arg-type]
                    }
                )
            # each round's pair ran back to back: its ratio is what the machine's moods cancel in
            costs.append(100 * (1 - runs["with"][-1]["per_s"] / runs["without"][-1]["per_s"]))
        med = {
            name: {key: statistics.median(r[key] for r in done) for key in done[0]}
            for name, done in runs.items()
        }
        with_, without = med["with"], med["without"]
        emit(
            figure="concurrent_pulls_wrk",
            server_workers=args.processes,
            clients=args.clients,
            rounds=args.rounds,
            seconds=args.seconds,
            per_s_with=round(with_["per_s"]),
            per_s_without=round(without["per_s"]),
            p50_ms_with=with_["p50_ms"],
            p50_ms_without=without["p50_ms"],
            p95_ms_with=with_["p95_ms"],
            p95_ms_without=without["p95_ms"],
            cpu_us_per_pull_with=round(with_["cpu_us"]),
            cpu_us_per_pull_without=round(without["cpu_us"]),
            errors=sum(int(r["errors"]) for done in runs.values() for r in done),
            cost_pct=round(statistics.median(costs), 1),
            cost_pct_quartiles=[round(q, 1) for q in statistics.quantiles(costs, n=4)],
            cpu_cost_pct=round(100 * (with_["cpu_us"] / without["cpu_us"] - 1), 1),
        )
    finally:
        for _, process in servers.values():
            process.terminate()
            process.wait(30)


def instructions(args: argparse.Namespace) -> None:
    """This script's ``--asgi-pulls`` under valgrind, with and without the edge."""
    if not shutil.which("valgrind"):
        emit(figure="instructions_per_pull", skipped="valgrind is not installed")
        return
    counted = {}
    for variant in ("with", "without"):
        with tempfile.TemporaryDirectory(prefix="bench-edge-") as work:
            out = Path(work) / "callgrind.out"
            env = {
                **os.environ,
                "PROMETHEUS_MULTIPROC_DIR": work,
                "OPENBLAS_NUM_THREADS": "1",
                "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
            }
            subprocess.run(
                [
                    "valgrind",
                    "--tool=callgrind",
                    "--dump-before=getppid",
                    f"--callgrind-out-file={out}",
                    sys.executable,
                    __file__,
                    "--asgi-pulls",
                    variant,
                    "--materials",
                    "1000",
                    "--requests",
                    str(args.requests),
                ],
                env=env,
                check=True,
                capture_output=True,
            )
            # dump 1: the start up to the first getppid(); dump 2: the pulls up to the second
            text = out.with_name(out.name + ".2").read_text()
            total = next(
                int(x.split()[1])
                for x in text.splitlines()
                if x.startswith(("summary:", "totals:"))
            )
            counted[variant] = total / (args.requests // 8 * 8)
    emit(
        figure="instructions_per_pull",
        requests=args.requests // 8 * 8,
        instructions_with=round(counted["with"]),
        instructions_without=round(counted["without"]),
        cost_pct=round(100 * (counted["with"] / counted["without"] - 1), 1),
    )


async def asgi_pulls(engine, folder: Path, last: int, requests: int, edge: bool) -> None:  # type: ignore[no-untyped-def]
    """``requests`` pulls of laptops a little behind, eight at a time, through the app itself,
    between two calls of ``os.getppid`` (where valgrind is told to dump its counts)."""
    from sync.server import metrics
    from sync.server.app import create_app

    if edge:
        access_log.start(open("/dev/null", "wb"), every_s=3600)  # noqa: SIM115
    app = create_app(engine, snapshot_dir=folder / "snap", edge=edge)
    version = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]

    async def call(method: str, query: bytes, headers: list, body: bytes = b"") -> bytes:  # type: ignore[type-arg]
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "root_path": "",
            "query_string": query,
            "path": "/v1/login" if method == "POST" else "/v1/changes",
            "headers": [*version, *headers],
            "client": ("127.0.0.1", 5555),
            "server": ("127.0.0.1", 8750),
        }
        scope["raw_path"] = scope["path"].encode()
        messages = [{"type": "http.request", "body": body, "more_body": False}]
        answer = []

        async def receive() -> dict:  # type: ignore[type-arg]
            return messages.pop() if messages else {"type": "http.disconnect"}

        async def send(message: dict) -> None:  # type: ignore[type-arg]
            answer.append(message.get("body", b""))

        await app(scope, receive, send)
        return b"".join(answer)

    login = json.dumps({"username": "merch@bench", "password": PASSWORD}).encode()
    token = json.loads(await call("POST", b"", [(b"content-type", b"application/json")], login))
    headers = [
        (b"authorization", f"Bearer {token['token']}".encode()),
        (b"accept-encoding", b"gzip"),
        (b"host", b"127.0.0.1:8750"),
    ]
    queries = [f"after={last - n}".encode() for n in range(1, 201)]
    for _ in range(2):  # every page built and kept, every lookup made once
        for query in queries:
            await call("GET", query, headers)

    async def laptop(k: int) -> None:
        for n in range(requests // 8):
            await call("GET", queries[(n * 8 + k) % len(queries)], headers)

    os.getppid()  # valgrind --dump-before=getppid: the count starts here
    await asyncio.gather(*(laptop(k) for k in range(8)))
    metrics.tally.flush()
    access_log.flush()
    os.getppid()  # ... and ends here


def _cpu_s(pid: int) -> float:
    """CPU seconds (user and system) of the server processes ``pid`` started."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:  # its parent
            total += int(fields[11]) + int(fields[12])
    return total / tick


def _serve(db: str, snapshots: Path, workers: int, app: str) -> tuple[str, subprocess.Popen]:
    """``workbench-sync serve --workers N`` serving ``app`` on a free port, once it answers."""
    from bench.sync import answering, free_port

    port = free_port()
    root = Path(__file__).resolve().parent.parent
    code = (
        "import sys; from pathlib import Path; from sync.server.serve import serve_workers; "
        "serve_workers(sys.argv[1], '127.0.0.1', int(sys.argv[2]), Path(sys.argv[3]), "
        "int(sys.argv[4]), 64 * 1024 * 1024, app=sys.argv[5])"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # each server counts into a folder of its own
    process = subprocess.Popen(
        [sys.executable, "-c", code, db, str(port), str(snapshots), str(workers), app],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return answering(process, port), process


if __name__ == "__main__":
    main()
