"""Save and open dialogs that start where the user keeps files.

Qt's dialogs given a bare file name start in the program's working directory (wherever the
app was launched from: its install folder, a shortcut's folder). Here they start in the folder
used last, kept in the settings under the data directory in use
(`workbench.settings.start_folder`), else the user's documents folder, and the folder chosen
is remembered for the next dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from workbench.settings import remember_folder, start_folder


def ask_save_path(parent: QWidget | None, title: str, name: str, types: str) -> Path | None:
    """The file the user chose to save to (``name`` suggested), or None if cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(start_folder() / name), types)
    return _chosen(path)


def ask_open_path(parent: QWidget | None, title: str, types: str) -> Path | None:
    """The file the user chose to open, or None if cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, str(start_folder()), types)
    return _chosen(path)


def _chosen(path: str) -> Path | None:
    if not path:
        return None
    chosen = Path(path)
    remember_folder(chosen)
    return chosen
