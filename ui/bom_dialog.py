"""Confirming a style's bill of materials (CLO 3D or PLM export) against the material master:
lines that carry one of our codes are matched; for the others the closest names are offered,
the best preselected, and the merchandiser confirms, picks another or leaves the line out.

Matching and reading the materials offered run on a worker, so confirming reads nothing from
the replica on the UI thread."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ops import OpContext, OpRunner
from ui.table_cells import cell_combo
from ui.wheel_guard import guard_wheel
from workbench.ingest.bom import BomMatch, match_bom
from workbench.replica import queries
from workbench.workspace import Workspace

LEAVE_OUT = "— leave out —"
STATUS_TEXT = {"matched": "matched by code", "confirm": "confirm", "unmatched": "no match"}
STATUS_COLOUR = {"matched": "#e3f4e6", "confirm": "#fff1c7", "unmatched": "#fde2e1"}


@dataclass(frozen=True)
class ChosenLine:
    material_id: str
    material_type: str
    name: str
    quantity: Decimal | None
    uom: str


class BomDialog(QDialog):
    #: the file was read and matched: the BomMatch
    matched = Signal(object)

    def __init__(
        self, workspace: Workspace, ops: OpRunner, path: Path, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Bill of materials — {path.name}")
        self.resize(1000, 560)
        self.workspace = workspace
        #: the file's lines and their matches, once read
        self.match: BomMatch | None = None
        #: the kind (fabric, trim…) of each material offered, read with the match
        self.material_types: dict[str, str] = {}
        self.summary = QLabel(f"Reading {path.name}…")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["BOM line", "Placement", "Quantity", "Match", "Material"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.problems = QListWidget()
        self.problems.setMaximumHeight(90)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Use these materials")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.problems)
        layout.addWidget(buttons)

        replica, search = workspace.replica, workspace.search

        def work(_ctx: OpContext) -> tuple[BomMatch, dict[str, str]]:
            found = match_bom(path, replica.conn, search)
            offered = list(
                dict.fromkeys(c.material_id for line in found.lines for c in line.candidates)
            )
            rows = queries.materials_by_ids(replica.conn, offered)
            return found, {row["id"]: str(row["material_type"]) for row in rows}

        def failed(exc: BaseException) -> None:
            self.summary.setText(f"{path.name}: {exc}")

        ops.run(work, success=self._show, failure=failed, label=f"Matching {path.name}")

    def _show(self, answer: tuple[BomMatch, dict[str, str]]) -> None:
        result, self.material_types = answer
        self.match = result
        counts = result.counts()
        self.summary.setText(
            f"{len(result.lines)} lines: {counts['matched']} matched by code, "
            f"{counts['confirm']} to confirm, {counts['unmatched']} without a match"
            + (f"; {len(result.problems)} problem(s) below" if result.problems else "")
        )
        self.table.setRowCount(len(result.lines))
        for r, line in enumerate(result.lines):
            quantity = line.values.get("quantity")
            cells = (
                line.name,
                str(line.values.get("placement") or ""),
                f"{quantity or ''} {line.values.get('uom') or ''}".strip(),
                STATUS_TEXT[line.status],
            )
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                item.setBackground(QBrush(QColor(STATUS_COLOUR[line.status])))
                self.table.setItem(r, c, item)
            box = QComboBox()
            # The box fits the column and cuts a long name short; its list and its tooltip
            # show the whole name (a box as wide as its longest name pushed the column out of
            # view).
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            box.setMinimumContentsLength(24)
            box.currentTextChanged.connect(box.setToolTip)
            for candidate in line.candidates:
                box.addItem(f"{candidate.code}  {candidate.name}", candidate.material_id)
            box.addItem(LEAVE_OUT, "")
            box.setToolTip(box.currentText())
            guard_wheel(box)  # scrolling the lines past it never changes a match
            self.table.setCellWidget(r, 4, box)
        for column in range(4):  # the material's column takes the rest of the width
            self.table.resizeColumnToContents(column)
        for problem in result.problems:
            self.problems.addItem(str(problem))
        self.problems.setVisible(bool(result.problems))
        self.matched.emit(result)

    def choose(self, row: int, material_id: str) -> None:
        box = cell_combo(self.table, row, 4)
        box.setCurrentIndex(box.findData(material_id))

    def chosen(self) -> list[ChosenLine]:
        """The lines kept, with the material each was confirmed as."""
        if self.match is None:
            return []
        kept = []
        for r, line in enumerate(self.match.lines):
            material_id = str(cell_combo(self.table, r, 4).currentData() or "")
            material_type = self.material_types.get(material_id)
            if material_type is None:  # left out, or no longer in the replica
                continue
            kept.append(
                ChosenLine(
                    material_id,
                    material_type,
                    line.name,
                    line.quantity,
                    str(line.values.get("uom") or ""),
                )
            )
        return kept
