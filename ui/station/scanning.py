"""Scanning at the label station: the number in the scan box looked up on a worker, and the
label's fields filled from what it names.

A number that names no order, material or lot here is asked about before it becomes a new
lot (No, the default, is what a scanner's Enter answers), and meanwhile no scan is on screen,
so nothing can print by mistake.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QLabel, QLineEdit, QMessageBox, QWidget

from ui.ops import OpRunner
from ui.station.form import LabelForm
from ui.station.preview import LabelPreview
from workbench.labels.scan import Scan, look_up
from workbench.replica import Replica


class ScanningHost(Protocol):
    """What scanning uses of the station window."""

    replica: Replica
    ops: OpRunner
    is_open: bool
    scan_box: QLineEdit
    scan_summary: QLabel
    form: LabelForm
    preview: LabelPreview
    #: the scan on screen (None: nothing to print)
    scan: Scan | None
    #: the question asked about a number that names nothing here (while it is open)
    unknown_question: QMessageBox | None
    #: a scan was looked up: the Scan, or the exception
    looked_up: SignalInstance
    #: the question about an unknown number was answered: True for "a new lot"
    unknown_answered: SignalInstance

    def window(self) -> QWidget: ...

    def say(self, text: str, state: str) -> None: ...

    def refresh_preview(self) -> None: ...


class StationScanning:
    """Looks up what is scanned at ``station`` and shows it there."""

    def __init__(self, station: ScanningHost) -> None:
        self.station = station

    def look_up_scan(self) -> None:
        """Look the scan box's number up (on a worker) and fill the label's fields."""
        station = self.station
        text = station.scan_box.text().strip()
        if not text or not station.is_open:
            return
        replica = station.replica

        def found(scan: Scan) -> None:
            station.looked_up.emit(scan)
            if scan.found:
                self.show_scan(scan)
            else:
                self.ask_about_unknown(scan)

        def failed(exc: BaseException) -> None:
            station.say(str(exc), "error")
            station.looked_up.emit(exc)

        station.ops.run(
            lambda _ctx: look_up(replica, text),
            success=found,
            failure=failed,
            label="Looking up",
            background=True,
        )

    def ask_about_unknown(self, scan: Scan) -> QMessageBox:
        """Ask before a number that names no order, material or lot here becomes a new lot
        (No, the default, is what a scanner's Enter answers); returns the question, which
        does not block the station."""
        station = self.station
        self._forget_scan()
        code = scan.item.code or ""
        station.say(f"{code} is not an order, material or lot here.", "error")
        question = QMessageBox(
            QMessageBox.Icon.Question,
            "Unknown number",
            f"{code} is not an order, material or lot in this workspace.\n\nPrint it as a new lot?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            station.window(),  # the station itself: it is a top-level window
        )
        question.setInformativeText(
            "Check the number first: a misread or mistyped code "
            "would print a label nobody can trace."
        )
        question.setDefaultButton(QMessageBox.StandardButton.No)
        question.setEscapeButton(QMessageBox.StandardButton.No)

        def answered(_result: int) -> None:
            station.unknown_question = None
            new_lot = question.clickedButton() is question.button(QMessageBox.StandardButton.Yes)
            if new_lot:
                self.show_scan(scan)
                station.say(f"New lot {code}: check its fields, then print.", "info")
            else:
                station.say(f"{code} not used: scan again.", "info")
                station.scan_box.selectAll()
            station.scan_box.setFocus()
            station.unknown_answered.emit(new_lot)

        question.finished.connect(answered)
        station.unknown_question = question
        question.open()
        return question

    def _forget_scan(self) -> None:
        """No scan on screen: nothing that could print by mistake."""
        station = self.station
        station.scan = None
        station.scan_summary.setText("")
        station.form.clear()
        station.preview.show_note("Scan an order or lot number to see its label.")

    def show_scan(self, scan: Scan) -> None:
        """Fill the form from ``scan``; the scan box keeps the focus for the next scan."""
        station = self.station
        station.scan = scan
        station.scan_summary.setText(scan.summary)
        station.form.show_scan(scan)
        station.say(f"Ready to print {scan.kind} {scan.item.code}.", "info")
        station.scan_box.selectAll()
        station.scan_box.setFocus()
        station.refresh_preview()
