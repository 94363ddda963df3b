"""A table widget's cells, typed: Qt answers None for a cell holding no item, and a plain
QWidget for the widget a cell holds. The tables that read their cells back (the Import
dialog's columns, a bill of materials' matches, a material's cost rates) filled every cell
they read, so a cell missing or holding something else is a defect, and is said at once."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QTableWidget, QTableWidgetItem


def cell_item(table: QTableWidget, row: int, column: int) -> QTableWidgetItem:
    """The item of the cell at ``row``, ``column``; LookupError when the cell holds none."""
    item = table.item(row, column)
    if item is None:
        raise LookupError(f"{table.objectName() or 'table'}: no item at ({row}, {column})")
    return item


def cell_combo(table: QTableWidget, row: int, column: int) -> QComboBox:
    """The box the cell at ``row``, ``column`` holds; LookupError when it holds none."""
    box = table.cellWidget(row, column)
    if not isinstance(box, QComboBox):
        raise LookupError(f"{table.objectName() or 'table'}: no box at ({row}, {column})")
    return box
