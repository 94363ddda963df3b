"""The sheet browser: every saved cost sheet in a table, found by what a merchandiser knows of
it (style or title typed, brand, season, status, the days it was saved between), opened by a
double-click or Enter.

The same browser picks the sheet to compare with: then the sheet on screen is never offered,
so a comparison is always of two different sheets. The finding itself is
`workbench.costing.register.find_sheets`; this only presents it. Every read runs on a worker
(`ui.ops`), so typing in the search never waits on the replica; the sheets on screen stay until
the answer to the newest filters arrives, and an answer to older filters is dropped.
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
from ui.ops import Newest, OpContext, OpRunner
from ui.table_export import VALUE_ROLE, install_export
from ui.wheel_guard import guard_wheel
from workbench.costing.register import STATUSES, SheetFilter, find_sheets, seasons, sheet_count
from workbench.replica import Replica, queries

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


Found = tuple[list[dict[str, Any]], int]
"""The sheets a filter lets through, and how many sheets there are to find among."""


class SheetBrowser(QDialog):
    """Find a saved cost sheet; ``chosen_id`` is the one picked once the dialog is accepted.

    ``source``: the replica (each worker reads through its own connection) or one connection.
    ``exclude_id``: a sheet not to offer (the one a comparison starts from). ``ops``: the
    runner for the reads; without one the browser keeps its own."""

    #: the answer to the newest filters is on screen
    shown = Signal()

    def __init__(
        self,
        source: Replica | sqlite3.Connection,
        parent: QWidget | None = None,
        *,
        title: str = "Open cost sheet",
        action: str = "Open",
        exclude_id: str = "",
        ops: OpRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.source, self.exclude_id = source, exclude_id
        self.ops = ops if ops is not None else OpRunner(self)
        self.chosen_id: str | None = None
        self.rows: list[dict[str, Any]] = []
        #: which filters are the newest, and whether their answer is shown
        self.newest = Newest()
        self.setWindowTitle(f"{title} — Mill Workbench")
        self.resize(980, 560)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Style or title…")
        self.search.setClearButtonEnabled(True)
        self.brand = QComboBox()
        self.brand.addItem("All brands", "")
        self.season = QComboBox()
        self.season.addItem("All seasons", "")
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
        self._selection_changed()  # nothing to open until the first answer is listed
        self._load_choices()
        self.refresh()
        self.search.setFocus()

    @property
    def pending(self) -> bool:
        """Whether the newest filters' answer is still to come."""
        return self.newest.pending

    def _conn(self) -> sqlite3.Connection:
        """The connection of the thread asking (a worker's own, given the replica)."""
        return self.source.conn if isinstance(self.source, Replica) else self.source

    def _load_choices(self) -> None:
        """Fill the brand and season filters, on a worker (until then: all of them)."""
        conn = self._conn

        def load(_ctx: OpContext) -> tuple[list[dict[str, Any]], list[str]]:
            return queries.brands(conn()), seasons(conn())

        def show(choices: tuple[list[dict[str, Any]], list[str]]) -> None:
            brands, names = choices
            for r in brands:
                self.brand.addItem(f"{r['code']} — {r['name']}", r["id"])
            for name in names:
                self.season.addItem(name, name)

        self.ops.run(load, success=show, label="Loading filters", background=True)

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
        """Find the sheets the filters let through, on a worker; the sheets on screen stay,
        marked as being looked for, until the answer comes."""
        asked, where, conn = self.newest.ask(), self.current_filter(), self._conn

        def find(_ctx: OpContext) -> Found:
            return find_sheets(conn(), where), sheet_count(conn(), where.exclude_id)

        def failed(exc: BaseException) -> None:
            if self.newest.take(asked):
                self.count.setText(f"The cost sheets could not be read: {exc}")

        self.count.setText("Finding cost sheets…")
        self.ops.run(
            find,
            success=lambda found: self._show(asked, *found),
            failure=failed,
            label="Finding cost sheets",
            background=True,
        )

    def _show(self, asked: int, rows: list[dict[str, Any]], total: int) -> None:
        """Show the sheets found for filters number ``asked``, unless newer filters were
        asked for since (their answer is the one to show); the first is selected."""
        if not self.newest.take(asked):
            return
        self.rows = rows
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
        self.shown.emit()

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
