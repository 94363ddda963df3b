"""Import benchmark: material master files of N rows, as CSV and as Excel, imported into a
server database in one transaction each.

    python bench/ingest.py --rows 200000

Prints one JSON line per format: the raw reader's time on the same file (pandas read_csv for
CSV, python-calamine for Excel) and the import's time (reading, validating and writing into a
new database), each the best of three taken in turns in the same run, and their ratio (also
in CPU time, which other work on a shared machine disturbs less). Then the same file is
uploaded to a sync server on loopback (its HTTP import, into another workspace) while a
laptop's pulls (`GET /v1/changes`, idle, as a laptop asks every few minutes) go on back to
back: the upload's time and the median and p95 of the pulls answered while it ran.

Two more figures say where an import's time goes. ``stages``: the CPU seconds of the best
import by stage, as its progress reports mark them (reading, checking against the mapping and
the table's rules, writing the rows, then commit and audit). ``floor``: the raw reader's read plus
nothing but SQLite's executemany of the same rows as an import stores them, into the
server's own table in one transaction, commit included (timed on its own, with no reading,
checking or converting); its ratio is the least an import that reads with that reader and
writes this way can reach on this machine.

    python bench/ingest.py --rows 200000 --database postgresql

runs the same imports into PostgreSQL (its COPY path): a private cluster started from the
installed binaries, or the server at a ``postgresql://`` URL given instead (one where the user
may create databases), a new database for each import. There the database server's own
processes do the writing on their own CPU, so the line also gives ``backend_cpu_seconds``:
the CPU the import's backends used, read from ``/proc`` (the server must run on this machine
for it), and the floor is not measured.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import openpyxl
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search import pct
from sync import protocol
from sync.server import accounts
from sync.server.db import create_schema, make_engine, writing
from sync.server.importing import ImportProgress, import_file, new_ids
from sync.server.serve import ServerThread
from tests.postgres import new_database, private_cluster
from workbench.demo import generate_demo
from workbench.replica import open_replica

HEADER = [
    "Code",
    "Name",
    "Type",
    "Category",
    "Composition",
    "GSM",
    "Width (cm)",
    "Colour",
    "Supplier",
    "Mill",
    "Unit",
    "Price",
]
COLUMNS = [
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "gsm",
    "width_cm",
    "colour",
    "supplier",
    "mill",
    "uom",
    "price",
]


RAW_READERS = {"csv": "pandas.read_csv", "xlsx": "python-calamine"}
PASSWORD = "bench password 1"
VERSIONS = {
    protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
    protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
}


def _token(url: str, username: str) -> str:
    answer = httpx.post(
        f"{url}/v1/login",
        json={"username": username, "password": PASSWORD},
        headers=VERSIONS,
        timeout=120,
    )
    answer.raise_for_status()
    return str(answer.json()["token"])


def _pulls_during_upload(url: str, path: Path, rows: int) -> dict[str, object]:
    """Upload ``path`` to the server's import while another thread pulls back to back; the
    upload's seconds and the pulls answered meanwhile."""
    admin = {"Authorization": f"Bearer {_token(url, 'admin@upload')}", **VERSIONS}
    laptop = {"Authorization": f"Bearer {_token(url, 'merch@upload')}", **VERSIONS}
    done = threading.Event()
    timings: list[float] = []

    def pull() -> None:
        with httpx.Client(base_url=url, headers=laptop, timeout=60) as client:
            after = client.get("/v1/changes").json()["seq"]
            while not done.is_set():
                started = time.perf_counter()
                client.get("/v1/changes", params={"after": after}).raise_for_status()
                if not done.is_set():
                    timings.append((time.perf_counter() - started) * 1000)

    puller = threading.Thread(target=pull, daemon=True)
    puller.start()
    time.sleep(0.5)  # pulls going before the upload starts
    timings.clear()
    started = time.perf_counter()
    answer = httpx.post(
        f"{url}/v1/import/materials",
        params={"filename": path.name},
        content=path.read_bytes(),
        headers=admin,
        timeout=600,
    )
    seconds = time.perf_counter() - started
    done.set()
    puller.join()
    answer.raise_for_status()
    assert answer.json()["inserted"] == rows, answer.json()
    return {
        "upload_seconds": round(seconds, 2),
        "pulls_during": len(timings),
        "pull_median_ms": round(statistics.median(timings), 1) if timings else None,
        "pull_p95_ms": round(pct(timings, 0.95), 1) if timings else None,
    }


def _raw_read(fmt: str, path: Path) -> tuple[float, float]:
    """One plain read of the file into memory, the pace to measure against: (wall, CPU) s."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    t0, c0 = time.perf_counter(), time.process_time()
    if fmt == "csv":
        pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
    else:
        CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return time.perf_counter() - t0, time.process_time() - c0


def material_rows(work: Path, count: int) -> list[list[object]]:
    """``count`` demo materials' `COLUMNS` (an empty cell as ""), made in ``work``."""
    source = open_replica(work / "source-materials.sqlite")
    generate_demo(source, materials=count, orders=0)
    rows = [
        ["" if v is None else v for v in r]
        for r in source.conn.execute(f"SELECT {', '.join(COLUMNS)} FROM materials ORDER BY code")
    ]
    source.close()
    return rows


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    """The rows as a semicolon-separated file under `HEADER`."""
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def _stored_rows(csv_path: Path) -> list[tuple[object, ...]]:
    """The file's rows as an import stores them (whole numbers as integers, an empty number
    as NULL), made before any timing: what the bare write of `_bare_write` writes."""
    import pandas as pd

    frame = pd.read_csv(csv_path, sep=";", dtype=str, keep_default_na=False)
    columns: list[list[object]] = []
    for heading, name in zip(HEADER, COLUMNS, strict=True):
        cells = frame[heading].tolist()
        if name in ("gsm", "width_cm"):
            columns.append([int(c) if c else None for c in cells])
        elif name == "price":
            columns.append([c or None for c in cells])
        else:
            columns.append(cells)
    return list(zip(*columns, strict=True))


#: the stored columns every imported row of the bench's files holds the same value in, as
#: SQL literals (the import writes them into its statement once)
SHARED = {
    "construction": "''",
    "finish": "''",
    "certifications": "''",
    "currency": "'INR'",
    "description": "''",
    "deleted": "0",
    "updated_at": "'2026-01-01T00:00:00Z'",
}


def _bare_write(work: Path, rows: list[tuple[object, ...]]) -> tuple[float, float]:
    """Nothing but SQLite's executemany of ``rows`` (an id and a version made for each, as an
    import does) into a new server database's materials table, one transaction, commit
    included: (wall, CPU) seconds."""
    engine = make_engine(str(work / "floor.sqlite"))
    create_schema(engine)
    ws = accounts.create_workspace(engine, "bench")
    fixed = {"workspace_id": f"'{ws}'", **SHARED}
    names = ["id", "version", *COLUMNS, *fixed]
    marks = ", ".join(["?"] * (2 + len(COLUMNS)) + list(fixed.values()))
    statement = f"INSERT INTO materials ({', '.join(names)}) VALUES ({marks})"
    t0, c0 = time.perf_counter(), time.process_time()
    with writing(engine).begin() as conn:
        ids = new_ids(len(rows))
        conn.exec_driver_sql(statement, [(ids[n], n + 1, *row) for n, row in enumerate(rows)])
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    engine.dispose()
    for leftover in work.glob("floor.sqlite*"):
        leftover.unlink()
    return seconds, cpu


#: an import's stages as its progress reports mark them: each ends at the first report of
#: the next (the last write report is the end of writing; commit and audit follow)
STAGES = ("read", "check", "write", "commit")


def _database(work: Path, server: str | None, tag: str) -> str:
    """A new, empty server database: a SQLite file in ``work``, or a database on the
    PostgreSQL ``server``."""
    if server is None:
        return str(work / f"{tag}.sqlite")
    return new_database(server)


def _drop(work: Path, server: str | None, db: str, tag: str) -> None:
    """Delete a database `_database` made (its engines disposed)."""
    if server is None:
        for leftover in work.glob(f"{tag}.sqlite*"):
            leftover.unlink()
        return
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{db.rsplit("/", 1)[1]}"')


def _backend_cpu(db: str) -> float:
    """CPU seconds the PostgreSQL backends now connected to ``db`` have used (this
    measurement's own connection aside), from ``/proc``: the server runs on this machine."""
    with psycopg.connect(db) as conn:
        pids = [
            pid
            for (pid,) in conn.execute(
                "SELECT pid FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ]
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _import(
    fmt: str, path: Path, work: Path, rows: int, round_: int, server: str | None = None
) -> tuple[float, float, dict[str, float], float]:
    """One import of the file into a new server database: (wall, CPU) seconds, the CPU
    seconds of each of its `STAGES`, and on PostgreSQL the CPU seconds its backends used."""
    tag = f"server-{fmt}-{round_}"
    db = _database(work, server, tag)
    engine = make_engine(db)
    create_schema(engine)
    ws = accounts.create_workspace(engine, "bench")
    marks: dict[str, float] = {}

    def heard(p: ImportProgress) -> None:
        now = time.process_time()
        if p.stage == "read":
            marks.setdefault("read", now)
        elif p.stage == "write":
            marks.setdefault("check", now)  # the first write report: checking is over
            if p.done == p.total:
                marks.setdefault("write", now)
        elif p.stage == "done":
            marks.setdefault("commit", now)

    backend = _backend_cpu(db) if server else 0.0
    t0, c0 = time.perf_counter(), time.process_time()
    summary = import_file(engine, ws, "materials", path, progress=heard)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    backend = _backend_cpu(db) - backend if server else 0.0
    assert summary.written and summary.inserted == rows, summary.problems[:5]
    engine.dispose()
    _drop(work, server, db, tag)
    ends = [marks[s] for s in STAGES]
    stages = {
        s: round(end - start, 2) for s, start, end in zip(STAGES, [c0, *ends], ends, strict=False)
    }
    return seconds, cpu, stages, backend


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="reads and imports of each file, in turns; the best of each counts",
    )
    parser.add_argument(
        "--database",
        default="sqlite",
        help="sqlite (the default), postgresql (a private cluster) or a postgresql:// URL",
    )
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        server: str | None = None
        if args.database == "postgresql":
            server = stack.enter_context(private_cluster())
        elif args.database.startswith(("postgresql://", "postgres://")):
            server = args.database.rstrip("/")
        elif args.database != "sqlite":
            parser.error(
                f"--database: sqlite, postgresql or a postgresql:// URL, not {args.database!r}"
            )
        _run(args.rows, args.rounds, server)


def _run(count: int, rounds: int, server: str | None) -> None:
    """Make the files, then measure each format into SQLite or the PostgreSQL ``server``."""
    work = Path(tempfile.mkdtemp(prefix="wb-bench-ingest-"))
    rows = material_rows(work, count)
    csv_path = write_csv(work / "materials.csv", rows)
    xlsx_path = work / "materials.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(xlsx_path)

    database = "postgresql" if server else "sqlite"
    stored = _stored_rows(csv_path)
    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        raw, imported, floor = [], [], []
        for round_ in range(rounds):  # in turns, so a slow moment of the machine hits all
            raw.append(_raw_read(fmt, path))
            imported.append(_import(fmt, path, work, count, round_, server))
            if server is None:
                floor.append(_bare_write(work, stored))
        raw_seconds, seconds = min(w for w, _ in raw), min(i[0] for i in imported)
        raw_cpu, cpu = min(c for _, c in raw), min(i[1] for i in imported)
        stages = min(imported, key=lambda i: i[1])[2]
        db = _database(work, server, f"server-{fmt}")
        engine = make_engine(db)
        create_schema(engine)
        accounts.create_workspace(engine, "upload")
        accounts.add_user(engine, "upload", "admin@upload", PASSWORD, "admin")
        accounts.add_user(engine, "upload", "merch@upload", PASSWORD, "merchandiser")
        with ServerThread(engine, work / f"snapshots-{fmt}") as running:
            served = _pulls_during_upload(running.url, path, count)
        line: dict[str, object] = {
            "bench": "ingest",
            "database": database,
            "format": fmt,
            "rows": count,
            "seconds": round(seconds, 2),
            "rows_per_s": round(count / seconds),
            "raw_reader": RAW_READERS[fmt],
            "raw_seconds": round(raw_seconds, 2),
            "ratio": round(seconds / raw_seconds, 1),
            "cpu_seconds": round(cpu, 2),
            "raw_cpu_seconds": round(raw_cpu, 2),
            "cpu_ratio": round(cpu / raw_cpu, 1),
        }
        if server:
            backend = min(i[3] for i in imported)
            line["backend_cpu_seconds"] = round(backend, 2)
            line["cpu_with_backend_ratio"] = round((cpu + backend) / raw_cpu, 1)
        print(json.dumps({**line, **served}), flush=True)
        print(
            json.dumps(
                {
                    "bench": "ingest",
                    "database": database,
                    "format": fmt,
                    "figure": "stages_cpu_s",
                    **stages,
                    "total": round(cpu, 2),
                }
            ),
            flush=True,
        )
        if floor:
            write_seconds, write_cpu = min(w for w, _ in floor), min(c for _, c in floor)
            floor_seconds, floor_cpu = raw_seconds + write_seconds, raw_cpu + write_cpu
            print(
                json.dumps(
                    {
                        "bench": "ingest",
                        "database": database,
                        "format": fmt,
                        "figure": "floor",
                        "what": "raw read + executemany of the stored rows only",
                        "write_seconds": round(write_seconds, 2),
                        "write_cpu_seconds": round(write_cpu, 2),
                        "seconds": round(floor_seconds, 2),
                        "cpu_seconds": round(floor_cpu, 2),
                        "ratio": round(floor_seconds / raw_seconds, 1),
                        "cpu_ratio": round(floor_cpu / raw_cpu, 1),
                    }
                ),
                flush=True,
            )
        engine.dispose()
        _drop(work, server, db, f"server-{fmt}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
