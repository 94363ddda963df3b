"""The label station: the floor's one screen for printing QR labels.

Made for a touch screen or a laptop on a trolley beside a printer, used with gloves and a
hand scanner: large type, large buttons, one box that takes a scan. A barcode scanner types
the order or lot number and presses Enter; the station looks it up in the replica (orders
with their material's colour and name; material codes; the station's own QR labels, read
back from their URI), fills the label's fields, and the operator picks the label stock,
the number of copies and the printer, and presses Print.

Every print is a label job (:mod:`workbench.labels.jobs`): saved before the printer is
contacted, then marked printed or failed, and synced, so the server's audit trail shows
every label printed. Today's jobs are listed with their state; a failed job (a Zebra
switched off, a full disk) is retried from the list, to the same printer or another one.
Printing and look-ups run on workers (:class:`~ui.ops.OpRunner`): the screen never
freezes while a printer times out, and it all works offline, from the replica alone.

Printers: a PDF file, a Zebra on the network (``zpl://host:port``, raw port 9100), or a
printer of the operating system chosen in its print dialog (see :mod:`ui.print_dialog`).
The station remembers the last printer and template on this laptop.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sync import session
from sync.session import SyncReport
from ui.ops import OpContext, OpRunner
from ui.print_dialog import choose_system_printer, system_print
from ui.sync_controller import SyncController, Syncer
from workbench.labels import LabelError, LabelItem, parse_digital_link, template_names
from workbench.labels import jobs as label_jobs
from workbench.labels.jobs import LabelJob
from workbench.labels.printing import DEFAULT_ZPL_PORT, PrinterError, parse_printer
from workbench.replica import Replica
from workbench.workspace import Workspace

__all__ = ["LabelStation", "Scan", "look_up", "parse_quantity"]

#: What the station remembers on this laptop (in the replica's local state, never synced).
PRINTER_KEY = "label_station.printer"
TEMPLATE_KEY = "label_station.template"
DEFAULT_TEMPLATE = "thermal-100x50"
MAX_COPIES = 999

#: The label fields the operator sees, in the order of the form: (field, caption).
FORM_FIELDS = (
    ("description", "Description"),
    ("style", "Style"),
    ("colour", "Colour"),
    ("lot", "Lot"),
    ("quantity", "Qty on label"),
    ("date", "Made"),
    ("mill", "Mill"),
)

STATION_STYLE = """
QWidget { font-size: 16pt; }
QMenuBar, QMenu { font-size: 11pt; }
#stationTitle { font-size: 24pt; font-weight: bold; color: #1f3a4d; }
#scanBox {
    font-size: 30pt; padding: 10px 16px; border: 3px solid #2d5670; border-radius: 10px;
}
#scanBox:focus { border-color: #2e8fc4; }
#scanSummary { font-size: 16pt; color: #33474f; }
QLineEdit, QComboBox, QSpinBox { min-height: 44px; padding: 2px 10px; }
QPushButton {
    min-height: 56px; padding: 4px 22px; border-radius: 10px; border: 2px solid #8aa1ad;
    background: #eef2f4;
}
QPushButton:disabled { color: #9aa7ad; background: #f4f6f7; }
#printButton {
    font-size: 24pt; font-weight: bold; min-height: 84px; color: white;
    background: #1e7d3a; border-color: #17642e;
}
#printButton:disabled { background: #9cc3a8; border-color: #9cc3a8; }
#stepButton { min-width: 64px; font-size: 24pt; font-weight: bold; padding: 0; }
QSpinBox { font-size: 24pt; font-weight: bold; }
QSpinBox::up-button, QSpinBox::down-button { width: 0; }
#stationMessage { font-size: 18pt; padding: 8px 12px; border-radius: 8px; }
#stationMessage[state="ok"] { background: #dff2e4; color: #14522a; }
#stationMessage[state="error"] { background: #fbe1de; color: #7a1d12; }
#stationMessage[state="info"] { background: #e7f0f5; color: #1f3a4d; }
QTableWidget { font-size: 14pt; }
QHeaderView::section { font-size: 13pt; }
#syncLabel { font-size: 12pt; color: #5b6d75; }
"""


# --- looking a scan up (no Qt) ----------------------------------------------------------------


@dataclass(frozen=True)
class Scan:
    """What a scanned or typed number is, and the label it suggests."""

    #: "order", "material", or "lot" (not in the replica: a lot typed at the station)
    kind: str
    item: LabelItem
    #: one line for the operator: what was found
    summary: str
    found: bool


_ORDER_SQL = """
SELECT o.order_no, o.style_code, o.quantity, o.uom, o.mill, o.season,
       m.code AS material_code, m.name AS material_name, m.colour AS colour
FROM orders o LEFT JOIN materials m ON m.id = o.material_id AND m.deleted = 0
WHERE {match} AND o.deleted = 0
ORDER BY o.order_date DESC LIMIT 1
"""


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _order(replica: Replica, number: str, today: date) -> Scan | None:
    conn = replica.conn
    row = conn.execute(_ORDER_SQL.format(match="o.order_no = ?"), (number,)).fetchone()
    if row is None:  # typed by hand in another case: slower (a scan of orders), so second
        row = conn.execute(
            _ORDER_SQL.format(match="upper(o.order_no) = upper(?)"), (number,)
        ).fetchone()
    if row is None:
        return None
    item = LabelItem(
        code=row["order_no"],
        kind="order",
        style=_text(row["style_code"]),
        colour=_text(row["colour"]),
        quantity=Decimal(row["quantity"]) if row["quantity"] is not None else None,
        unit=_text(row["uom"]) or "pc",
        production_date=today,
        mill=_text(row["mill"]),
        description=_text(row["material_name"]),
    )
    parts = [f"Order {row['order_no']}", row["style_code"], f"{row['quantity']:,} {row['uom']}"]
    parts += [p for p in (row["season"], row["material_code"], row["mill"]) if p]
    return Scan("order", item, " · ".join(str(p) for p in parts), True)


def _material(replica: Replica, code: str, today: date) -> Scan | None:
    row = replica.conn.execute(
        "SELECT code, name, colour, mill, uom, supplier FROM materials "
        "WHERE code = ? AND deleted = 0 LIMIT 1",
        (code,),
    ).fetchone()
    if row is None:
        return None
    item = LabelItem(
        code=row["code"],
        kind="material",
        colour=_text(row["colour"]),
        mill=_text(row["mill"]),
        description=_text(row["name"]),
        production_date=today,
    )
    parts = [f"Material {row['code']}", row["name"], row["supplier"]]
    return Scan("material", item, " · ".join(p for p in parts if p), True)


def look_up(replica: Replica, text: str, today: date | None = None) -> Scan:
    """What ``text`` (a scan or typing) names: an order number, a material code, one of
    our own label URIs (its order or material, with its lot), or else a lot number."""
    today = today or date.today()
    text = text.strip()
    if not text:
        raise LabelError("scan or type an order or lot number")
    lot = None
    if text.lower().startswith(("http://", "https://")):
        link = parse_digital_link(text)  # LabelError: not one of ours, said so
        lot = link.lot
        if link.code is None:
            raise LabelError(f"{text}: a GTIN label; scan the order or lot number instead")
        text = link.code
    scan = _order(replica, text, today) or _material(replica, text, today)
    if scan is not None:
        return replace(scan, item=replace(scan.item, lot=lot)) if lot else scan
    item = LabelItem(code=text, kind="lot", lot=text if len(text) <= 20 else None,
                     production_date=today)  # fmt: skip
    return Scan("lot", item, f"{text} is not an order or material here: printing it as a lot",
                False)  # fmt: skip


_QUANTITY = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(\S+)?\s*$")


def parse_quantity(text: str, default_unit: str | None) -> tuple[Decimal | None, str | None]:
    """A typed quantity ("1200 pc", "52,5 kg", or "40" with ``default_unit``) and its unit."""
    if not text.strip():
        return None, None
    match = _QUANTITY.match(text)
    if match is None:
        raise LabelError(f"quantity {text!r}: write a number and a unit, as 1200 pc or 52.5 kg")
    try:
        quantity = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        raise LabelError(f"quantity {text!r} is not a number") from None
    unit = match.group(2) or default_unit
    if not unit:
        raise LabelError(f"quantity {text!r}: give its unit (kg, m, pc, ...)")
    return quantity, unit


def _quantity_text(item: LabelItem) -> str:
    return item.value("quantity") or ""


# --- the window ---------------------------------------------------------------------------------


def _big_button(text: str, name: str = "") -> QPushButton:
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a scan always lands in the scan box
    return button


class LabelStation(QMainWindow):
    """The label station window (see the module notes)."""

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
        self.jobs: list[LabelJob] = []
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
        body.addLayout(self._build_form(), 3)
        body.addLayout(self._build_print_panel(), 2)
        page.addLayout(body)
        self.message = QLabel("Scan an order or lot number.")
        self.message.setObjectName("stationMessage")
        self.message.setWordWrap(True)
        page.addWidget(self.message)
        page.addLayout(self._build_jobs(), 1)
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
        self._restore_choices()
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

    def _build_form(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        grid.setVerticalSpacing(6)
        self.code_label = QLabel("—")
        self.code_label.setObjectName("scanSummary")
        grid.addWidget(QLabel("Code"), 0, 0)
        grid.addWidget(self.code_label, 0, 1)
        self.fields: dict[str, QLineEdit] = {}
        for row, (name, caption) in enumerate(FORM_FIELDS, start=1):
            edit = QLineEdit()
            edit.setObjectName(f"field_{name}")
            grid.addWidget(QLabel(caption), row, 0)
            grid.addWidget(edit, row, 1)
            self.fields[name] = edit
        self.fields["date"].setPlaceholderText("YYYY-MM-DD")
        self.fields["quantity"].setPlaceholderText("e.g. 1200 pc or 52.5 kg")
        grid.setColumnStretch(1, 1)
        return grid

    def _build_print_panel(self) -> QVBoxLayout:
        panel = QVBoxLayout()
        panel.setSpacing(6)
        panel.addWidget(QLabel("Label stock"))
        self.template_box = QComboBox()
        self.template_box.addItems(template_names())
        self.template_box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        panel.addWidget(self.template_box)

        panel.addWidget(QLabel("Copies"))
        copies_row = QHBoxLayout()
        minus = _big_button("−", "stepButton")
        self.copies = QSpinBox()
        self.copies.setRange(1, MAX_COPIES)
        self.copies.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.copies.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        plus = _big_button("+", "stepButton")
        minus.clicked.connect(lambda: self.copies.stepBy(-1))
        plus.clicked.connect(lambda: self.copies.stepBy(1))
        copies_row.addWidget(minus)
        copies_row.addWidget(self.copies, 1)
        copies_row.addWidget(plus)
        panel.addLayout(copies_row)

        panel.addWidget(QLabel("Printer"))
        self.printer_kind = QComboBox()
        self.printer_kind.addItem("Zebra on the network", "zpl")
        self.printer_kind.addItem("PDF file", "pdf")
        self.printer_kind.addItem("System printer", "system")
        self.printer_kind.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.printer_kind.currentIndexChanged.connect(self._on_printer_kind)
        panel.addWidget(self.printer_kind)
        target_row = QHBoxLayout()
        self.printer_target = QLineEdit()
        self.printer_target.setObjectName("printerTarget")
        target_row.addWidget(self.printer_target, 1)
        self.printer_dpi = QComboBox()
        for dpi in (203, 300, 600):
            self.printer_dpi.addItem(f"{dpi} dpi", dpi)
        self.printer_dpi.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        target_row.addWidget(self.printer_dpi)
        self.choose_button = _big_button("Choose…")
        self.choose_button.clicked.connect(self.choose_printer)
        target_row.addWidget(self.choose_button)
        panel.addLayout(target_row)

        self.print_button = _big_button("Print", "printButton")
        self.print_button.clicked.connect(self.print_labels)
        panel.addWidget(self.print_button)
        self.reprint_button = _big_button("Reprint last")
        self.reprint_button.clicked.connect(self.reprint_last)
        panel.addWidget(self.reprint_button)
        panel.addStretch(1)
        return panel

    def _build_jobs(self) -> QVBoxLayout:
        column = QVBoxLayout()
        header = QHBoxLayout()
        header.addWidget(QLabel("Today's jobs"))
        header.addStretch(1)
        self.retry_button = _big_button("Retry failed job")
        self.retry_button.clicked.connect(self.retry_selected)
        header.addWidget(self.retry_button)
        column.addLayout(header)
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
        self.jobs_table.itemSelectionChanged.connect(self._update_buttons)
        column.addWidget(self.jobs_table, 1)
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
            return choose_system_printer(self, self.printer_target.text().strip(),
                                         self.printer_target.setText)  # fmt: skip
        if kind == "pdf":
            dialog = QFileDialog(self, "Write the labels to", self.printer_target.text(),
                                 "PDF files (*.pdf)")  # fmt: skip
            dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
            dialog.setDefaultSuffix("pdf")
            dialog.fileSelected.connect(self.printer_target.setText)
            dialog.open()
            return dialog
        return None

    def _restore_choices(self) -> None:
        saved_template = self.replica.get_state(TEMPLATE_KEY) or DEFAULT_TEMPLATE
        index = self.template_box.findText(saved_template)
        self.template_box.setCurrentIndex(max(index, 0))
        saved = self.replica.get_state(PRINTER_KEY)
        try:
            self.set_printer(saved or f"pdf:{self.workspace.root / 'labels' / 'labels.pdf'}")
        except PrinterError:
            self.set_printer(f"pdf:{self.workspace.root / 'labels' / 'labels.pdf'}")

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
        item = scan.item
        self.code_label.setText(f"{scan.kind} {item.code}")
        self.scan_summary.setText(scan.summary)
        values = {
            "description": item.description,
            "style": item.style,
            "colour": item.colour,
            "lot": item.lot,
            "quantity": _quantity_text(item),
            "date": item.production_date.isoformat() if item.production_date else "",
            "mill": item.mill,
        }
        for name, edit in self.fields.items():
            edit.setText(values.get(name) or "")
        self._say(
            f"Ready to print {scan.kind} {item.code}." if scan.found else scan.summary,
            "info" if scan.found else "error",
        )
        self.scan_box.selectAll()
        self.scan_box.setFocus()

    def label_item(self) -> LabelItem:
        """The label as the form now says it (the operator may have corrected fields)."""
        if self.scan is None:
            raise LabelError("scan or type an order or lot number first")
        text = {name: edit.text().strip() or None for name, edit in self.fields.items()}
        quantity, unit = parse_quantity(text["quantity"] or "", self.scan.item.unit)
        try:
            made = date.fromisoformat(text["date"]) if text["date"] else None
        except ValueError:
            raise LabelError(f"made {text['date']!r}: write the date as YYYY-MM-DD") from None
        return replace(
            self.scan.item,
            description=text["description"],
            style=text["style"],
            colour=text["colour"],
            lot=text["lot"],
            quantity=quantity,
            unit=unit if quantity is not None else None,
            production_date=made,
            mill=text["mill"],
        )

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
        try:
            printer = self.printer_string()
        except PrinterError as exc:
            self._say(str(exc), "error")
            return
        replica, scheme, job_id = self.replica, self.scheme, self.last_job.id
        self._run_print(
            lambda _ctx: label_jobs.reprint_job(replica, job_id, printer=printer, scheme=scheme,
                                                system_print=system_print),
            "Reprinting",
        )  # fmt: skip

    def retry_selected(self) -> None:
        """Print the selected failed (or stuck) job again, on the printer chosen now."""
        job = self.selected_job()
        if self._busy or job is None or job.state == "printed":
            return
        try:
            printer = self.printer_string()
        except PrinterError as exc:
            self._say(str(exc), "error")
            return
        replica, scheme = self.replica, self.scheme
        self._run_print(
            lambda _ctx: label_jobs.retry_job(replica, job.id, printer=printer, scheme=scheme,
                                              system_print=system_print),
            "Retrying",
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
        selected = self.selected_job()
        self.jobs = found
        if self.last_job is None and found:  # after a restart: this user's last print
            me = self.replica.get_state("username") or ""
            self.last_job = next(
                (job for job in found if job.state == "printed" and job.created_by == me), None
            )
        table = self.jobs_table
        table.setRowCount(len(found))
        colours = {"printed": "#14522a", "failed": "#a3261a", "queued": "#7a5a00"}
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
                    cell.setForeground(QColor(colours.get(job.state, "#1b2a33")))
                    cell.setToolTip(job.error or job.state)
                table.setItem(row, column, cell)
        if selected is not None:
            for row, job in enumerate(found):
                if job.id == selected.id:
                    table.selectRow(row)
        self._update_buttons()
        self.jobs_shown.emit(found)

    def selected_job(self) -> LabelJob | None:
        rows = self.jobs_table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.jobs):
            return None
        return self.jobs[rows[0].row()]

    def select_job(self, job_id: str) -> None:
        for row, job in enumerate(self.jobs):
            if job.id == job_id:
                self.jobs_table.selectRow(row)
                return
        raise LookupError(f"job {job_id} is not in the list")

    def _on_replica_changed(self, tables: frozenset[str]) -> None:
        if "label_jobs" in tables:
            self.refresh_jobs()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.sync.stop()
        self.ops.shutdown()
        super().closeEvent(event)


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
