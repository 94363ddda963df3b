"""A run of the app that is ended while its window is still open (the app told to quit: a failed
opening, a screenshot that took too long, the session ending) leaves nothing behind for the
next run in the same process: the next run shows its window and lasts until that window
closes, and event loops run between the two."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from tests.app_runs import run_app_driven, visible
from ui.main_window import MainWindow
from workbench.workspace import open_workspace


def run_until(
    app: QApplication, folder: Path, act: Callable[[MainWindow], None]
) -> dict[str, object]:
    """``run_app`` on the workspace in ``folder``; once its window shows, ``act`` on it. A run
    still going after 30 s is ended, and says so. Nothing is left ticking afterwards."""
    seen: dict[str, object] = {}

    def step() -> None:
        windows = visible(MainWindow)
        if not windows:
            poll.start(20)
            return
        seen["window"] = True
        act(windows[0])

    poll = QTimer(singleShot=True, timeout=step)
    give_up = QTimer(singleShot=True, timeout=lambda: (seen.update({"gave up": True}), app.quit()))
    seen["code"] = run_app_driven(
        poll, give_up, 30_000, data_dir=folder.parent / "data", workspace_dir=folder
    )
    return seen


def test_a_run_quit_with_its_window_open_leaves_the_next_run_whole(
    app_state: QApplication, tmp_path: Path
) -> None:
    folder = tmp_path / "mill"
    open_workspace(folder).close()
    first = run_until(app_state, folder, lambda window: app_state.quit())
    assert first == {"window": True, "code": 0}
    # between runs, the events still due are handled, and an event loop then waits as long
    # as it is asked to
    QApplication.processEvents()
    loop = QEventLoop()
    QTimer.singleShot(100, loop.quit)
    started = time.monotonic()
    assert loop.exec() == 0 and time.monotonic() - started > 0.05
    second = run_until(app_state, folder, lambda window: window.close())
    assert second == {"window": True, "code": 0}
