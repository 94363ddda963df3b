"""Costing benchmark: repricing saved cost sheets with a freshly loaded rate book (as after a
rate change), and lead times over a year of capacity data.

    python bench/costing.py [--sheets 20000] [--materials 20000]

Prints one JSON line per figure:
- ``cost_sheets_per_s`` (and per CPU second): sheets costed and priced per second, each a
  different style (fabric, yarn, consumption, making, print, trims, brand, quantity) from the
  demo workspace, with a rate book loaded fresh from the replica first (its load time is
  ``book_load_ms``); the plain sheets are the baseline, and the same sheets costed by size
  (S:M:L:XL = 1:2:2:1, each size its own consumption) are timed in alternating rounds in the
  same run, with their ratio to it, and the same sheets in three colourways (light, medium
  and dark shades of the fabric's dye class, 40:40:20 of the order, the dark one without its
  print), each colourway costed and priced, counted as one sheet; and (``colourway_breaks``)
  those colourway sheets with each colourway also priced at each of its brand's quantity
  breaks, as the cost sheet and a firm quote price them, with its ratio to the colourways
  alone;
- ``lead_time_ms``: the median and p95 time of one 10-step route scheduled over a year of
  daily capacity for 20 work centres, and (``lead_time_calendar``) the same routes on the same
  capacity with a work-centre calendar, with ``book_ms`` (building the capacity book) and the
  ratios to the run without a calendar.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.capacity import (
    CalendarDay,
    CapacityBook,
    CapacityRow,
    RouteStep,
    WorkCentre,
    lead_time,
)
from workbench.costing import (
    BodyMeasurements,
    CostingError,
    Making,
    MarkerConsumption,
    PrintSpec,
    Style,
    fabric_spec,
    load_rate_book,
    price_style,
    trim_line,
)
from workbench.costing import choices as pick
from workbench.costing.breaks import colourway_breaks
from workbench.costing.colourways import Colourway, cost_colourways
from workbench.costing.sizes import SizeLine, SizeRatio
from workbench.demo import generate_demo
from workbench.replica import open_replica


def _styles(
    conn: sqlite3.Connection, count: int, rng: random.Random
) -> list[tuple[Style, str, int]]:
    fabrics = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM materials WHERE material_type = 'fabric' AND deleted = 0"
        )
    ]
    query = "SELECT id FROM materials WHERE material_type = 'trim' AND deleted = 0 LIMIT 300"
    trims = [r[0] for r in conn.execute(query)]
    brands = [c.value for c in pick.brands(conn)]
    mills = [c.value for c in pick.mills(conn)]
    prints = [None, *[c.value for c in pick.print_techniques(conn)]]
    specs = []
    for fabric_id in rng.sample(fabrics, min(len(fabrics), 300)):
        composition = conn.execute(
            "SELECT composition FROM materials WHERE id = ?", (fabric_id,)
        ).fetchone()[0]
        yarns = pick.yarns_for(conn, composition)
        try:
            specs.append(fabric_spec(conn, fabric_id, yarn_material_id=yarns[0].value))
        except CostingError:
            continue
    styles = []
    for n in range(count):
        spec = rng.choice(specs)
        consumption = (
            BodyMeasurements(
                Decimal(rng.randint(60, 80)),
                Decimal(rng.randint(15, 60)),
                Decimal(rng.randint(45, 62)),
            )
            if spec.kind == "knit"
            else MarkerConsumption(Decimal(rng.randint(120, 220)) / 100, "m")
        )
        technique = rng.choice(prints)
        style = Style(
            style_code=f"BENCH-{n:06d}",
            category=rng.choice(("knit tops", "other")),
            fabric=spec,
            consumption=consumption,
            making=Making(
                Decimal(rng.randint(8, 30)), rng.choice(mills), Decimal(rng.randint(50, 80)) / 100
            ),
            wastage=Decimal(rng.randint(5, 15)) / 100,
            printing=PrintSpec(technique) if technique else None,
            trims=tuple(
                trim_line(conn, t, Decimal(rng.randint(1, 6))) for t in rng.sample(trims, 3)
            ),
        )
        styles.append((style, rng.choice(brands), rng.randint(300, 20_000)))
    return styles


def _by_size(style: Style) -> Style:
    """The same style costed by size: S:M:L:XL = 1:2:2:1 around its own consumption."""
    c = style.consumption
    lines = []
    for size, ratio, step in (("S", 1, -1), ("M", 2, 0), ("L", 2, 1), ("XL", 1, 2)):
        if isinstance(c, BodyMeasurements):
            own: BodyMeasurements | MarkerConsumption = replace(
                c,
                body_length_cm=c.body_length_cm + 3 * step,
                half_chest_cm=c.half_chest_cm + 3 * step,
            )
        else:
            assert isinstance(c, MarkerConsumption)
            own = replace(c, quantity=c.quantity + Decimal("0.05") * step)
        lines.append(SizeLine(size, ratio, own))
    return replace(style, consumption=SizeRatio(tuple(lines)))


def _colourways(style: Style, quantity: int) -> tuple[Colourway, ...]:
    """Three colourways of the style's dye class: light and medium 40 % each, dark 20 % and
    without the style's print (an undyed fabric: one colourway, the style's own)."""
    dye = style.fabric.dye_class
    if dye is None:
        return (Colourway("Natural", quantity),)
    light, medium = quantity * 2 // 5, quantity * 2 // 5
    return (
        Colourway("Light", light, dye, "light"),
        Colourway("Medium", medium, dye, "medium"),
        Colourway("Dark", quantity - light - medium, dye, "dark", printing=None),
    )


def bench_costing(materials: int, sheets: int, rounds: int = 4) -> None:
    """Plain sheets (the baseline) and the same sheets costed by size, in alternating
    rounds, each round with a rate book loaded fresh; wall-clock and CPU time both, as the
    machine may be shared."""
    with tempfile.TemporaryDirectory(prefix="wb-bench-costing-") as tmp:
        replica = open_replica(Path(tmp) / "replica.sqlite")
        generate_demo(replica, materials=materials, seed=3)
        rng = random.Random(11)
        plain = _styles(replica.conn, sheets, rng)
        kinds = {
            "plain": plain,
            "size_ratio": [(_by_size(s), b, q) for s, b, q in plain],
            "colourways": plain,
            "colourway_breaks": plain,
        }
        split = [_colourways(s, q) for s, _, q in plain]
        today = date.today()
        wall = dict.fromkeys(kinds, 0.0)
        cpu = dict.fromkeys(kinds, 0.0)
        loads = []
        chunk = -(-sheets // rounds)
        for r in range(rounds):
            for kind, styles in kinds.items():
                started = time.perf_counter()
                book = load_rate_book(replica.conn)
                loads.append(time.perf_counter() - started)
                # each kind starts clean: no collection of another kind's garbage in its time
                gc.collect()
                began, began_cpu = time.perf_counter(), time.process_time()
                part = slice(r * chunk, (r + 1) * chunk)
                if kind in ("colourways", "colourway_breaks"):
                    for (style, brand, quantity), colourways in zip(
                        styles[part], split[part], strict=True
                    ):
                        cost_colourways(
                            style, colourways, book, today, brand=brand, quantity=quantity
                        )
                        if kind == "colourway_breaks":
                            colourway_breaks(style, colourways, book, today, brand=brand)
                else:
                    for style, brand, quantity in styles[part]:
                        price_style(style, book, today, brand=brand, quantity=quantity)
                wall[kind] += time.perf_counter() - began
                cpu[kind] += time.process_time() - began_cpu
        for kind in kinds:
            print(
                json.dumps(
                    {
                        "bench": "costing",
                        "kind": kind,
                        "sheets": sheets,
                        "materials": materials,
                        **({"sizes": 4} if kind == "size_ratio" else {}),
                        **({"colourways_per_sheet": 3} if "colourway" in kind else {}),
                        "distinct_fabrics": len({s.fabric for s, _, _ in plain}),
                        "book_load_ms": round(statistics.median(loads) * 1000, 1),
                        "cost_sheets_per_s": round(sheets / wall[kind]),
                        "cost_sheets_per_cpu_s": round(sheets / cpu[kind]),
                        **(
                            {"cpu_ratio_to_plain": round(cpu["plain"] / cpu[kind], 3)}
                            if kind != "plain"
                            else {}
                        ),
                        **(
                            {"cpu_ratio_to_colourways": round(cpu["colourways"] / cpu[kind], 3)}
                            if kind == "colourway_breaks"
                            else {}
                        ),
                    }
                )
            )
        replica.close()


def bench_lead_time(runs: int = 200) -> None:
    """One route over a year of capacity, without a calendar and then (same book, same
    routes) with a work-centre calendar: 15 mill holidays and every Saturday a half day."""
    rng = random.Random(5)
    start = date.today()
    processes = [
        "knitting",
        "dyeing",
        "printing",
        "embroidery",
        "cutting",
        "sewing",
        "finishing",
        "packing",
        "washing",
        "inspection",
    ]
    centres = [
        WorkCentre(f"{p[:3].upper()}-{i}", p, id=f"{p}-{i}") for p in processes for i in (1, 2)
    ]
    rows = []
    for centre in centres:
        for day in range(366):
            when = start + timedelta(days=day)
            if when.weekday() == 6:
                continue
            available = 8 * 60 * rng.randint(10, 40)
            rows.append(
                CapacityRow(centre.id, when, available, int(available * rng.uniform(0.3, 1.0)))
            )
    began = time.perf_counter()
    book = CapacityBook(centres, rows)
    plain_build_ms = (time.perf_counter() - began) * 1000
    route = [
        RouteStep(p, Decimal(rng.randint(1, 30)) / 10, transit_days_after=rng.randint(0, 2))
        for p in processes
    ]
    quantities = [rng.randint(1_000, 60_000) for _ in range(runs)]
    days = [start + timedelta(days=d) for d in range(366)]
    holidays = [
        CalendarDay(None, day, "holiday") for day in rng.sample(days, 15) if day.weekday() != 5
    ]
    half_days = [CalendarDay(None, day, "half_day") for day in days if day.weekday() == 5]
    began = time.perf_counter()
    with_calendar = CapacityBook(centres, rows, holidays + half_days)
    build_ms = (time.perf_counter() - began) * 1000
    medians = {}
    for name, which in (("lead_time", book), ("lead_time_calendar", with_calendar)):
        timings = []
        for quantity in quantities:
            began = time.perf_counter()
            lead_time(which, route, quantity, start)
            timings.append((time.perf_counter() - began) * 1000)
        timings.sort()
        medians[name] = statistics.median(timings)
        result = {
            "bench": name,
            "steps": len(route),
            "centres": len(centres),
            "capacity_rows": len(rows),
            "runs": runs,
            "lead_time_ms": round(medians[name], 3),
            "lead_time_p95_ms": round(timings[int(runs * 0.95) - 1], 3),
        }
        if which is book:
            result["book_ms"] = round(plain_build_ms, 1)
        else:
            result |= {
                "calendar_days": len(holidays) + len(half_days),
                "book_ms": round(build_ms, 1),
                "book_ratio_to_no_calendar": round(build_ms / plain_build_ms, 2),
                "ratio_to_no_calendar": round(medians[name] / medians["lead_time"], 2),
            }
        print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sheets", type=int, default=20_000)
    parser.add_argument("--materials", type=int, default=20_000)
    args = parser.parse_args()
    bench_costing(args.materials, args.sheets)
    bench_lead_time()


if __name__ == "__main__":
    main()
