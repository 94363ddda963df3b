"""Search benchmark: generate a workspace, build the index, update 1,000 materials, and time a
varied query set through `MaterialSearch.search` (the app's whole path).

    python bench/search.py --materials 200000 [--queries 240] [--workdir DIR] [--sort price]

``--sort COLUMN`` sorts every query of the set by that column (price is sorted in SQL, over
every match).

Prints one JSON line per figure group.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.demo import generate_demo, vocabulary
from workbench.replica import open_replica
from workbench.replica.queries import max_version
from workbench.replica.store import utc_now
from workbench.search import MaterialSearch, SearchRequest


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("swap", "drop", "change"))
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    return word[:i] + rng.choice("aeiou") + word[i + 1 :]


def query_set(count: int, seed: int = 3) -> list[tuple[str, SearchRequest]]:
    rng = random.Random(seed)
    fibres = [
        "cotton",
        "organic",
        "polyester",
        "viscose",
        "modal",
        "lyocell",
        "linen",
        "elastane",
        "recycled",
    ]
    kinds = [c.category for c in vocabulary.KNITS + vocabulary.WOVENS]
    colours = [c.lower() for c, _ in vocabulary.COLOURS]
    words = fibres + [k.split()[0] for k in kinds] + [c.split()[-1] for c in colours]
    long_words = [w for w in words if len(w) >= 5]
    makers = {
        "single": lambda: rng.choice(words),
        "two": lambda: f"{rng.choice(fibres)} {rng.choice(kinds).split()[0]}",
        "prefix": lambda: rng.choice(long_words)[: rng.randrange(3, 5)],
        "typo": lambda: f"{typo(rng.choice(long_words), rng)} {rng.choice(kinds).split()[0]}",
        "field": lambda: f"composition:{rng.choice(fibres)}",
        "phrase": lambda: f'"{rng.choice(kinds)}" {rng.choice(colours).split()[-1]}',
        "code": lambda: f"FAB-{rng.randrange(1, 5000):07d}",
    }
    queries: list[tuple[str, SearchRequest]] = []
    kinds_cycle = [*makers, "facets", "text+facets"]
    for n in range(count):
        kind = kinds_cycle[n % len(kinds_cycle)]
        if kind == "facets":
            low = rng.randrange(120, 300, 10)
            request = SearchRequest(
                material_types=frozenset({"fabric"}),
                gsm_min=low,
                gsm_max=low + 40,
                certifications=frozenset(rng.sample(["OEKO-TEX", "GOTS", "BCI", "GRS"], 1)),
            )
        elif kind == "text+facets":
            request = SearchRequest(
                text=makers[rng.choice(["single", "two", "typo"])](),
                material_types=frozenset({"fabric"}),
                gsm_min=140,
                gsm_max=260,
            )
        else:
            request = SearchRequest(text=makers[kind]())
        queries.append((kind, request))
    return queries


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=240)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--sort", help="sort every query by this column (e.g. price)")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="wb-bench-search-"))
    shutil.rmtree(work / "bench-search", ignore_errors=True)
    root = work / "bench-search"
    replica = open_replica(root / "replica.sqlite")

    started = time.perf_counter()
    generate_demo(replica, materials=args.materials, seed=7)
    generate_s = time.perf_counter() - started

    search = MaterialSearch(replica, root / "search-index")
    started = time.perf_counter()
    search.rebuild()
    build_s = time.perf_counter() - started
    index_mb = sum(p.stat().st_size for p in (root / "search-index").rglob("*") if p.is_file())

    # 1,000 materials renamed and repriced, as a sync page would bring them
    version = max_version(replica.conn)
    ids = [
        r[0] for r in replica.conn.execute("SELECT id FROM materials ORDER BY random() LIMIT 1000")
    ]
    with replica.transaction() as conn:
        for n, material_id in enumerate(ids, start=1):
            conn.execute(
                "UPDATE materials SET name = name || ' (revised)', price = '999.00', "
                "version = ?, updated_at = ? WHERE id = ?",
                (version + n, utc_now(), material_id),
            )
    started = time.perf_counter()
    refreshed = search.refresh()
    incremental_s = time.perf_counter() - started
    assert refreshed == 1000, refreshed

    queries = query_set(args.queries)
    if args.sort:
        queries = [(kind, replace(request, sort=args.sort)) for kind, request in queries]
    for _, request in queries[:20]:  # warm caches as a running app would have them
        search.search(request)
    timings: dict[str, list[float]] = {}
    all_ms: list[float] = []
    facet_ms: list[float] = []
    for kind, request in queries:
        t0 = time.perf_counter()
        result = search.search(request)
        elapsed = (time.perf_counter() - t0) * 1000
        assert result.engine == "index"
        timings.setdefault(kind, []).append(elapsed)
        all_ms.append(elapsed)
        t0 = time.perf_counter()
        search.search(SearchRequest(**{**request.__dict__, "facets": True}))
        facet_ms.append((time.perf_counter() - t0) * 1000)

    print(
        json.dumps(
            {
                "bench": "search",
                "materials": args.materials,
                "generate_s": round(generate_s, 2),
                "index_build_s": round(build_s, 2),
                "index_mb": round(index_mb / 1e6, 1),
                "index_incremental_1000_s": round(incremental_s, 3),
                "query_p50_ms": round(statistics.median(all_ms), 2),
                "query_p95_ms": round(pct(all_ms, 0.95), 2),
                "queries": len(all_ms),
                "sort": args.sort,
            }
        )
    )
    print(
        json.dumps(
            {
                "bench": "search_with_facet_counts",
                "materials": args.materials,
                "query_p50_ms": round(statistics.median(facet_ms), 2),
                "query_p95_ms": round(pct(facet_ms, 0.95), 2),
                "queries": len(facet_ms),
            }
        )
    )
    for kind, values in timings.items():
        print(
            json.dumps(
                {
                    "bench": "search_by_kind",
                    "kind": kind,
                    "queries": len(values),
                    "p50_ms": round(statistics.median(values), 2),
                    "p95_ms": round(pct(values, 0.95), 2),
                }
            )
        )
    search.close()
    replica.close()
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
