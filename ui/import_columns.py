"""The Import dialog's columns table: each of the kind's fields, whether it is required, and
the column of the file it is read from, chosen in a box the admin can change.

The boxes start on the columns the file's heading row names; a box the admin changes asks for
the file to be checked again (`changed`), a box filled by the table itself does not.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QTableWidget, QTableWidgetItem, QWidget

from ui.table_cells import cell_combo, cell_item
from ui.wheel_guard import guard_wheel
from workbench.ingest import RawTable
from workbench.ingest.layout import find_header
from workbench.ingest.mapping import Mapping

NOT_IMPORTED = "— not imported —"

#: fields whose words a capitalised name gets wrong: abbreviations and units
FIELD_WORDS = {
    "gsm": "GSM",
    "width_cm": "Width (cm)",
    "uom": "Unit",
    "sam": "SAM",
    "gross_weight_kg": "Gross weight (kg)",
    "net_weight_kg": "Net weight (kg)",
}


class ColumnsTable(QTableWidget):
    #: the admin chose another column for a field
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(["Field", "Required", "Column in the file"])
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self._filling = False

    def fill(self, raw: RawTable, mapping: Mapping) -> None:
        """One row per field of ``mapping``, its box on the column ``raw``'s heading names."""
        header, found = find_header(raw, mapping)
        headings = [h for h in (raw.rows[header] if header >= 0 else ()) if h.strip()]
        self._filling = True
        self.setRowCount(len(mapping.fields))
        for row, rule in enumerate(mapping.fields):
            label = read_only_item(field_label(rule.name))
            label.setData(Qt.ItemDataRole.UserRole, rule.name)
            self.setItem(row, 0, label)
            self.setItem(row, 1, read_only_item("required" if rule.required else ""))
            box = QComboBox()
            box.addItem(NOT_IMPORTED, "")
            for heading in headings:
                box.addItem(heading, heading)
            if rule.name in found:
                box.setCurrentIndex(box.findData(raw.rows[header][found[rule.name]]))
            box.currentIndexChanged.connect(self._on_column_changed)
            guard_wheel(box)  # scrolling the fields past it never changes a column
            self.setCellWidget(row, 2, box)
        self._filling = False
        self.resizeColumnToContents(0)
        self.resizeColumnToContents(1)

    def chosen(self) -> dict[str, str]:
        """Field -> the file's heading, as the admin left the choices."""
        chosen = {}
        for row in range(self.rowCount()):
            field = str(cell_item(self, row, 0).data(Qt.ItemDataRole.UserRole))
            chosen[field] = str(cell_combo(self, row, 2).currentData())
        return chosen

    def set_column(self, field: str, heading: str) -> None:
        for row in range(self.rowCount()):
            if cell_item(self, row, 0).data(Qt.ItemDataRole.UserRole) == field:
                box = cell_combo(self, row, 2)
                box.setCurrentIndex(box.findData(heading))
                return
        raise KeyError(field)

    def _on_column_changed(self) -> None:
        if not self._filling:
            self.changed.emit()


def field_label(name: str) -> str:
    """``material_id`` -> "Material", ``minutes_booked`` -> "Minutes booked", ``gsm`` -> "GSM"."""
    if name in FIELD_WORDS:
        return FIELD_WORDS[name]
    return name.removesuffix("_id").replace("_", " ").capitalize()


def read_only_item(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    return item
