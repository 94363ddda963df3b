"""Two cost sheets side by side, and the dialog that picks the saved sheet to compare with.

Apart from the editor because the comparison costs both sheets afresh from their inputs and
shows them in a window of its own; the editor only hands it the sheet on screen.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import money
from ui.table_export import install_export
from workbench.costing import RateBook, cost_style, price_style
from workbench.costing.money import to_cents
from workbench.costing.sheet import CostSheet


def choose_other_sheet(conn: sqlite3.Connection, parent: QWidget) -> str | None:
    """The id of a saved cost sheet the merchandiser picks, newest first; None if cancelled."""
    others = [r for r in conn.execute(
        "SELECT id, style_code, title, updated_at FROM cost_sheets WHERE deleted = 0 "
        "ORDER BY updated_at DESC")]  # fmt: skip
    dialog = QDialog(parent)
    dialog.setWindowTitle("Compare with another cost sheet")
    listing = QListWidget()
    for r in others:
        item = QListWidgetItem(f"{r['style_code']}  {r['title']}  ({r['updated_at']})")
        item.setData(Qt.ItemDataRole.UserRole, r["id"])
        listing.addItem(item)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                               | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(listing)
    layout.addWidget(buttons)
    if dialog.exec() and listing.currentItem() is not None:
        return str(listing.currentItem().data(Qt.ItemDataRole.UserRole))
    return None


class CompareDialog(QDialog):
    """Two cost sheets side by side: each component's amount, the totals and the price, and
    the difference, so a merchandiser sees what a change of fabric or mill did."""

    def __init__(self, mine: CostSheet, theirs: CostSheet, book: RateBook,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(f"{mine.style.style_code} compared with {theirs.style.style_code}")
        self.resize(860, 560)
        costs = []
        for sheet in (mine, theirs):
            on = sheet.costed_on or date.today()
            cost = cost_style(sheet.style, book, on)
            price = (price_style(sheet.style, book, on, brand=sheet.brand,
                                 quantity=sheet.quantity) if sheet.brand else None)  # fmt: skip
            costs.append((cost, price))
        (a, pa), (b, pb) = costs
        names = list(dict.fromkeys([line.component for line in a.lines]
                                   + [line.component for line in b.lines]))  # fmt: skip
        amounts = [{line.component: line.amount for line in c.lines} for c in (a, b)]
        rows: list[tuple[str, Decimal | None, Decimal | None]] = [
            (name, amounts[0].get(name), amounts[1].get(name)) for name in names
        ]
        rows.append(("Total cost per piece (₹)", a.total, b.total))
        if pa is not None and pb is not None:
            rows.append((f"Price per piece ({pa.currency} / {pb.currency})",
                         pa.price_per_piece, pb.price_per_piece))  # fmt: skip
            rows.append(("Margin %", pa.margin * 100, pb.margin * 100))
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["", mine.style.style_code,
                                              theirs.style.style_code, "Difference"])  # fmt: skip
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # components as the breakdown shows them, adding up to each total shown
        shown = [{line.component: line.amount_shown for line in c.lines} for c in (a, b)]
        for r, (name, x, y) in enumerate(rows):
            if name in names:
                x, y = shown[0].get(name), shown[1].get(name)
            else:  # a total or a price: the difference of the figures shown
                x, y = (None if v is None else to_cents(v) for v in (x, y))
            cells = [name, "—" if x is None else money(x), "—" if y is None else money(y),
                     money((y or Decimal(0)) - (x or Decimal(0)))]  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                self.table.setItem(r, c, item)
        install_export(self.table, "cost comparison")
        self.rows = rows
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
