"""The QApplication of a run: styled, named and iconed as the desktop knows it, with its log
file and Qt's settings in the data directory in use."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ui.app.data_dir import keep_qt_settings_in
from workbench.paths import resources_dir

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from PySide6.QtWidgets import QApplication


def prepare_application(*, screenshot: bool, data_dir: Path | None) -> QApplication:
    """The QApplication, styled and named, with its log file and Qt's settings in the data
    directory in use. A screenshot needs no display, so it asks for the offscreen platform
    before the QApplication exists (the platform is chosen then)."""
    if screenshot and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from ui.collector import MainThreadCollector
    from workbench.logs import setup_logging
    from workbench.paths import data_dir as data_folder

    with contextlib.suppress(OSError):  # a read-only home still runs the app, unlogged
        setup_logging()
    keep_qt_settings_in(data_folder(data_dir) / "qt")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.collector = MainThreadCollector(app)  # type: ignore[attr-defined]  # see ui/collector.py
    app.setApplicationName("Mill Workbench")
    app.setOrganizationName("Mill Workbench")
    # Wayland and GNOME match the window to packaging/linux/mill-workbench.desktop (its icon)
    app.setDesktopFileName("mill-workbench")
    icon = resources_dir() / "icons" / "app.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    style = resources_dir() / "styles" / "app.qss"
    if style.exists():
        app.setStyleSheet(style.read_text("utf-8"))
    return app
