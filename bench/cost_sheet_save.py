"""Cost sheet benchmark: how long the window's UI thread waits when the merchandiser saves a
sheet, chooses a fabric or edits it (a draft kept), now that the replica and the draft are
written and read on a `ui.ops` worker, against the same work done on the calling thread (as
the window did before), in the same run over the same demo workspace.

    QT_QPA_PLATFORM=offscreen python bench/cost_sheet_save.py [--materials 5000] [--rounds 30]
        [--plain]

Prints one JSON line per figure, with medians in milliseconds: ``save`` (the UI thread's part
now: reading the form, starting the write and, once it has landed, telling the window; the
whole save until it has landed; the same done on the calling thread as before, the write
included; ``replica_write_ms``, the write alone) and ``fabric`` (the same for a fabric's
starting style and yarns; showing them on the form costs the same either way and is left
out) and ``draft`` (keeping the draft of unsaved changes after an edit: now the form's state
read and handed to a worker, until written; before, the same written on the calling thread),
each with the ratio of the UI thread's time now to before. The replica is encrypted, as
on a laptop, its key in a keyring of the process (``--plain``: a plain one).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import keyring
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from bench.sync import ProcessKeyring
from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet.edits import to_json
from ui.cost_sheet.lookups import fabric_start
from ui.cost_sheet.saving import sheet_values
from ui.ops import OpRunner
from workbench import documents, drafts
from workbench.demo import generate_demo
from workbench.workspace import open_workspace


def wait(app: QApplication, done: Callable[[], bool]) -> None:
    """Run the event loop as the app does, idle until an event comes, until ``done``."""
    while not done():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)


def ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def line(
    name: str, now: list[float], landed: list[float], before: list[float], **more: float
) -> None:
    ui_now, ui_before = statistics.median(now), statistics.median(before)
    print(
        json.dumps(
            {
                "figure": name,
                **more,
                "ui_thread_ms_now": round(ui_now, 3),
                "until_shown_ms_now": round(statistics.median(landed), 3),
                "ui_thread_ms_before": round(ui_before, 3),
                "ratio_ui_thread_now_to_before": round(ui_now / ui_before, 3),
                "rounds": len(now),
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--materials", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--plain", action="store_true", help="a plain replica (no keyring)")
    args = parser.parse_args()
    if not args.plain:
        keyring.set_keyring(ProcessKeyring())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="wb-bench-save-") as tmp:
        workspace = open_workspace(Path(tmp) / "demo")
        generate_demo(workspace.replica, materials=args.materials, seed=5)
        conn = workspace.replica.conn
        fabrics = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM materials WHERE material_type = 'fabric' AND uom = 'kg' "
                "AND deleted = 0 ORDER BY code LIMIT 2"
            )
        ]
        sheet = CostSheetWindow(workspace, OpRunner())
        wait(app, lambda: sheet.loaded is not None)
        sheet.materials.use_fabric(fabrics[0])
        wait(app, lambda: sheet.price is not None)

        saved_now, saved_landed, saved_before, writes = [], [], [], []
        told = sheet.show_saved
        telling: list[float] = []

        def timed_telling(*args: Any, **kwargs: Any) -> None:
            start = time.perf_counter()
            told(*args, **kwargs)
            telling.append(ms(start))

        for _ in range(args.rounds):
            sheet.discard_changes()
            sheet.show_saved = timed_telling  # type: ignore[method-assign]
            start = time.perf_counter()
            assert sheet.save()
            asked = ms(start)
            wait(app, lambda: not sheet.saving.writing)
            saved_landed.append(ms(start))
            saved_now.append(asked + telling.pop())
            sheet.show_saved = told  # type: ignore[method-assign]
            start = time.perf_counter()  # the form read and the write, as the window did before
            form = sheet.current_sheet()
            written = time.perf_counter()
            values = {"id": sheet.sheet_id, **sheet_values(workspace.replica, form)}
            row = documents.save_document(workspace.replica, "cost_sheets", values)
            writes.append(ms(written))
            sheet.show_saved(row)
            saved_before.append(ms(start))
        line(
            "save",
            saved_now,
            saved_landed,
            saved_before,
            replica_write_ms=round(statistics.median(writes), 3),
        )

        chosen_now, chosen_landed, chosen_before = [], [], []
        for i in range(args.rounds):
            fabric = fabrics[(i + 1) % 2]
            start = time.perf_counter()
            sheet.materials.use_fabric(fabric)
            chosen_now.append(ms(start))
            wait(app, lambda f=fabric: sheet.inputs.fabric.fabric_id == f)
            chosen_landed.append(ms(start))
            start = time.perf_counter()  # the read as the form made it before
            fabric_start(conn, fabric, "BENCH")
            chosen_before.append(ms(start))
        line("fabric", chosen_now, chosen_landed, chosen_before)

        drafted_now, drafted_landed, drafted_before = [], [], []
        sheet.undo_stack.resetClean()  # unsaved changes: a draft is kept after each edit
        for _ in range(args.rounds):
            start = time.perf_counter()
            sheet.saving.keep_draft()
            drafted_now.append(ms(start))
            assert sheet.saving.drafts.wait()
            drafted_landed.append(ms(start))
            start = time.perf_counter()  # the draft as the window wrote it before
            data = to_json(sheet.inputs.state())
            data["sheet_id"] = sheet.sheet_id
            drafts.save_draft(workspace.root, sheet.draft_key, data)
            drafted_before.append(ms(start))
        line("draft", drafted_now, drafted_landed, drafted_before)
        sheet.discard_changes()
        sheet.close()
        workspace.close()


if __name__ == "__main__":
    main()
