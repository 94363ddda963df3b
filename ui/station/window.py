"""The label station window: the scan box and the message line across the top; on the left
the label's fields and the jobs; on the right the print panel and a preview of the label as it
prints. The two columns are a splitter and every part sizes by layout, so the window fits a
1024×768 screen whole (the jobs list in view, Print full size) and grows with a larger one.

It opens at once and reads what it needs (`workbench.labels.station`) on a worker; until that
has arrived it says it is opening and nothing can be scanned, chosen or printed, so no label
goes out under a scheme or on a printer it had not read yet. It holds what ties the parts
together: the preview rendered on a worker from the PDF that prints, the message line, the
sync menu and the shortcuts. The parts are `LabelForm`, `PrintPanel`, `LabelPreview` and
`JobsList`, in the look of `style`; a scan looked up on a worker (a number that names nothing
here is asked about before it becomes a lot) is `StationScanning`, and printing, reprinting
and retrying as label jobs (each then synced on to the server's audit trail)
`StationPrinting`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from sync import session
from sync.session import SyncReport
from ui.keys import shortcut
from ui.ops import OpRunner
from ui.station.form import LabelForm
from ui.station.jobs_list import JobsList
from ui.station.preview import LabelPreview
from ui.station.print_panel import PrintPanel
from ui.station.printing import StationPrinting
from ui.station.scanning import StationScanning
from ui.station.style import DEFAULT_SIZE, STATION_STYLE
from ui.sync_controller import SyncController, Syncer
from ui.wheel_guard import WheelGuard
from ui.window_size import fit_screen
from workbench.errors import user_message
from workbench.labels import IdScheme, LabelError, LabelItem
from workbench.labels import station as label_station
from workbench.labels.jobs import LabelJob
from workbench.labels.preview import label_preview_png
from workbench.labels.scan import Scan
from workbench.labels.station import StationStart
from workbench.workspace import Workspace

#: How long the preview waits for the operator to stop typing in a field.
PREVIEW_DELAY_MS = 250
#: What the message line says until the station's start-up reads have arrived.
OPENING = "Opening the station…"
#: What the scan box asks for once the station is open.
SCAN_PROMPT = "Scan or type an order or lot number, then Enter"


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
    #: the preview was rendered: the PNG (bytes), or why the label cannot print (str)
    preview_shown = Signal(object)
    #: the question about an unknown number was answered: True for "a new lot"
    unknown_answered = Signal(bool)
    #: the start-up reads arrived and are shown: the station can scan and print
    opened = Signal()

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
        #: the labels' id scheme, the signed-in user: read as the station opens
        self.scheme: IdScheme | None = None
        self.username = ""
        #: the start-up reads have arrived: until then nothing is scanned or printed
        self.is_open = False
        self.scan: Scan | None = None
        self.last_job: LabelJob | None = None
        self.printing = StationPrinting(self)
        self.scanning = StationScanning(self)
        self.setWindowTitle(f"Label station — {workspace.name}")
        self.setStyleSheet(STATION_STYLE)
        self._preview_seq = 0
        #: the question asked about a number that names nothing here (while it is open)
        self.unknown_question: QMessageBox | None = None
        self.preview_timer = QTimer(self)
        self.preview_timer.setSingleShot(True)
        self.preview_timer.setInterval(PREVIEW_DELAY_MS)
        self.preview_timer.timeout.connect(self.refresh_preview)

        central = QWidget()
        self.setCentralWidget(central)
        page = QVBoxLayout(central)
        page.setContentsMargins(16, 10, 16, 6)
        page.setSpacing(8)
        page.addLayout(self._build_scan_row())
        # Under the scan, across the window: a long message (a printer's error with its path)
        # wraps to few lines and never pushes the form and the jobs out of their room.
        self.message = QLabel(OPENING)
        self.message.setObjectName("stationMessage")
        self.message.setWordWrap(True)
        page.addWidget(self.message)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.setHandleWidth(12)
        self.splitter.addWidget(self._build_left())
        self.splitter.addWidget(self._build_right())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([600, 400])  # in proportion: the jobs' columns need the room
        page.addWidget(self.splitter, 1)
        self.sync_label = QLabel()
        self.sync_label.setObjectName("syncLabel")
        page.addWidget(self.sync_label)
        self.say(OPENING, "info")

        self.sync = SyncController(self, syncer, live, last_sync)
        self.sync.add_menu(self.menuBar())
        self.ops.replica_changed.connect(self._on_replica_changed)
        shortcut(QKeySequence("Ctrl+P"), self, self.print_labels)
        shortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_full_screen)
        shortcut(QKeySequence(Qt.Key.Key_Escape), self.scan_box, self.scan_box.clear)
        wheel = WheelGuard(self)  # a wheel turn over a closed box changes nothing
        for box in (self.template_box, self.printer_kind, self.printer_dpi, self.copies):
            box.installEventFilter(wheel)
        fit_screen(self, DEFAULT_SIZE)
        self.update_buttons()
        self._open()

    # -- layout ------------------------------------------------------------------------------

    def _build_scan_row(self) -> QVBoxLayout:
        column = QVBoxLayout()
        column.setSpacing(2)
        self.scan_box = QLineEdit()
        self.scan_box.setObjectName("scanBox")
        self.scan_box.setPlaceholderText(OPENING)  # until the start-up reads arrive
        self.scan_box.setClearButtonEnabled(True)
        self.scan_box.returnPressed.connect(self.look_up_scan)
        column.addWidget(self.scan_box)
        row = QHBoxLayout()
        self.scan_summary = QLabel("")
        self.scan_summary.setObjectName("scanSummary")
        self.scan_summary.setWordWrap(True)
        row.addWidget(self.scan_summary, 1)
        self.who = QLabel(self.workspace.name)  # and the user's name, once read
        self.who.setObjectName("scanSummary")
        row.addWidget(self.who, 0, Qt.AlignmentFlag.AlignTop)
        column.addLayout(row)
        return column

    def _build_left(self) -> QWidget:
        """The label's fields and the jobs."""
        left, column = _column()
        self.form = LabelForm(edited=self.preview_timer.start)
        self.code_label, self.fields = self.form.code_label, self.form.fields
        column.addLayout(self.form)
        self.jobs_list = JobsList(self.retry_jobs)
        self.retry_button, self.jobs_table = self.jobs_list.retry_button, self.jobs_list.jobs_table
        column.addLayout(self.jobs_list, 1)
        return left

    def _build_right(self) -> QWidget:
        """The print panel over the preview."""
        right, column = _column()
        self.print_panel = PrintPanel(self, self.print_labels, self.reprint_last)
        panel = self.print_panel  # its parts stay the window's attributes: it and tests use them
        self.template_box, self.copies = panel.template_box, panel.copies
        self.serial_run = panel.serial_run
        self.printer_kind, self.printer_target = panel.printer_kind, panel.printer_target
        self.printer_dpi, self.choose_button = panel.printer_dpi, panel.choose_button
        self.print_button, self.reprint_button = panel.print_button, panel.reprint_button
        self.printer_path = panel.printer_path
        column.addLayout(panel)
        self.preview = LabelPreview()
        self.preview.show_note(OPENING)
        column.addWidget(self.preview, 1)
        return right

    # -- opening -----------------------------------------------------------------------------

    def _open(self) -> None:
        """Read the scheme, the user, the stock and printer used last and the jobs on a
        worker; the station stays shut (`is_open`) until they are shown."""
        replica, name = self.replica, self.workspace.name

        def failed(exc: BaseException) -> None:
            self.say(f"The station could not open: {user_message(exc)}", "error")

        self.ops.run(
            lambda _ctx: label_station.station_start(replica, name),
            success=self._show_start,
            failure=failed,
            label="Opening the station",
            background=True,
        )

    def _show_start(self, start: StationStart) -> None:
        self.scheme, self.username = start.scheme, start.username
        if start.username:
            self.who.setText(f"{start.username} · {self.workspace.name}")
        fallback = f"pdf:{self.workspace.root / 'labels' / 'labels.pdf'}"
        self.print_panel.restore_choices(start.template, start.printer, fallback)
        self.template_box.currentIndexChanged.connect(self.preview_timer.start)
        self.is_open = True
        self.scan_box.setPlaceholderText(SCAN_PROMPT)
        self.preview.show_note("Scan an order or lot number to see its label.")
        self.say("Scan an order or lot number.", "info")
        self.show_jobs(start.jobs)
        self.scan_box.setFocus()
        self.opened.emit()

    # -- messages and state ------------------------------------------------------------------

    def say(self, text: str, state: str) -> None:
        self.message.setText(text)
        self.message.setProperty("state", state)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)

    def update_buttons(self) -> None:
        ready = self.is_open and not self.printing.busy
        self.scan_box.setEnabled(self.is_open)
        self.splitter.setEnabled(self.is_open)  # the fields, the jobs, the stock, the printer
        self.print_button.setEnabled(ready)
        self.reprint_button.setEnabled(ready and self.last_job is not None)
        self.jobs_list.set_enabled(ready)

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

    # -- scanning (`StationScanning`) -------------------------------------------------------

    def look_up_scan(self) -> None:
        """Look the scan box's number up (on a worker) and fill the label's fields."""
        self.scanning.look_up_scan()

    # -- the preview -------------------------------------------------------------------------

    def refresh_preview(self) -> None:
        """Render the label as the form says it now, on the stock chosen, on a worker (the
        newest request wins); a label that cannot print says why in the preview."""
        self.preview_timer.stop()
        if self.scan is None or self.scheme is None:
            return
        self._preview_seq += 1
        seq = self._preview_seq
        try:
            item = self.label_item()
        except LabelError as exc:
            self.preview.show_note(f"Cannot print: {exc}", error=True)
            self.preview_shown.emit(str(exc))
            return
        template, scheme = self.template_box.currentText(), self.scheme

        def show(png: bytes) -> None:
            if seq == self._preview_seq:
                self.preview.show_png(png, f"{template}: as it prints")
                self.preview_shown.emit(png)

        def failed(exc: BaseException) -> None:
            if seq == self._preview_seq:
                self.preview.show_note(f"Cannot print: {exc}", error=True)
                self.preview_shown.emit(str(exc))

        self.ops.run(
            lambda _ctx: label_preview_png(item, template, scheme=scheme),
            success=show,
            failure=failed,
            label="Preview",
            background=True,
        )

    def label_item(self) -> LabelItem:
        """The label as the form now says it (the operator may have corrected fields)."""
        if self.scan is None:
            raise LabelError("scan or type an order or lot number first")
        return self.form.label_item(self.scan)

    # -- printing (`StationPrinting`) -------------------------------------------------------

    def print_labels(self) -> None:
        """Print the form's label, ``copies`` times, on the chosen stock and printer."""
        self.printing.print_labels()

    def reprint_last(self) -> None:
        """The last job's labels again, as a new job, on the printer chosen now."""
        self.printing.reprint_last()

    def retry_jobs(self, job_ids: list[str]) -> None:
        """Print the jobs ``job_ids`` again, oldest first, on the printer chosen now."""
        self.printing.retry_jobs(job_ids)

    # -- the jobs list -----------------------------------------------------------------------

    @property
    def jobs(self) -> list[LabelJob]:
        """The jobs listed, in the list's order."""
        return self.jobs_list.jobs

    def refresh_jobs(self) -> None:
        """Today's jobs, and any older one still waiting to print, newest first."""
        replica = self.replica
        self.ops.run(
            lambda _ctx: label_station.jobs_to_list(replica),
            success=self.show_jobs,
            label="Loading jobs",
            background=True,
        )

    def show_jobs(self, found: list[LabelJob]) -> None:
        if self.last_job is None and found:  # after a restart: this user's last print
            self.last_job = next(
                (
                    job
                    for job in found
                    if job.state == "printed" and job.created_by == self.username
                ),
                None,
            )
        self.jobs_list.show_jobs(found)
        self.update_buttons()
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


def _column() -> tuple[QWidget, QVBoxLayout]:
    """A side of the splitter: a widget and the column laying it out, with no margins."""
    widget = QWidget()
    column = QVBoxLayout(widget)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(8)
    return widget, column
