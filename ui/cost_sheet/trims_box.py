"""The cost sheet form's Trims and packing box: the trims on the sheet, each with its quantity
per piece (typed in the table), and the buttons that add one, take a BOM's or remove one.

Apart from the rest of the form because the trims are a list the window adds to as lookups
answer (`ui.cost_sheet.material_choices`), not a field; a quantity typed that cannot be read
is said (`invalid`) and the trim keeps the quantity it had.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.cost_sheet.amounts import locale_format, write_number
from ui.cost_sheet.lookups import TrimEntry
from workbench.costing import TrimLine
from workbench.costing.limits import check_plausible
from workbench.numbers import NumberError, read_number


class TrimsBox(QGroupBox):
    """The trims table and its buttons; `trims` is the list it shows."""

    #: a trim quantity typed cannot be read: what is wrong with it
    invalid = Signal(str)

    def __init__(self, changed: Callable[[], None]) -> None:
        """``changed``: told of every change to the trims (the form decides whether it was
        the user's)."""
        super().__init__("Trims and packing")
        self._changed = changed
        self.trims: list[TrimEntry] = []  # id, label, qty, packing
        tl = QVBoxLayout(self)
        self.trim_table = QTableWidget(0, 3)
        self.trim_table.setHorizontalHeaderLabels(["Trim", "Qty / pc", "Packing"])
        self.trim_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.trim_table.verticalHeader().setVisible(False)
        self.trim_table.setMinimumHeight(120)
        self.trim_table.itemChanged.connect(self._on_trim_edited)
        #: "Add trim…" and "From a BOM file…": the window opens the picker or the BOM
        self.add_trim_button = QPushButton("Add trim…")
        self.bom_button = QPushButton("From a BOM file…")
        self.bom_button.setToolTip(
            "Take the fabric and trims from a CLO 3D or PLM bill of materials"
        )
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_trim)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_trim_button)
        buttons.addWidget(self.bom_button)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        tl.addWidget(self.trim_table)
        tl.addLayout(buttons)

    def lines(self) -> tuple[TrimLine, ...]:
        """The trims as the sheet's style holds them."""
        return tuple(
            TrimLine(i, label.split(":")[0], qty, packing) for i, label, qty, packing in self.trims
        )

    def add_trims(self, entries: list[TrimEntry]) -> None:
        """Add the trims looked up (`ui.cost_sheet.lookups.trim_entry`), in order."""
        if not entries:
            return
        self.trims.extend(entries)
        self.show_trims()
        self._changed()

    def remove_trim(self) -> None:
        row = self.trim_table.currentRow()
        if 0 <= row < len(self.trims):
            del self.trims[row]
            self.show_trims()
            self._changed()

    def show_trims(self) -> None:
        """Show `trims` in the table, quietly."""
        self.trim_table.blockSignals(True)
        self.trim_table.setRowCount(len(self.trims))
        for r, (_id, label, qty, packing) in enumerate(self.trims):
            name = QTableWidgetItem(label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 0, name)
            self.trim_table.setItem(r, 1, QTableWidgetItem(write_number(qty)))
            flag = QTableWidgetItem("packing" if packing else "")
            flag.setFlags(flag.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 2, flag)
        self.trim_table.blockSignals(False)

    def _on_trim_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and item.row() < len(self.trims):
            material_id, label, _qty, packing = self.trims[item.row()]
            try:
                qty = read_number(item.text(), locale_format())
            except NumberError as exc:
                self.invalid.emit(f"Quantity of {label}: {exc}")
                return
            odd = check_plausible("trim_quantity", qty)
            if odd is not None and odd.refused:
                self.invalid.emit(f"Quantity of {label}: {odd.message}")
                return
            self.trims[item.row()] = (material_id, label, qty, packing)
            self._changed()
