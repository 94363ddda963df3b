"""The cost sheet's colourways: a table of the order's colours, each with its pieces, its
dyeing and its print, for the sheet to cost one by one (`workbench.costing.colourways`).

Why a table with blanks: a colourway states only what differs from the style, so an empty
dye class or "as the style" print means the style's own. Its embroidery and trims are edited in
a small dialog the "Also differs" cell opens (double-click or Enter, or "Embroidery and
trims…"), and kept in that cell as text so undo, redo and drafts keep them like any cell.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.colourway_differences import Differences, DifferencesDialog
from ui.table_cells import cell_item
from workbench.costing.colourways import AS_STYLE, AsStyle, Colourway
from workbench.costing.errors import CostingError
from workbench.costing.inputs import PrintSpec, TrimLine
from workbench.workspace import Workspace

HEADERS = ("Colourway", "Pieces", "Dye class", "Shade", "Print", "Also differs")
AS_THE_STYLE = "as the style"
NO_PRINT = "none"


def _print_text(printing: PrintSpec | object | None) -> str:
    if printing is AS_STYLE:
        return AS_THE_STYLE
    if printing is None:
        return NO_PRINT
    assert isinstance(printing, PrintSpec)
    return printing.technique


def _hint(summary: str) -> str:
    """The "Also differs" cell's tooltip: what it holds in full, and how to edit it."""
    how = "Double-click (or Enter) to edit this colourway's embroidery and trims"
    return f"{summary}\n{how}" if summary else how


def _read_print(text: str, loaded: Colourway | None) -> PrintSpec | AsStyle | None:
    """The print cell: the style's, none, or a technique (its placements kept as loaded)."""
    if text.casefold() in ("", AS_THE_STYLE):
        return AS_STYLE
    if text.casefold() == NO_PRINT:
        return None
    if loaded and isinstance(loaded.printing, PrintSpec) and loaded.printing.technique == text:
        return loaded.printing
    return PrintSpec(text)


class ColourwaysBox(QGroupBox):
    """The colourways table with Add and Remove; ``edited`` when a cell or row changes."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Colourways (empty: one colour, the style's)", parent)
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, len(HEADERS))
        self.table.setHorizontalHeaderLabels(list(HEADERS))
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setMinimumHeight(110)
        # one line a colourway: a long "Also differs" is elided, whole in its tooltip
        self.table.setWordWrap(False)
        self.table.setToolTip(
            "Empty dye class and shade: the style's dyeing. Print: a technique, "
            f"'{NO_PRINT}' or '{AS_THE_STYLE}'. The pieces add up to the order's quantity."
        )
        self.table.itemChanged.connect(lambda _item: self._edited())
        # a double-click, or Enter on the cell (activation): whichever the style sends
        self.table.cellActivated.connect(self._activated)
        self.table.cellDoubleClicked.connect(self._activated)
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add colourway")
        self.remove_button = QPushButton("Remove")
        self.differences_button = QPushButton("Embroidery and trims…")
        self.differences_button.setToolTip(
            "The chosen colourway's own embroidery and trims (also: double-click its "
            "'Also differs' cell)"
        )
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        self.differences_button.clicked.connect(lambda: self.edit_differences())
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addWidget(self.differences_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        #: the colourways as loaded: a print's placements, and the embroidery and trims of
        #: a draft kept before they were cells
        self._loaded: dict[str, Colourway] = {}
        self._filling = False
        #: the embroidery rates the sheet offers, and the style's trims as the form shows them
        #: (set by the form), for the differences dialog
        self.embroidery_rates: Sequence[str] = ()
        self.style_trims: Callable[[], Sequence[TrimLine]] = tuple
        #: where the differences dialog searches trims (set by the form)
        self.workspace: Workspace | None = None
        #: the differences dialog while it is open
        self.dialog: DifferencesDialog | None = None

    def _edited(self) -> None:
        if not self._filling:
            self.edited.emit()

    def _set_row(self, row: int, cells: tuple[str, ...]) -> None:
        """``cells``: the columns' texts, the name the colourway was saved under, then its
        embroidery and trims (`Differences.text`; absent from a draft kept before they were
        cells, which then keeps the loaded colourway's by that name)."""
        texts = cells[: len(HEADERS)]
        origin, differences = (*cells[len(HEADERS) :], "", "")[:2]
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if column == len(HEADERS) - 1:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setData(Qt.ItemDataRole.UserRole, differences)
                item.setToolTip(_hint(text))
            if column == 1:
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if column == 0:
                item.setData(Qt.ItemDataRole.UserRole, origin)
            self.table.setItem(row, column, item)

    def show_colourways(self, colourways: tuple[Colourway, ...]) -> None:
        """A saved sheet's colourways (what they differ in beyond the table kept by name)."""
        self._loaded = {c.name: c for c in colourways}
        self.show_cells(
            tuple(
                (
                    c.name,
                    str(c.pieces),
                    c.dye_class or "",
                    c.shade_depth or "",
                    _print_text(c.printing),
                    Differences(c.embroidery, c.trims).summary(),
                    c.name,
                    Differences(c.embroidery, c.trims).text,
                )
                for c in colourways
            )
        )

    def cells(self) -> tuple[tuple[str, ...], ...]:
        """The table's text as shown, row by row: the form state undo and drafts keep."""
        return tuple(
            (
                *(
                    item.text() if (item := self.table.item(row, c)) else ""
                    for c in range(len(HEADERS))
                ),
                self._origin(row),
                self._differences_text(row),
            )
            for row in range(self.table.rowCount())
        )

    def _differences_text(self, row: int) -> str:
        item = self.table.item(row, len(HEADERS) - 1)
        text = item.data(Qt.ItemDataRole.UserRole) if item else None
        return text if isinstance(text, str) else ""

    def _origin(self, row: int) -> str:
        item = self.table.item(row, 0)
        origin = item.data(Qt.ItemDataRole.UserRole) if item else None
        return origin if isinstance(origin, str) else ""

    def show_cells(self, cells: tuple[tuple[str, ...], ...]) -> None:
        """Show ``cells`` (from `cells`) quietly."""
        self._filling = True
        self.table.setRowCount(len(cells))
        for row, texts in enumerate(cells):
            self._set_row(row, tuple(texts))
        self._filling = False

    def add_row(self) -> None:
        row = self.table.rowCount()
        self._filling = True
        self.table.insertRow(row)
        self._set_row(
            row, (f"Colour {row + 1}", "0", "", "", AS_THE_STYLE, "", "", Differences().text)
        )
        self._filling = False
        self.table.setCurrentCell(row, 0)
        self.table.editItem(cell_item(self.table, row, 0))
        self.edited.emit()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit()

    def _activated(self, row: int, column: int) -> None:
        if column == len(HEADERS) - 1:
            self.edit_differences(row)

    def edit_differences(self, row: int | None = None) -> None:
        """Open the embroidery and trims of the colourway in ``row`` (the current one when
        None) in their dialog; what it accepts replaces them as one edit."""
        row = self.table.currentRow() if row is None else row
        if self.dialog is not None or not 0 <= row < self.table.rowCount():
            return
        texts = self.cells()[row]
        current = self._row_differences(texts)
        name = texts[0].strip() or f"Colourway {row + 1}"
        dialog = DifferencesDialog(
            name, current, self.style_trims(), self.embroidery_rates, self.window(), self.workspace
        )
        self.dialog = dialog

        def accepted() -> None:
            item = self.table.item(row, len(HEADERS) - 1)
            if item is None or dialog.differences == current:
                return
            self._filling = True
            item.setData(Qt.ItemDataRole.UserRole, dialog.differences.text)
            item.setText(dialog.differences.summary())
            item.setToolTip(_hint(dialog.differences.summary()))
            self._filling = False
            self.edited.emit()

        dialog.accepted.connect(accepted)
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        dialog.open()

    def _row_differences(self, texts: tuple[str, ...]) -> Differences:
        """A row's embroidery and trims: its cell's, or (a draft kept before they were cells)
        the loaded colourway's of the row's saved name."""
        origin, text = (*texts[len(HEADERS) :], "", "")[:2]
        if text:
            return Differences.from_text(text)
        loaded = self._loaded.get(origin)
        return Differences(loaded.embroidery, loaded.trims) if loaded else Differences()

    def read(self) -> tuple[Colourway, ...]:
        """The colourways as the table shows them; a `CostingError` names the row and field
        that cannot be read."""
        colourways = []
        for row, texts in enumerate(self.cells()):
            name, pieces, dye_class, shade, printing = (t.strip() for t in texts[:5])
            origin = texts[len(HEADERS)]
            where = f"colourway row {row + 1} ({name or 'no name'})"
            if not pieces.isdigit():
                raise CostingError(f"{where}: pieces must be a whole number, not {pieces!r}")
            loaded = self._loaded.get(origin)
            differences = self._row_differences(texts)
            try:
                colourways.append(
                    Colourway(
                        name=name,
                        pieces=int(pieces),
                        dye_class=dye_class or None,
                        shade_depth=shade or None,
                        printing=_read_print(printing, loaded),
                        embroidery=differences.embroidery,
                        trims=differences.trims,
                    )
                )
            except CostingError as exc:
                raise CostingError(f"{where}: {exc}") from None
        return tuple(colourways)
