"""The whole app run in a test's process (`ui.app.run_app`), driven by timers as a person
would drive it: shared by the tests that start it from its entry point.

A test's timers are stopped when its run ends: left ticking, one would act on, or end, a
later test's run in the same process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from ui.app import run_app

W = TypeVar("W", bound=QWidget)


def visible(kind: type[W]) -> list[W]:
    """The top-level windows of ``kind`` on screen."""
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


def run_app_driven(
    poll: QTimer,
    give_up: QTimer,
    give_up_ms: int,
    *,
    data_dir: Path,
    workspace_dir: Path | None,
    demo_size: int = 100,
) -> int:
    """``run_app`` as a person starts it (online, no screenshot, no search), ``poll`` fired
    as soon as its event loop runs (it restarts itself while it waits for something) and
    ``give_up`` after ``give_up_ms``; both stopped when the run ends. Its exit code."""
    poll.start(0)
    give_up.start(give_up_ms)
    try:
        return run_app(
            demo_size=demo_size,
            offline=False,
            data_dir=data_dir,
            workspace_dir=workspace_dir,
            screenshot=None,
            query="",
        )
    finally:
        poll.stop()
        give_up.stop()
