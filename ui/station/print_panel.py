"""The station's print panel: the label stock, the number of copies, the printer, and the
Print and Reprint buttons.

A printer is a PDF file, a Zebra on the network (``zpl://host:port``, raw port 9100), or a
printer of the operating system chosen in its print dialog (see :mod:`ui.print_dialog`); the
panel turns what the operator chose into the printer string a label job stores
(:mod:`workbench.labels.printing`), and shows a stored one again. The last printer and stock
are remembered on this laptop.

Kept apart from the window because it is the one place that knows the printer kinds and
their fields; the window decides what to print, and when.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.print_dialog import choose_system_printer
from ui.station.style import big_button
from workbench.labels import template_names
from workbench.labels.printing import DEFAULT_ZPL_PORT, PrinterError, parse_printer
from workbench.replica import Replica

#: What the station remembers on this laptop (in the replica's local state, never synced).
PRINTER_KEY = "label_station.printer"
TEMPLATE_KEY = "label_station.template"
DEFAULT_TEMPLATE = "thermal-100x50"
MAX_COPIES = 999


class PrintPanel(QVBoxLayout):
    """Stock, copies and printer, one under the other, and the buttons that print.

    A layout rather than a widget: it sits beside the label's fields with no margins of its
    own. Its dialogs open over ``window``.
    """

    def __init__(
        self, window: QWidget, print_labels: Callable[[], None], reprint_last: Callable[[], None]
    ) -> None:
        super().__init__()
        self._window = window
        self.setSpacing(6)
        self.addWidget(QLabel("Label stock"))
        self.template_box = QComboBox()
        self.template_box.addItems(template_names())
        self.template_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.addWidget(self.template_box)

        self.addWidget(QLabel("Copies"))
        copies_row = QHBoxLayout()
        minus = big_button("−", "stepButton")
        self.copies = QSpinBox()
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copies.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        plus = big_button("+", "stepButton")
        minus.clicked.connect(lambda: self.copies.stepBy(-1))
        plus.clicked.connect(lambda: self.copies.stepBy(1))
        copies_row.addWidget(minus)
        copies_row.addWidget(self.copies, 1)
        copies_row.addWidget(plus)
        self.addLayout(copies_row)

        self.addWidget(QLabel("Printer"))
        self.printer_kind = QComboBox()
        self.printer_kind.addItem("Zebra on the network", "zpl")
        self.printer_kind.addItem("PDF file", "pdf")
        self.printer_kind.addItem("System printer", "system")
        self.printer_kind.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.printer_kind.currentIndexChanged.connect(self._on_printer_kind)
        self.addWidget(self.printer_kind)
        target_row = QHBoxLayout()
        self.printer_target = QLineEdit()
        self.printer_target.setObjectName("printerTarget")
        target_row.addWidget(self.printer_target, 1)
        self.printer_dpi = QComboBox()
        for dpi in (203, 300, 600):
            self.printer_dpi.addItem(f"{dpi} dpi", dpi)
        self.printer_dpi.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        target_row.addWidget(self.printer_dpi)
        self.choose_button = big_button("Choose…")
        self.choose_button.clicked.connect(self.choose_printer)
        target_row.addWidget(self.choose_button)
        self.addLayout(target_row)

        self.print_button = big_button("Print", "printButton")
        self.print_button.clicked.connect(print_labels)
        self.addWidget(self.print_button)
        self.reprint_button = big_button("Reprint last")
        self.reprint_button.clicked.connect(reprint_last)
        self.addWidget(self.reprint_button)
        self.addStretch(1)

    def _on_printer_kind(self) -> None:
        kind = self.printer_kind.currentData()
        self.printer_dpi.setVisible(kind == "zpl")
        self.choose_button.setVisible(kind != "zpl")
        self.printer_target.setPlaceholderText({
            "zpl": f"printer address, e.g. 10.0.0.7:{DEFAULT_ZPL_PORT}",
            "pdf": "file to write, e.g. labels.pdf",
            "system": "the default printer (or Choose…)",
        }[kind])  # fmt: skip

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
            return choose_system_printer(self._window, self.printer_target.text().strip(),
                                         self.printer_target.setText)  # fmt: skip
        if kind == "pdf":
            dialog = QFileDialog(self._window, "Write the labels to", self.printer_target.text(),
                                 "PDF files (*.pdf)")  # fmt: skip
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("pdf")
            dialog.fileSelected.connect(self.printer_target.setText)
            dialog.open()
            return dialog
        return None

    def restore_choices(self, replica: Replica, fallback: str) -> None:
        """The stock and printer last used on this laptop; ``fallback`` (a printer string)
        when none was, or the one remembered can no longer be read."""
        saved_template = replica.get_state(TEMPLATE_KEY) or DEFAULT_TEMPLATE
        index = self.template_box.findText(saved_template)
        self.template_box.setCurrentIndex(max(index, 0))
        saved = replica.get_state(PRINTER_KEY)
        try:
            self.set_printer(saved or fallback)
        except PrinterError:
            self.set_printer(fallback)
