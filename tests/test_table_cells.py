"""A table's cells read back typed: the item or box a cell holds, and a cell that holds none
said at once (not an AttributeError on None further on)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QComboBox, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from ui.table_cells import cell_combo, cell_item


def test_a_cell_gives_the_item_or_box_it_holds(qtbot: QtBot) -> None:
    table = QTableWidget(2, 2)
    qtbot.addWidget(table)
    table.setObjectName("columns")
    item, box = QTableWidgetItem("gsm"), QComboBox()
    table.setItem(0, 0, item)
    table.setCellWidget(0, 1, box)
    assert cell_item(table, 0, 0) is item
    assert cell_combo(table, 0, 1) is box
    with pytest.raises(LookupError, match=r"columns: no item at \(1, 0\)"):
        cell_item(table, 1, 0)
    with pytest.raises(LookupError, match=r"columns: no box at \(0, 0\)"):
        cell_combo(table, 0, 0)  # an item, not a box
