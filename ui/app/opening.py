"""Opening the first workspace: on a worker, since generating the demo takes seconds, behind a
progress dialog whose Cancel cancels it. The demo is generated on first use, on this laptop
alone with --offline, else behind a sync server of its own on loopback (`sync.embedded`), so
the demo takes the same paths as a mill's laptop."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from PySide6.QtWidgets import QProgressDialog

    from sync.embedded import DemoSession
    from ui.app.start import AppOptions
    from ui.ops import OpContext, OpRunner
    from workbench.workspace import Workspace


def opening_dialog(ops: OpRunner) -> QProgressDialog:
    """The progress of opening the first workspace; Cancel cancels it."""
    from PySide6.QtWidgets import QProgressDialog

    dialog = QProgressDialog("Opening workspace…", "Cancel", 0, 0)
    dialog.setWindowTitle("Mill Workbench")
    dialog.setMinimumDuration(400)
    dialog.canceled.connect(ops.cancel_all)
    return dialog


def open_on_worker(
    ctx: OpContext, folder: Path | None, options: AppOptions
) -> Workspace | DemoSession:
    """The workspace in ``folder``, or (None) the demo, generated on first use: on this
    laptop alone with --offline, else behind a sync server on loopback."""
    from sync.embedded import start_demo
    from workbench.workspace import demo_workspace, open_workspace

    def report(stage: str, done: int, total: int) -> None:
        ctx.progress(done, total, f"Preparing the demo: {stage}")

    if folder is not None:
        return open_workspace(folder)
    if options.offline:
        return demo_workspace(
            options.data_dir,
            materials=options.demo_size,
            progress=report,
            cancel=ctx.cancel_event,
        )
    return start_demo(
        options.data_dir, materials=options.demo_size, progress=report, cancel=ctx.cancel_event
    )
