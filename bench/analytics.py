"""Analytics benchmark: every dashboard over a demo workspace of many orders, first call and
cached, on opening the workspace and again after a sync moved the cursor.

    python bench/analytics.py [--orders 1000000] [--materials 20000] [--sheets 200]

The workspace is opened twice, as a user opens it on two days: the first session ever reads
the orders table and leaves the order file beside the replica (`workbench.analytics.
store_file`); the replica is closed, opened again, and the second session is measured.

Prints one JSON line per dashboard:
- ``compute_ms_first_ever`` (the first dashboard only): its first call in the first session,
  with no order file yet: the whole orders table is read (``first_ever_load_ms``);
- ``compute_ms_cold``: the first call on the reopened workspace; the first dashboard's
  includes reading the order file and building the order frame (``load_ms`` of the
  ``order_frame`` line);
- ``compute_ms_cached``: the median of five calls after that, nothing having changed;
- ``compute_ms_after_sync``: the first call after a sync page of 1,000 changed orders moved
  the cursor; the first dashboard's includes bringing the order frame up to date
  (``refresh_ms``), and the cost dashboards are recomputed too (their key is the cursor).
and one ``order_frame`` line: ``load_ms`` and how (``load_source``: "file"),
``first_ever_load_ms``, ``save_ms`` (writing the order file, on a thread of its own after the
first session's first call), ``refresh_ms`` (after the sync page), the machine's load average
while it ran.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.client import SyncClient
from workbench import documents
from workbench.analytics import Analytics, Filters, store_file
from workbench.costing import CostingError
from workbench.costing import choices as pick
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.replica import Replica, open_replica


def _save_sheets(replica: Replica, count: int, rng: random.Random) -> int:
    """``count`` cost sheets as a merchandiser starts them: a fabric's starting style, a brand."""
    conn = replica.conn
    fabrics = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM materials WHERE material_type = 'fabric' AND deleted = 0"
        )
    ]
    brands = [(r[0], r[1]) for r in conn.execute("SELECT id, code FROM brands WHERE deleted = 0")]
    saved = 0
    for n, fabric_id in enumerate(rng.sample(fabrics, min(len(fabrics), count * 2))):
        if saved == count:
            break
        try:
            style = pick.starting_style(conn, fabric_id, f"BENCH-{n:05d}")
        except CostingError:
            continue
        brand_id, code = rng.choice(brands)
        body = sheet_to_dict(CostSheet(style, brand=code, quantity=rng.randint(500, 20_000)))
        documents.save_document(
            replica,
            "cost_sheets",
            {"style_code": style.style_code, "brand_id": brand_id, "body": json.dumps(body)},
        )
        saved += 1
    return saved


def _sync_page(replica: Replica, changed: int, rng: random.Random) -> None:
    """What a sync pull writes when others changed ``changed`` orders: one page, new cursor."""
    cursor = replica.cursor
    ids = [r[0] for r in replica.conn.execute("SELECT id FROM orders WHERE deleted = 0")]
    changes = []
    for n, order_id in enumerate(rng.sample(ids, changed), start=1):
        row = dict(
            replica.conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        )
        row.update(quantity=int(row["quantity"]) + 50, version=cursor + n)
        changes.append({"table": "orders", "row": row})
    client = SyncClient(replica, "http://127.0.0.1:9", "offline")  # only apply_page is used
    try:
        client.apply_page(changes, cursor + changed)
    finally:
        client.close()


def _ms(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def _first_session(path: Path) -> tuple[float, dict[str, object], dict[str, object]]:
    """The workspace opened for the first time ever: no order file yet. Returns the first
    dashboard's time, how the orders were read, and the order file's write."""
    replica = open_replica(path)
    analytics = Analytics(replica)
    first = _ms(lambda: analytics.order_history())
    analytics.wait_saved()
    replica.close()
    return first, analytics.last_refresh, analytics.last_save


def bench(orders: int, materials: int, sheets: int) -> None:
    rng = random.Random(17)
    with tempfile.TemporaryDirectory(prefix="wb-bench-analytics-") as tmp:
        path = Path(tmp) / "replica.sqlite"
        replica = open_replica(path)
        began = time.perf_counter()
        generate_demo(replica, materials=materials, orders=orders, seed=7)
        generate_s = time.perf_counter() - began
        saved = _save_sheets(replica, sheets, rng)
        replica.close()
        first_ever, first_load, save = _first_session(path)
        if "error" in save:
            raise SystemExit(f"the order file was not written: {save['error']}")
        replica = open_replica(path)  # the second session: the order file is there
        today = date.today()
        brands = [r[0] for r in replica.conn.execute("SELECT code FROM brands LIMIT 2")]
        some = Filters(brands=brands, seasons=["SS25", "AW25"], mills=[])
        analytics = Analytics(replica)
        dashboards: list[tuple[str, Callable[[], object]]] = [
            ("order_history", lambda: analytics.order_history()),
            ("order_history_filtered", lambda: analytics.order_history(some, by=["brand"])),
            ("order_months", lambda: analytics.order_months()),
            ("lead_times_by_brand", lambda: analytics.lead_times()),
            ("lead_times_by_mill", lambda: analytics.lead_times(by=["mill"])),
            ("lead_times_by_due_month", lambda: analytics.lead_times(by=["due_month"])),
            (
                "order_rows_drill_down",
                lambda: analytics.order_rows(Filters(brands=brands[:1]), season="SS25"),
            ),
            ("rate_history", lambda: analytics.rate_history()),
            ("rate_trends", lambda: analytics.rate_trends()),
            ("capacity", lambda: analytics.capacity(start=today)),
            ("capacity_heatmap", lambda: analytics.capacity_heatmap(start=today)),
            ("cost_structure", lambda: analytics.cost_structure(today=today)),
            ("cost_by_process", lambda: analytics.cost_by_process(today=today)),
        ]
        results: dict[str, dict[str, float]] = {
            "order_history": {"compute_ms_first_ever": first_ever}
        }
        for name, call in dashboards:
            cold = _ms(call)
            cached = statistics.median(_ms(call) for _ in range(5))
            results.setdefault(name, {}).update(compute_ms_cold=cold, compute_ms_cached=cached)
            if name == "order_history":
                load = analytics.last_refresh
        _sync_page(replica, 1000, rng)
        for name, call in dashboards:
            results[name]["compute_ms_after_sync"] = _ms(call)
            if name == "order_history":
                refresh = analytics.last_refresh
        analytics.wait_saved()
        for name, figures in results.items():
            print(
                json.dumps(
                    {
                        "bench": "analytics",
                        "dashboard": name,
                        "orders": orders,
                        **{k: round(v, 2) for k, v in figures.items()},
                    }
                )
            )
        print(
            json.dumps(
                {
                    "bench": "analytics",
                    "dashboard": "order_frame",
                    "orders": orders,
                    "materials": materials,
                    "cost_sheets": saved,
                    "generate_s": round(generate_s, 1),
                    "load_ms": round(float(load["read_ms"]) + float(load["frame_ms"]), 1),
                    "load_read_ms": load["read_ms"],
                    "load_source": load["source"],
                    "load_how": load["how"],
                    "first_ever_load_ms": round(
                        float(first_load["read_ms"]) + float(first_load["frame_ms"]), 1
                    ),
                    "first_ever_read_ms": first_load["read_ms"],
                    "save_ms": save["ms"],
                    "file_mb": round(store_file.path_for(path).stat().st_size / 1e6, 1),
                    "refresh_how": refresh["how"],
                    "refresh_ms": round(float(refresh["read_ms"]) + float(refresh["frame_ms"]), 1),
                    "refresh_read_ms": refresh["read_ms"],
                    "rewritten_after_sync": analytics.last_save != {},
                    "loadavg_1min": round(os.getloadavg()[0], 2),
                    "cpus": os.cpu_count(),
                }
            )
        )
        replica.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--sheets", type=int, default=200)
    args = parser.parse_args()
    bench(args.orders, args.materials, args.sheets)


if __name__ == "__main__":
    main()
