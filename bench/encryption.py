"""What encrypting the laptop costs: first sync, search, pulls and dashboards on an encrypted
laptop (SQLCipher replica, sealed order file) and on a plain one, in the same run against the
same server, turn about.

    python bench/encryption.py [--materials 20000] [--orders 100000] [--rounds 5]
                               [--first-sync-only | --pulls-only]

A server on loopback (SQLite) holds a demo workspace; its snapshot is built once before
anything is timed. Each round signs in one encrypted and one plain laptop, alternating which
goes first so neither always runs on a warmer machine, and times on each (the figures made of
many short calls, searches and cached dashboards, alternate between the two laptops call by
call, so a busy moment of a shared machine falls on both):
- ``first_sync_s``: empty data folder to a replica and a search index ready (snapshot
  download, then the change feed);
- ``pull_1000_s``: a sync that pulls 1,000 changed materials and 1,000 changed orders and
  re-indexes the materials;
- ``search_ms``: the median of 200 searches (words, typos, filters) with the first 50 hits'
  rows read from the replica, as the search view shows them;
- ``dashboards_cold_ms``: every dashboard once on a freshly opened replica (the order file
  read, and on the encrypted laptop unsealed, then each computed);
- ``dashboards_cached_ms``: the same calls again, answered from the dashboards' cache.

The work a laptop leaves on its background thread after a sync (the order file's write,
`workbench.derived`) is waited for after each timed step, outside the time: the user does not
wait for it either, and left running it would be timed as part of the other laptop's next step.

Prints one JSON line per figure with the encrypted and the plain median over the rounds, each
round's figures, their ratio (encrypted / plain; 1.20 is 20 % slower), each round's own ratio
and the median of those (a round's two laptops ran side by side, so a round's ratio is the
least disturbed by the machine's load changing between rounds), then a line of the largest
ratio with the load average at the start and the end, then one of what each laptop
downloads: the gzip a plain laptop takes and the SQLCipher databases an encrypted one takes
(``snapshot_bytes``: ``sqlcipher-8k``, or ``sqlcipher`` from a server of the version
before; ADR 0008). ``--first-sync-only`` times the first syncs and nothing after them, for
more rounds of that figure in the same time; ``--pulls-only`` makes one first sync on each
laptop and then times only pulls, a round being 1,000 + 1,000 rows changed on the server and
pulled by each laptop in turn (the pull as the app makes it all day, on a replica whose
writer has been at work since the first sync).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import keyring

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import workbench.workspace
from bench.search import query_set
from bench.sync import PASSWORD, ProcessKeyring
from sync.server import accounts
from sync.server.db import create_schema, make_engine, writing
from sync.server.loading import load_replica_file
from sync.server.scoping import WorkspaceScope
from sync.server.serve import ServerThread
from sync.session import sign_in, sync_workspace
from workbench.analytics import Analytics, store_file
from workbench.demo import generate_demo
from workbench.replica import open_replica
from workbench.replica.queries import materials_by_ids
from workbench.workspace import Workspace, open_workspace

MODES = ("encrypted", "plain")
_ENCRYPTED_OPEN = workbench.workspace.open_laptop_replica


@contextlib.contextmanager
def laptops_opened(mode: str) -> Iterator[None]:
    """Laptop replicas opened as ``mode`` says: with their key from the keyring, or plain."""
    if mode == "plain":
        workbench.workspace.open_laptop_replica = (  # type: ignore[assignment]
            lambda path, **_: open_replica(path)
        )
    try:
        yield
    finally:
        workbench.workspace.open_laptop_replica = _ENCRYPTED_OPEN


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def change_on_server(engine: Any, workspace_id: str, rng: random.Random) -> None:
    """1,000 materials and 1,000 orders changed on the server, each at a new change number."""
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, workspace_id)
        for table, values in (
            ("materials", lambda: {"price": f"{rng.uniform(1, 9):.2f}"}),
            ("orders", lambda: {"quantity": rng.randrange(100, 9000)}),
        ):
            ids = [r["id"] for r in rng.sample(scope.rows(table), 1000)]
            first = scope.next_seq(len(ids))
            for n, row_id in enumerate(ids):
                scope.update(table, row_id, {**values(), "version": first + n})  # type: ignore[operator]


def search_ms(laptops: dict[str, Workspace], order: tuple[str, ...]) -> dict[str, float]:
    """Each laptop's median search with its first page's rows read, in ms; the laptops take
    each query in turn."""
    times: dict[str, list[float]] = {mode: [] for mode in order}
    for _label, request in query_set(200):
        for mode in order:
            workspace = laptops[mode]
            started = time.perf_counter()
            result = workspace.search.search(request)
            materials_by_ids(workspace.replica.conn, list(result.ids[:50]))
            times[mode].append((time.perf_counter() - started) * 1000)
    return {mode: statistics.median(values) for mode, values in times.items()}


def all_of(calls: list[Callable[[], object]]) -> Callable[[], object]:
    """One call that makes every call of ``calls``."""
    return lambda: [call() for call in calls]


def dashboards(analytics: Analytics) -> list[Callable[[], object]]:
    today = date.today()
    return [
        analytics.order_history,
        analytics.order_months,
        analytics.lead_times,
        analytics.rate_history,
        analytics.rate_trends,
        lambda: analytics.capacity(start=today),
        lambda: analytics.capacity_heatmap(start=today),
        lambda: analytics.cost_structure(today=today),
        lambda: analytics.cost_by_process(today=today),
    ]


def dashboard_figures(
    folders: dict[str, Path], order: tuple[str, ...]
) -> dict[str, tuple[float, float]]:
    """Every dashboard on each laptop's replica opened afresh (its order file already
    written): cold (one laptop after the other) and cached (the laptops in turn, five times),
    in ms."""
    opened: dict[str, Workspace] = {}
    try:
        for mode in order:
            with laptops_opened(mode):
                opened[mode] = open_workspace(folders[mode])
        analytics = {mode: Analytics(opened[mode].replica) for mode in order}
        calls = {mode: dashboards(analytics[mode]) for mode in order}
        cold = {mode: timed(all_of(calls[mode])) * 1000 for mode in order}
        cached: dict[str, list[float]] = {mode: [] for mode in order}
        for _ in range(5):
            for mode in order:
                cached[mode].append(timed(all_of(calls[mode])) * 1000)
        for mode in order:
            analytics[mode].wait_saved()
    finally:
        for workspace in opened.values():
            workspace.close()
    return {mode: (cold[mode], statistics.median(cached[mode])) for mode in order}


def first_order_file(folder: Path, mode: str) -> None:
    """The first dashboards ever on a laptop read the orders table and write the order file."""
    with laptops_opened(mode):
        workspace = open_workspace(folder)
    try:
        analytics = Analytics(workspace.replica)
        analytics.order_history()
        analytics.wait_saved()
    finally:
        workspace.close()


def pulls_only(
    url: str,
    user: str,
    work: Path,
    engine: Any,
    workspace_id: str,
    rng: random.Random,
    rounds: int,
    note: Callable[[str, str, float], None],
) -> None:
    """One first sync on each laptop, then ``rounds`` pulls of 1,000 + 1,000 changed rows,
    the laptops in turn (alternating which goes first)."""
    laptops: dict[str, Workspace] = {}
    try:
        for mode in MODES:
            with laptops_opened(mode):
                laptops[mode], _, _ = sign_in(url, user, PASSWORD, base=work / f"{mode}-pulls")
            sync_workspace(laptops[mode])
            laptops[mode].derived.settle()
        for round_no in range(rounds):
            change_on_server(engine, workspace_id, rng)
            for mode in MODES if round_no % 2 == 0 else MODES[::-1]:
                note("pull_1000_s", mode, timed(lambda w=laptops[mode]: sync_workspace(w)))
                laptops[mode].derived.settle()
    finally:
        for laptop in laptops.values():
            laptop.close()


def main() -> None:
    keyring.set_keyring(ProcessKeyring())
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    only = parser.add_mutually_exclusive_group()
    only.add_argument("--first-sync-only", action="store_true")
    only.add_argument("--pulls-only", action="store_true")
    args = parser.parse_args()
    rng = random.Random(11)
    work = Path(tempfile.mkdtemp(prefix="wb-bench-encryption-"))
    engine = make_engine(str(work / "server.sqlite"))
    create_schema(engine)
    source = open_replica(work / "source.sqlite")
    generate_demo(source, materials=args.materials, orders=args.orders)
    source.close()
    name = f"bench-{rng.randrange(10**6)}"
    ws_id = accounts.create_workspace(engine, name)
    rows = sum(load_replica_file(engine, ws_id, work / "source.sqlite").values())
    user = f"m@{name}"
    accounts.add_user(engine, name, user, PASSWORD, "merchandiser", password_cost=2**12)
    figures: dict[str, dict[str, list[float]]] = {}
    load_before = os.getloadavg()[0]

    def note(figure: str, mode: str, value: float) -> None:
        figures.setdefault(figure, {m: [] for m in MODES})[mode].append(value)

    with ServerThread(engine, work / "snapshots", long_poll_s=25) as server:
        warm, _, _ = sign_in(server.url, user, PASSWORD, base=work / "warm-up")
        sync_workspace(warm)  # the server builds and caches the snapshot
        warm.close()
        if args.pulls_only:
            pulls_only(server.url, user, work, engine, ws_id, rng, args.rounds, note)
        for round_no in range(0 if args.pulls_only else args.rounds):
            order = MODES if round_no % 2 == 0 else MODES[::-1]
            laptops: dict[str, Workspace] = {}
            for mode in order:
                folder = work / f"{mode}-{round_no}"
                started = time.perf_counter()
                with laptops_opened(mode):
                    laptops[mode], _, _ = sign_in(server.url, user, PASSWORD, base=folder)
                sync_workspace(laptops[mode])
                assert laptops[mode].search.state.name == "READY"
                note("first_sync_s", mode, time.perf_counter() - started)
                laptops[mode].derived.settle()
            assert (
                laptops["encrypted"].replica.key is not None
                and laptops["plain"].replica.key is None
            )
            if args.first_sync_only:
                for laptop in laptops.values():
                    laptop.close()
                continue
            change_on_server(engine, ws_id, rng)
            for mode in order:
                note("pull_1000_s", mode, timed(lambda w=laptops[mode]: sync_workspace(w)))
                laptops[mode].derived.settle()
            for mode, value in search_ms(laptops, order).items():
                note("search_ms", mode, value)
            folders = {mode: laptops[mode].replica.path.parent for mode in order}
            for mode in order:
                laptops[mode].close()
                if not store_file.path_for(laptops[mode].replica.path).exists():
                    first_order_file(folders[mode], mode)
            for mode, (cold, cached) in dashboard_figures(folders, order).items():
                note("dashboards_cold_ms", mode, cold)
                note("dashboards_cached_ms", mode, cached)
    worst = 0.0
    for figure, by_mode in figures.items():
        encrypted, plain = (statistics.median(by_mode[m]) for m in MODES)
        ratio = encrypted / plain
        per_round = [e / p for e, p in zip(by_mode["encrypted"], by_mode["plain"], strict=True)]
        worst = max(worst, ratio)
        print(
            json.dumps(
                {
                    "bench": "encryption",
                    "figure": figure,
                    "encrypted": round(encrypted, 3),
                    "plain": round(plain, 3),
                    "ratio": round(ratio, 3),
                    "encrypted_rounds": [round(v, 3) for v in by_mode["encrypted"]],
                    "plain_rounds": [round(v, 3) for v in by_mode["plain"]],
                    "round_ratios": [round(r, 3) for r in per_round],
                    "median_round_ratio": round(statistics.median(per_round), 3),
                    "rounds": args.rounds,
                    "materials": args.materials,
                    "orders": args.orders,
                    "rows": rows,
                }
            ),
            flush=True,
        )
    print(
        json.dumps(
            {
                "bench": "encryption",
                "figure": "worst_ratio",
                "ratio": round(worst, 3),
                "target": 1.2,
                "met": worst <= 1.2,
                "loadavg_1min_start": round(load_before, 2),
                "loadavg_1min_end": round(os.getloadavg()[0], 2),
            }
        ),
        flush=True,
    )
    built = list((work / "snapshots").iterdir())
    sizes = {
        form: sum(f.stat().st_size for f in built if kind(f.name))
        for form, kind in (
            ("gzip", lambda name: name.endswith(".sqlite.gz")),
            ("sqlcipher", lambda name: name.endswith(".sqlcipher") and ".8k." not in name),
            ("sqlcipher-8k", lambda name: name.endswith(".8k.sqlcipher")),
        )
    }
    print(
        json.dumps(
            {
                "bench": "encryption",
                "figure": "snapshot_bytes",
                **sizes,
                "ratio": round(max(sizes["sqlcipher"], sizes["sqlcipher-8k"]) / sizes["gzip"], 3),
            }
        ),
        flush=True,
    )
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
