"""What the declared rules cost: rows written into a replica table with its CHECKs against the
same table without them, and rows checked by the server's validation.

    python bench/declaration.py [--rows 200000] [--runs 3]

Prints one JSON line per figure. Times are CPU seconds of this process (``process_time``),
the best of ``--runs``, alternating the two tables, so another program on the machine moves
them less than it would wall-clock times.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.replica import validation
from workbench.replica.declaration import table


def emit(**figures: object) -> None:
    print(json.dumps({"bench": "declaration", **figures}), flush=True)


def order_rows(n: int) -> list[dict[str, object]]:
    rng = random.Random(7)
    brands = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(10)]
    return [
        {
            "id": str(uuid.UUID(int=rng.getrandbits(128))),
            "order_no": f"PO-2026-{i:07d}",
            "brand_id": rng.choice(brands),
            "style_code": f"TEE-{i % 500:03d}",
            "material_id": str(uuid.UUID(int=rng.getrandbits(128))),
            "season": "SS26",
            "mill": "Kaveri Mill 1, Coimbatore",
            "quantity": rng.randrange(300, 20000),
            "uom": "pc",
            "unit_price": f"{rng.uniform(2, 20):.2f}",
            "currency": "USD",
            "order_date": "2026-01-02",
            "promised_date": "2026-03-01",
            "delivered_date": None,
            "version": i + 1,
            "deleted": 0,
            "updated_at": "2026-12-07T00:00:00Z",
        }
        for i in range(n)
    ]


def insert_seconds(ddl: list[str], rows: list[dict[str, object]]) -> float:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    for statement in ddl:
        conn.execute(statement)
    columns = list(rows[0])
    values = [tuple(r.values()) for r in rows]
    sql = f"INSERT INTO orders ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    conn.execute("BEGIN")
    started = time.process_time()
    conn.executemany(sql, values)
    conn.execute("COMMIT")
    spent = time.process_time() - started
    conn.close()
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rows = order_rows(args.rows)
    declared = table("orders").ddl()
    unchecked = [re.sub(r" CHECK \((?:[^()]|\([^()]*\))*\)", "", s) for s in declared]
    assert "CHECK" not in unchecked[0]

    with_checks, without = [], []
    for _ in range(args.runs):
        without.append(insert_seconds(unchecked, rows))
        with_checks.append(insert_seconds(declared, rows))
    emit(
        figure="replica_insert_orders",
        rows=args.rows,
        seconds_with_checks=round(min(with_checks), 3),
        seconds_without=round(min(without), 3),
        ratio=round(min(with_checks) / min(without), 3),
        checks_ns_per_row=round((min(with_checks) - min(without)) / args.rows * 1e9),
    )

    best = float("inf")
    for _ in range(args.runs):
        started = time.process_time()
        for row in rows:
            validation.check_row("orders", row)
        best = min(best, time.process_time() - started)
    emit(
        figure="server_check_row_orders",
        rows=args.rows,
        seconds=round(best, 3),
        rows_per_s=round(args.rows / best),
    )


if __name__ == "__main__":
    main()
