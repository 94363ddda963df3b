"""The label station window: the scan box on top, the label's fields and the print panel
side by side, the message line, and the jobs below.

It holds what ties the parts together: a scan looked up on a worker, printing, reprinting
and retrying as label jobs (each then synced on to the server's audit trail), the message
line, the sync menu and the shortcuts. The parts are `LabelForm`, `PrintPanel` and
`JobsList`, in the look of `style`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from sync import session
from sync.session import SyncReport
from ui.ops import OpContext, OpRunner
from ui.print_dialog import system_print
from ui.station.form import LabelForm
from ui.station.jobs_list import JobsList
from ui.station.print_panel import PRINTER_KEY, TEMPLATE_KEY, PrintPanel
from ui.station.scan import Scan, look_up
from ui.station.style import STATION_STYLE
from ui.sync_controller import SyncController, Syncer
from workbench.labels import LabelError, LabelItem
from workbench.labels import jobs as label_jobs
from workbench.labels.jobs import LabelJob
from workbench.labels.printing import PrinterError, parse_printer
from workbench.workspace import Workspace


class LabelStation(QMainWindow):
    """The label station window (see the package notes)."""

    #: a scan was looked up: the Scan, or the exception
    looked_up = Signal(object)
    #: a job printed: the LabelJob
    printed = Signal(object)
    #: a print, reprint or retry failed: the message (the job is kept, as failed)
    print_failed = Signal(str)
    #: the jobs list was refreshed: the list of LabelJob
    jobs_shown = Signal(list)

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner | None = None,
        *,
        syncer: Syncer | None = None,
        last_sync: SyncReport | None = None,
        live: session.LiveUpdates | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.replica = workspace.replica
        self.ops = ops or OpRunner(self)
        self.ops.parent_widget = self
        self.scheme = label_jobs.scheme_for(self.replica, workspace.name)
        self.scan: Scan | None = None
        self.last_job: LabelJob | None = None
        self._busy = False
        self.setWindowTitle(f"Label station — {workspace.name}")
        self.setStyleSheet(STATION_STYLE)
        self.resize(1280, 900)

        central = QWidget()
        self.setCentralWidget(central)
        page = QVBoxLayout(central)
        page.setContentsMargins(24, 16, 24, 12)
        page.setSpacing(10)
        page.addLayout(self._build_header())
        page.addLayout(self._build_scan_row())
        body = QHBoxLayout()
        body.setSpacing(28)
        self.form = LabelForm()
        self.code_label, self.fields = self.form.code_label, self.form.fields
        body.addLayout(self.form, 3)
        self.print_panel = PrintPanel(self, self.print_labels, self.reprint_last)
        panel = self.print_panel  # its parts stay the window's attributes: it and tests use them
        self.template_box, self.copies = panel.template_box, panel.copies
        self.printer_kind, self.printer_target = panel.printer_kind, panel.printer_target
        self.printer_dpi, self.choose_button = panel.printer_dpi, panel.choose_button
        self.print_button, self.reprint_button = panel.print_button, panel.reprint_button
        body.addLayout(panel, 2)
        page.addLayout(body)
        self.message = QLabel("Scan an order or lot number.")
        self.message.setObjectName("stationMessage")
        self.message.setWordWrap(True)
        page.addWidget(self.message)
        self.jobs_list = JobsList(self.retry_selected, self._update_buttons)
        self.retry_button, self.jobs_table = self.jobs_list.retry_button, self.jobs_list.jobs_table
        page.addLayout(self.jobs_list, 1)
        self.sync_label = QLabel()
        self.sync_label.setObjectName("syncLabel")
        page.addWidget(self.sync_label)
        self._say("Scan an order or lot number.", "info")

        self.sync = SyncController(self, syncer, live, last_sync)  # type: ignore[arg-type]
        self.sync.add_menu(self.menuBar())
        self.ops.replica_changed.connect(self._on_replica_changed)
        QShortcut(QKeySequence("Ctrl+P"), self, activated=self.print_labels)
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, activated=self.toggle_full_screen)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.scan_box, activated=self.scan_box.clear)
        panel.restore_choices(self.replica, f"pdf:{self.workspace.root / 'labels' / 'labels.pdf'}")
        self._update_buttons()
        self.refresh_jobs()
        self.scan_box.setFocus()

    # -- layout ------------------------------------------------------------------------------

    def _build_header(self) -> QHBoxLayout:
        row = QHBoxLayout()
        title = QLabel("Label station")
        title.setObjectName("stationTitle")
        row.addWidget(title)
        row.addStretch(1)
        user = self.replica.get_state("username")
        who = QLabel(f"{user} · {self.workspace.name}" if user else self.workspace.name)
        who.setObjectName("scanSummary")
        row.addWidget(who)
        return row

    def _build_scan_row(self) -> QVBoxLayout:
        column = QVBoxLayout()
        self.scan_box = QLineEdit()
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText("Scan or type an order or lot number, then Enter")
        self.scan_box.setClearButtonEnabled(True)
        self.scan_box.returnPressed.connect(self.look_up_scan)
        column.addWidget(self.scan_box)
        self.scan_summary = QLabel("")
        self.scan_summary.setObjectName("scanSummary")
        self.scan_summary.setWordWrap(True)
        column.addWidget(self.scan_summary)
        return column

    # -- messages and state ------------------------------------------------------------------

    def _say(self, text: str, state: str) -> None:
        self.message.setText(text)
        self.message.setProperty("state", state)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_buttons()

    def _update_buttons(self) -> None:
        selected = self.selected_job()
        self.print_button.setEnabled(not self._busy)
        self.reprint_button.setEnabled(not self._busy and self.last_job is not None)
        self.retry_button.setEnabled(
            not self._busy and selected is not None and selected.state != "printed"
        )

    def toggle_full_screen(self) -> None:
        if self.isFullScreen():
            self.showNormal()
        else:
            self.showFullScreen()

    # -- printers ----------------------------------------------------------------------------

    def printer_string(self) -> str:
        """The chosen printer as a job names it (``zpl://…``, ``pdf:…``, ``system:…``)."""
        return self.print_panel.printer_string()

    def set_printer(self, text: str) -> None:
        """Show ``text`` (a printer string) as the chosen printer."""
        self.print_panel.set_printer(text)

    def choose_printer(self) -> QDialog | None:
        """Open the dialog for the printer kind: the system's print dialog, or a file
        dialog for the PDF (neither blocks the station); returns it."""
        return self.print_panel.choose_printer()

    # -- scanning ----------------------------------------------------------------------------

    def look_up_scan(self) -> None:
        """Look the scan box's number up (on a worker) and fill the label's fields."""
        text = self.scan_box.text().strip()
        if not text:
            return
        replica = self.replica

        def found(scan: Scan) -> None:
            self.show_scan(scan)
            self.looked_up.emit(scan)

        def failed(exc: BaseException) -> None:
            self._say(str(exc), "error")
            self.looked_up.emit(exc)

        self.ops.run(lambda _ctx: look_up(replica, text), success=found, failure=failed,
                     label="Looking up", background=True)  # fmt: skip

    def show_scan(self, scan: Scan) -> None:
        """Fill the form from ``scan``; the scan box keeps the focus for the next scan."""
        self.scan = scan
        self.scan_summary.setText(scan.summary)
        self.form.show_scan(scan)
        self._say(
            f"Ready to print {scan.kind} {scan.item.code}." if scan.found else scan.summary,
            "info" if scan.found else "error",
        )
        self.scan_box.selectAll()
        self.scan_box.setFocus()

    def label_item(self) -> LabelItem:
        """The label as the form now says it (the operator may have corrected fields)."""
        if self.scan is None:
            raise LabelError("scan or type an order or lot number first")
        return self.form.label_item(self.scan)

    # -- printing ----------------------------------------------------------------------------

    def print_labels(self) -> None:
        """Print the form's label, ``copies`` times, on the chosen stock and printer."""
        if self._busy:
            return
        try:
            item = self.label_item()
            printer = self.printer_string()
        except (LabelError, PrinterError) as exc:
            self._say(str(exc), "error")
            self.print_failed.emit(str(exc))
            return
        template, copies = self.template_box.currentText(), self.copies.value()
        replica, scheme = self.replica, self.scheme

        def work(_ctx: OpContext) -> LabelJob:
            job = label_jobs.print_labels(replica, [item], template, printer, copies=copies,
                                          scheme=scheme, system_print=system_print)  # fmt: skip
            replica.set_state(PRINTER_KEY, printer)
            replica.set_state(TEMPLATE_KEY, template)
            return job

        self._run_print(work, f"Printing {copies} label{'s' * (copies != 1)}")

    def reprint_last(self) -> None:
        """The last job's labels again, as a new job, on the printer chosen now."""
        if self._busy or self.last_job is None:
            return
        self._print_again(label_jobs.reprint_job, self.last_job.id, "Reprinting")

    def retry_selected(self) -> None:
        """Print the selected failed (or stuck) job again, on the printer chosen now."""
        job = self.selected_job()
        if self._busy or job is None or job.state == "printed":
            return
        self._print_again(label_jobs.retry_job, job.id, "Retrying")

    def _print_again(self, again: Callable[..., LabelJob], job_id: str, label: str) -> None:
        """A kept job printed by ``again`` (`label_jobs.reprint_job` or `retry_job`) on the
        printer chosen now; a printer that cannot be used is said, and nothing printed."""
        try:
            printer = self.printer_string()
        except PrinterError as exc:
            self._say(str(exc), "error")
            return
        replica, scheme = self.replica, self.scheme
        self._run_print(
            lambda _ctx: again(replica, job_id, printer=printer, scheme=scheme,
                               system_print=system_print),
            label,
        )  # fmt: skip

    def _run_print(self, work: Any, label: str) -> None:
        self._set_busy(True)
        self._say(f"{label}…", "info")

        def done(job: LabelJob) -> None:
            self._set_busy(False)
            self.last_job = job
            where = parse_printer(job.printer).description
            self._say(f"Printed {job.labels} label{'s' * (job.labels != 1)} on {where}.", "ok")
            self._update_buttons()
            self.printed.emit(job)
            self.sync.sync_now()  # the job's way to the server's audit trail

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            kept = "" if isinstance(exc, LabelError) else " The job is kept: retry it below."
            self._say(f"Not printed: {exc}.{kept}".replace("..", "."), "error")
            self.print_failed.emit(str(exc))
            self.refresh_jobs()

        self.ops.run(work, success=done, failure=failed, label=label,
                     changes=frozenset({"label_jobs"}))  # fmt: skip

    # -- the jobs list -----------------------------------------------------------------------

    @property
    def jobs(self) -> list[LabelJob]:
        """The jobs listed, in the list's order."""
        return self.jobs_list.jobs

    def refresh_jobs(self) -> None:
        """Today's jobs, and any older one still waiting to print, newest first."""
        replica = self.replica

        def load(_ctx: OpContext) -> list[LabelJob]:
            today = label_jobs.todays_jobs(replica)
            shown = {job.id for job in today}
            older = [job for job in label_jobs.pending_jobs(replica) if job.id not in shown]
            return today + older[::-1]

        self.ops.run(load, success=self.show_jobs, label="Loading jobs", background=True)

    def show_jobs(self, found: list[LabelJob]) -> None:
        if self.last_job is None and found:  # after a restart: this user's last print
            me = self.replica.get_state("username") or ""
            self.last_job = next(
                (job for job in found if job.state == "printed" and job.created_by == me), None
            )
        self.jobs_list.show_jobs(found)
        self._update_buttons()
        self.jobs_shown.emit(found)

    def selected_job(self) -> LabelJob | None:
        return self.jobs_list.selected_job()

    def select_job(self, job_id: str) -> None:
        self.jobs_list.select_job(job_id)

    def _on_replica_changed(self, tables: frozenset[str]) -> None:
        if "label_jobs" in tables:
            self.refresh_jobs()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync.stop()
        self.ops.shutdown()
        super().closeEvent(event)
