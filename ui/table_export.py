"""Export for every table the app shows: a right-click "Export table…" that writes the table
(its columns and rows) to ``.xlsx`` or ``.csv``, typed as Excel users keep it.

A model gives each cell's typed value under `VALUE_ROLE` (a number, a date, or an
`workbench.export.Cell` with its number format); a cell without one is written as shown. A
table whose model gives none (a plain list) is written as displayed, so what is displayed is
what is exported. The results table has its own File → Export results (every match of the
search, not only the rows loaded so far); the smaller tables hold all their rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QMenu, QMessageBox, QTableWidgetItem

from ui.file_dialogs import ask_save_path
from workbench.export import ExportError, export_table

#: the role under which a model gives a cell's typed value for a workbook
VALUE_ROLE = int(Qt.ItemDataRole.UserRole) + 40


def typed_item(text: str, value: Any = None) -> QTableWidgetItem:
    """A table cell showing ``text`` and exported as ``value`` (a number, a date or an
    `workbench.export.Cell`), so a list table's export is typed as a model's is."""
    item = QTableWidgetItem(text)
    if value is not None:
        item.setData(VALUE_ROLE, value)
    return item


def table_contents(model: QAbstractItemModel) -> tuple[list[str], list[list[Any]]]:
    """Headers and values of every row and column of ``model``: typed where the model gives
    `VALUE_ROLE`, else the display text."""
    columns = model.columnCount()
    headers = [
        str(
            model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole) or ""
        ).replace("\n", " ")
        for c in range(columns)
    ]
    rows = []
    for r in range(model.rowCount()):
        row = []
        for c in range(columns):
            index = model.index(r, c)
            value = model.data(index, VALUE_ROLE)
            row.append(model.data(index, Qt.ItemDataRole.DisplayRole) if value is None else value)
        rows.append(row)
    return headers, rows


def export_view(
    view: QAbstractItemView, path: Path, name: str = "", header: Sequence[tuple[str, Any]] = ()
) -> int:
    """The table on a sheet called ``name`` (what the table is), under the ``header`` block
    (label, value) when there is one."""
    headers, rows = table_contents(view.model())
    return export_table(path, headers, rows, sheet_name=name.capitalize(), header=header)


def export_header(name: str) -> list[tuple[str, Any]]:
    """The header block of a table exported from its menu: what it is, when."""
    return [("Table", name.capitalize()), ("Exported", datetime.now().replace(microsecond=0))]


def install_export(view: QAbstractItemView, suggested_name: str) -> QAction:
    """Give ``view`` a context menu with "Export table…"; returns the action (for tests)."""
    action = QAction("Export table…", view)

    def choose() -> None:
        path = ask_save_path(
            view, "Export table", f"{suggested_name}.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            try:
                export_view(view, path, suggested_name, export_header(suggested_name))
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
