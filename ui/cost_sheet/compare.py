"""Two cost sheets side by side (the sheet browser, `ui.cost_sheet.browser`, picks the other).

Apart from the editor because the comparison costs both sheets afresh from their inputs and
shows them in a window of its own; the editor only hands it the sheet on screen.
`SheetComparison` is the editor's part that asks which sheet, reads it on a `ui.ops` worker
and opens `CompareDialog`; it talks to its window through `ComparingHost`.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import money
from ui.cost_sheet.books import Loaded
from ui.cost_sheet.browser import SheetBrowser
from ui.ops import OpContext, OpRunner
from ui.table_export import install_export, typed_item
from workbench.costing import CostingError, RateBook, cost_style, price_style
from workbench.costing.money import to_cents
from workbench.costing.register import sheet_row
from workbench.costing.sheet import CostSheet, sheet_from_dict
from workbench.errors import user_message
from workbench.export import MONEY, PERCENT, Cell
from workbench.workspace import Workspace


class CompareDialog(QDialog):
    """Two cost sheets side by side: each component's amount, the totals and the price, and
    the difference, so a merchandiser sees what a change of fabric or mill did."""

    def __init__(
        self,
        mine: CostSheet,
        theirs: CostSheet,
        book: RateBook,
        parent: QWidget | None = None,
        names: tuple[str, str] = ("", ""),
    ) -> None:
        """``names``: what the two columns are headed (two versions of one style share a
        style code, so the editor names each with its version); the style codes if empty."""
        super().__init__(parent)
        mine_name = names[0] or mine.style.style_code
        theirs_name = names[1] or theirs.style.style_code
        self.setWindowTitle(f"{mine_name} compared with {theirs_name}")
        self.resize(860, 560)
        costs = []
        for sheet in (mine, theirs):
            on = sheet.costed_on or date.today()
            cost = cost_style(sheet.style, book, on)
            price = (
                price_style(sheet.style, book, on, brand=sheet.brand, quantity=sheet.quantity)
                if sheet.brand
                else None
            )
            costs.append((cost, price))
        (a, pa), (b, pb) = costs
        components = list(
            dict.fromkeys(
                [line.component for line in a.lines] + [line.component for line in b.lines]
            )
        )
        amounts = [{line.component: line.amount for line in c.lines} for c in (a, b)]
        rows: list[tuple[str, Decimal | None, Decimal | None]] = [
            (name, amounts[0].get(name), amounts[1].get(name)) for name in components
        ]
        rows.append(("Total cost per piece (₹)", a.total, b.total))
        #: rows whose two figures are in different currencies: no difference is worked out
        self.apart: set[int] = set()
        if pa is not None and pb is not None:
            if pa.currency == pb.currency:
                rows.append(
                    (f"Price per piece ({pa.currency})", pa.price_per_piece, pb.price_per_piece)
                )
            else:
                self.apart.add(len(rows))
                rows.append(
                    (
                        f"Price per piece ({pa.currency} here, {pb.currency} there)",
                        pa.price_per_piece,
                        pb.price_per_piece,
                    )
                )
            rows.append(("Margin %", pa.margin * 100, pb.margin * 100))
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["Per piece", mine_name, theirs_name, "Difference"])
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # components as the breakdown shows them, adding up to each total shown
        shown = [{line.component: line.amount_shown for line in c.lines} for c in (a, b)]
        for r, (name, x, y) in enumerate(rows):
            if name in components:
                x, y = shown[0].get(name), shown[1].get(name)
            elif name != "Margin %":  # a total or a price: the difference of the figures shown
                x, y = (None if v is None else to_cents(v) for v in (x, y))
            difference = None if r in self.apart else (y or Decimal(0)) - (x or Decimal(0))
            figures = [None, x, y, difference]
            cells = [name, *("—" if v is None else money(v) for v in figures[1:])]
            kind = PERCENT if name == "Margin %" else MONEY
            for c, text in enumerate(cells):
                figure = figures[c]
                # a margin in % is exported as the fraction it is
                cell = (
                    None
                    if figure is None
                    else Cell(figure / 100 if kind == PERCENT else figure, kind)
                )
                item = typed_item(text, cell)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        install_export(self.table, "cost comparison")
        self.rows = rows
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)


class ComparingHost(Protocol):
    """What comparing uses of its window."""

    workspace: Workspace
    ops: OpRunner
    message: QLabel
    document: dict[str, Any] | None
    sheet_id: str | None
    loaded: Loaded | None

    def window(self) -> QWidget: ...

    def current_sheet(self) -> CostSheet: ...

    def has_unsaved_changes(self) -> bool: ...


class SheetComparison(QObject):
    """Compare the sheet on screen with another saved sheet, picked in the sheet browser and
    read on a worker; the comparison is shown as the form is when the other sheet arrives."""

    #: a comparison with another sheet is shown: its dialog
    compared = Signal(object)

    def __init__(self, host: ComparingHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host
        #: the comparison shown last
        self.compare_dialog: CompareDialog | None = None

    def compare_browser(self) -> SheetBrowser:
        """The browser that picks the other sheet: every saved sheet but this one."""
        host = self.host
        return SheetBrowser(
            host.workspace.replica,
            host.window(),
            title="Compare with",
            action="Compare",
            exclude_id=host.sheet_id or "",
            ops=host.ops,
        )

    def choose_compare(self) -> None:
        browser = self.compare_browser()
        if browser.exec() and browser.chosen_id is not None:
            self.compare_with(browser.chosen_id)

    def compare_with(self, other_id: str) -> None:
        """Read the sheet ``other_id`` on a worker, then show it beside the form as it is
        then (`compared` gives the dialog)."""
        host = self.host
        if other_id == host.sheet_id:
            host.message.setText("Cannot compare: pick a sheet other than this one.")
            return
        replica = host.workspace.replica

        def read(_ctx: OpContext) -> dict[str, Any] | None:
            return sheet_row(replica.conn, other_id, deleted_too=True)

        host.ops.run(
            read,
            success=self._show_comparison,
            failure=lambda exc: host.message.setText(f"Cannot compare: {user_message(exc)}"),
            label="Reading the sheet to compare",
            background=True,
        )

    def _show_comparison(self, row: dict[str, Any] | None) -> None:
        host = self.host
        assert host.loaded is not None
        if row is None:
            host.message.setText("Cannot compare: that sheet is no longer in this workspace.")
            return
        try:
            mine = host.current_sheet()
            theirs = sheet_from_dict(json.loads(row["body"]))
            revision = (host.document or {}).get("revision") or 1
            names = (
                f"{mine.style.style_code} v{revision}"
                + (" (unsaved)" if host.has_unsaved_changes() else ""),
                f"{row['style_code']} v{row['revision']}",
            )
            dialog = CompareDialog(mine, theirs, host.loaded.book, host.window(), names)
        except CostingError as exc:
            host.message.setText(f"Cannot compare: {exc}")
            return
        dialog.show()
        self.compare_dialog = dialog
        self.compared.emit(dialog)
