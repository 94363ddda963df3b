"""The dialog that searches the material master for a fabric or a trim.

Its own module because the editor opens it for both the fabric and the trims, and it is a
window of its own with nothing of the cost sheet in it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from workbench.replica import queries
from workbench.search import SearchRequest
from workbench.workspace import Workspace


class MaterialPicker(QDialog):
    """Search the material master for a fabric or a trim."""

    def __init__(self, workspace: Workspace, material_type: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Choose a {material_type}")
        self.resize(640, 460)
        self.workspace, self.material_type = workspace, material_type
        self.box = QLineEdit()
        self.box.setPlaceholderText(f"Search {material_type}s: name, code, composition…")
        self.box.textChanged.connect(self.search)
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.results)
        layout.addWidget(buttons)
        self.search("")

    def search(self, text: str) -> None:
        found = self.workspace.search.search(
            SearchRequest(text=text, material_types=frozenset({self.material_type}), limit=60)
        )
        self.results.clear()
        for row in queries.materials_by_ids(self.workspace.replica.conn, list(found.ids)):
            item = QListWidgetItem(f"{row['code']}   {row['name']}")
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    @property
    def chosen(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
