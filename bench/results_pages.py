"""Results table benchmark: how long the UI thread is held for each page of 200 rows as the
table scrolls, on a plain (demo) and an encrypted replica: reading the page on the UI thread
(as the table did) against asking a worker for it and inserting the rows when they arrive (as
it does now), in the same run; and what reading the first page with the search adds to the
search's answer.

    python bench/results_pages.py [--materials 20000] [--pages 50] [--workdir DIR]

Prints one JSON line per figure, then the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring
from PySide6.QtCore import QCoreApplication, QModelIndex
from PySide6.QtWidgets import QApplication, QTableView

from bench.sync import ProcessKeyring
from ui.models import MaterialsTableModel
from ui.ops import OpRunner
from workbench.demo import generate_demo
from workbench.replica import queries
from workbench.search import SearchRequest
from workbench.workspace import open_workspace


def median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 3)


def measure(
    app: QCoreApplication, root: Path, name: str, materials: int, pages: int
) -> dict[str, float]:
    """The figures for a workspace folder ``name``: "demo" stays plain, another is encrypted
    (SQLCipher, its key in the benchmark's own keyring)."""
    workspace = open_workspace(root / name)
    generate_demo(workspace.replica, materials=materials, seed=7)
    workspace.search.rebuild()
    conn = workspace.replica.conn
    ids = [r[0] for r in conn.execute("SELECT id FROM materials WHERE deleted = 0")]
    random.Random(7).shuffle(ids)
    page = MaterialsTableModel.PAGE
    ids = ids[: page * (pages + 1)]

    on_ui = []  # the table's old way: the page read on the UI thread
    for start in range(page, len(ids), page):
        began = time.perf_counter()
        queries.materials_by_ids(conn, ids[start : start + page])
        on_ui.append(time.perf_counter() - began)

    ops = OpRunner()
    model = MaterialsTableModel(lambda chunk: queries.materials_by_ids(conn, chunk), ops)
    view = QTableView()
    view.setModel(model)
    view.resize(1000, 600)
    view.show()
    asking, inserting, waiting = [], [], []
    inserted_at: list[float] = []
    model.rowsAboutToBeInserted.connect(lambda *_: inserted_at.append(time.perf_counter()))
    model.set_ids(ids, queries.materials_by_ids(conn, ids[:page]))
    while model.canFetchMore(QModelIndex()):
        before = model.rowCount()
        began = time.perf_counter()
        model.fetchMore(QModelIndex())
        asked = time.perf_counter()
        asking.append(asked - began)
        while model.rowCount() == before:
            app.processEvents()
        done = time.perf_counter()
        inserting.append(done - inserted_at[-1])
        waiting.append(done - asked)
    ops.shutdown()
    view.close()

    search = workspace.search
    request = SearchRequest(text="cotton")
    alone, with_page = [], []
    for _ in range(30):
        began = time.perf_counter()
        result = search.search(request)
        alone.append(time.perf_counter() - began)
        began = time.perf_counter()
        result = search.search(request)
        queries.materials_by_ids(conn, result.ids[:page])
        with_page.append(time.perf_counter() - began)
    workspace.close()
    return {
        "page_read_on_ui_thread_ms": median_ms(on_ui),
        "page_asked_of_a_worker_ui_ms": median_ms(asking),
        "page_inserted_ui_ms": median_ms(inserting),
        "page_arrives_after_ms": median_ms(waiting),
        "search_alone_ms": median_ms(alone),
        "search_with_first_page_ms": median_ms(with_page),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--materials", type=int, default=20_000)
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--workdir", type=Path)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    keyring.set_keyring(ProcessKeyring())
    root = Path(tempfile.mkdtemp(dir=args.workdir))
    try:
        for name, replica in (("demo", "plain"), ("laptop", "encrypted")):
            figures = measure(app, root, name, args.materials, args.pages)
            common = {
                "bench": "results_pages",
                "replica": replica,
                "materials": args.materials,
                "page": MaterialsTableModel.PAGE,
            }
            for figure, value in figures.items():
                print(json.dumps({**common, "figure": figure, "median_ms": value}))
            ui_now = figures["page_asked_of_a_worker_ui_ms"] + figures["page_inserted_ui_ms"]
            baseline = figures["page_read_on_ui_thread_ms"]
            searched = figures["search_with_first_page_ms"] / figures["search_alone_ms"]
            print(
                json.dumps(
                    {
                        **common,
                        "ui_thread_per_page_ratio": round(ui_now / baseline, 3),
                        "search_with_first_page_ratio": round(searched, 3),
                    }
                )
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
