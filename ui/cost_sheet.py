"""The cost sheet editor: a style's fabric, consumption, making, print, embroidery and trims on
the left; the breakdown, its chart, the price for the brand, the lead time and the firm quote
on the right, recomputed as the merchandiser types.

The rate book and the capacity book are loaded once on a worker; a costing then takes well
under a millisecond, so it runs on each edit. Saving writes a synced document; a firm quote
asked for offline waits in the queue for the next sync.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.bom_dialog import BomDialog, ChosenLine
from ui.ops import OpContext, OpRunner
from ui.share_chart import ShareChart
from ui.table_export import install_export
from workbench import documents, quotes
from workbench.capacity import CapacityBook, CapacityError, LeadTime, lead_time, load_capacity
from workbench.capacity.routes import style_route
from workbench.costing import (
    BodyMeasurements,
    CostingError,
    Embroidery,
    Making,
    MarkerConsumption,
    PrintSpec,
    RateBook,
    Style,
    TrimLine,
    cost_style,
    load_rate_book,
    price_style,
    stale_lines,
    trim_line,
)
from workbench.costing import choices as pick
from workbench.costing.pricing import PriceResult
from workbench.costing.sheet import CostSheet, sheet_from_dict, sheet_to_dict
from workbench.esg import render_esg_pdf
from workbench.esg import to_csv_rows as esg_csv_rows
from workbench.esg import to_json as esg_to_json
from workbench.export import export_table
from workbench.proposals.esg import sheet_footprint
from workbench.replica import queries
from workbench.search import SearchRequest
from workbench.workspace import Workspace

RECOMPUTE_MS = 120
STALE = QBrush(QColor("#fff1c7"))
BREAKDOWN_HEADERS = ("Component", "Quantity", "Rate (₹)", "Amount (₹)", "Share", "Rate code",
                     "Source", "Valid from")  # fmt: skip

#: asks the server for a firm quote: (sheet body, cost sheet id, ctx) -> the quote
QuoteAsker = Callable[[dict[str, Any], str, OpContext], dict[str, Any]]


@dataclass
class _Loaded:
    book: RateBook
    capacity: CapacityBook
    brands: list[pick.Choice]
    mills: list[pick.Choice]
    prints: list[pick.Choice]
    embroidery: list[pick.Choice]
    categories: list[str]


def _csv_parts(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    return [str(c) for c in rows[0]], rows[1:]


def _dec(text: str, what: str) -> Decimal:
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise CostingError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise CostingError(f"{what}: {text!r} is not a number")
    return value


def _money(value: Decimal, places: int = 2) -> str:
    return f"{value:,.{places}f}"


class MaterialPicker(QDialog):
    """Search the material master for a fabric or a trim."""

    def __init__(self, workspace: Workspace, material_type: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Choose a {material_type}")
        self.resize(640, 460)
        self.workspace, self.material_type = workspace, material_type
        self.box = QLineEdit()
        self.box.setPlaceholderText(f"Search {material_type}s: name, code, composition…")
        self.box.textChanged.connect(self.search)
        self.results = QListWidget()
        self.results.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.box)
        layout.addWidget(self.results)
        layout.addWidget(buttons)
        self.search("")

    def search(self, text: str) -> None:
        found = self.workspace.search.search(SearchRequest(
            text=text, material_types=frozenset({self.material_type}), limit=60))  # fmt: skip
        self.results.clear()
        for row in queries.materials_by_ids(self.workspace.replica.conn, list(found.ids)):
            item = QListWidgetItem(f"{row['code']}   {row['name']}")
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)

    @property
    def chosen(self) -> str | None:
        item = self.results.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))


class CostSheetWindow(QMainWindow):
    #: a costing was shown: the PriceResult (None when the inputs cannot be priced)
    computed = Signal(object)
    #: the sheet was saved: its document row
    saved = Signal(dict)
    #: the rate and capacity books are loaded
    ready = Signal()
    #: a firm quote arrived (dict) or was queued (str: the request id)
    quoted = Signal(object)
    #: the ESG sheet was written: the files
    esg_written = Signal(list)

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        ask_quote: QuoteAsker | None = None,
        document: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.workspace, self.ops, self._ask_quote = workspace, ops, ask_quote
        self.document = document
        self.sheet_id: str | None = document["id"] if document else None
        self.loaded: _Loaded | None = None
        self.style: Style | None = None
        self.price: PriceResult | None = None
        self.plan: LeadTime | None = None
        self.fabric_id: str | None = None
        self.trims: list[tuple[str, str, Decimal, bool]] = []  # id, label, qty, packing
        self.setWindowTitle("Cost sheet — Mill Workbench")
        self.resize(1400, 900)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_MS)
        self._timer.timeout.connect(self.recompute)
        self._filling = False
        self._build()
        self._load()

    # -- layout ------------------------------------------------------------------------------

    def _line(self, text: str = "", width: int = 90) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMaximumWidth(width)
        edit.textChanged.connect(self.changed)
        return edit

    def _combo(self) -> QComboBox:
        box = QComboBox()
        box.currentIndexChanged.connect(self.changed)
        return box

    def _build(self) -> None:
        form_host = QWidget()
        left = QVBoxLayout(form_host)

        head = QFormLayout()
        self.style_code = self._line("NEW-STYLE", 200)
        self.title_edit = self._line("", 320)
        self.category = self._combo()
        self.brand = self._combo()
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 10_000_000)
        self.quantity.setValue(3000)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.valueChanged.connect(self.changed)
        self.costed_on = QDateEdit(QDate.currentDate())
        self.costed_on.setCalendarPopup(True)
        self.costed_on.dateChanged.connect(self.changed)
        for label, widget in (("Style", self.style_code), ("Title", self.title_edit),
                              ("Category", self.category), ("Brand", self.brand),
                              ("Quantity (pcs)", self.quantity), ("Costed on", self.costed_on)):
            head.addRow(label + ":", widget)  # fmt: skip
        left.addLayout(head)

        fabric = QGroupBox("Fabric")
        ff = QFormLayout(fabric)
        self.fabric_label = QLabel("no fabric chosen")
        self.fabric_label.setWordWrap(True)
        choose = QPushButton("Choose fabric…")
        choose.clicked.connect(self.choose_fabric)
        row = QHBoxLayout()
        row.addWidget(self.fabric_label, 1)
        row.addWidget(choose)
        ff.addRow(row)
        self.yarn = self._combo()
        self.gsm = self._line()
        self.width_cm = self._line()
        self.conversion_loss = self._line("")
        self.conversion_loss.setPlaceholderText("0.5 usual")
        self.dyeing_loss = self._line("")
        self.dyeing_loss.setPlaceholderText("rate's")
        for label, widget in (("Yarn", self.yarn), ("GSM", self.gsm),
                              ("Cuttable width (cm)", self.width_cm),
                              ("Knitting/weaving loss %", self.conversion_loss),
                              ("Dyeing loss %", self.dyeing_loss)):
            ff.addRow(label + ":", widget)  # fmt: skip
        left.addWidget(fabric)

        cons = QGroupBox("Consumption")
        cf = QFormLayout(cons)
        self.method = self._combo()
        self.method.addItems(["Body measurements (knit)", "Marker (kg per piece)",
                              "Marker (m per piece)"])  # fmt: skip
        self.body_length = self._line("70")
        self.sleeve_length = self._line("20")
        self.half_chest = self._line("50")
        self.marker = self._line("1.60")
        self.wastage = self._line("8")
        for label, widget in (("Method", self.method), ("Body length (cm)", self.body_length),
                              ("Sleeve length (cm)", self.sleeve_length),
                              ("½ chest (cm)", self.half_chest), ("Marker quantity", self.marker),
                              ("Wastage %", self.wastage)):
            cf.addRow(label + ":", widget)  # fmt: skip
        left.addWidget(cons)

        make = QGroupBox("Making, print and embroidery")
        mf = QFormLayout(make)
        self.sam = self._line("12")
        self.efficiency = self._line("60")
        self.mill = self._combo()
        self.print_box = self._combo()
        self.placements = QSpinBox()
        self.placements.setRange(1, 10)
        self.placements.valueChanged.connect(self.changed)
        self.stitches = self._line("0")
        self.embroidery = self._combo()
        for label, widget in (("SAM (min)", self.sam), ("Line efficiency %", self.efficiency),
                              ("Mill", self.mill), ("Print", self.print_box),
                              ("Placements", self.placements), ("Stitches", self.stitches),
                              ("Embroidery rate", self.embroidery)):
            mf.addRow(label + ":", widget)  # fmt: skip
        left.addWidget(make)

        trims = QGroupBox("Trims and packing")
        tl = QVBoxLayout(trims)
        self.trim_table = QTableWidget(0, 3)
        self.trim_table.setHorizontalHeaderLabels(["Trim", "Qty / pc", "Packing"])
        self.trim_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.trim_table.verticalHeader().setVisible(False)
        self.trim_table.setMinimumHeight(120)
        self.trim_table.itemChanged.connect(self._on_trim_edited)
        add = QPushButton("Add trim…")
        add.clicked.connect(self.choose_trim)
        bom = QPushButton("From a BOM file…")
        bom.setToolTip("Take the fabric and trims from a CLO 3D or PLM bill of materials")
        bom.clicked.connect(self.choose_bom)
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_trim)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(bom)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        tl.addWidget(self.trim_table)
        tl.addLayout(buttons)
        left.addWidget(trims)
        left.addStretch(1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(form_host)
        scroll.setMinimumWidth(430)

        right_host = QWidget()
        right = QVBoxLayout(right_host)
        self.message = QLabel()
        self.message.setObjectName("costMessage")
        self.message.setWordWrap(True)
        right.addWidget(self.message)
        figures = QHBoxLayout()
        self.cost_label = QLabel("—")
        self.price_label = QLabel("—")
        self.lead_label = QLabel("—")
        for widget in (self.cost_label, self.price_label, self.lead_label):
            widget.setObjectName("costFigure")
            widget.setWordWrap(True)
            widget.setTextFormat(Qt.TextFormat.RichText)
            figures.addWidget(widget, 1)
        right.addLayout(figures)
        self.breakdown = QTableWidget(0, len(BREAKDOWN_HEADERS))
        self.breakdown.setHorizontalHeaderLabels(list(BREAKDOWN_HEADERS))
        self.breakdown.verticalHeader().setVisible(False)
        self.breakdown.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.breakdown.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)  # fmt: skip
        install_export(self.breakdown, "cost breakdown")
        self.chart = ShareChart()
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.breakdown)
        split.addWidget(self.chart)
        split.setSizes([430, 260])
        right.addWidget(split, 1)
        stale_row = QHBoxLayout()
        stale_row.addWidget(QLabel("Flag rates older than"))
        self.max_age = QSpinBox()
        self.max_age.setRange(1, 3650)
        self.max_age.setValue(180)
        self.max_age.setSuffix(" days")
        self.max_age.valueChanged.connect(self.changed)
        stale_row.addWidget(self.max_age)
        self.stale_label = QLabel()
        stale_row.addWidget(self.stale_label, 1)
        right.addLayout(stale_row)
        self.quote_label = QLabel("Estimate from this laptop's rates")
        self.quote_label.setObjectName("quoteLabel")
        self.quote_label.setWordWrap(True)
        right.addWidget(self.quote_label)
        actions = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(self.save)
        self.export_button = QPushButton("Export .xlsx…")
        self.export_button.clicked.connect(self.choose_export)
        self.compare_button = QPushButton("Compare with…")
        self.compare_button.clicked.connect(self.choose_compare)
        self.esg_button = QPushButton("ESG sheet…")
        self.esg_button.setToolTip("The style's footprint as PDF, with JSON and CSV beside it")
        self.esg_button.clicked.connect(self.choose_esg_sheet)
        self.quote_button = QPushButton("Ask for a firm quote")
        self.quote_button.clicked.connect(self.ask_quote)
        actions.addStretch(1)
        for button in (self.compare_button, self.export_button, self.esg_button,
                       self.quote_button, self.save_button):
            actions.addWidget(button)  # fmt: skip
        right.addLayout(actions)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(scroll)
        body.addWidget(right_host)
        body.setSizes([460, 940])
        self.setCentralWidget(body)

    # -- loading -----------------------------------------------------------------------------

    def _load(self) -> None:
        conn_of = self.workspace.replica

        def work(_ctx: OpContext) -> _Loaded:
            conn = conn_of.conn
            return _Loaded(
                book=load_rate_book(conn),
                capacity=load_capacity(conn, start=date.today()),
                brands=pick.brands(conn), mills=pick.mills(conn),
                prints=pick.print_techniques(conn), embroidery=pick.embroidery_rates(conn),
                categories=pick.categories(conn),
            )  # fmt: skip

        self.ops.run(work, success=self._on_loaded, label="Loading rates and capacity")

    def _on_loaded(self, loaded: _Loaded) -> None:
        self.loaded = loaded
        self._filling = True
        for box, items in ((self.brand, loaded.brands), (self.mill, loaded.mills),
                           (self.embroidery, loaded.embroidery)):
            for choice in items:
                box.addItem(choice.label, choice.value)  # fmt: skip
        self.print_box.addItem("no print", "")
        for choice in loaded.prints:
            self.print_box.addItem(choice.label, choice.value)
        self.category.addItems(loaded.categories)
        self._filling = False
        if self.document is not None:
            self.show_sheet(sheet_from_dict(json.loads(self.document["body"])))
        self.ready.emit()
        self.recompute()

    # -- filling from a sheet ----------------------------------------------------------------

    def _set_combo(self, box: QComboBox, value: str) -> None:
        index = box.findData(value)
        if index < 0:
            index = box.findText(value)
        if index < 0:
            box.addItem(value, value)
            index = box.count() - 1
        box.setCurrentIndex(index)

    def show_sheet(self, sheet: CostSheet) -> None:
        style = sheet.style
        self._filling = True
        self.style_code.setText(style.style_code)
        self.title_edit.setText(sheet.title)
        self._set_combo(self.category, style.category)
        if sheet.brand:
            self._set_combo(self.brand, sheet.brand)
        self.quantity.setValue(sheet.quantity)
        if sheet.costed_on:
            self.costed_on.setDate(QDate(sheet.costed_on.year, sheet.costed_on.month,
                                         sheet.costed_on.day))  # fmt: skip
        self._show_style(style)
        self._filling = False
        self.recompute()

    def _show_style(self, style: Style) -> None:
        f = style.fabric
        self.fabric_id = f.material_id
        self.fabric_label.setText(f.name or f.construction)
        self._fill_yarns(f.material_id)
        self._set_combo(self.yarn, f.yarn_material_id)
        self.gsm.setText(str(f.gsm))
        self.width_cm.setText(str(f.width_cm))
        self.conversion_loss.setText("" if f.conversion_loss is None else
                                     str(f.conversion_loss * 100))  # fmt: skip
        self.dyeing_loss.setText("" if f.dyeing_loss is None else str(f.dyeing_loss * 100))
        self._fabric_spec = f
        c = style.consumption
        if isinstance(c, BodyMeasurements):
            self.method.setCurrentIndex(0)
            self.body_length.setText(str(c.body_length_cm))
            self.sleeve_length.setText(str(c.sleeve_length_cm))
            self.half_chest.setText(str(c.half_chest_cm))
        else:
            self.method.setCurrentIndex(1 if c.uom == "kg" else 2)
            self.marker.setText(str(c.quantity))
        self.wastage.setText(str(style.wastage * 100))
        self.sam.setText(str(style.making.sam))
        self.efficiency.setText(str(style.making.line_efficiency * 100))
        self._set_combo(self.mill, style.making.mill)
        if style.printing is None:
            self.print_box.setCurrentIndex(0)
        else:
            self._set_combo(self.print_box, style.printing.technique)
            self.placements.setValue(style.printing.placements)
        stitches = sum(e.stitches for e in style.embroidery)
        self.stitches.setText(str(stitches))
        if style.embroidery:
            self._set_combo(self.embroidery, style.embroidery[0].rate_code)
        self.trims = [(t.material_id, t.name, t.quantity, t.packing) for t in style.trims]
        self._show_trims()

    def _fill_yarns(self, fabric_id: str | None) -> None:
        conn = self.workspace.replica.conn
        composition = ""
        if fabric_id:
            row = conn.execute("SELECT composition FROM materials WHERE id = ?",
                               (fabric_id,)).fetchone()  # fmt: skip
            composition = row[0] if row else ""
        self.yarn.blockSignals(True)
        self.yarn.clear()
        for choice in pick.yarns_for(conn, composition):
            self.yarn.addItem(choice.label, choice.value)
        self.yarn.blockSignals(False)

    # -- choosing materials ------------------------------------------------------------------

    def choose_fabric(self) -> None:
        picker = MaterialPicker(self.workspace, "fabric", self)
        if picker.exec() and picker.chosen:
            self.use_fabric(picker.chosen)

    def use_fabric(self, fabric_id: str) -> None:
        """Start from a fabric: its spec, a priced yarn and a first draft of the rest."""
        conn = self.workspace.replica.conn
        try:
            draft = pick.starting_style(conn, fabric_id, self.style_code.text() or "NEW-STYLE")
        except CostingError as exc:
            self.message.setText(str(exc))
            return
        if self.style is not None:  # keep what was already filled in beyond the fabric
            draft = Style(**{**self.style.__dict__, "fabric": draft.fabric,
                             "consumption": draft.consumption})  # fmt: skip
        kept = list(self.trims)
        self._filling = True
        self._show_style(draft)
        if not draft.trims and kept:  # trims chosen before the fabric stay
            self.trims = kept
            self._show_trims()
        if self.style is None:
            self._set_combo(self.category, draft.category)
        self._filling = False
        self.recompute()

    def choose_trim(self) -> None:
        picker = MaterialPicker(self.workspace, "trim", self)
        if picker.exec() and picker.chosen:
            self.add_trim(picker.chosen, Decimal(1))

    def add_trim(self, material_id: str, quantity: Decimal) -> None:
        line = trim_line(self.workspace.replica.conn, material_id, quantity)
        row = self.workspace.replica.conn.execute(
            "SELECT code, name FROM materials WHERE id = ?", (material_id,)).fetchone()  # fmt: skip
        self.trims.append((material_id, f"{line.name}: {row[1]}", quantity, line.packing))
        self._show_trims()
        self.changed()

    def choose_bom(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Bill of materials", "",
                                              "BOM exports (*.xlsx *.xls *.csv *.txt)")  # fmt: skip
        if path:
            dialog = self.open_bom(Path(path))
            dialog.accepted.connect(lambda: self.use_bom(dialog.chosen()))
            dialog.show()

    def open_bom(self, path: Path) -> BomDialog:
        self.bom_dialog = BomDialog(self.workspace, self.ops, path, self)
        return self.bom_dialog

    def use_bom(self, lines: list[ChosenLine]) -> None:
        """The first fabric confirmed becomes the sheet's fabric; trims are added with the
        BOM's quantity per piece (1 where it gives none, or gives it in metres of fabric)."""
        fabrics = [line for line in lines if line.material_type == "fabric"]
        for line in lines:
            if line.material_type == "trim":
                quantity = line.quantity if line.quantity and line.quantity > 0 else Decimal(1)
                self.add_trim(line.material_id, quantity)
        if fabrics:
            self.use_fabric(fabrics[0].material_id)

    def remove_trim(self) -> None:
        row = self.trim_table.currentRow()
        if 0 <= row < len(self.trims):
            del self.trims[row]
            self._show_trims()
            self.changed()

    def _show_trims(self) -> None:
        self.trim_table.blockSignals(True)
        self.trim_table.setRowCount(len(self.trims))
        for r, (_id, label, qty, packing) in enumerate(self.trims):
            name = QTableWidgetItem(label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 0, name)
            self.trim_table.setItem(r, 1, QTableWidgetItem(str(qty)))
            flag = QTableWidgetItem("packing" if packing else "")
            flag.setFlags(flag.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 2, flag)
        self.trim_table.blockSignals(False)

    def _on_trim_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and item.row() < len(self.trims):
            material_id, label, _qty, packing = self.trims[item.row()]
            try:
                qty = _dec(item.text(), f"quantity of {label}")
            except CostingError as exc:
                self.message.setText(str(exc))
                return
            self.trims[item.row()] = (material_id, label, qty, packing)
            self.changed()

    # -- computing ---------------------------------------------------------------------------

    def changed(self, *_args: object) -> None:
        if not self._filling:
            self._timer.start()

    def current_sheet(self) -> CostSheet:
        """The sheet as the form shows it; a CostingError names a field that cannot be read."""
        spec = getattr(self, "_fabric_spec", None)
        if spec is None:
            raise CostingError("choose a fabric to start")
        losses = {}
        for name, edit in (("conversion_loss", self.conversion_loss),
                           ("dyeing_loss", self.dyeing_loss)):
            losses[name] = (_dec(edit.text(), name.replace("_", " ")) / 100
                            if edit.text().strip() else None)  # fmt: skip
        fabric = type(spec)(**{
            **spec.__dict__, "gsm": int(_dec(self.gsm.text(), "GSM")),
            "width_cm": int(_dec(self.width_cm.text(), "width")),
            "yarn_material_id": str(self.yarn.currentData() or spec.yarn_material_id),
            "yarn_count": (self.yarn.currentText().split("  ", 1)[-1] if self.yarn.count()
                           else spec.yarn_count),
            **losses,
        })  # fmt: skip
        consumption: BodyMeasurements | MarkerConsumption
        if self.method.currentIndex() == 0:
            consumption = BodyMeasurements(_dec(self.body_length.text(), "body length"),
                                           _dec(self.sleeve_length.text(), "sleeve length"),
                                           _dec(self.half_chest.text(), "½ chest"))  # fmt: skip
        else:
            uom = "kg" if self.method.currentIndex() == 1 else "m"
            consumption = MarkerConsumption(_dec(self.marker.text(), "marker quantity"), uom)
        stitches = int(_dec(self.stitches.text() or "0", "stitches"))
        technique = str(self.print_box.currentData() or "")
        style = Style(
            style_code=self.style_code.text().strip() or "NEW-STYLE",
            category=self.category.currentText() or "other",
            fabric=fabric,
            consumption=consumption,
            making=Making(_dec(self.sam.text(), "SAM"), str(self.mill.currentData() or ""),
                          _dec(self.efficiency.text(), "line efficiency") / 100),
            wastage=_dec(self.wastage.text(), "wastage") / 100,
            printing=PrintSpec(technique, self.placements.value()) if technique else None,
            embroidery=(Embroidery(stitches, str(self.embroidery.currentData() or "EMB-FLAT")),)
            if stitches else (),
            trims=tuple(TrimLine(i, label.split(":")[0], qty, packing)
                        for i, label, qty, packing in self.trims),
        )  # fmt: skip
        q = self.costed_on.date()
        return CostSheet(style=style, brand=str(self.brand.currentData() or ""),
                         quantity=self.quantity.value(), costed_on=date(q.year(), q.month(),
                                                                        q.day()),
                         title=self.title_edit.text())  # fmt: skip

    def recompute(self) -> None:
        if self.loaded is None:
            return
        try:
            sheet = self.current_sheet()
            cost = cost_style(sheet.style, self.loaded.book, sheet.costed_on or date.today())
            price = price_style(sheet.style, self.loaded.book, cost.on, brand=sheet.brand,
                                quantity=sheet.quantity) if sheet.brand else None  # fmt: skip
        except (CostingError, ValueError) as exc:
            self.style, self.price = None, None
            self.message.setText(str(exc))
            self.computed.emit(None)
            return
        self.style, self.price = sheet.style, price
        self.message.setText("")
        self._show_cost(cost, price)
        self._show_lead_time(sheet, cost)
        self.computed.emit(price)

    def _show_cost(self, cost: Any, price: PriceResult | None) -> None:
        stale = {line.component for line in stale_lines(cost, cost.on, self.max_age.value())}
        self.breakdown.setRowCount(len(cost.lines))
        for r, line in enumerate(cost.lines):
            qty = (f"{_money(line.quantity)} ₹" if line.basis == "percent"
                   else f"{line.quantity:,.4f} {line.unit}")  # fmt: skip
            rate = f"{line.rate:.2f} %" if line.basis == "percent" else _money(line.rate)
            cells = (line.component, qty, rate, _money(line.amount), f"{line.share * 100:.2f} %",
                     line.rate_code, line.source, line.valid_from.isoformat())  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c in (1, 2, 3, 4):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                if line.component in stale:
                    item.setBackground(STALE)
                    item.setToolTip(f"rate valid from {line.valid_from}: older than "
                                    f"{self.max_age.value()} days")  # fmt: skip
                self.breakdown.setItem(r, c, item)
        self.stale_label.setText(
            f"{len(stale)} rate(s) older than that, highlighted" if stale else "all rates recent")
        self.chart.show_lines(cost.lines)
        self.cost_label.setText(
            f"<b>Cost</b><br><span style='font-size:15pt'>₹ {_money(cost.total)}</span> per piece"
            f"<br>fabric ₹ {_money(cost.fabric.per_kg)}/kg · {cost.consumption_kg:.4f} kg/pc")
        if price is None:
            self.price_label.setText("<b>Price</b><br>choose a brand")
            return
        fx = price.fx
        self.price_label.setText(
            f"<b>Estimate</b> for {price.brand.code}<br><span style='font-size:15pt'>"
            f"{price.currency} {price.price_per_piece:,.2f}</span> per piece · "
            f"{price.price_per_dozen:,.2f} per dozen<br>margin {price.margin * 100:.1f} %"
            + (f" · 1 INR = {fx.rate} {price.currency} ({fx.as_of})" if fx else "")
            + "".join(f"<br><i>{note}</i>" for note in price.notes))

    def _show_lead_time(self, sheet: CostSheet, cost: Any) -> None:
        assert self.loaded is not None
        try:
            route = style_route(sheet.style, cost.consumption_kg, cost.consumption_m)
            self.plan = lead_time(self.loaded.capacity, route, sheet.quantity, date.today())
        except CapacityError as exc:
            self.plan = None
            self.lead_label.setText(f"<b>Lead time</b><br>{exc}")
            return
        plan = self.plan
        self.lead_label.setText(
            f"<b>Lead time</b><br><span style='font-size:15pt'>{plan.completion:%d %b %Y}</span>"
            f" ({plan.days} days)<br>bottleneck: {plan.bottleneck.process} at "
            f"{plan.bottleneck.centre_code}"
            + ("".join(f"<br><i>{w}</i>" for w in plan.warnings[:2])))

    # -- saving, export, comparing -----------------------------------------------------------

    def save(self) -> dict[str, Any] | None:
        try:
            sheet = self.current_sheet()
        except CostingError as exc:
            self.message.setText(f"Not saved: {exc}")
            return None
        conn = self.workspace.replica.conn
        brand = conn.execute("SELECT id FROM brands WHERE code = ? AND deleted = 0",
                             (sheet.brand,)).fetchone()  # fmt: skip
        row = documents.save_document(self.workspace.replica, "cost_sheets", {
            **({"id": self.sheet_id} if self.sheet_id else {}),
            "style_code": sheet.style.style_code, "title": sheet.title,
            "brand_id": brand[0] if brand else None,
            "body": json.dumps(sheet_to_dict(sheet)),
            "created_by": self.workspace.replica.get_state("username") or "",
        })  # fmt: skip
        self.sheet_id = row["id"]
        self.document = row
        self.setWindowTitle(f"Cost sheet {sheet.style.style_code} — Mill Workbench")
        self.quote_label.setText("Saved · estimate from this laptop's rates")
        self.saved.emit(row)
        return row

    def breakdown_rows(self) -> tuple[list[str], list[list[Any]]]:
        rows = [[self.breakdown.item(r, c).text() for c in range(self.breakdown.columnCount())]
                for r in range(self.breakdown.rowCount())]  # fmt: skip
        return list(BREAKDOWN_HEADERS), rows

    def choose_export(self) -> None:
        name = f"{self.style_code.text() or 'cost-sheet'}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, "Export cost sheet", name, "Excel (*.xlsx)")
        if path:
            self.export(Path(path))

    def export(self, path: Path) -> int:
        headers, rows = self.breakdown_rows()
        if self.price is not None:
            p = self.price
            rows += [[], ["Cost per piece (INR)", "", "", _money(p.cost.total)],
                     [f"Price per piece ({p.currency})", "", "", f"{p.price_per_piece:.2f}"],
                     [f"Price per dozen ({p.currency})", "", "", f"{p.price_per_dozen:.2f}"],
                     ["Margin on selling price", "", "", f"{p.margin * 100:.2f} %"]]  # fmt: skip
        return export_table(path, headers, rows)

    def choose_compare(self) -> None:
        others = [r for r in self.workspace.replica.conn.execute(
            "SELECT id, style_code, title, updated_at FROM cost_sheets WHERE deleted = 0 "
            "ORDER BY updated_at DESC")]  # fmt: skip
        dialog = QDialog(self)
        dialog.setWindowTitle("Compare with another cost sheet")
        listing = QListWidget()
        for r in others:
            item = QListWidgetItem(f"{r['style_code']}  {r['title']}  ({r['updated_at']})")
            item.setData(Qt.ItemDataRole.UserRole, r["id"])
            listing.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)  # fmt: skip
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(listing)
        layout.addWidget(buttons)
        if dialog.exec() and listing.currentItem() is not None:
            self.compare_with(str(listing.currentItem().data(Qt.ItemDataRole.UserRole)))

    def compare_with(self, other_id: str) -> CompareDialog | None:
        assert self.loaded is not None
        row = self.workspace.replica.conn.execute(
            "SELECT body FROM cost_sheets WHERE id = ?", (other_id,)).fetchone()  # fmt: skip
        try:
            mine = self.current_sheet()
            theirs = sheet_from_dict(json.loads(row["body"]))
            dialog = CompareDialog(mine, theirs, self.loaded.book, self)
        except CostingError as exc:
            self.message.setText(f"Cannot compare: {exc}")
            return None
        dialog.show()
        self.compare_dialog = dialog
        return dialog

    # -- ESG sheet ---------------------------------------------------------------------------

    def choose_esg_sheet(self) -> None:
        name = f"{self.style_code.text() or 'style'}-esg.pdf"
        path, _ = QFileDialog.getSaveFileName(self, "ESG sheet", name, "PDF (*.pdf)")
        if path:
            self.export_esg_sheet(Path(path))

    def export_esg_sheet(self, path: Path) -> list[Path]:
        """The footprint as PDF, JSON and CSV (same name, three suffixes), on a worker."""
        assert self.loaded is not None
        row = self.save()
        if row is None:
            return []
        replica, book = self.workspace.replica, self.loaded.book
        written = [path.with_suffix(".pdf"), path.with_suffix(".json"), path.with_suffix(".csv")]

        def work(_ctx: OpContext) -> list[Path]:
            footprint = sheet_footprint(replica, book, row)
            written[0].write_bytes(render_esg_pdf(footprint))
            written[1].write_text(esg_to_json(footprint), encoding="utf-8")
            export_table(written[2], *_csv_parts(esg_csv_rows(footprint)))
            return written

        def failed(exc: BaseException) -> None:
            self.message.setText(f"No ESG sheet: {exc}")

        self.ops.run(work, success=lambda paths: self.esg_written.emit(paths), failure=failed,
                     label="Working out the footprint")  # fmt: skip
        return written

    # -- firm quotes -------------------------------------------------------------------------

    def ask_quote(self) -> None:
        row = self.save()
        if row is None:
            return
        body = json.loads(row["body"])
        if self._ask_quote is None:
            self._queue_quote(row["id"], body, "no server is configured")
            return
        ask = self._ask_quote

        def work(ctx: OpContext) -> dict[str, Any]:
            return ask(body, row["id"], ctx)

        def failed(exc: BaseException) -> None:
            if getattr(exc, "code", "") == "offline":
                self._queue_quote(row["id"], body, "the server cannot be reached")
            else:
                self.quote_label.setText(f"The pricing service did not quote: {exc}")

        self.ops.run(work, success=self._show_quote, failure=failed,
                     label="Asking the pricing service")  # fmt: skip

    def _queue_quote(self, sheet_id: str, body: dict[str, Any], why: str) -> None:
        request_id = quotes.queue_request(self.workspace.replica, sheet_id, body)
        self.quote_label.setText(f"Firm quote queued ({why}): it is asked for on the next "
                                 "sync. Meanwhile this is an estimate from this laptop's "
                                 "rates.")  # fmt: skip
        self.quoted.emit(request_id)

    def _show_quote(self, quote: dict[str, Any]) -> None:
        quotes.store_quote(self.workspace.replica, quote)
        firm = Decimal(quote["price_per_piece"])
        text = (f"<b>Firm quote {quote['quote_no']}</b>: {quote['currency']} {firm:,.2f} per "
                f"piece, valid until {quote['valid_until']}")  # fmt: skip
        if self.price is not None:
            diff = firm - self.price.price_per_piece
            text += (f" · estimate {self.price.price_per_piece:,.2f}, difference "
                     f"{diff:+,.2f}" if diff else " · the same as the estimate")  # fmt: skip
        self.quote_label.setText(text)
        self.quoted.emit(quote)


class CompareDialog(QDialog):
    """Two cost sheets side by side: each component's amount, the totals and the price, and
    the difference, so a merchandiser sees what a change of fabric or mill did."""

    def __init__(self, mine: CostSheet, theirs: CostSheet, book: RateBook,
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(f"{mine.style.style_code} compared with {theirs.style.style_code}")
        self.resize(860, 560)
        costs = []
        for sheet in (mine, theirs):
            on = sheet.costed_on or date.today()
            cost = cost_style(sheet.style, book, on)
            price = (price_style(sheet.style, book, on, brand=sheet.brand,
                                 quantity=sheet.quantity) if sheet.brand else None)  # fmt: skip
            costs.append((cost, price))
        (a, pa), (b, pb) = costs
        names = list(dict.fromkeys([line.component for line in a.lines]
                                   + [line.component for line in b.lines]))  # fmt: skip
        amounts = [{line.component: line.amount for line in c.lines} for c in (a, b)]
        rows: list[tuple[str, Decimal | None, Decimal | None]] = [
            (name, amounts[0].get(name), amounts[1].get(name)) for name in names]
        rows.append(("Total cost per piece (₹)", a.total, b.total))
        if pa is not None and pb is not None:
            rows.append((f"Price per piece ({pa.currency} / {pb.currency})",
                         pa.price_per_piece, pb.price_per_piece))  # fmt: skip
            rows.append(("Margin %", pa.margin * 100, pb.margin * 100))
        self.table = QTableWidget(len(rows), 4)
        self.table.setHorizontalHeaderLabels(["", mine.style.style_code,
                                              theirs.style.style_code, "Difference"])  # fmt: skip
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for r, (name, x, y) in enumerate(rows):
            cells = [name, "—" if x is None else _money(x), "—" if y is None else _money(y),
                     _money((y or Decimal(0)) - (x or Decimal(0)))]  # fmt: skip
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight
                                          | Qt.AlignmentFlag.AlignVCenter)  # fmt: skip
                self.table.setItem(r, c, item)
        install_export(self.table, "cost comparison")
        self.rows = rows
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(close)
