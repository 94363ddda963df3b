"""The cost sheet's inputs, the form on the left of the editor: the style's header, fabric,
consumption, making, print, embroidery, and the trims table.

Kept apart from the window because it is the one place that turns a `CostSheet` into widgets
and the widgets back into a `CostSheet`; the window only decides when to cost what this form
reads. While the form fills itself it stays quiet, so one sheet shown is one costing, not one
per field.

Every number is read in the user's locale (`workbench.numbers`) and checked against the
trade's ranges (`workbench.costing.limits`); what is refused or unusual is said beside the
field, in the field's own units, and a refused field keeps the sheet from being costed. The
wheel scrolls the form unless a box has focus (`ui.wheel_guard`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import locale_format, write_number
from ui.cost_sheet.books import Loaded
from ui.cost_sheet.colourways import ColourwaysBox
from ui.cost_sheet.edits import BOXES, TEXT_FIELDS, FormState
from ui.cost_sheet.lookups import FabricStart, TrimEntry
from ui.field_notes import NOTE_STYLE, FieldNotes
from ui.formats import date_format
from ui.wheel_guard import guard_wheel
from ui.wrapped_label import WrappedLabel
from workbench.costing import (
    BodyMeasurements,
    CostingError,
    Embroidery,
    FabricSpec,
    Making,
    MarkerConsumption,
    PrintSpec,
    Style,
    TrimLine,
)
from workbench.costing import choices as pick
from workbench.costing.limits import check_plausible, show
from workbench.costing.marker import MarkerPlan
from workbench.costing.sheet import CostSheet
from workbench.costing.sizes import SizeRatio, marker_figures, read_size_ratio
from workbench.costing.terms import DELIVERY_FIELDS
from workbench.costing.units import CM_PER_INCH, M_PER_YARD
from workbench.numbers import NumberError, read_number
from workbench.workspace import Workspace


@dataclass(frozen=True)
class NumberField:
    """A field of the form that holds a number: its label in messages, the trade range it is
    checked against, whether it takes whole numbers only, and what it means left empty."""

    name: str
    edit: QLineEdit
    label: str
    limits: str
    whole: bool = False
    optional: bool = False
    empty: Decimal | None = None
    #: units that may follow the number: (what is typed, factor to the field's unit, name);
    #: the first is the field's own unit
    units: tuple[tuple[str, Decimal, str], ...] = ()


#: a width in centimetres, or in inches as mills quote it (72″ = 182.88 cm exactly)
WIDTH_UNITS = (
    ("cm", Decimal(1), "cm"),
    ("inches", CM_PER_INCH, "in"),
    ("inch", CM_PER_INCH, "in"),
    ("in", CM_PER_INCH, "in"),
    ("″", CM_PER_INCH, "in"),
    ('"', CM_PER_INCH, "in"),
)
#: a marker length in metres, or in yards as cutting rooms lay them
LENGTH_UNITS = (
    ("m", Decimal(1), "m"),
    ("yards", M_PER_YARD, "yd"),
    ("yard", M_PER_YARD, "yd"),
    ("yds", M_PER_YARD, "yd"),
    ("yd", M_PER_YARD, "yd"),
)

#: the delivery fields: the form's attribute (and `terms.DELIVERY_FIELDS` name), its label in
#: messages and its trade range; the percentages are fractions in the sheet
DELIVERY_INPUTS = (
    ("freight", "Freight", "freight_per_piece"),
    ("insurance_rate", "Insurance", "insurance_rate"),
    ("insurance_cover", "Insured % of CIF", "insurance_cover"),
    ("duty_rate", "Duty", "duty_rate"),
    ("local_freight", "Local freight", "freight_per_piece"),
    ("commission_rate", "Selling commission", "commission_rate"),
    ("buying_agent_rate", "Buying agent", "commission_rate"),
)
#: the delivery fields typed as percentages
PERCENT_INPUTS = frozenset(DELIVERY_FIELDS) - {"freight", "local_freight"}

#: the consumption methods, in the order of the method box (kept: drafts hold the position)
BODY, MARKER_KG, MARKER_M, MARKER_YD, MARKER_PLAN, SIZE_RATIO = range(6)


class FieldsRefused(CostingError):
    """Fields hold what cannot be costed: each (label, why) is also said beside the field."""

    def __init__(self, refused: list[tuple[str, str]]) -> None:
        self.refused = refused
        said = "; ".join(f"{label}: {why}" for label, why in refused)
        many = f"{len(refused)} fields are refused, marked in the form. {said}"
        super().__init__(said if len(refused) == 1 else many)


def _unit_of(text: str, units: tuple[tuple[str, Decimal, str], ...]) -> tuple[str, Decimal, str]:
    """``text`` without the unit typed after its number, the factor to the field's own unit,
    and the unit's name ("72 in" → "72", 2.54, "in"); no unit typed: the field's own."""
    stripped = text.strip()
    for typed, factor, name in units:
        if stripped.casefold().endswith(typed):
            number = stripped[: -len(typed)].strip()
            if number and (number[-1].isdigit() or typed in ('"', "″")):
                return number, factor, name
    return text, Decimal(1), units[0][2] if units else ""


def _add_rows(layout: QFormLayout, *rows: tuple[str, QWidget]) -> None:
    for label, widget in rows:
        layout.addRow(label + ":", widget)


class SheetInputs(QWidget):
    """The form; `read` gives the sheet it shows, `show_sheet` shows one."""

    #: an input was changed by hand (not while the form fills itself)
    edited = Signal()
    #: a trim quantity typed cannot be read: what is wrong with it
    invalid = Signal(str)
    #: a fabric was shown whose yarns were not looked up: its id (see `offer_yarns`)
    yarns_wanted = Signal(str)

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
        self.fabric_id: str | None = None
        self._fabric_spec: FabricSpec | None = None
        self.trims: list[TrimEntry] = []  # id, label, qty, packing
        #: the priced yarns offered with each fabric (None: no fabric), as looked up on a
        #: worker (`ui.cost_sheet.lookups`): undo and redo show them again without a read
        self.yarn_choices: dict[str | None, list[pick.Choice]] = {}
        self.filling = False
        self.field_notes = FieldNotes()
        #: the unit each number field was last typed in, by field name ("in", "yd" …)
        self.units_typed: dict[str, str] = {}
        self.setStyleSheet(NOTE_STYLE)
        self._build()
        self.wheel_guard = guard_wheel(self)
        for edit in self.findChildren(QLineEdit):
            edit.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Undo and redo in a field are the sheet's (every edit of the form, in order), not
        the field's own."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = event.keyCombination().toCombined()
            if any(
                pressed == key[0].toCombined()
                for which in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
                for key in QKeySequence.keyBindings(which)
            ):
                event.ignore()  # not the field's: the window's Undo and Redo take it
                return True
        return False

    def _changed(self, *_args: object) -> None:
        if not self.filling:
            self.edited.emit()

    # -- layout ------------------------------------------------------------------------------

    def _line(self, text: str = "", width: int = 90) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMaximumWidth(width)
        edit.textChanged.connect(self._changed)
        return edit

    def _noted(self, edit: QLineEdit) -> QWidget:
        """``edit`` with the line under it where what is wrong with its value is said."""
        return self.field_notes.noted(edit)

    def note_for(self, edit: QLineEdit) -> QLabel:
        """The line under ``edit`` saying why its value is refused or unusual."""
        return self.field_notes.note_for(edit)

    def _mark(self, edit: QLineEdit, text: str, state: str) -> None:
        """Say ``text`` under ``edit``; ``state`` "refused", "warned" or "" (all well)."""
        self.field_notes.mark(edit, text, state)

    def _combo(self) -> QComboBox:
        box = QComboBox()
        box.currentIndexChanged.connect(self._changed)
        return box

    def _show_method_rows(self, *_args: object) -> None:
        """Only the consumption fields the chosen method is costed from are shown."""
        method = self.method.currentIndex()
        shown = {
            self.body_length: method == BODY,
            self.sleeve_length: method == BODY,
            self.half_chest: method == BODY,
            self.marker: method in (MARKER_KG, MARKER_M, MARKER_YD),
            **{edit: method == MARKER_PLAN for edit in self._plan_edits()},
            self.size_ratio: method == SIZE_RATIO,
            self.size_consumption: method == SIZE_RATIO,
        }
        if method != SIZE_RATIO and self._saved_sizes is not None and not self.filling:
            self._keep_sizes(None)  # another method chosen: the saved ratio is let go
        for edit, visible in shown.items():  # the row of the field with its note under it
            self._consumption_form.setRowVisible(self.note_for(edit).parentWidget(), visible)

    def _keep_sizes(self, ratio: SizeRatio | None) -> None:
        """Cost ``ratio`` as saved (its sizes are not marker figures), or type one again."""
        self._saved_sizes = ratio
        for edit in (self.size_ratio, self.size_consumption):
            edit.setReadOnly(ratio is not None)
        self.size_consumption.setPlaceholderText(
            "as saved: each size's own measurements"
            if ratio is not None
            else "0.22 : 0.24 : 0.26 : 0.28 kg"
        )

    def _read_sizes(self) -> SizeRatio:
        """The ratio typed (or kept as saved), each size's figure within the marker ranges;
        FieldsRefused says what cannot be read, beside the field."""
        if self._saved_sizes is not None:
            return self._saved_sizes
        fmt = locale_format()

        def number(text: str) -> Decimal:
            try:
                return read_number(text, fmt)
            except NumberError as exc:
                raise CostingError(f"{text.strip()!r}: {exc}") from None

        try:
            ratio = read_size_ratio(self.size_ratio.text(), self.size_consumption.text(), number)
            for line in ratio.sizes:
                c = line.consumption
                assert isinstance(c, MarkerConsumption)
                odd = check_plausible(f"marker_{c.uom}", c.quantity)
                if odd is not None and odd.refused:
                    raise CostingError(f"size {line.size}: {odd.message}")
        except CostingError as exc:
            self._mark(self.size_consumption, str(exc), "refused")
            raise FieldsRefused([("Size ratio", str(exc))]) from None
        self._mark(self.size_consumption, f"{ratio.pieces} pieces a ratio", "ok")
        return ratio

    def _say_plan(self, plan: MarkerPlan) -> None:
        """Under the field left empty, what the plan gives for it: the marker length a planned
        efficiency needs, or the efficiency a laid marker reaches."""
        if plan.length is None:
            self._mark(self.marker_length, f"planned: {plan.marker_length_m:.3f} m", "ok")
        reached = plan.efficiency_reached
        if plan.efficiency is None and reached is not None:
            self._mark(self.marker_efficiency, f"reached: {reached * 100:.1f} %", "ok")

    def _plan_edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.marker_width,
            self.marker_garments,
            self.marker_length,
            self.marker_efficiency,
            self.pattern_area,
        )

    def _build(self) -> None:
        left = QVBoxLayout(self)

        head = QFormLayout()
        self.style_code = self._line("NEW-STYLE", 200)
        self.title_edit = self._line("", 320)
        self.season = self._line("", 140)
        self.season.setMaxLength(50)
        self.season.setPlaceholderText("SS27, AW27 …")
        self.category = self._combo()
        self.brand = self._combo()
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 10_000_000)
        self.quantity.setValue(3000)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.valueChanged.connect(self._changed)
        self.costed_on = QDateEdit(QDate.currentDate())
        self.costed_on.setCalendarPopup(True)
        self.costed_on.setDisplayFormat(date_format())  # as every date in the app is shown
        self.costed_on.dateChanged.connect(self._changed)
        _add_rows(
            head,
            ("Style", self.style_code),
            ("Title", self.title_edit),
            ("Season", self.season),
            ("Category", self.category),
            ("Brand", self.brand),
            ("Quantity (pcs)", self.quantity),
            ("Costed on", self.costed_on),
        )
        left.addLayout(head)

        fabric = QGroupBox("Fabric")
        ff = QFormLayout(fabric)
        self.fabric_label = WrappedLabel("no fabric chosen")  # a long name: two lines, whole
        #: "Choose fabric…": the window opens the picker
        self.choose_fabric_button = QPushButton("Choose fabric…")
        row = QHBoxLayout()
        row.addWidget(self.fabric_label, 1)
        row.addWidget(self.choose_fabric_button)
        ff.addRow(row)
        self.yarn = self._combo()
        self.gsm = self._line()
        self.width_cm = self._line()
        self.width_cm.setPlaceholderText("cm, or 72 in")
        self.width_cm.setToolTip(
            "Centimetres, or inches with in or ″ after the number (72 in = 182.88 cm)"
        )
        self.conversion_loss = self._line("")
        self.conversion_loss.setPlaceholderText("0.5 usual")
        self.dyeing_loss = self._line("")
        self.dyeing_loss.setPlaceholderText("rate's")
        _add_rows(
            ff,
            ("Yarn", self.yarn),
            ("GSM", self._noted(self.gsm)),
            ("Cuttable width (cm or in)", self._noted(self.width_cm)),
            ("Knitting/weaving loss %", self._noted(self.conversion_loss)),
            ("Dyeing loss %", self._noted(self.dyeing_loss)),
        )
        left.addWidget(fabric)

        cons = QGroupBox("Consumption")
        cf = QFormLayout(cons)
        self.method = self._combo()
        self.method.addItems(
            [
                "Body measurements (knit)",
                "Marker (kg per piece)",
                "Marker (m per piece)",
                "Marker (yd per piece)",
                "Marker plan (length or efficiency)",
                "Size ratio (marker per size)",
            ]
        )
        self.body_length = self._line("70")
        self.sleeve_length = self._line("20")
        self.half_chest = self._line("50")
        self.marker = self._line("1.60")
        self.marker_width = self._line("")
        self.marker_width.setPlaceholderText("cm, or 72 in")
        self.marker_garments = self._line("")
        self.marker_length = self._line("")
        self.marker_length.setPlaceholderText("m, or 15 yd")
        self.marker_length.setToolTip(
            "The marker's length; leave empty to plan it from an efficiency"
        )
        self.marker_efficiency = self._line("")
        self.marker_efficiency.setPlaceholderText("or plan")
        self.marker_efficiency.setToolTip(
            "The share of the marker the patterns cover, to plan its length before it is laid"
        )
        self.pattern_area = self._line("", 110)
        self.size_ratio = self._line("", 260)
        self.size_ratio.setPlaceholderText("S:M:L:XL = 1:2:2:1")
        self.size_consumption = self._line("", 260)
        self.size_consumption.setPlaceholderText("0.22 : 0.24 : 0.26 : 0.28 kg")
        self.size_consumption.setToolTip(
            "Each size's marker consumption per piece, in the ratio's order, then kg, m or yd"
        )
        #: a saved ratio whose sizes are not marker figures (body measurements per size):
        #: costed as saved, its fields read-only
        self._saved_sizes: SizeRatio | None = None
        self.wastage = self._line("8")
        _add_rows(
            cf,
            ("Method", self.method),
            ("Body length (cm)", self._noted(self.body_length)),
            ("Sleeve length (cm)", self._noted(self.sleeve_length)),
            ("½ chest (cm)", self._noted(self.half_chest)),
            ("Marker quantity", self._noted(self.marker)),
            ("Marker width (cm or in)", self._noted(self.marker_width)),
            ("Garments in the marker", self._noted(self.marker_garments)),
            ("Marker length (m or yd)", self._noted(self.marker_length)),
            ("Marker efficiency %", self._noted(self.marker_efficiency)),
            ("Pattern area per garment (m²)", self._noted(self.pattern_area)),
            ("Size ratio", self._noted(self.size_ratio)),
            ("Per size", self._noted(self.size_consumption)),
            ("Wastage %", self._noted(self.wastage)),
        )
        self._consumption_form = cf
        self.method.currentIndexChanged.connect(self._show_method_rows)
        self._show_method_rows()
        left.addWidget(cons)

        make = QGroupBox("Making, print and embroidery")
        mf = QFormLayout(make)
        self.sam = self._line("12")
        self.efficiency = self._line("60")
        self.mill = self._combo()
        self.print_box = self._combo()
        self.placements = QSpinBox()
        self.placements.setRange(1, 10)
        self.placements.valueChanged.connect(self._changed)
        self.stitches = self._line("0")
        self.embroidery = self._combo()
        _add_rows(
            mf,
            ("SAM (min)", self._noted(self.sam)),
            ("Line efficiency %", self._noted(self.efficiency)),
            ("Mill", self.mill),
            ("Print", self.print_box),
            ("Placements", self.placements),
            ("Stitches", self._noted(self.stitches)),
            ("Embroidery rate", self.embroidery),
        )
        left.addWidget(make)

        deliver = QGroupBox("Delivery to the brand (per piece, in the brand's currency)")
        df = QFormLayout(deliver)
        self.freight = self._line("")
        self.insurance_rate = self._line("")
        self.insurance_cover = self._line("")
        self.insurance_cover.setPlaceholderText("110")
        self.insurance_cover.setToolTip("Incoterms 2020 CIF: at least 110 % of the CIF value")
        self.duty_rate = self._line("")
        self.local_freight = self._line("")
        self.commission_rate = self._line("")
        self.buying_agent_rate = self._line("")
        for edit in (self.freight, self.insurance_rate, self.duty_rate, self.local_freight):
            edit.setPlaceholderText("none")
        _add_rows(
            df,
            ("Freight", self._noted(self.freight)),
            ("Insurance %", self._noted(self.insurance_rate)),
            ("Insured % of CIF", self._noted(self.insurance_cover)),
            ("Duty %", self._noted(self.duty_rate)),
            ("Local freight", self._noted(self.local_freight)),
            ("Selling commission % of FOB", self._noted(self.commission_rate)),
            ("Buying agent % of FOB", self._noted(self.buying_agent_rate)),
        )
        left.addWidget(deliver)

        trims = QGroupBox("Trims and packing")
        tl = QVBoxLayout(trims)
        self.trim_table = QTableWidget(0, 3)
        self.trim_table.setHorizontalHeaderLabels(["Trim", "Qty / pc", "Packing"])
        self.trim_table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.trim_table.verticalHeader().setVisible(False)
        self.trim_table.setMinimumHeight(120)
        self.trim_table.itemChanged.connect(self._on_trim_edited)
        #: "Add trim…" and "From a BOM file…": the window opens the picker or the BOM
        self.add_trim_button = QPushButton("Add trim…")
        self.bom_button = QPushButton("From a BOM file…")
        self.bom_button.setToolTip(
            "Take the fabric and trims from a CLO 3D or PLM bill of materials"
        )
        remove = QPushButton("Remove")
        remove.clicked.connect(self.remove_trim)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_trim_button)
        buttons.addWidget(self.bom_button)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        tl.addWidget(self.trim_table)
        tl.addLayout(buttons)
        left.addWidget(trims)
        self.colourways_box = ColourwaysBox()
        self.colourways_box.edited.connect(self._changed)
        self.colourways_box.workspace = self.workspace
        self.colourways_box.style_trims = lambda: tuple(
            TrimLine(i, label.split(":")[0], qty, packing) for i, label, qty, packing in self.trims
        )
        left.addWidget(self.colourways_box)
        left.addStretch(1)

    # -- filling from the books and from a sheet ---------------------------------------------

    def fill_choices(self, loaded: Loaded) -> None:
        """Offer the brands, mills, prints, embroidery rates and categories of the books."""
        self.filling = True
        for box, items in (
            (self.brand, loaded.brands),
            (self.mill, loaded.mills),
            (self.embroidery, loaded.embroidery),
        ):
            for choice in items:
                box.addItem(choice.label, choice.value)
        self.print_box.addItem("no print", "")
        for choice in loaded.prints:
            self.print_box.addItem(choice.label, choice.value)
        self.category.addItems(loaded.categories)
        self.colourways_box.embroidery_rates = [str(c.value) for c in loaded.embroidery]
        self.filling = False

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
        self.filling = True
        self.style_code.setText(style.style_code)
        self.title_edit.setText(sheet.title)
        self.season.setText(sheet.season)
        self._set_combo(self.category, style.category)
        if sheet.brand:
            self._set_combo(self.brand, sheet.brand)
        self.quantity.setValue(sheet.quantity)
        if sheet.costed_on:
            self.costed_on.setDate(
                QDate(sheet.costed_on.year, sheet.costed_on.month, sheet.costed_on.day)
            )
        self._show_style(style)
        self.colourways_box.show_colourways(sheet.colourways)
        delivery = sheet.delivery or {}
        for name, _label, _limits in DELIVERY_INPUTS:
            value = delivery.get(name)
            getattr(self, name).setText(
                ""
                if value is None
                else write_number(value * 100 if name in PERCENT_INPUTS else value)
            )
        self.filling = False

    def start_from_fabric(self, start: FabricStart, current: Style | None) -> None:
        """A fabric's spec, a priced yarn and a first draft of the rest (looked up on a
        worker). What ``current`` (the style last costed) had beyond the fabric stays, and so
        do trims chosen before it."""
        self.yarn_choices[start.fabric_id] = start.yarns
        draft = start.style
        if current is not None:  # keep what was already filled in beyond the fabric
            draft = Style(
                **{**current.__dict__, "fabric": draft.fabric, "consumption": draft.consumption}
            )
        kept = list(self.trims)
        self.filling = True
        self._show_style(draft)
        if not draft.trims and kept:  # trims chosen before the fabric stay
            self.trims = kept
            self._show_trims()
        if current is None:
            self._set_combo(self.category, draft.category)
        self.filling = False

    def _show_style(self, style: Style) -> None:
        f = style.fabric
        self.fabric_id = f.material_id
        self.fabric_label.setText(f.name or f.construction)
        self._fill_yarns(f.material_id)
        if self.yarn.findData(f.yarn_material_id) < 0:  # yarns not looked up yet: this one
            self.yarn.addItem(f"  {f.yarn_count}", f.yarn_material_id)
        self._set_combo(self.yarn, f.yarn_material_id)
        self.gsm.setText(str(f.gsm))
        self.width_cm.setText(write_number(f.width_cm))
        self.conversion_loss.setText(
            "" if f.conversion_loss is None else write_number(f.conversion_loss * 100)
        )
        self.dyeing_loss.setText("" if f.dyeing_loss is None else write_number(f.dyeing_loss * 100))
        self._fabric_spec = f
        c = style.consumption
        if isinstance(c, BodyMeasurements):
            self.method.setCurrentIndex(0)
            self.body_length.setText(write_number(c.body_length_cm))
            self.sleeve_length.setText(write_number(c.sleeve_length_cm))
            self.half_chest.setText(write_number(c.half_chest_cm))
        elif isinstance(c, SizeRatio):
            self.method.setCurrentIndex(SIZE_RATIO)
            self.size_ratio.setText(c.text())
            figures = marker_figures(c)
            self._keep_sizes(None if figures else c)
            self.size_consumption.setText(
                ""
                if figures is None
                else " : ".join(write_number(v) for v in figures[0]) + f" {figures[1]}"
            )
        elif isinstance(c, MarkerPlan):
            self.method.setCurrentIndex(MARKER_PLAN)
            self.marker_width.setText(write_number(c.width_cm))
            self.marker_garments.setText(str(c.garments))
            self.marker_length.setText(
                ""
                if c.length is None
                else write_number(c.length) + (" yd" if c.length_uom == "yd" else "")
            )
            self.marker_efficiency.setText(
                "" if c.efficiency is None else write_number(c.efficiency * 100)
            )
            self.pattern_area.setText(
                "" if c.pattern_area_m2 is None else write_number(c.pattern_area_m2)
            )
        else:
            self.method.setCurrentIndex({"kg": MARKER_KG, "m": MARKER_M, "yd": MARKER_YD}[c.uom])
            self.marker.setText(write_number(c.quantity))
        self.wastage.setText(write_number(style.wastage * 100))
        self.sam.setText(write_number(style.making.sam))
        self.efficiency.setText(write_number(style.making.line_efficiency * 100))
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
        """Offer the yarns looked up for ``fabric_id``; when they were not, ask for them
        (`yarns_wanted`) and offer them when they come (`offer_yarns`)."""
        choices = self.yarn_choices.get(fabric_id)
        self.yarn.blockSignals(True)
        self.yarn.clear()
        for choice in choices or ():
            self.yarn.addItem(choice.label, choice.value)
        self.yarn.blockSignals(False)
        if choices is None and fabric_id is not None:
            self.yarns_wanted.emit(fabric_id)

    def offer_yarns(self, fabric_id: str | None, choices: list[pick.Choice]) -> None:
        """The yarns looked up for ``fabric_id``; offered at once if it is the fabric shown,
        the yarn chosen staying chosen (nothing the user set changes)."""
        self.yarn_choices[fabric_id] = choices
        if fabric_id != self.fabric_id:
            return
        chosen, label = self.yarn.currentData(), self.yarn.currentText()
        self.yarn.blockSignals(True)
        self.yarn.clear()
        for choice in choices:
            self.yarn.addItem(choice.label, choice.value)
        if chosen is not None and self.yarn.findData(chosen) < 0:
            self.yarn.addItem(label, chosen)
        if chosen is not None:
            self.yarn.setCurrentIndex(self.yarn.findData(chosen))
        self.yarn.blockSignals(False)

    # -- the form's state, for undo and drafts ----------------------------------------------

    def state(self) -> FormState:
        """Every value of the form as shown (see `ui.cost_sheet.edits`)."""
        return {
            "fields": {k: getattr(self, a).text() for k, a in TEXT_FIELDS.items()},
            "boxes": {k: getattr(self, a).currentIndex() for k, a in BOXES.items()},
            "yarn": self.yarn.currentData(),
            "quantity": self.quantity.value(),
            "placements": self.placements.value(),
            "costed_on": self.costed_on.date().toString(Qt.DateFormat.ISODate),
            "fabric": self._fabric_spec,
            "fabric_id": self.fabric_id,
            "fabric_label": self.fabric_label.text(),
            "trims": tuple(self.trims),
            "colourways": self.colourways_box.cells(),
        }

    def restore(self, state: FormState) -> None:
        """Show ``state`` (from `state`) as it was, quietly."""
        self.filling = True
        try:
            if state["fabric_id"] != self.fabric_id or not self.yarn.count():
                self._fill_yarns(state["fabric_id"])
            self.fabric_id, self._fabric_spec = state["fabric_id"], state["fabric"]
            self.fabric_label.setText(state["fabric_label"])
            if state["yarn"] is not None:
                self._set_combo(self.yarn, state["yarn"])
            for key, attr in BOXES.items():
                box: QComboBox = getattr(self, attr)
                if 0 <= state["boxes"][key] < box.count():
                    box.setCurrentIndex(state["boxes"][key])
            for key, attr in TEXT_FIELDS.items():
                edit: QLineEdit = getattr(self, attr)
                text = state["fields"].get(key, "")  # a draft from before the field
                if edit.text() != text:
                    edit.setText(text)
            self.quantity.setValue(state["quantity"])
            self.placements.setValue(state["placements"])
            self.costed_on.setDate(QDate.fromString(state["costed_on"], Qt.DateFormat.ISODate))
            self.trims = list(state["trims"])
            self._show_trims()
            self.colourways_box.show_cells(state.get("colourways", ()))  # a draft from before
        finally:
            self.filling = False

    # -- trims -------------------------------------------------------------------------------

    def add_trims(self, entries: list[TrimEntry]) -> None:
        """Add the trims looked up (`ui.cost_sheet.lookups.trim_entry`), in order."""
        if not entries:
            return
        self.trims.extend(entries)
        self._show_trims()
        self._changed()

    def remove_trim(self) -> None:
        row = self.trim_table.currentRow()
        if 0 <= row < len(self.trims):
            del self.trims[row]
            self._show_trims()
            self._changed()

    def _show_trims(self) -> None:
        self.trim_table.blockSignals(True)
        self.trim_table.setRowCount(len(self.trims))
        for r, (_id, label, qty, packing) in enumerate(self.trims):
            name = QTableWidgetItem(label)
            name.setFlags(name.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 0, name)
            self.trim_table.setItem(r, 1, QTableWidgetItem(write_number(qty)))
            flag = QTableWidgetItem("packing" if packing else "")
            flag.setFlags(flag.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.trim_table.setItem(r, 2, flag)
        self.trim_table.blockSignals(False)

    def _on_trim_edited(self, item: QTableWidgetItem) -> None:
        if item.column() == 1 and item.row() < len(self.trims):
            material_id, label, _qty, packing = self.trims[item.row()]
            try:
                qty = read_number(item.text(), locale_format())
            except NumberError as exc:
                self.invalid.emit(f"Quantity of {label}: {exc}")
                return
            odd = check_plausible("trim_quantity", qty)
            if odd is not None and odd.refused:
                self.invalid.emit(f"Quantity of {label}: {odd.message}")
                return
            self.trims[item.row()] = (material_id, label, qty, packing)
            self._changed()

    # -- reading -----------------------------------------------------------------------------

    def number_fields(self) -> list[NumberField]:
        """The number fields the sheet is costed from, as the consumption method has them."""
        method = self.method.currentIndex()
        marker_limits = {MARKER_KG: "marker_kg", MARKER_YD: "marker_yd"}.get(method, "marker_m")
        body = method == BODY
        consumption = (
            (
                NumberField(
                    "marker_width",
                    self.marker_width,
                    "Marker width",
                    "marker_width_cm",
                    units=WIDTH_UNITS,
                ),
                NumberField(
                    "marker_garments",
                    self.marker_garments,
                    "Garments in the marker",
                    "marker_garments",
                    whole=True,
                ),
                NumberField(
                    "marker_length",
                    self.marker_length,
                    "Marker length",
                    "marker_length_m",
                    optional=True,
                    units=LENGTH_UNITS,
                ),
                NumberField(
                    "marker_efficiency",
                    self.marker_efficiency,
                    "Marker efficiency",
                    "marker_efficiency",
                    optional=True,
                ),
                NumberField(
                    "pattern_area",
                    self.pattern_area,
                    "Pattern area",
                    "pattern_area_m2",
                    optional=True,
                ),
            )
            if method == MARKER_PLAN
            else ()
            if method == SIZE_RATIO
            else (NumberField("marker", self.marker, "Marker quantity", marker_limits),)
        )
        fields = [
            NumberField("gsm", self.gsm, "GSM", "gsm", whole=True),
            NumberField("width_cm", self.width_cm, "Cuttable width", "width_cm", units=WIDTH_UNITS),
            NumberField(
                "conversion_loss",
                self.conversion_loss,
                "Knitting/weaving loss",
                "conversion_loss",
                optional=True,
            ),
            NumberField(
                "dyeing_loss", self.dyeing_loss, "Dyeing loss", "dyeing_loss", optional=True
            ),
            *(
                (
                    NumberField("body_length", self.body_length, "Body length", "body_length_cm"),
                    NumberField(
                        "sleeve_length", self.sleeve_length, "Sleeve length", "sleeve_length_cm"
                    ),
                    NumberField("half_chest", self.half_chest, "½ chest", "half_chest_cm"),
                )
                if body
                else consumption
            ),
            NumberField("wastage", self.wastage, "Wastage", "wastage"),
            NumberField("sam", self.sam, "SAM", "sam"),
            NumberField("efficiency", self.efficiency, "Line efficiency", "line_efficiency"),
            NumberField(
                "stitches",
                self.stitches,
                "Stitches",
                "stitches",
                whole=True,
                optional=True,
                empty=Decimal(0),
            ),
            *(
                NumberField(name, getattr(self, name), label, limits, optional=True)
                for name, label, limits in DELIVERY_INPUTS
            ),
        ]
        return fields

    def check_fields(self) -> dict[str, Decimal | None]:
        """Each number field's value, read in the user's locale and within the trade's range;
        what is refused or unusual is said beside its field. FieldsRefused names the fields
        refused."""
        fmt = locale_format()
        values: dict[str, Decimal | None] = {}
        refused: list[tuple[str, str]] = []
        fields = self.number_fields()
        for field in fields:
            text = field.edit.text()
            if not text.strip() and field.optional:
                values[field.name] = field.empty
                self._mark(field.edit, "", "")
                continue
            text, factor, unit = _unit_of(text, field.units)
            self.units_typed[field.name] = unit
            try:
                value = read_number(text, fmt, whole=field.whole) * factor
            except NumberError as exc:
                self._mark(field.edit, str(exc), "refused")
                refused.append((field.label, str(exc)))
                continue
            odd = check_plausible(field.limits, value)
            if odd is not None and odd.refused:
                self._mark(field.edit, odd.message, "refused")
                refused.append((field.label, odd.message))
                continue
            said = (
                odd.message
                if odd
                else (f"= {show(value, field.units[0][0])}" if factor != 1 else "")
            )
            self._mark(field.edit, said, "warned" if odd else ("ok" if said else ""))
            values[field.name] = value
        costed = {field.edit for field in fields}
        for edit in self.field_notes.notes:
            if edit not in costed:  # a field the method does not use says nothing
                self._mark(edit, "", "")
        if refused:
            raise FieldsRefused(refused)
        return values

    def read(self) -> CostSheet:
        """The sheet as the form shows it; a CostingError names the fields that cannot be
        read (FieldsRefused, each also marked in the form) or what else keeps it from being
        costed."""
        v = self.check_fields()
        spec = self._fabric_spec
        if spec is None:
            raise CostingError("choose a fabric to start")
        percent = Decimal(100)
        fabric = type(spec)(
            **{
                **spec.__dict__,
                "gsm": int(v["gsm"] or 0),
                "width_cm": v["width_cm"],
                "yarn_material_id": str(self.yarn.currentData() or spec.yarn_material_id),
                "yarn_count": (
                    self.yarn.currentText().split("  ", 1)[-1]
                    if self.yarn.count()
                    else spec.yarn_count
                ),
                "conversion_loss": (
                    None if v["conversion_loss"] is None else v["conversion_loss"] / percent
                ),
                "dyeing_loss": None if v["dyeing_loss"] is None else v["dyeing_loss"] / percent,
            }
        )
        consumption: BodyMeasurements | MarkerConsumption | MarkerPlan | SizeRatio
        method = self.method.currentIndex()
        if method == BODY:
            consumption = BodyMeasurements(
                v["body_length"],
                v["sleeve_length"],  # type: ignore[arg-type]
                v["half_chest"],
            )
        elif method == SIZE_RATIO:
            consumption = self._read_sizes()
        elif method == MARKER_PLAN:
            # a length typed in yards is kept in yards, as the cutting room gave it
            yards = self.units_typed.get("marker_length") == "yd" and v["marker_length"]
            consumption = MarkerPlan(
                width_cm=v["marker_width"],
                garments=int(v["marker_garments"] or 0),  # type: ignore[arg-type]
                length=v["marker_length"] / M_PER_YARD if yards else v["marker_length"],  # type: ignore[operator]
                length_uom="yd" if yards else "m",
                efficiency=(
                    None if v["marker_efficiency"] is None else v["marker_efficiency"] / percent
                ),
                pattern_area_m2=v["pattern_area"],
            )
            self._say_plan(consumption)
        else:
            uom = {MARKER_KG: "kg", MARKER_YD: "yd"}.get(method, "m")
            consumption = MarkerConsumption(v["marker"], uom)  # type: ignore[arg-type]
        stitches = int(v["stitches"] or 0)
        technique = str(self.print_box.currentData() or "")
        style = Style(
            style_code=self.style_code.text().strip() or "NEW-STYLE",
            category=self.category.currentText() or "other",
            fabric=fabric,
            consumption=consumption,
            making=Making(
                v["sam"],
                str(self.mill.currentData() or ""),  # type: ignore[arg-type]
                v["efficiency"] / percent,
            ),  # type: ignore[operator]
            wastage=v["wastage"] / percent,  # type: ignore[operator]
            printing=PrintSpec(technique, self.placements.value()) if technique else None,
            embroidery=(Embroidery(stitches, str(self.embroidery.currentData() or "EMB-FLAT")),)
            if stitches
            else (),
            trims=tuple(
                TrimLine(i, label.split(":")[0], qty, packing)
                for i, label, qty, packing in self.trims
            ),
        )
        delivery = {
            name: v[name] / percent if name in PERCENT_INPUTS else v[name]
            for name, _label, _limits in DELIVERY_INPUTS
            if v[name] is not None
        }
        q = self.costed_on.date()
        return CostSheet(
            style=style,
            brand=str(self.brand.currentData() or ""),
            quantity=self.quantity.value(),
            costed_on=date(q.year(), q.month(), q.day()),
            title=self.title_edit.text(),
            season=self.season.text().strip(),
            delivery=delivery or None,
            colourways=self.colourways_box.read(),
        )  # type: ignore[arg-type]
