"""The Import dialog (admins): drop a file in, see what it holds and how its columns map,
every problem at once, then import it on the server: all rows or, if asked, the valid ones.

Reading and checking run on a worker against the laptop's replica (so a 200,000-row file
never freezes the window); the server checks again and writes in one transaction, and the
change feed brings the rows back to every laptop. The dialog shows how far its own work is
(the columns checked, the bytes sent) and Cancel stops it, until the whole file is on the
server: from then on the server's one transaction decides, and nothing half-written can stay.

The file's decimal mark is decided from its numbers unless the admin says it (an SAP user's
decimal notation); the same choice goes to the local check and to the server.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.file_dialogs import ask_open_path
from ui.import_columns import ColumnsTable
from ui.import_preview import show_preview, show_problems
from ui.import_progress import WorkRow
from ui.ops import OpContext, OpRunner
from ui.table_export import install_export
from ui.wheel_guard import guard_wheel
from workbench.ingest import Problem, RawTable, ValidatedTable, load_mapping, read_table, validate
from workbench.ingest.lookup import replica_resolver
from workbench.ingest.mapping import KINDS, Mapping
from workbench.ingest.preview import guess_kind, override_columns
from workbench.ingest.report import write_reject_report
from workbench.ingest.values import Mark
from workbench.workspace import Workspace

FILE_FILTER = "Spreadsheets and exports (*.xlsx *.xlsm *.xls *.csv *.txt *.tsv)"
KIND_NAMES = {
    "materials": "Materials (yarns, fabrics, trims)",
    "brands": "Brands",
    "work_centres": "Work centres",
    "cost_rates": "Cost rates",
    "margin_rules": "Margin rules",
    "capacity": "Capacity",
    "calendars": "Work-centre calendars (holidays, half days, shifts)",
    "orders": "Order history",
    "fx_rates": "Currency rates",
}
#: the decimal mark choices: what the admin reads, the mark (None: the file's numbers tell)
DECIMAL_MARKS: tuple[tuple[str, Mark | None], ...] = (
    ("Decided from the file's numbers", None),
    ("Comma: 1.234,56", ","),
    ("Point: 1,234.56", "."),
)
#: the words the server's ``decimal_mark`` parameter takes for each mark
MARK_WORDS: dict[Mark, str] = {",": "comma", ".": "point"}

#: sends the file to the server: (kind, path, dry_run, accept_partial, columns, decimal mark
#: as the server's parameter words it or None, ctx) -> summary; reports the bytes sent
#: through ``ctx.progress`` and stops sending when ``ctx`` is cancelled
Uploader = Callable[[str, Path, bool, bool, dict[str, str], str | None, OpContext], dict[str, Any]]


@dataclass
class _Loaded:
    raw: RawTable
    kind: str | None


class ImportDialog(QDialog):
    #: the local check finished: the ValidatedTable
    checked = Signal(object)
    #: the server answered an import or a dry run: its summary
    answered = Signal(object)
    #: the dialog's running work moved on: done, total (0: no measure), what it is doing
    progressed = Signal(int, int, str)

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        upload: Uploader,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import master data")
        self.setAcceptDrops(True)
        self.resize(1100, 720)
        self.workspace, self.ops, self._upload = workspace, ops, upload
        self.path: Path | None = None
        self.raw: RawTable | None = None
        self.table: ValidatedTable | None = None
        self.problems: list[Problem] = []
        self._filling = False

        self.drop_label = QLabel("Drop an Excel, CSV or SAP export here, or choose one.")
        self.drop_label.setObjectName("dropZone")
        self.drop_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_label.setMinimumHeight(56)
        browse = QPushButton("Choose file…")
        browse.clicked.connect(self.choose_file)
        top = QHBoxLayout()
        top.addWidget(self.drop_label, 1)
        top.addWidget(browse)

        self.kind_box = QComboBox()
        for kind in KINDS:
            self.kind_box.addItem(KIND_NAMES.get(kind, kind), kind)
        self.kind_box.currentIndexChanged.connect(self._on_kind_changed)
        self.mark_box = QComboBox()
        for text, mark in DECIMAL_MARKS:
            self.mark_box.addItem(text, mark)
        for box in (self.kind_box, self.mark_box):
            guard_wheel(box)  # scrolling past them never changes what the file is read as
        self.mark_box.setToolTip(
            "SAP writes numbers in its user's decimal notation: say it "
            "here when the file's numbers cannot tell it"
        )
        self.mark_box.currentIndexChanged.connect(self._on_kind_changed)
        form = QFormLayout()
        form.addRow("This file holds:", self.kind_box)
        form.addRow("Decimal mark:", self.mark_box)

        self.mapping_table = ColumnsTable()
        self.mapping_table.changed.connect(self.check)
        self.preview = QTableWidget(0, 0)
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preview.verticalHeader().setVisible(False)
        install_export(self.preview, "import preview")
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("problemList")

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("<b>Columns</b>"))
        left_layout.addWidget(self.mapping_table)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.preview)
        right.addWidget(self.problem_list)
        right.setSizes([420, 180])
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(left)
        body.addWidget(right)
        body.setSizes([380, 720])

        self.progress_row = WorkRow(ops)
        self.progress_bar = self.progress_row.bar
        self.progress_label = self.progress_row.label
        self.cancel_button = self.progress_row.cancel_button
        self.progressed.connect(self.progress_row.show_progress)

        self.summary = QLabel()
        self.summary.setObjectName("dialogMessage")
        self.summary.setWordWrap(True)
        self.partial = QCheckBox("Import the valid rows and leave the rejected ones out")
        self.report_button = QPushButton("Save reject report…")
        self.report_button.clicked.connect(self.choose_report_file)
        self.dry_run_button = QPushButton("Check on server")
        self.dry_run_button.setToolTip("Ask the server what would change; nothing is written")
        self.dry_run_button.clicked.connect(lambda: self.send(dry_run=True))
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(lambda: self.send(dry_run=False))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.partial)
        buttons.addStretch(1)
        for button in (self.report_button, self.dry_run_button, self.import_button, close):
            buttons.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(body, 1)
        layout.addWidget(self.progress_row)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self._enable()

    # -- choosing a file ---------------------------------------------------------------------

    def choose_file(self) -> None:
        path = ask_open_path(self, "Import master data", FILE_FILTER)
        if path:
            self.open_file(path)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            self.open_file(files[0])

    def open_file(self, path: Path) -> None:
        if self._sending:  # the file being sent stays the dialog's until the server answers
            self.summary.setText(f"Wait for the server's answer before opening {path.name}")
            return
        self.path, self.raw, self.table = path, None, None
        self.drop_label.setText(f"<b>{path.name}</b> — reading…")
        self._enable()

        def read(ctx: OpContext) -> _Loaded:
            self.progressed.emit(0, 0, f"Reading {path.name}…")
            raw = read_table(path)
            ctx.check()
            return _Loaded(raw, guess_kind(raw))

        def failed(exc: BaseException) -> None:
            cancelled = self.progress_row.finish()
            self.drop_label.setText(
                f"<b>{path.name}</b>: " + ("reading cancelled" if cancelled else str(exc))
            )

        self.progress_row.start(read, self._on_read, failed, f"Reading {path.name}")

    def _on_read(self, loaded: _Loaded) -> None:
        self.progress_row.finish()
        self.raw = loaded.raw
        rows = max(len(loaded.raw.rows) - 1, 0)
        self.drop_label.setText(f"<b>{loaded.raw.path.name}</b> — {rows:,} rows")
        if loaded.kind is not None:
            self._filling = True
            self.kind_box.setCurrentIndex(self.kind_box.findData(loaded.kind))
            self._filling = False
        self._fill_mapping()
        self.check()

    # -- mapping -----------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        return str(self.kind_box.currentData())

    def _on_kind_changed(self) -> None:
        if not self._filling and self.raw is not None:
            self._fill_mapping()
            self.check()

    def _fill_mapping(self) -> None:
        assert self.raw is not None
        self.mapping_table.fill(self.raw, load_mapping(self.kind))

    def chosen_columns(self) -> dict[str, str]:
        """Field -> the file's heading, as the admin left the choices."""
        return self.mapping_table.chosen()

    def set_column(self, field: str, heading: str) -> None:
        self.mapping_table.set_column(field, heading)

    def mapping(self) -> Mapping:
        return override_columns(load_mapping(self.kind), self.chosen_columns())

    @property
    def decimal_mark(self) -> Mark | None:
        """The file's decimal mark as the admin chose it; None: its numbers tell."""
        mark: Mark | None = self.mark_box.currentData()
        return mark

    def set_decimal_mark(self, mark: Mark | None) -> None:
        self.mark_box.setCurrentIndex(
            next(i for i, (_, m) in enumerate(DECIMAL_MARKS) if m == mark)
        )

    # -- checking ----------------------------------------------------------------------------

    def check(self) -> None:
        """Validate the whole file against the replica, on a worker."""
        if self.raw is None or self._sending:
            return
        raw, mapping, replica = self.raw, self.mapping(), self.workspace.replica
        mark = self.decimal_mark
        self.table = None
        self._enable()
        label = f"Checking {raw.path.name}"

        def work(ctx: OpContext) -> ValidatedTable:
            def columns_checked(done: int, total: int) -> None:
                ctx.check()  # Cancel stops the check between two columns
                text = f"{label}: {done} of {total} columns"
                self.progressed.emit(done, total, text)
                ctx.progress(done, total, text)

            return validate(raw, mapping, replica_resolver(replica.conn), mark, columns_checked)

        def failed(exc: BaseException) -> None:
            cancelled = self.progress_row.finish()
            self.summary.setText(
                "Checking cancelled: choose a column or the decimal mark again to check the file"
                if cancelled
                else f"The file could not be checked: {exc}"
            )

        self.progress_row.start(work, self._on_checked, failed, label)
        self.progressed.emit(0, len(mapping.fields), f"{label}…")

    def _on_checked(self, table: ValidatedTable) -> None:
        self.progress_row.finish()
        self.table = table
        self.problems = list(table.problems)
        assert self.raw is not None
        show_preview(self.preview, self.raw, table)
        show_problems(self.problem_list, self.problems)
        rejected = len(table.rejected_rows)
        text = f"{table.rows_read:,} rows read · {len(table.rows):,} valid · {rejected:,} rejected"
        if rejected:
            text += (
                " — fix the file, choose other columns, or import the valid rows only"
                if table.rows
                else " — nothing here can be imported"
            )
        self.summary.setText(text)
        self._enable()
        self.checked.emit(table)

    # -- reject report -----------------------------------------------------------------------

    def choose_report_file(self) -> None:
        if self.path is None:
            return
        suggested = str(self.path.with_name(f"{self.path.stem}.rejected.xlsx"))
        path, _ = QFileDialog.getSaveFileName(
            self, "Save reject report", suggested, "Excel (*.xlsx)"
        )
        if path:
            self.save_report(Path(path))

    def save_report(self, path: Path) -> tuple[Path, Path]:
        """The reject report as .xlsx and .csv beside each other."""
        base = path.with_suffix("") if path.suffix.lower() in (".xlsx", ".csv") else path
        return write_reject_report(self.problems, base)

    # -- sending -----------------------------------------------------------------------------

    def send(self, dry_run: bool) -> None:
        if self.path is None or self.table is None:
            return
        kind, path, columns = self.kind, self.path, self.chosen_columns()
        partial = self.partial.isChecked()
        mark = MARK_WORDS[self.decimal_mark] if self.decimal_mark else None
        upload = self._upload
        self._sending = True
        self._enable()
        verb = "Checking" if dry_run else "Importing"
        label = f"{verb} {path.name} on the server"

        def sent(done: int, total: int, text: str) -> None:
            """The bytes sent, then the server at work (no measure: it answers when its
            transaction is over)."""
            if total and done >= total:
                self.progressed.emit(0, 0, f"{label}: the server is checking and writing the file…")
            else:
                self.progressed.emit(
                    done, total, f"{label}: sending {done / 1e6:,.1f} of {total / 1e6:,.1f} MB"
                )

        def work(ctx: OpContext) -> dict[str, Any]:
            def report(done: int, total: int, text: str) -> None:
                ctx.progress(done, total, text)
                sent(done, total, text)

            return upload(
                kind,
                path,
                dry_run,
                partial,
                columns,
                mark,
                OpContext(ctx.label, ctx.cancel_event, report),
            )

        def failed(exc: BaseException) -> None:
            cancelled = self.progress_row.finish()
            self._sending = False
            self.summary.setText(
                f"Sending {path.name} cancelled: nothing was imported"
                if cancelled
                else f"The server did not import {path.name}: {exc}"
            )
            self._enable()

        self.progress_row.start(work, self._on_answer, failed, label)
        self.progressed.emit(0, 0, f"{label}…")

    def _on_answer(self, answer: dict[str, Any]) -> None:
        self.progress_row.finish()
        self._sending = False
        rejects = [
            Problem(r["file"], r["row"], r["column"], r["value"], r["message"])
            for r in answer.get("rejects", [])
        ]
        if rejects:
            self.problems = rejects
            show_problems(self.problem_list, rejects)
        counts = (
            f"{answer['rows_read']:,} read · {answer['inserted']:,} new · "
            f"{answer['updated']:,} changed · {answer['unchanged']:,} unchanged · "
            f"{answer['rejected']:,} rejected"
        )
        if answer.get("dry_run"):
            text = f"Check on the server: {counts}. Nothing was written."
        elif answer.get("written"):
            text = f"Imported: {counts}. Laptops receive the changes on their next sync."
        elif answer.get("rejected"):
            text = f"Nothing was imported: {counts}."
        else:
            text = f"Nothing to change: {counts}."
        self.summary.setText(text)
        self._enable()
        self.answered.emit(answer)

    # -- state -------------------------------------------------------------------------------

    _sending = False

    def _enable(self) -> None:
        ready = self.table is not None and not self._sending
        self.kind_box.setEnabled(self.raw is not None and not self._sending)
        self.mark_box.setEnabled(self.raw is not None and not self._sending)
        self.mapping_table.setEnabled(not self._sending)
        self.import_button.setEnabled(ready and bool(self.table and self.table.rows))
        self.dry_run_button.setEnabled(ready)
        self.report_button.setEnabled(ready and bool(self.problems))
