"""The dialog that searches the material master for a fabric or a trim.

Its own module because the editor opens it for both the fabric and the trims, and it is a
window of its own with nothing of the cost sheet in it. The search and the reading of the
materials found run on a worker, so typing never waits on them; the materials listed stay
until the answer to the newest text arrives, and an answer to older text is dropped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ops import Newest, OpContext, OpRunner
from workbench.replica import queries
from workbench.search import SearchRequest
from workbench.workspace import Workspace

#: materials listed at most: a search is narrowed by typing more, not by scrolling
LIMIT = 60


def listed_text(count: int, material_type: str) -> str:
    """What the line under the list says of ``count`` materials listed."""
    if count == 0:
        return "Nothing matches this search"
    if count >= LIMIT:
        return f"The first {LIMIT} {material_type}s found: type more to narrow them"
    return f"{count} {material_type}{'' if count == 1 else 's'} found"


class MaterialPicker(QDialog):
    """Search the material master for a fabric or a trim. ``ops``: the runner for the
    searches; without one the picker keeps its own."""

    #: the answer to the newest text is listed
    shown = Signal()

    def __init__(
        self,
        workspace: Workspace,
        material_type: str,
        parent: QWidget | None,
        ops: OpRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Choose a {material_type}")
        self.resize(640, 460)
        self.workspace, self.material_type = workspace, material_type
        self.ops = ops if ops is not None else OpRunner(self)
        #: which search is the newest, and whether its answer is listed
        self.newest = Newest()
        self.box = QLineEdit()
        self.box.setPlaceholderText(f"Search {material_type}s: name, code, composition…")
        self.box.textChanged.connect(self.search)
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        self.status = QLabel()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.results)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.search("")

    @property
    def pending(self) -> bool:
        """Whether the newest text's answer is still to come."""
        return self.newest.pending

    def search(self, text: str) -> None:
        """Search for ``text`` on a worker; the list shows the answer when it comes."""
        asked, search, replica = self.newest.ask(), self.workspace.search, self.workspace.replica
        request = SearchRequest(
            text=text, material_types=frozenset({self.material_type}), limit=LIMIT
        )

        def find(_ctx: OpContext) -> list[dict[str, Any]]:
            return queries.materials_by_ids(replica.conn, list(search.search(request).ids))

        def failed(exc: BaseException) -> None:
            if self.newest.take(asked):
                self.status.setText(f"The search failed: {exc}")

        self.status.setText("Searching…")
        self.ops.run(
            find,
            success=lambda rows: self._show(asked, rows),
            failure=failed,
            label=f"Searching {self.material_type}s",
            background=True,
        )

    def _show(self, asked: int, rows: list[dict[str, Any]]) -> None:
        """List the materials found for search number ``asked`` unless a newer search was
        asked for since; the first is current."""
        if not self.newest.take(asked):
            return
        self.results.clear()
        for row in rows:
            item = QListWidgetItem(f"{row['code']}   {row['name']}")
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        self.status.setText(listed_text(len(rows), self.material_type))
        self.shown.emit()

    @property
    def chosen(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))
