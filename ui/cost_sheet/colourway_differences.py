"""The small editor a colourway's "Also differs" cell opens: its embroidery (the style's, none,
or its own) and its trims, each replacing the style's trim of the same name or added to them.

Why a dialog and not more columns: a colourway can carry several embroideries and several
trims, each with three or four fields; columns for all of them would not fit the sheet beside
the form, and most colourways differ in none. The differences travel as one compact JSON text
(`Differences.text`) so the colourways table keeps them in its cells, and undo, redo, drafts
and unsaved marking treat them like any other cell.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import locale_format, write_number
from ui.cost_sheet.material_picker import MaterialPicker
from ui.table_cells import cell_item
from ui.wheel_guard import guard_wheel
from workbench.costing.colourways import AS_STYLE, AsStyle
from workbench.costing.errors import CostingError
from workbench.costing.inputs import Embroidery, TrimLine
from workbench.numbers import NumberError, read_number
from workbench.workspace import Workspace

#: the embroidery choices, in the order the box offers them
AS_THE_STYLE, NONE, ITS_OWN = "as the style", "none", "its own"
EMBROIDERY_HEADERS = ("Stitches", "Rate", "Placement")
TRIM_HEADERS = ("Trim", "Material", "Qty / pc", "Packing")


@dataclass(frozen=True)
class Differences:
    """A colourway's embroidery (`AS_STYLE`, ``()`` for none, or its own) and its trims."""

    embroidery: tuple[Embroidery, ...] | AsStyle = AS_STYLE
    trims: tuple[TrimLine, ...] = ()

    @property
    def text(self) -> str:
        """The differences as compact JSON text: what the table's cell keeps."""
        return json.dumps(
            {
                "embroidery": None
                if self.embroidery is AS_STYLE
                else [[e.stitches, e.rate_code, e.label] for e in self.embroidery],
                "trims": [[t.material_id, t.name, str(t.quantity), t.packing] for t in self.trims],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_text(cls, text: str) -> Differences:
        """`text` read back; an empty text is the style's embroidery and no trims."""
        if not text:
            return cls()
        data = json.loads(text)
        embroidery = data.get("embroidery")
        return cls(
            AS_STYLE
            if embroidery is None
            else tuple(Embroidery(int(s), str(r), str(label)) for s, r, label in embroidery),
            tuple(
                TrimLine(str(m), str(n), Decimal(q), bool(p))
                for m, n, q, p in data.get("trims", ())
            ),
        )

    def summary(self) -> str:
        """What the cell shows: "embroidery 6,000 st; hang tag ×2"; empty: nothing."""
        parts = []
        if self.embroidery is not AS_STYLE:
            parts.append(
                "no embroidery"
                if not self.embroidery
                else ", ".join(f"embroidery {e.stitches:,} st" for e in self.embroidery)
            )
        parts.extend(f"{t.name} ×{write_number(t.quantity)}" for t in self.trims)
        return "; ".join(parts)


def _cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    return item.text().strip() if item else ""


class DifferencesDialog(QDialog):
    """Edit one colourway's embroidery and trims; `differences` holds them once accepted."""

    def __init__(
        self,
        colourway: str,
        differences: Differences,
        style_trims: Sequence[TrimLine],
        rates: Sequence[str],
        parent: QWidget | None = None,
        workspace: Workspace | None = None,
    ) -> None:
        """``workspace``: where "Choose material…" searches the trims (without one, a trim's
        material is typed as its id)."""
        super().__init__(parent)
        self.workspace = workspace
        #: the material search while it is open
        self.picker: MaterialPicker | None = None
        self.setWindowTitle(f"{colourway}: embroidery and trims")
        self.differences = differences
        self._rates = list(rates)
        layout = QVBoxLayout(self)

        stitching = QGroupBox("Embroidery")
        el = QVBoxLayout(stitching)
        self.embroidery_mode = QComboBox()
        self.embroidery_mode.addItems([AS_THE_STYLE, NONE, ITS_OWN])
        self.embroidery_mode.currentTextChanged.connect(self._mode_changed)
        el.addWidget(self.embroidery_mode)
        self.embroidery_table = self._table(EMBROIDERY_HEADERS)
        el.addWidget(self.embroidery_table)
        self.add_embroidery = QPushButton("Add embroidery")
        self.add_embroidery.clicked.connect(
            lambda: self._add_row(
                self.embroidery_table, ("", self._rates[0] if self._rates else "EMB-FLAT", "")
            )
        )
        el.addLayout(self._buttons(self.embroidery_table, self.add_embroidery))
        layout.addWidget(stitching)

        trimming = QGroupBox("Trims")
        tl = QVBoxLayout(trimming)
        names = ", ".join(dict.fromkeys(t.name for t in style_trims)) or "none"
        hint = QLabel(
            f"A trim named as one of the style's replaces it; another is added. "
            f"The style's trims: {names}."
        )
        hint.setWordWrap(True)
        tl.addWidget(hint)
        self.trim_table = self._table(TRIM_HEADERS)
        self.trim_table.setToolTip(
            "Trim: the name the breakdown uses. Material: the trim material (Choose material…, "
            "or its id typed), priced by its trim rate. Qty / pc: pieces or metres per "
            "garment. Packing: yes for packing items."
        )
        tl.addWidget(self.trim_table)
        self.add_trim = QPushButton("Add trim")
        self.add_trim.clicked.connect(lambda: self._add_row(self.trim_table, ("", "", "1", "no")))
        trim_buttons = self._buttons(self.trim_table, self.add_trim)
        self.choose_material = QPushButton("Choose material…")
        self.choose_material.setToolTip("Search the trims for the chosen row's material")
        self.choose_material.setEnabled(workspace is not None)
        self.choose_material.clicked.connect(self.pick_material)
        trim_buttons.insertWidget(2, self.choose_material)
        tl.addLayout(trim_buttons)
        layout.addWidget(trimming)

        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        layout.addWidget(self.button_box)
        guard_wheel(self)
        self._show(differences)
        self.resize(560, 440)

    @staticmethod
    def _table(headers: Sequence[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(list(headers))
        table.verticalHeader().setVisible(False)
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        table.setMinimumHeight(90)
        return table

    def _buttons(self, table: QTableWidget, add: QPushButton) -> QHBoxLayout:
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: table.removeRow(table.currentRow()))
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        return row

    @staticmethod
    def _add_row(table: QTableWidget, texts: Sequence[str]) -> None:
        row = table.rowCount()
        table.insertRow(row)
        for column, text in enumerate(texts):
            table.setItem(row, column, QTableWidgetItem(text))
        table.setCurrentCell(row, 0)
        table.editItem(cell_item(table, row, 0))

    def _show(self, differences: Differences) -> None:
        if differences.embroidery is AS_STYLE:
            mode = AS_THE_STYLE
        else:
            mode = ITS_OWN if differences.embroidery else NONE
            for e in differences.embroidery:
                self._add_row(self.embroidery_table, (f"{e.stitches}", e.rate_code, e.label))
        self.embroidery_mode.setCurrentText(mode)
        self._mode_changed(mode)
        for t in differences.trims:
            packing = "yes" if t.packing else "no"
            self._add_row(
                self.trim_table, (t.name, t.material_id, write_number(t.quantity), packing)
            )

    def pick_material(self) -> None:
        """Search the trims for the current trim row's material (a new row when there is
        none); the one chosen fills the row, its code and name shown, its id kept."""
        if self.workspace is None:
            return
        if self.trim_table.currentRow() < 0:
            self._add_row(self.trim_table, ("", "", "1", "no"))
        row = self.trim_table.currentRow()
        picker = MaterialPicker(self.workspace, "trim", self)
        self.picker = picker

        def chosen() -> None:
            item = picker.results.currentItem()
            if picker.chosen is None or item is None:
                return
            cell = QTableWidgetItem(" ".join(item.text().split()))
            cell.setData(Qt.ItemDataRole.UserRole, picker.chosen)
            self.trim_table.setItem(row, 1, cell)

        picker.accepted.connect(chosen)
        picker.finished.connect(lambda _result: setattr(self, "picker", None))
        picker.open()

    def _mode_changed(self, mode: str) -> None:
        own = mode == ITS_OWN
        self.embroidery_table.setEnabled(own)
        self.add_embroidery.setEnabled(own)
        if own and not self.embroidery_table.rowCount():
            self.add_embroidery.click()

    def read(self) -> Differences:
        """The differences as the dialog shows them; a `CostingError` names the row and field
        that cannot be read."""
        mode = self.embroidery_mode.currentText()
        embroidery: tuple[Embroidery, ...] | AsStyle = AS_STYLE
        if mode != AS_THE_STYLE:
            stitched = []
            for row in range(self.embroidery_table.rowCount() if mode == ITS_OWN else 0):
                stitches, rate, label = (_cell(self.embroidery_table, row, c) for c in range(3))
                where = f"embroidery row {row + 1}"
                try:
                    count = int(read_number(stitches, locale_format(), whole=True))
                except NumberError as exc:
                    raise CostingError(f"{where}: stitches: {exc}") from None
                if count < 1:
                    raise CostingError(f"{where}: stitches must be at least 1, not {count}")
                if not rate:
                    raise CostingError(f"{where}: name the embroidery rate")
                stitched.append(Embroidery(count, rate, label))
            embroidery = tuple(stitched)
        trims = []
        for row in range(self.trim_table.rowCount()):
            name, material, quantity, packing = (_cell(self.trim_table, row, c) for c in range(4))
            chosen = self.trim_table.item(row, 1)
            picked = chosen.data(Qt.ItemDataRole.UserRole) if chosen else None
            material = picked if isinstance(picked, str) and picked else material
            where = f"trim row {row + 1} ({name or 'no name'})"
            if not name:
                raise CostingError(f"{where}: name the trim")
            if not material:
                raise CostingError(f"{where}: give the trim's material")
            try:
                amount = read_number(quantity, locale_format())
            except NumberError as exc:
                raise CostingError(f"{where}: qty / pc: {exc}") from None
            if packing.casefold() not in ("yes", "no", ""):
                raise CostingError(f"{where}: packing is yes or no, not {packing!r}")
            try:
                trims.append(TrimLine(material, name, amount, packing.casefold() == "yes"))
            except CostingError as exc:
                raise CostingError(f"{where}: {exc}") from None
        names = [t.name for t in trims]
        if len(set(names)) != len(names):
            twice = next(n for n in names if names.count(n) > 1)
            raise CostingError(f"trim {twice!r} is listed twice")
        return Differences(embroidery, tuple(trims))

    def accept(self) -> None:
        """Close only with differences that can be read; otherwise say why beside the
        buttons and keep what was typed."""
        try:
            self.differences = self.read()
        except CostingError as exc:
            self.error.setText(str(exc))
            return
        super().accept()
