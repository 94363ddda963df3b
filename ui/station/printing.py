"""Printing at the label station: the form's label, the last job again, and failed jobs
retried, each as a label job on a worker.

A job is saved before its printer is contacted and synced on to the server's audit trail once
printed; a job that fails is kept, and the message line says so and points to its Retry. While
one print runs the station prints nothing else (`busy`); a printer that cannot be used is
said, and nothing printed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QCheckBox, QComboBox, QSpinBox

from sync import session
from ui.ops import OpContext, OpRunner
from ui.print_dialog import system_print
from ui.sync_controller import SyncController
from workbench.labels import IdScheme, LabelError, LabelItem
from workbench.labels import jobs as label_jobs
from workbench.labels.jobs import LabelJob
from workbench.labels.printing import PrinterError, parse_printer
from workbench.labels.serials import serial_items, series_of
from workbench.labels.station import PRINTER_KEY, TEMPLATE_KEY
from workbench.replica import Replica
from workbench.workspace import Workspace


class PrintingHost(Protocol):
    """What printing uses of the station window."""

    workspace: Workspace
    replica: Replica
    ops: OpRunner
    sync: SyncController
    scheme: IdScheme | None
    is_open: bool
    last_job: LabelJob | None
    template_box: QComboBox
    copies: QSpinBox
    serial_run: QCheckBox
    #: a job printed: the LabelJob
    printed: SignalInstance
    #: a print, reprint or retry failed: the message
    print_failed: SignalInstance

    def label_item(self) -> LabelItem: ...

    def printer_string(self) -> str: ...

    def say(self, text: str, state: str) -> None: ...

    def update_buttons(self) -> None: ...

    def refresh_jobs(self) -> None: ...


class StationPrinting:
    """Prints for ``station``: its form's label, its last job again, its failed jobs."""

    def __init__(self, station: PrintingHost) -> None:
        self.station = station
        #: a print is under way: nothing else prints until it is over
        self.busy = False

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.station.update_buttons()

    def print_labels(self) -> None:
        """Print the form's label, ``copies`` times, on the chosen stock and printer."""
        station = self.station
        if self.busy or not station.is_open:
            return
        try:
            item = station.label_item()
            printer = station.printer_string()
        except (LabelError, PrinterError) as exc:
            station.say(str(exc), "error")
            station.print_failed.emit(str(exc))
            return
        template, copies = station.template_box.currentText(), station.copies.value()
        replica, scheme, workspace = station.replica, station.scheme, station.workspace
        numbered = station.serial_run.isChecked()

        def work(ctx: OpContext) -> LabelJob:
            items, each = [item], copies
            if numbered:  # one label per serial, the serials taken before anything prints
                serials = session.serial_run(workspace, series_of(item), copies, ctx.cancel_event)
                items, each = serial_items(item, serials), 1
            job = label_jobs.print_labels(
                replica,
                items,
                template,
                printer,
                copies=each,
                scheme=scheme,
                system_print=system_print,
            )
            replica.set_state(PRINTER_KEY, printer)
            replica.set_state(TEMPLATE_KEY, template)
            return job

        self._run_print(work, f"Printing {copies} label{'s' * (copies != 1)}")

    def reprint_last(self) -> None:
        """The last job's labels again, as a new job, on the printer chosen now."""
        station = self.station
        if self.busy or not station.is_open or station.last_job is None:
            return
        self._print_again(label_jobs.reprint_job, station.last_job.id, "Reprinting")

    def retry_jobs(self, job_ids: list[str]) -> None:
        """Print the jobs ``job_ids`` (failed, or left queued by a crash) again, oldest
        first, on the printer chosen now; one that fails again stays in the list."""
        station = self.station
        shut = self.busy or not station.is_open or not job_ids
        printer = None if shut else self._chosen_printer()
        if printer is None:
            return
        replica, scheme = station.replica, station.scheme
        count = len(job_ids)
        self._set_busy(True)
        station.say(f"Retrying {count} job{'s' * (count != 1)}…", "info")

        def done(outcome: label_jobs.Retried) -> None:
            self._set_busy(False)
            if outcome.printed:
                station.last_job = outcome.printed[-1]
            station.say(outcome.summary() + ".", "error" if outcome.failed else "ok")
            station.refresh_jobs()
            for job in outcome.printed:
                station.printed.emit(job)
            if outcome.failed:
                station.print_failed.emit(outcome.failed[0][1])
            if outcome.printed:
                station.sync.sync_now()

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            station.say(f"Not printed: {exc}", "error")
            station.print_failed.emit(str(exc))
            station.refresh_jobs()

        station.ops.run(
            lambda _ctx: label_jobs.retry_jobs(
                replica, job_ids, printer=printer, scheme=scheme, system_print=system_print
            ),
            success=done,
            failure=failed,
            label="Retrying",
            changes=frozenset({"label_jobs"}),
        )

    def _print_again(self, again: Callable[..., LabelJob], job_id: str, label: str) -> None:
        """A kept job printed by ``again`` (`label_jobs.reprint_job` or `retry_job`) on the
        printer chosen now; a printer that cannot be used is said, and nothing printed."""
        station = self.station
        printer = self._chosen_printer()
        if printer is None:
            return
        replica, scheme = station.replica, station.scheme
        self._run_print(
            lambda _ctx: again(
                replica, job_id, printer=printer, scheme=scheme, system_print=system_print
            ),
            label,
        )

    def _chosen_printer(self) -> str | None:
        """The printer chosen now, or None after saying why it cannot be used."""
        station = self.station
        try:
            return station.printer_string()
        except PrinterError as exc:
            station.say(str(exc), "error")
            return None

    def _run_print(self, work: Any, label: str) -> None:
        station = self.station
        self._set_busy(True)
        station.say(f"{label}…", "info")

        def done(job: LabelJob) -> None:
            self._set_busy(False)
            station.last_job = job
            where = parse_printer(job.printer).description
            station.say(f"Printed {job.labels} label{'s' * (job.labels != 1)} on {where}.", "ok")
            station.update_buttons()
            station.printed.emit(job)
            station.sync.sync_now()  # the job's way to the server's audit trail

        def failed(exc: BaseException) -> None:
            self._set_busy(False)
            kept = "" if isinstance(exc, LabelError) else " The job is kept: retry it below."
            station.say(f"Not printed: {exc}.{kept}".replace("..", "."), "error")
            station.print_failed.emit(str(exc))
            station.refresh_jobs()

        station.ops.run(
            work, success=done, failure=failed, label=label, changes=frozenset({"label_jobs"})
        )
