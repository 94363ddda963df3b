"""What a SQLCipher page layout costs (ADR 0009): the first sync's page copy of a snapshot into
an empty replica, and the commit of 1,000 orders updated here and there, as a pull writes
them, for each page size and HMAC against a plain SQLite file in the same run.

    python bench/cipher_layout.py [--materials 20000] [--orders 100000] [--rounds 5]

A demo replica is made once (plain); each layout gets a snapshot of it exported as the server
exports the ``sqlcipher-8k`` form (laid out for the HMAC, without it) and a replica of it in
that layout. Each round times, layout after layout, then the plain file:
- ``copy_ms``: SQLite's backup of the snapshot into an empty replica in write-ahead-log mode
  (SQLCipher decrypts each page under the snapshot's key and encrypts it under the
  replica's);
- ``commit_ms``: the commit of 1,000 random orders upserted with every column set (the
  statements before it are not timed), on a connection whose cache holds the table and its
  indexes.

Prints one JSON line per layout with the medians and their ratio to the plain file's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.demo import generate_demo
from workbench.replica import cipher, open_replica

LAYOUTS = {
    "4k-sha512 (LEGACY)": cipher.LEGACY,
    "4k-sha256": cipher.Layout(4096, "HMAC_SHA256", 32),
    "8k-sha256 (REPLICA)": cipher.REPLICA,
    "16k-sha256": cipher.Layout(16384, "HMAC_SHA256", 32),
}


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _replica_conn(path: Path, key: bytes | None, layout: cipher.Layout) -> sqlite3.Connection:
    conn = cipher.connect(path, key, layout=layout, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA cache_size = -131072")
    return conn


def copy_ms(snapshot: Path, sealed: cipher.Sealed | None, target: Path) -> float:
    """The backup of ``snapshot`` into an empty replica at ``target``."""
    _fresh(target)
    key = None if sealed is None else cipher.new_key()
    layout = cipher.REPLICA if sealed is None else sealed.layout
    replica = _replica_conn(target, key, layout)
    replica.execute("CREATE TABLE IF NOT EXISTS sync_state (key TEXT PRIMARY KEY, value TEXT)")
    snap = (
        sqlite3.connect(str(snapshot))
        if sealed is None
        else sealed.connect(snapshot, isolation_level=None)
    )
    started = time.perf_counter()
    snap.backup(replica)
    elapsed = time.perf_counter() - started
    snap.close()
    replica.close()
    return elapsed * 1000


def commit_ms(path: Path, key: bytes | None, layout: cipher.Layout, seed: int) -> float:
    """The commit of 1,000 random orders upserted with every column set."""
    conn = _replica_conn(path, key, layout)
    try:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(orders)")]
        for index in ("orders_version", "orders_brand", "orders_material"):
            conn.execute(f"SELECT count(*) FROM orders INDEXED BY {index}").fetchone()
        conn.execute("SELECT sum(length(order_no)) FROM orders").fetchone()
        ids = [r[0] for r in conn.execute("SELECT id FROM orders")]
        picked = random.Random(seed).sample(ids, 1000)
        top = conn.execute("SELECT max(version) FROM orders").fetchone()[0]
        listed = ", ".join(columns)
        rows = []
        select = f"SELECT {listed} FROM orders WHERE id = ?"
        for n, order_id in enumerate(picked):
            row = dict(zip(columns, conn.execute(select, (order_id,)).fetchone(), strict=True))
            rows.append({**row, "quantity": int(row["quantity"]) + 1, "version": top + n + 1})
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c != "id")
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            f"INSERT INTO orders ({listed}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [[row[c] for c in columns] for row in rows],
        )
        started = time.perf_counter()
        conn.execute("COMMIT")
        return (time.perf_counter() - started) * 1000
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wb-bench-layout-"))
    try:
        source = work / "source.sqlite"
        replica = open_replica(source)
        generate_demo(replica, materials=args.materials, orders=args.orders)
        replica.close()
        with sqlite3.connect(source) as conn:
            conn.execute("PRAGMA journal_mode = DELETE")
        snapshots: dict[str, tuple[Path, cipher.Sealed]] = {}
        replicas: dict[str, tuple[Path, bytes]] = {}
        for name, layout in LAYOUTS.items():
            sealed = cipher.Sealed(cipher.new_key(), layout, hmac=False)
            snapshot = work / f"snapshot-{layout.page_bytes}-{layout.hmac_algorithm}"
            cipher.export(source, snapshot, sealed.key, hmac=False, layout=layout)
            snapshots[name] = (snapshot, sealed)
            key = cipher.new_key()
            path = work / f"replica-{layout.page_bytes}-{layout.hmac_algorithm}"
            cipher.export(source, path, key, layout=layout)
            replicas[name] = (path, key)
        plain_replica = work / "replica-plain"
        shutil.copy(source, plain_replica)
        copies: dict[str, list[float]] = {name: [] for name in [*LAYOUTS, "plain"]}
        commits: dict[str, list[float]] = {name: [] for name in [*LAYOUTS, "plain"]}
        load_before = os.getloadavg()[0]
        for round_no in range(args.rounds):
            for name, layout in LAYOUTS.items():
                snapshot, sealed = snapshots[name]
                copies[name].append(copy_ms(snapshot, sealed, work / "copied"))
                path, key = replicas[name]
                commits[name].append(commit_ms(path, key, layout, round_no))
            copies["plain"].append(copy_ms(source, None, work / "copied"))
            commits["plain"].append(commit_ms(plain_replica, None, cipher.REPLICA, round_no))
        plain_copy = statistics.median(copies["plain"])
        plain_commit = statistics.median(commits["plain"])
        for name in [*LAYOUTS, "plain"]:
            copy, commit = statistics.median(copies[name]), statistics.median(commits[name])
            print(
                json.dumps(
                    {
                        "bench": "cipher_layout",
                        "layout": name,
                        "copy_ms": round(copy, 1),
                        "copy_ratio": round(copy / plain_copy, 3),
                        "commit_ms": round(commit, 1),
                        "commit_ratio": round(commit / plain_commit, 3),
                        "copy_rounds": [round(v, 1) for v in copies[name]],
                        "commit_rounds": [round(v, 1) for v in commits[name]],
                        "rounds": args.rounds,
                        "loadavg_1min_start": round(load_before, 2),
                        "loadavg_1min_end": round(os.getloadavg()[0], 2),
                    }
                ),
                flush=True,
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
