"""The dashboards' capacity tab with the work-centre calendars applied, against the same tab
over the same rows with no calendar days, in one run.

    python bench/capacity_tab.py [--materials 3000] [--runs 15]

Prints one JSON line: the demo workspace's centres, capacity rows and calendar days, the median
CPU time of `capacity_weeks` (12 weeks from today) with the calendar (``calendar_cpu_ms``) and,
after the calendar days are tombstoned, without (``no_calendar_cpu_ms``), alternating, and the
ratio. The tab is computed on a worker and cached per sync, so this is the cost of a first look.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.analytics.capacity import capacity_weeks
from workbench.demo import generate_demo
from workbench.replica import open_replica


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="wb-bench-capacity-") as tmp:
        with_calendar = open_replica(Path(tmp) / "calendar.sqlite")
        generate_demo(with_calendar, materials=args.materials, seed=3)
        with_calendar.close()
        without = Path(tmp) / "plain.sqlite"
        without.write_bytes((Path(tmp) / "calendar.sqlite").read_bytes())
        replicas = {
            "calendar": open_replica(Path(tmp) / "calendar.sqlite"),
            "no_calendar": open_replica(without),
        }
        replicas["no_calendar"].conn.execute("UPDATE calendar_days SET deleted = 1")
        replicas["no_calendar"].conn.commit()
        conn = replicas["calendar"].conn
        counts = {
            table: conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[0]
            for table in ("work_centres", "capacity", "calendar_days")
        }
        times: dict[str, list[float]] = {name: [] for name in replicas}
        today = date.today()
        for _ in range(args.runs):
            for name, replica in replicas.items():
                began = time.process_time()
                capacity_weeks(replica.conn, start=today, weeks=12)
                times[name].append(time.process_time() - began)
        medians = {name: statistics.median(t) * 1000 for name, t in times.items()}
        print(
            json.dumps(
                {
                    "bench": "capacity_tab",
                    "centres": counts["work_centres"],
                    "capacity_rows": counts["capacity"],
                    "calendar_days": counts["calendar_days"],
                    "weeks": 12,
                    "runs": args.runs,
                    "calendar_cpu_ms": round(medians["calendar"], 2),
                    "no_calendar_cpu_ms": round(medians["no_calendar"], 2),
                    "ratio_to_no_calendar": round(medians["calendar"] / medians["no_calendar"], 2),
                }
            )
        )
        for replica in replicas.values():
            replica.close()


if __name__ == "__main__":
    main()
