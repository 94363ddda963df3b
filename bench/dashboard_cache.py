"""The dashboards' result cache: a cached answer now against the cache of an earlier commit.

    python bench/dashboard_cache.py [--orders 20000] [--rounds 300] [--at 28816c2]

A demo workspace is generated once; `Analytics` as it is and `Analytics` from
``workbench/analytics/cache.py`` at ``--at`` (read from git, loaded beside the current one)
each answer the nine dashboards of ``bench/encryption.py`` once, then both answer them again
from their caches, ``--rounds`` times, the two interleaved so load on a shared machine hits
both alike. What a cached answer costs is the change-stamp query and the cache's lookup:
the figure to read is the ratio, measured in the same run.

One JSON line: ``cached_us`` (the median of the rounds, per dashboard call),
``baseline_us`` (the same for the earlier cache), ``ratio`` (now over before: above 1, the
current cache is slower), and ``cpu_ratio`` (the same in process CPU time over all rounds).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.at_commit import module_at
from bench.encryption import dashboards
from workbench.analytics import Analytics
from workbench.demo import generate_demo
from workbench.replica import open_replica

#: the last commit whose dashboards kept their results in an OrderedDict of their own
OWN_CACHE_COMMIT = "28816c2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--at", default=OWN_CACHE_COMMIT)
    args = parser.parse_args()
    earlier = module_at(args.at, "workbench/analytics/cache.py")
    if earlier is None:
        parser.error(f"cannot read workbench/analytics/cache.py at {args.at}")
    with tempfile.TemporaryDirectory(prefix="wb-bench-cache-") as tmp:
        replica = open_replica(Path(tmp) / "replica.sqlite")
        generate_demo(replica, materials=2_000, orders=args.orders, seed=7)
        caches = {
            "now": Analytics(replica, keep_orders=False),
            "before": earlier.Analytics(replica, keep_orders=False),
        }
        calls = {key: dashboards(analytics) for key, analytics in caches.items()}
        for each in calls.values():  # computed once: every call after this is a cached answer
            for call in each:
                call()
        rounds: dict[str, list[float]] = {key: [] for key in calls}
        cpu = dict.fromkeys(calls, 0.0)
        for _ in range(args.rounds):
            for key, each in calls.items():
                started, started_cpu = time.perf_counter(), time.process_time()
                for call in each:
                    call()
                rounds[key].append((time.perf_counter() - started) / len(each) * 1e6)
                cpu[key] += time.process_time() - started_cpu
        computed = {key: analytics.computed for key, analytics in caches.items()}
        replica.close()
    now, before = statistics.median(rounds["now"]), statistics.median(rounds["before"])
    print(
        json.dumps(
            {
                "bench": "dashboard-cache",
                "orders": args.orders,
                "dashboards": len(calls["now"]),
                "rounds": args.rounds,
                "cached_us": round(now, 2),
                "baseline_us": round(before, 2),
                "baseline_at": args.at,
                "ratio": round(now / before, 3),
                "cpu_ratio": round(cpu["now"] / cpu["before"], 3),
                "computed": computed,
            }
        )
    )


if __name__ == "__main__":
    main()
