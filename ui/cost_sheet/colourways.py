"""The cost sheet's colourways: a table of the order's colours, each with its pieces, its
dyeing and its print, for the sheet to cost one by one (`workbench.costing.colourways`).

Why a table with blanks: a colourway states only what differs from the style, so an empty
dye class or "as the style" print means the style's own. Embroidery and trim differences a
saved sheet holds are kept with their colourway (by name) and listed, not dropped, since this
table does not edit them.
"""

from __future__ import annotations

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

from workbench.costing.colourways import AS_STYLE, AsStyle, Colourway
from workbench.costing.errors import CostingError
from workbench.costing.inputs import PrintSpec

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


def _others(colourway: Colourway) -> str:
    parts = []
    if colourway.embroidery is not AS_STYLE:
        parts.append(
            "no embroidery"
            if not colourway.embroidery
            else ", ".join(f"embroidery {e.stitches:,} st" for e in colourway.embroidery)
        )
    parts.extend(f"{t.name} ({t.material_id})" for t in colourway.trims)
    return "; ".join(parts)


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
        self.table.setToolTip(
            "Empty dye class and shade: the style's dyeing. Print: a technique, "
            f"'{NO_PRINT}' or '{AS_THE_STYLE}'. The pieces add up to the order's quantity."
        )
        self.table.itemChanged.connect(lambda _item: self._edited())
        layout.addWidget(self.table)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add colourway")
        self.remove_button = QPushButton("Remove")
        self.add_button.clicked.connect(self.add_row)
        self.remove_button.clicked.connect(self.remove_row)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        #: the colourways as loaded, for the differences the table does not edit
        self._loaded: dict[str, Colourway] = {}
        self._filling = False

    def _edited(self) -> None:
        if not self._filling:
            self.edited.emit()

    def _set_row(self, row: int, cells: tuple[str, ...]) -> None:
        """``cells``: the columns' texts, then the name the colourway was saved under (its
        embroidery and trims are kept by that name, so renaming it keeps them)."""
        texts, origin = cells[: len(HEADERS)], (cells[len(HEADERS) :] or ("",))[0]
        for column, text in enumerate(texts):
            item = QTableWidgetItem(text)
            if column == len(HEADERS) - 1:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
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
                    _others(c),
                    c.name,
                )
                for c in colourways
            )
        )

    def cells(self) -> tuple[tuple[str, ...], ...]:
        """The table's text as shown, row by row: the form state undo and drafts keep."""
        return tuple(
            (
                *(
                    self.table.item(row, c).text() if self.table.item(row, c) else ""
                    for c in range(len(HEADERS))
                ),
                self._origin(row),
            )
            for row in range(self.table.rowCount())
        )

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
        self._set_row(row, (f"Colour {row + 1}", "0", "", "", AS_THE_STYLE, ""))
        self._filling = False
        self.table.setCurrentCell(row, 0)
        self.table.editItem(self.table.item(row, 0))
        self.edited.emit()

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.edited.emit()

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
            try:
                colourways.append(
                    Colourway(
                        name=name,
                        pieces=int(pieces),
                        dye_class=dye_class or None,
                        shade_depth=shade or None,
                        printing=_read_print(printing, loaded),
                        embroidery=loaded.embroidery if loaded else AS_STYLE,
                        trims=loaded.trims if loaded else (),
                    )
                )
            except CostingError as exc:
                raise CostingError(f"{where}: {exc}") from None
        return tuple(colourways)
