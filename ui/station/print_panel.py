"""The station's print panel: the label stock, the number of copies, the printer, and the
Print and Reprint buttons.

A printer is a PDF file, a Zebra on the network (``zpl://host:port``, raw port 9100), or a
printer of the operating system chosen in its print dialog (see :mod:`ui.print_dialog`); the
panel turns what the operator chose into the printer string a label job stores
(:mod:`workbench.labels.printing`), and shows a stored one again. The last printer and stock
are remembered on this laptop (`workbench.labels.station`).

Kept apart from the window because it is the one place that knows the printer kinds and
their fields; the window decides what to print, and when.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from ui.elided_label import ElidedLabel
from ui.print_dialog import choose_system_printer
from ui.station.style import big_button, caption
from workbench.labels import template_names
from workbench.labels.printing import DEFAULT_ZPL_PORT, PrinterError, parse_printer

DEFAULT_TEMPLATE = "thermal-100x50"
MAX_COPIES = 999


class PrintPanel(QGridLayout):
    """Stock, copies and printer, a caption beside each, and the buttons that print.

    A layout rather than a widget: it sits above the label's preview with no margins of its
    own. Its dialogs open over ``window``. A PDF file is chosen in a dialog and shown whole
    or elided in the middle (`printer_path`, the whole path as its tooltip); a Zebra's
    address is typed (`printer_target`, which holds the chosen target for every kind).
    """

    def __init__(
        self, window: QWidget, print_labels: Callable[[], None], reprint_last: Callable[[], None]
    ) -> None:
        super().__init__()
        self._window = window
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(6)
        self.template_box = QComboBox()
        self.template_box.addItems(template_names())
        self.template_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.addWidget(caption("Stock"), 0, 0)
        self.addWidget(self.template_box, 0, 1)

        copies_row = QHBoxLayout()
        minus = big_button("−", "stepButton")
        self.copies = QSpinBox()
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copies.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.copies.setMinimumWidth(90)
        plus = big_button("+", "stepButton")
        minus.clicked.connect(lambda: self.copies.stepBy(-1))
        plus.clicked.connect(lambda: self.copies.stepBy(1))
        copies_row.addWidget(minus)
        copies_row.addWidget(self.copies, 1)
        copies_row.addWidget(plus)
        self.serial_run = QCheckBox("Serial run")
        self.serial_run.setObjectName("serialRun")
        self.serial_run.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.serial_run.setToolTip(
            "Number each label with its own serial (GS1 AI 21), handed out by the server so no "
            "two stations print the same one; offline, from the block this station reserved"
        )
        copies_row.addWidget(self.serial_run)
        self.addWidget(caption("Copies"), 1, 0)
        self.addLayout(copies_row, 1, 1)

        kind_row = QHBoxLayout()
        self.printer_kind = QComboBox()
        self.printer_kind.addItem("Zebra on the network", "zpl")
        self.printer_kind.addItem("PDF file", "pdf")
        self.printer_kind.addItem("System printer", "system")
        self.printer_kind.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.printer_kind.currentIndexChanged.connect(self._on_printer_kind)
        kind_row.addWidget(self.printer_kind, 1)
        self.choose_button = big_button("Choose…")
        self.choose_button.clicked.connect(self.choose_printer)
        kind_row.addWidget(self.choose_button)
        self.addWidget(caption("Printer"), 2, 0)
        self.addLayout(kind_row, 2, 1)

        target_row = QHBoxLayout()
        self.printer_target = QLineEdit()
        self.printer_target.setObjectName("printerTarget")
        target_row.addWidget(self.printer_target, 1)
        self.printer_path = ElidedLabel()
        self.printer_path.setObjectName("printerPath")
        self.printer_target.textChanged.connect(self._show_target)
        target_row.addWidget(self.printer_path, 1)
        self.printer_dpi = QComboBox()
        for dpi in (203, 300, 600):
            self.printer_dpi.addItem(f"{dpi} dpi", dpi)
        self.printer_dpi.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        target_row.addWidget(self.printer_dpi)
        self.addLayout(target_row, 3, 0, 1, 2)

        buttons = QHBoxLayout()
        self.print_button = big_button("Print", "printButton")
        self.print_button.clicked.connect(print_labels)
        buttons.addWidget(self.print_button, 3)
        self.reprint_button = big_button("Reprint last")
        self.reprint_button.clicked.connect(reprint_last)
        buttons.addWidget(self.reprint_button, 2)
        self.addLayout(buttons, 4, 0, 1, 2)
        self.setColumnStretch(1, 1)

    def _on_printer_kind(self) -> None:
        kind = self.printer_kind.currentData()
        self.printer_dpi.setVisible(kind == "zpl")
        self.choose_button.setVisible(kind != "zpl")
        self.printer_target.setVisible(kind == "zpl")
        self.printer_path.setVisible(kind != "zpl")
        self.printer_target.setPlaceholderText(f"printer address, e.g. 10.0.0.7:{DEFAULT_ZPL_PORT}")
        self._show_target()

    def _show_target(self) -> None:
        """The chosen file or system printer in `printer_path`, in words when none is."""
        target = self.printer_target.text().strip()
        if self.printer_kind.currentData() == "pdf":
            self.printer_path.setText(target or "no file chosen: Choose…")
        else:
            self.printer_path.setText(target or "the default printer (or Choose…)")

    def printer_string(self) -> str:
        """The chosen printer as a job names it (``zpl://…``, ``pdf:…``, ``system:…``)."""
        kind = self.printer_kind.currentData()
        target = self.printer_target.text().strip()
        if kind == "zpl":
            target = target.removeprefix("zpl://").split("?")[0].strip("/")
            if not target:
                raise PrinterError("type the Zebra's address, e.g. 10.0.0.7 or 10.0.0.7:9100")
            text = f"zpl://{target}?dpi={self.printer_dpi.currentData()}"
        elif kind == "pdf":
            if not target:
                raise PrinterError("choose the PDF file to write")
            text = f"pdf:{Path(target).expanduser()}"
        else:
            text = f"system:{target}"
        return str(parse_printer(text))

    def set_printer(self, text: str) -> None:
        """Show ``text`` (a printer string) as the chosen printer."""
        printer = parse_printer(text)
        self.printer_kind.setCurrentIndex(self.printer_kind.findData(printer.kind))
        if printer.kind == "zpl":
            self.printer_target.setText(str(printer).removeprefix("zpl://").split("?")[0])
            self.printer_dpi.setCurrentIndex(self.printer_dpi.findData(printer.dpi))
        else:
            self.printer_target.setText(printer.target)
        self._on_printer_kind()

    def choose_printer(self) -> QDialog | None:
        """Open the dialog for the printer kind: the system's print dialog, or a file
        dialog for the PDF (neither blocks the station); returns it."""
        kind = self.printer_kind.currentData()
        if kind == "system":
            return choose_system_printer(
                self._window, self.printer_target.text().strip(), self.printer_target.setText
            )
        if kind == "pdf":
            dialog = QFileDialog(
                self._window, "Write the labels to", self.printer_target.text(), "PDF files (*.pdf)"
            )
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("pdf")
            dialog.fileSelected.connect(self.printer_target.setText)
            dialog.open()
            return dialog
        return None

    def restore_choices(self, template: str | None, printer: str | None, fallback: str) -> None:
        """Show the stock and printer last used on this laptop (read with the station's
        start-up, `workbench.labels.station`); ``fallback`` (a printer string) when none
        was, or the one remembered can no longer be read."""
        index = self.template_box.findText(template or DEFAULT_TEMPLATE)
        self.template_box.setCurrentIndex(max(index, 0))
        try:
            self.set_printer(printer or fallback)
        except PrinterError:
            self.set_printer(fallback)
