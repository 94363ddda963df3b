"""Import benchmark: material master files of N rows, as CSV and as Excel, imported into a
server database in one transaction each.

    python bench/ingest.py --rows 200000

Prints one JSON line per format: the raw reader's time on the same file (pandas read_csv for
CSV, python-calamine for Excel) measured in the same run, the import's time (reading,
validating and writing) and their ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import openpyxl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sync.server import accounts
from sync.server.db import create_schema, make_engine
from sync.server.importing import import_file
from workbench.demo import generate_demo
from workbench.replica import open_replica

HEADER = ["Code", "Name", "Type", "Category", "Composition", "GSM", "Width (cm)", "Colour",
          "Supplier", "Mill", "Unit", "Price"]  # fmt: skip
COLUMNS = ["code", "name", "material_type", "category", "composition", "gsm", "width_cm",
           "colour", "supplier", "mill", "uom", "price"]  # fmt: skip


RAW_READERS = {"csv": "pandas.read_csv", "xlsx": "python-calamine"}


def _raw_read(fmt: str, path: Path) -> float:
    """The best of three plain reads of the file into memory: the pace to measure against."""
    import pandas as pd
    from python_calamine import CalamineWorkbook

    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        if fmt == "csv":
            pd.read_csv(path, sep=";", dtype=str, keep_default_na=False)
        else:
            CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="wb-bench-ingest-"))
    source = open_replica(work / "source.sqlite")
    generate_demo(source, materials=args.rows, orders=0)
    rows = [["" if v is None else v for v in r] for r in source.conn.execute(
        f"SELECT {', '.join(COLUMNS)} FROM materials ORDER BY code")]  # fmt: skip
    source.close()

    csv_path = work / "materials.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(HEADER)
        writer.writerows(rows)
    xlsx_path = work / "materials.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(xlsx_path)

    for fmt, path in (("csv", csv_path), ("xlsx", xlsx_path)):
        raw_seconds = _raw_read(fmt, path)
        engine = make_engine(str(work / f"server-{fmt}.sqlite"))
        create_schema(engine)
        ws = accounts.create_workspace(engine, "bench")
        t0 = time.perf_counter()
        summary = import_file(engine, ws, "materials", path)
        seconds = time.perf_counter() - t0
        assert summary.written and summary.inserted == args.rows, summary.problems[:5]
        print(json.dumps({"bench": "ingest", "format": fmt, "rows": args.rows,
                          "seconds": round(seconds, 2), "rows_per_s": round(args.rows / seconds),
                          "raw_reader": RAW_READERS[fmt], "raw_seconds": round(raw_seconds, 2),
                          "ratio": round(seconds / raw_seconds, 1)}), flush=True)  # fmt: skip
        engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
