"""The sheet browser: every saved cost sheet in a table, found by what a merchandiser knows of
it (style or title typed, brand, season, status, the days it was saved between), opened by a
double-click or Enter.

The same browser picks the sheet to compare with: then the sheet on screen is never offered,
so a comparison is always of two different sheets. The finding itself is
`workbench.costing.register.find_sheets`; this only presents it.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.date_field import DateField
from ui.formats import format_date
from ui.table_export import VALUE_ROLE, install_export
from ui.wheel_guard import guard_wheel
from workbench.costing.register import STATUSES, SheetFilter, find_sheets, seasons, sheet_count
from workbench.replica import queries

HEADERS = ("Style", "Title", "Brand", "Season", "Status", "Version", "Saved")
ID_ROLE = int(Qt.ItemDataRole.UserRole) + 1


def saved_at(row: dict[str, Any]) -> datetime | None:
    """When the sheet was last saved, in this computer's time (stored in UTC)."""
    try:
        stamp = datetime.fromisoformat(str(row["updated_at"]).replace("Z", "+00:00"))
    except ValueError:
        return None
    return stamp.astimezone().replace(tzinfo=None) if stamp.tzinfo else stamp


class SheetTable(QTableWidget):
    """The found sheets; Enter opens the current one, as a double-click does."""

    entered = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.selectedItems():
            self.entered.emit()
            return
        super().keyPressEvent(event)


class SheetBrowser(QDialog):
    """Find a saved cost sheet; ``chosen_id`` is the one picked once the dialog is accepted.

    ``exclude_id``: a sheet not to offer (the one a comparison starts from)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        parent: QWidget | None = None,
        *,
        title: str = "Open cost sheet",
        action: str = "Open",
        exclude_id: str = "",
    ) -> None:
        super().__init__(parent)
        self.conn, self.exclude_id = conn, exclude_id
        self.chosen_id: str | None = None
        self.rows: list[dict[str, Any]] = []
        self.setWindowTitle(f"{title} — Mill Workbench")
        self.resize(980, 560)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Style or title…")
        self.search.setClearButtonEnabled(True)
        self.brand = QComboBox()
        self.brand.addItem("All brands", "")
        for r in queries.brands(conn):
            self.brand.addItem(f"{r['code']} — {r['name']}", r["id"])
        self.season = QComboBox()
        self.season.addItem("All seasons", "")
        for name in seasons(conn):
            self.season.addItem(name, name)
        self.status = QComboBox()
        self.status.addItem("Any status", "")
        for status in STATUSES:
            self.status.addItem(status.capitalize(), status)
        self.saved_from = DateField("from any day")
        self.saved_to = DateField("to any day")
        for field in (self.brand, self.season, self.status, self.saved_from, self.saved_to):
            guard_wheel(field)  # scrolling past a filter never changes it
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        for box in (self.brand, self.season, self.status):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            filters.addWidget(box)
        filters.addWidget(QLabel("Saved"))
        filters.addWidget(self.saved_from)
        filters.addWidget(self.saved_to)

        self.table = SheetTable(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.accept())
        self.table.entered.connect(self.accept)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        install_export(self.table, "cost sheets")
        self.count = QLabel()
        self.count.setObjectName("browserCount")

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.open_button = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.open_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        foot = QHBoxLayout()
        foot.addWidget(self.count, 1)
        foot.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(foot)

        self.search.textChanged.connect(self.refresh)
        for box in (self.brand, self.season, self.status):
            box.currentIndexChanged.connect(self.refresh)
        for field in (self.saved_from, self.saved_to):
            field.dateChanged.connect(self.refresh)
        self.refresh()
        self.search.setFocus()

    def current_filter(self) -> SheetFilter:
        return SheetFilter(
            text=self.search.text(),
            brand_id=str(self.brand.currentData() or ""),
            season=str(self.season.currentData() or ""),
            status=str(self.status.currentData() or ""),
            saved_from=self.saved_from.value(),
            saved_to=self.saved_to.value(),
            exclude_id=self.exclude_id,
        )

    def refresh(self) -> None:
        """Show the sheets the filters let through; the first is selected."""
        self.rows = find_sheets(self.conn, self.current_filter())
        self.table.setRowCount(len(self.rows))
        for r, row in enumerate(self.rows):
            saved = saved_at(row)
            cells: list[tuple[str, Any]] = [
                (row["style_code"], None),
                (row["title"], None),
                (row["brand_code"], None),
                (row["season"], None),
                (str(row["status"]).capitalize(), None),
                (f"v{row['revision']}", row["revision"]),
                (format_date(saved) if saved else str(row["updated_at"]), saved),
            ]
            for c, (text, value) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, row["id"])
                if value is not None:
                    item.setData(VALUE_ROLE, value)
                self.table.setItem(r, c, item)
        total = sheet_count(self.conn, self.exclude_id)
        if self.rows:
            self.count.setText(f"{len(self.rows)} of {total} cost sheets")
            self.table.selectRow(0)
        elif total:
            self.count.setText(f"No cost sheet matches these filters (of {total} saved)")
        else:
            self.count.setText(
                "No other cost sheet saved yet" if self.exclude_id else "No cost sheets saved yet"
            )
        self._selection_changed()

    def _selection_changed(self) -> None:
        self.open_button.setEnabled(
            self.table.currentRow() >= 0 and bool(self.rows) and bool(self.table.selectedItems())
        )

    def accept(self) -> None:
        selected = self.table.selectedItems()
        if not selected:
            return
        self.chosen_id = str(selected[0].data(ID_ROLE))
        super().accept()
