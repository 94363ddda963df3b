"""The search engine comparison behind ADR 0001: whoosh, SQLite FTS5 and tantivy over the same
demo materials and the same queries.

    pip install whoosh            # only for this comparison; not a project dependency
    python bench/compare_engines.py --materials 200000

Each engine indexes the same text (code, name, composition, construction, colour, supplier,
mill, description) and answers the same word queries (all words required, top 10). Typo
tolerance is measured where the engine has it (whoosh's fuzzy terms, tantivy's fuzzy terms;
FTS5 has none). Prints one JSON line per engine.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import pct, typo
from workbench.demo import generate_demo, vocabulary
from workbench.replica import open_replica
from workbench.search import MaterialSearch, SearchRequest

TEXT = ("code", "name", "composition", "construction", "colour", "supplier", "mill", "description")


def folder_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def queries(count: int) -> tuple[list[list[str]], list[list[str]]]:
    rng = random.Random(5)
    fibres = ["cotton", "organic", "polyester", "viscose", "modal", "linen", "recycled"]
    kinds = ["jersey", "pique", "fleece", "interlock", "poplin", "twill", "denim", "oxford"]
    colours = [c.split()[-1].lower() for c, _ in vocabulary.COLOURS]
    plain = [
        [rng.choice(fibres), rng.choice(kinds + colours)][: rng.choice((1, 2))]
        for _ in range(count)
    ]
    typos = [[typo(rng.choice(fibres + kinds), rng)] for _ in range(count)]
    return plain, typos


def timed(run, items) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for item in items:
        t0 = time.perf_counter()
        run(item)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(
    engine: str, n: int, build_s: float, mb: float, plain: list[float], fuzzy: list[float] | None
) -> None:
    print(
        json.dumps(
            {
                "bench": "engine_comparison",
                "engine": engine,
                "materials": n,
                "build_s": round(build_s, 2),
                "index_mb": mb,
                "query_p50_ms": round(statistics.median(plain), 2),
                "query_p95_ms": round(pct(plain, 0.95), 2),
                "fuzzy_p95_ms": round(pct(fuzzy, 0.95), 2) if fuzzy else None,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=200_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip", nargs="*", default=[], choices=["whoosh", "fts5", "tantivy"])
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wb-engines-"))
    replica = open_replica(work / "replica.sqlite")
    generate_demo(replica, materials=args.materials, seed=7)
    rows = replica.conn.execute(f"SELECT id, {', '.join(TEXT)} FROM materials").fetchall()
    plain, typos = queries(args.queries)

    if "tantivy" not in args.skip:
        search = MaterialSearch(replica, work / "tantivy")
        t0 = time.perf_counter()
        search.rebuild()
        build = time.perf_counter() - t0
        run = lambda words: search.search(SearchRequest(text=" ".join(words), limit=10))  # noqa: E731
        summary(
            "tantivy",
            args.materials,
            build,
            folder_mb(work / "tantivy"),
            timed(run, plain),
            timed(run, typos),
        )

    if "fts5" not in args.skip:
        conn = sqlite3.connect(work / "fts.sqlite")
        t0 = time.perf_counter()
        conn.execute(f"CREATE VIRTUAL TABLE m USING fts5(id UNINDEXED, {', '.join(TEXT)})")
        conn.executemany(f"INSERT INTO m VALUES ({', '.join('?' * (len(TEXT) + 1))})", rows)
        conn.commit()
        build = time.perf_counter() - t0
        run = lambda words: conn.execute(  # noqa: E731
            "SELECT id FROM m WHERE m MATCH ? ORDER BY rank LIMIT 10",
            (" AND ".join(f'"{w}"*' for w in words),),
        ).fetchall()
        summary(
            "sqlite-fts5",
            args.materials,
            build,
            round((work / "fts.sqlite").stat().st_size / 1e6, 1),
            timed(run, plain),
            None,
        )

    if "whoosh" not in args.skip:
        try:
            from whoosh import fields, index, qparser
        except ImportError:
            print(
                json.dumps(
                    {
                        "bench": "engine_comparison",
                        "engine": "whoosh",
                        "skipped": "pip install whoosh",
                    }
                )
            )
            return
        schema = fields.Schema(id=fields.ID(stored=True), **{t: fields.TEXT for t in TEXT})
        (work / "whoosh").mkdir()
        t0 = time.perf_counter()
        ix = index.create_in(str(work / "whoosh"), schema)
        writer = ix.writer(limitmb=256)
        for row in rows:
            writer.add_document(id=row[0], **{t: row[i + 1] or "" for i, t in enumerate(TEXT)})
        writer.commit()
        build = time.perf_counter() - t0
        parser_ = qparser.MultifieldParser(list(TEXT), ix.schema, group=qparser.AndGroup)
        parser_.add_plugin(qparser.FuzzyTermPlugin())
        with ix.searcher() as searcher:
            run = lambda words: searcher.search(parser_.parse(" ".join(words)), limit=10)  # noqa: E731
            fuzzy = lambda words: searcher.search(  # noqa: E731
                parser_.parse(" ".join(f"{w}~1" for w in words)), limit=10
            )
            summary(
                "whoosh",
                args.materials,
                build,
                folder_mb(work / "whoosh"),
                timed(run, plain),
                timed(fuzzy, typos),
            )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
