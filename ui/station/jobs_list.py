"""The station's list of label jobs: today's, and any older one still waiting to print, each
with its time, labels, order or lot, printer and state, and the button that retries a failed
one.

Every print is a label job (:mod:`workbench.labels.jobs`), kept when its printer fails, so a
Zebra switched off or a full disk costs a retry from this list, not a lost label. Kept apart
from the window because it only presents the jobs it is handed and which one is selected; the
window loads them on a worker and decides what a retry prints on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.station.style import big_button
from workbench.labels.jobs import LabelJob
from workbench.labels.printing import PrinterError, parse_printer

#: The colour of a job's state in the list.
STATE_COLOURS = {"printed": "#14522a", "failed": "#a3261a", "queued": "#7a5a00"}


class JobsList(QVBoxLayout):
    """A header with the Retry button above the table of jobs.

    A layout rather than a widget: it takes the rest of the window's height, level with the
    panels above it.
    """

    def __init__(self, retry: Callable[[], None], selection_changed: Callable[[], None]) -> None:
        """``retry`` is called by the Retry button, ``selection_changed`` when another job
        (or none) is selected."""
        super().__init__()
        #: the jobs shown, in the table's order
        self.jobs: list[LabelJob] = []
        header = QHBoxLayout()
        header.addWidget(QLabel("Today's jobs"))
        header.addStretch(1)
        self.retry_button = big_button("Retry failed job")
        self.retry_button.clicked.connect(retry)
        header.addWidget(self.retry_button)
        self.addLayout(header)
        self.jobs_table = QTableWidget(0, 5)
        self.jobs_table.setHorizontalHeaderLabels(["Time", "Labels", "Order / lot", "Printer",
                                                   "State"])  # fmt: skip
        self.jobs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.jobs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.jobs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.jobs_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.jobs_table.verticalHeader().setVisible(False)
        self.jobs_table.verticalHeader().setDefaultSectionSize(44)
        header_view = self.jobs_table.horizontalHeader()
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header_view.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.jobs_table.itemSelectionChanged.connect(selection_changed)
        self.addWidget(self.jobs_table, 1)

    def show_jobs(self, found: list[LabelJob]) -> None:
        """List ``found``, keeping the selected job selected when it is still there."""
        selected = self.selected_job()
        self.jobs = found
        table = self.jobs_table
        table.setRowCount(len(found))
        for row, job in enumerate(found):
            when = _local_time(job.created_at)
            first = job.items[0] if job.items else None
            what = ""
            if first is not None:
                what = first.code or first.gtin or ""
                if first.lot and first.lot != what:
                    what += f" · lot {first.lot}"
            state = job.state if job.state != "failed" else f"failed: {job.error}"
            cells = [when, str(job.labels), what, parse_printer_description(job.printer), state]
            for column, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                if column == 4:
                    cell.setForeground(QColor(STATE_COLOURS.get(job.state, "#1b2a33")))
                    cell.setToolTip(job.error or job.state)
                table.setItem(row, column, cell)
        if selected is not None:
            for row, job in enumerate(found):
                if job.id == selected.id:
                    table.selectRow(row)

    def selected_job(self) -> LabelJob | None:
        """The job selected in the table, or None."""
        rows = self.jobs_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.jobs):
            return None
        return self.jobs[rows[0].row()]

    def select_job(self, job_id: str) -> None:
        """Select the job ``job_id`` (a LookupError when it is not listed)."""
        for row, job in enumerate(self.jobs):
            if job.id == job_id:
                self.jobs_table.selectRow(row)
                return
        raise LookupError(f"job {job_id} is not in the list")


def _local_time(stamp: str) -> str:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"{local:%H:%M}"
    return f"{local:%d %b %H:%M}"


def parse_printer_description(text: str) -> str:
    """A job's printer in words, or the string itself when it is not one we read."""
    try:
        return parse_printer(text).description
    except PrinterError:
        return text
