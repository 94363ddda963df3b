"""The station's list of label jobs: today's, and any older one still waiting to print, each
with its time, labels, order or lot, printer and state, a Retry button on each one not
printed, and one above that retries them all ("Retry failed (2)").

Every print is a label job (:mod:`workbench.labels.jobs`), kept when its printer fails, so a
Zebra switched off or a full disk costs a retry from this list, not a lost label. Kept apart
from the window because it only presents the jobs it is handed; the window loads them on a
worker and decides what a retry prints on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from ui.formats import format_date
from ui.station.style import big_button, caption
from workbench.labels.jobs import LabelJob
from workbench.labels.printing import PrinterError, parse_printer

#: The colour of a job's state in the list.
STATE_COLOURS = {"printed": "#14522a", "failed": "#a3261a", "queued": "#7a5a00"}
#: The table's columns; the last holds a failed job's Retry button.
HEADERS = ("Time", "Labels", "Order / lot", "Printer", "State", "")
RETRY_COLUMN = len(HEADERS) - 1


def retryable(job: LabelJob) -> bool:
    """Whether ``job`` waits for a retry: it failed, or a crash left it queued."""
    return job.state != "printed"


class JobsList(QVBoxLayout):
    """A header with the Retry-all button above the table of jobs.

    A layout rather than a widget: it takes the rest of the left column's height.
    """

    def __init__(self, retry: Callable[[list[str]], None]) -> None:
        """``retry`` is called with the ids of the jobs to print again, oldest first."""
        super().__init__()
        self._retry = retry
        self._enabled = True
        #: the jobs shown, in the table's order
        self.jobs: list[LabelJob] = []
        #: each Retry button in the table, by job id
        self.row_buttons: dict[str, QPushButton] = {}
        header = QHBoxLayout()
        header.addWidget(caption("Today's jobs"))
        header.addStretch(1)
        self.retry_button = big_button("Retry failed", "retryButton")
        self.retry_button.clicked.connect(self.retry_all)
        header.addWidget(self.retry_button)
        self.addLayout(header)
        self.jobs_table = QTableWidget(0, len(HEADERS))
        self.jobs_table.setHorizontalHeaderLabels(list(HEADERS))
        self.jobs_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.jobs_table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.jobs_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.jobs_table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.jobs_table.setWordWrap(False)
        self.jobs_table.verticalHeader().setVisible(False)
        self.jobs_table.verticalHeader().setDefaultSectionSize(54)
        header_view = self.jobs_table.horizontalHeader()
        header_view.setStretchLastSection(False)
        # time, labels, order and Retry as wide as they need; printer and state share the
        # rest, elided (whole in their tooltips), so a failed job's Retry never scrolls away
        header_view.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for column in (3, 4):
            header_view.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.jobs_table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.jobs_table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.jobs_table.installEventFilter(_NarrowTable(self.jobs_table))
        self.jobs_table.setMinimumHeight(150)  # the header and two rows, at the least
        self.addWidget(self.jobs_table, 1)
        self.set_enabled(True)

    def waiting(self) -> list[LabelJob]:
        """The jobs listed that wait for a retry, oldest first."""
        return [job for job in reversed(self.jobs) if retryable(job)]

    def retry_all(self) -> None:
        ids = [job.id for job in self.waiting()]
        if ids:
            self._retry(ids)

    def set_enabled(self, enabled: bool) -> None:
        """Let the Retry buttons be pressed (False while a print is under way)."""
        self._enabled = enabled
        waiting = len(self.waiting())
        self.retry_button.setText(f"Retry failed ({waiting})" if waiting else "Retry failed")
        self.retry_button.setEnabled(enabled and waiting > 0)
        for button in self.row_buttons.values():
            button.setEnabled(enabled)

    def show_jobs(self, found: list[LabelJob]) -> None:
        """List ``found``, keeping the selected job selected when it is still there."""
        selected = self.selected_job()
        self.jobs = found
        self.row_buttons = {}
        table = self.jobs_table
        table.clearContents()
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
                    cell.setToolTip(f"{job.error} ({cells[3]})" if job.error else job.state)
                elif column in (2, 3):
                    cell.setToolTip(text)
                table.setItem(row, column, cell)
            if retryable(job):
                button = big_button("Retry", "retryButton")
                button.setToolTip("Print this job again on the printer chosen now")
                button.clicked.connect(lambda _checked=False, job_id=job.id: self._retry([job_id]))
                table.setCellWidget(row, RETRY_COLUMN, button)
                self.row_buttons[job.id] = button
        if selected is not None:
            for row, job in enumerate(found):
                if job.id == selected.id:
                    table.selectRow(row)
        self.set_enabled(self._enabled)

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


#: Narrower than this, the jobs list leaves out the printer (in the State's tooltip when a
#: job failed, and always in the job's row of a wider window).
PRINTER_COLUMN_MIN_WIDTH = 640
PRINTER_COLUMN = 3


class _NarrowTable(QObject):
    """Hides the Printer column while the table is too narrow for it to be read."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and isinstance(watched, QTableWidget):
            watched.setColumnHidden(PRINTER_COLUMN, watched.width() < PRINTER_COLUMN_MIN_WIDTH)
        return False


def _local_time(stamp: str) -> str:
    try:
        moment = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return stamp
    local = moment.astimezone()
    if local.date() == datetime.now().astimezone().date():
        return f"{local:%H:%M}"
    return format_date(local.replace(tzinfo=None))


def parse_printer_description(text: str) -> str:
    """A job's printer in words, or the string itself when it is not one we read."""
    try:
        return parse_printer(text).description
    except PrinterError:
        return text
