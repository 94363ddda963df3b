"""Pulled rows written into the replica: the replica's upsert against sqlite-utils'.

    python bench/upsert.py [--materials 10000] [--page 2000] [--repeat 3]

Every row of the change feed goes through `sync.client.rows.write_row` (one
``INSERT … ON CONFLICT (id) DO UPDATE`` in the page's transaction). This measures it, the
baseline, against sqlite-utils' ``Table.upsert`` per row and ``Table.upsert_all`` per page on
the same rows, into an encrypted replica (SQLCipher) as a laptop's is, each page one
transaction. Prints one JSON line per way (``seconds``: best of ``--repeat``; ``rows_per_s``;
``ratio``: its time over the baseline's). The figures are in docs/adr/0004.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.client.rows import replica_columns, write_row
from workbench.demo import generate_demo
from workbench.replica import Replica, open_replica

Write = Callable[[Replica, list[dict[str, Any]]], None]


def source_rows(folder: Path, materials: int) -> list[dict[str, Any]]:
    """``materials`` demo materials as the change feed sends them (one dict per row)."""
    source = open_replica(folder / "source.sqlite")
    generate_demo(source, materials=materials, orders=0)
    cursor = source.conn.execute("SELECT * FROM materials")
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, r, strict=True)) for r in cursor]
    source.close()
    return rows


def by_write_row(replica: Replica, page: list[dict[str, Any]]) -> None:
    columns = replica_columns(replica)
    with replica.transaction() as conn:
        for row in page:
            write_row(conn, columns, "materials", row)


def by_sqlite_utils(per_page: bool) -> Write:
    import sqlite_utils

    def write(replica: Replica, page: list[dict[str, Any]]) -> None:
        with replica.transaction() as conn:
            table = sqlite_utils.Database(conn, execute_plugins=False).table("materials")
            if per_page:
                table.upsert_all(page, pk="id")
            else:
                for row in page:
                    table.upsert(row, pk="id")

    return write


def timed(write: Write, rows: list[dict[str, Any]], page: int, folder: Path, run: int) -> float:
    """Seconds to write ``rows`` twice (inserted, then every row overwritten) into a fresh
    encrypted replica, ``page`` rows per transaction."""
    replica = open_replica(folder / f"replica-{run}.sqlite", os.urandom(32))
    pages = [rows[i : i + page] for i in range(0, len(rows), page)]
    started = time.perf_counter()
    for _ in range(2):
        for chunk in pages:
            write(replica, chunk)
    elapsed = time.perf_counter() - started
    replica.close()
    return elapsed


def check_same(rows: list[dict[str, Any]], folder: Path, ways: Mapping[str, Write]) -> None:
    """Every way leaves the same table behind (or the comparison means nothing)."""
    seen = []
    for n, write in enumerate(ways.values()):
        replica = open_replica(folder / f"check-{n}.sqlite", os.urandom(32))
        write(replica, rows[:500])
        seen.append(replica.conn.execute("SELECT * FROM materials ORDER BY id").fetchall())
        replica.close()
    assert all(s == seen[0] for s in seen), "the ways wrote different rows"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=10_000)
    parser.add_argument("--page", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ways: dict[str, Write] = {"write_row": by_write_row}
    try:
        ways["sqlite_utils_upsert"] = by_sqlite_utils(per_page=False)
        ways["sqlite_utils_upsert_all"] = by_sqlite_utils(per_page=True)
    except ImportError:
        print("sqlite-utils is not installed: the baseline alone", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = source_rows(folder, args.materials)
        check_same(rows, folder, ways)
        best: dict[str, float] = {}
        run = 0
        for _ in range(args.repeat):
            for name, write in ways.items():  # interleaved: the machine's load hits all alike
                run += 1
                seconds = timed(write, rows, args.page, folder, run)
                best[name] = min(best.get(name, seconds), seconds)
        baseline = best["write_row"]
        for name, seconds in best.items():
            print(
                json.dumps(
                    {
                        "figure": "upsert_rows",
                        "way": name,
                        "rows": 2 * len(rows),
                        "page": args.page,
                        "seconds": round(seconds, 3),
                        "rows_per_s": round(2 * len(rows) / seconds),
                        "ratio": round(seconds / baseline, 2),
                    }
                )
            )


if __name__ == "__main__":
    main()
