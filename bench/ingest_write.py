"""Ways of writing an import's rows into the server's SQLite table, compared.

    python bench/ingest_write.py --rows 200000

The same N material rows, as an import stores them, go into a new server database's
``materials`` table in one transaction, commit included, by each way below; one JSON line
each with its CPU and wall seconds (the best of ``--rounds``, taken in turns) and its ratio
to the import's own way, `executemany`, measured in the same run:

- ``executemany``: one prepared statement, the rows' values bound one by one by the driver
  (what `sync.server.importing` does);
- ``executemany_index_deferred``: the same, with the (workspace, version) index dropped
  before and made again after, in the same transaction;
- ``values_64``: one statement of 64 rows of ``?`` placeholders, executemany over them;
- ``json_each``: the rows serialised by orjson, 20,000 to a statement, and parsed in C by
  ``INSERT … SELECT value->>0, … FROM json_each(?)``;
- ``json_each_ids_in_sql``: the same, the id and version made by SQL from the row's place;
- ``insert_select`` (the floor of any way): the same rows copied by SQLite alone from a
  table in another database file, no Python value passing at all.

    python bench/ingest_write.py --rows 200000 --database postgresql

compares the two ways of a COPY into PostgreSQL instead (a private cluster, or the server at
a ``postgresql://`` URL): ``copy_text``, psycopg's ``write_row`` in the text format (the
baseline), and ``copy_binary``, the same in the binary format with the columns' types set
(what `sync.server.importing` does when every value has its column's type). Each line gives
the importing process's CPU and wall seconds and the backend's CPU seconds
(``backend_cpu_seconds``, from ``/proc``).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson
import psycopg
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.ingest import COLUMNS, SHARED, _backend_cpu, _stored_rows, material_rows, write_csv
from sync.server import accounts, schema
from sync.server.db import create_schema, make_engine
from sync.server.importing import new_ids
from tests.postgres import new_database, private_cluster

INDEX = "CREATE INDEX materials_ws_version ON materials (workspace_id, version)"

Way = Callable[[sqlite3.Connection, str, list[tuple[object, ...]]], None]


def _names() -> list[str]:
    return ["workspace_id", "id", "version", *COLUMNS, *SHARED]


def executemany(db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]]) -> None:
    marks = ", ".join([f"'{ws}'", *["?"] * (2 + len(COLUMNS)), *SHARED.values()])
    statement = f"INSERT INTO materials ({', '.join(_names())}) VALUES ({marks})"
    ids = new_ids(len(rows))
    for start in range(0, len(rows), 20_000):
        chunk = rows[start : start + 20_000]
        db.executemany(
            statement, [(ids[start + n], start + n + 1, *row) for n, row in enumerate(chunk)]
        )


def executemany_index_deferred(
    db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]]
) -> None:
    db.execute("DROP INDEX materials_ws_version")
    executemany(db, ws, rows)
    db.execute(INDEX)


def values_64(db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]]) -> None:
    per = 64
    one = "(" + ", ".join([f"'{ws}'", *["?"] * (2 + len(COLUMNS)), *SHARED.values()]) + ")"
    head = f"INSERT INTO materials ({', '.join(_names())}) VALUES "
    ids = new_ids(len(rows))
    flat = list(itertools.chain.from_iterable((ids[n], n + 1, *row) for n, row in enumerate(rows)))
    width = (2 + len(COLUMNS)) * per
    full = len(rows) // per * per
    db.executemany(
        head + ", ".join([one] * per),
        [flat[at : at + width] for at in range(0, full * (2 + len(COLUMNS)), width)],
    )
    if len(rows) > full:
        rest = len(rows) - full
        db.execute(head + ", ".join([one] * rest), flat[full * (2 + len(COLUMNS)) :])


def _json_each(
    db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]], ids_in_sql: bool
) -> None:
    width = len(COLUMNS)
    picked = [f"value->>{n}" for n in range(width)]
    made = "printf('%s%012x', :head, :start + key)" if ids_in_sql else f"value->>{width}"
    statement = (
        f"INSERT INTO materials ({', '.join(_names())}) SELECT '{ws}', {made}, :seq + key, "
        f"{', '.join(picked)}, {', '.join(SHARED.values())} FROM json_each(:rows)"
    )
    ids = [] if ids_in_sql else new_ids(len(rows))
    for start in range(0, len(rows), 20_000):
        chunk = rows[start : start + 20_000]
        data = chunk if ids_in_sql else [(*r, ids[start + n]) for n, r in enumerate(chunk)]
        params: dict[str, object] = {"rows": orjson.dumps(data).decode(), "seq": start + 1}
        if ids_in_sql:
            params.update(head="0190a0b0-1234-7abc-8000-", start=start)
        db.execute(statement, params)


def json_each(db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]]) -> None:
    _json_each(db, ws, rows, ids_in_sql=False)


def json_each_ids_in_sql(db: sqlite3.Connection, ws: str, rows: list[tuple[object, ...]]) -> None:
    _json_each(db, ws, rows, ids_in_sql=True)


WAYS: dict[str, Way] = {
    "executemany": executemany,
    "executemany_index_deferred": executemany_index_deferred,
    "values_64": values_64,
    "json_each": json_each,
    "json_each_ids_in_sql": json_each_ids_in_sql,
}


def _fresh(work: Path, tag: str) -> tuple[sqlite3.Connection, str]:
    """A new server database with a workspace, opened as the server opens it."""
    engine = make_engine(str(work / f"{tag}.sqlite"))
    create_schema(engine)
    ws = accounts.create_workspace(engine, "bench")
    engine.dispose()
    db = sqlite3.connect(work / f"{tag}.sqlite", isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    return db, ws


def _timed(
    work: Path, tag: str, run: Callable[[sqlite3.Connection, str], None], count: int
) -> tuple[float, float]:
    db, ws = _fresh(work, tag)
    t0, c0 = time.perf_counter(), time.process_time()
    db.execute("BEGIN IMMEDIATE")
    run(db, ws)
    db.execute("COMMIT")
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    assert db.execute("SELECT count(*) FROM materials").fetchone()[0] == count
    db.close()
    for leftover in work.glob(f"{tag}.sqlite*"):
        leftover.unlink()
    return seconds, cpu


def _postgres(server: str, rows: list[tuple[object, ...]], rounds: int) -> None:
    """Time ``copy_text`` and ``copy_binary`` into new databases on ``server``, in turns."""
    t = schema.replicated["materials"]
    names = ["workspace_id", "id", "version", *COLUMNS, *SHARED]
    types = [
        ("int8" if isinstance(c.type, sa.BigInteger) else "int4")
        if isinstance(c.type, sa.Integer)
        else "text"
        for c in (t.c[n] for n in names)
    ]
    shared = ["", "", "", "INR", "", 0, "2026-01-01T00:00:00Z"]  # SHARED's values
    results: dict[str, list[tuple[float, float, float]]] = {}
    for _ in range(rounds):
        for way in ("copy_text", "copy_binary"):
            db = new_database(server)
            engine = make_engine(db)
            create_schema(engine)
            ws = accounts.create_workspace(engine, "bench")
            engine.dispose()
            with psycopg.connect(db) as conn:
                before = _backend_cpu(db)
                t0, c0 = time.perf_counter(), time.process_time()
                ids = new_ids(len(rows))
                binary = way == "copy_binary"
                statement = f"COPY materials ({', '.join(names)}) FROM STDIN"
                if binary:
                    statement += " (FORMAT BINARY)"
                with conn.cursor() as cursor, cursor.copy(statement) as copy:
                    if binary:
                        copy.set_types(types)
                    for n, row in enumerate(rows):
                        copy.write_row((ws, ids[n], n + 1, *row, *shared))
                conn.commit()
                seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
                backend = _backend_cpu(db) - before
                count = conn.execute("SELECT count(*) FROM materials").fetchone()
                assert count is not None and count[0] == len(rows)
            results.setdefault(way, []).append((seconds, cpu, backend))
            with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{db.rsplit("/", 1)[1]}"')
    base = results["copy_text"]
    for way, timings in results.items():
        seconds, cpu = min(x[0] for x in timings), min(x[1] for x in timings)
        print(
            json.dumps(
                {
                    "bench": "ingest_write",
                    "database": "postgresql",
                    "way": way,
                    "rows": len(rows),
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "backend_cpu_seconds": round(min(x[2] for x in timings), 2),
                    "baseline": "copy_text",
                    "ratio": round(seconds / min(x[0] for x in base), 2),
                    "cpu_ratio": round(cpu / min(x[1] for x in base), 2),
                }
            ),
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (the default), postgresql (a private cluster) or a postgresql:// URL",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wb-bench-ingest-write-"))
    rows = _stored_rows(write_csv(work / "materials.csv", material_rows(work, args.rows)))
    if args.database != "sqlite":
        with contextlib.ExitStack() as stack:
            server = (
                stack.enter_context(private_cluster())
                if args.database == "postgresql"
                else args.database.rstrip("/")
            )
            _postgres(server, rows, args.rounds)
        shutil.rmtree(work, ignore_errors=True)
        return
    source, owner = _fresh(work, "source")  # the rows already in SQLite, for insert_select
    source.execute("BEGIN")
    executemany(source, owner, rows)
    source.execute("CREATE TABLE stored AS SELECT * FROM materials")
    source.execute("COMMIT")
    source.close()

    def insert_select(db: sqlite3.Connection, ws: str) -> None:
        names = ", ".join(_names()[1:])
        db.execute(
            f"INSERT INTO materials (workspace_id, {names}) SELECT '{ws}', {names} FROM s.stored"
        )

    results: dict[str, list[tuple[float, float]]] = {}
    for round_ in range(args.rounds):  # in turns, so a slow moment of the machine hits all
        for name, way in WAYS.items():
            results.setdefault(name, []).append(
                _timed(
                    work, f"{name}-{round_}", lambda db, ws, way=way: way(db, ws, rows), len(rows)
                )
            )
        db, ws = _fresh(work, f"insert_select-{round_}")
        db.execute(f"ATTACH '{work / 'source.sqlite'}' AS s")
        t0, c0 = time.perf_counter(), time.process_time()
        db.execute("BEGIN IMMEDIATE")
        insert_select(db, ws)
        db.execute("COMMIT")
        assert db.execute("SELECT count(*) FROM materials").fetchone()[0] == len(rows)
        results.setdefault("insert_select", []).append(
            (time.perf_counter() - t0, time.process_time() - c0)
        )
        db.close()
    base_seconds = min(s for s, _ in results["executemany"])
    base_cpu = min(c for _, c in results["executemany"])
    for name, timings in results.items():
        seconds, cpu = min(s for s, _ in timings), min(c for _, c in timings)
        print(
            json.dumps(
                {
                    "bench": "ingest_write",
                    "database": "sqlite",
                    "way": name,
                    "rows": args.rows,
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "baseline": "executemany",
                    "ratio": round(seconds / base_seconds, 2),
                    "cpu_ratio": round(cpu / base_cpu, 2),
                }
            ),
            flush=True,
        )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
