"""Export for every table the app shows: a right-click "Export table…" that writes what the
table shows (its columns and rows, as displayed) to ``.xlsx`` or ``.csv``.

The results table has its own File → Export results (every match of the search, not only
the rows loaded so far); the smaller tables (a material's rates and orders, conflicts, an
import preview) hold all their rows, so what is displayed is what is exported.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QMenu, QMessageBox

from workbench.export import ExportError, export_table


def table_contents(model: QAbstractItemModel) -> tuple[list[str], list[list[Any]]]:
    """Headers and display text of every row and column of ``model``."""
    columns = model.columnCount()
    headers = [
        str(model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or "")
        .replace("\n", " ")
        for c in range(columns)
    ]
    rows = [
        [model.data(model.index(r, c), Qt.ItemDataRole.DisplayRole) for c in range(columns)]
        for r in range(model.rowCount())
    ]
    return headers, rows


def export_view(view: QAbstractItemView, path: Path, name: str = "") -> int:
    """The table as shown, on a sheet called ``name`` (what the table is)."""
    headers, rows = table_contents(view.model())
    return export_table(path, headers, rows, sheet_name=name.capitalize())


def install_export(view: QAbstractItemView, suggested_name: str) -> QAction:
    """Give ``view`` a context menu with "Export table…"; returns the action (for tests)."""
    action = QAction("Export table…", view)

    def choose() -> None:
        path, _ = QFileDialog.getSaveFileName(
            view, "Export table", f"{suggested_name}.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            try:
                export_view(view, Path(path), suggested_name)
            except (ExportError, OSError) as exc:
                QMessageBox.warning(view, "Export table", str(exc))

    def menu(point: QPoint) -> None:
        popup = QMenu(view)
        popup.addAction(action)
        action.setEnabled(view.model() is not None and view.model().rowCount() > 0)
        popup.exec(view.viewport().mapToGlobal(point))

    action.triggered.connect(choose)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(menu)
    return action
