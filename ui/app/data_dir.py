"""Where a run of the app keeps what it keeps: the data directory it is given (settings, the
workspace used last, logs, Qt's own settings), never the user's home unless none is given."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any


def in_its_data_dir(run: Callable[..., int]) -> Callable[..., int]:
    """``run`` with the data directory it is given (``data_dir``) in use while it runs: all
    the app keeps (settings, the workspace used last, logs) goes there, never to the user's
    home; afterwards the process is back to the one it had."""

    @functools.wraps(run)
    def wrapper(**options: Any) -> int:
        from workbench.paths import data_dir_in_use, use_data_dir

        before = use_data_dir(options.get("data_dir") or data_dir_in_use())
        try:
            return run(**options)
        finally:
            use_data_dir(before)

    return wrapper


def keep_qt_settings_in(folder: Path) -> None:
    """Qt's own settings (a file dialog's recent folders, …) in ``folder``, as files."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
