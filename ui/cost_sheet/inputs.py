"""The cost sheet's inputs, the form on the left of the editor: the style's header, then its
boxes: fabric (`fabric_box`), consumption (`consumption`), making, print and embroidery,
delivery (`delivery`), trims (`trims_box`) and colourways (`colourways`).

Kept apart from the window because it is the one place that turns a `CostSheet` into widgets
and the widgets back into a `CostSheet`; the window only decides when to cost what this form
reads. While the form fills itself it stays quiet, so one sheet shown is one costing, not one
per field.

Every number is read in the user's locale and checked against the trade's ranges
(`ui.cost_sheet.fields`); what is refused or unusual is said beside the field, in the field's
own units, and a refused field keeps the sheet from being costed. The wheel scrolls the form
unless a box has focus (`ui.wheel_guard`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from operator import attrgetter

from PySide6.QtCore import QDate, QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import write_number
from ui.cost_sheet.books import Loaded
from ui.cost_sheet.colourways import ColourwaysBox
from ui.cost_sheet.consumption import ConsumptionBox
from ui.cost_sheet.delivery import DeliveryBox
from ui.cost_sheet.edits import BOXES, TEXT_FIELDS, FormState
from ui.cost_sheet.fabric_box import FabricBox
from ui.cost_sheet.fields import (
    FieldMaker,
    NumberField,
    add_rows,
    check_fields,
    required,
    set_combo,
)
from ui.cost_sheet.lookups import FabricStart
from ui.cost_sheet.trims_box import TrimsBox
from ui.field_notes import NOTE_STYLE, FieldNotes
from ui.formats import date_format
from ui.keys import first_key
from ui.wheel_guard import guard_wheel
from workbench.costing import Embroidery, Making, PrintSpec, Style
from workbench.costing.sheet import CostSheet
from workbench.workspace import Workspace


class SheetInputs(QWidget):
    """The form; `read` gives the sheet it shows, `show_sheet` shows one."""

    #: an input was changed by hand (not while the form fills itself)
    edited = Signal()

    def __init__(self, workspace: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.workspace = workspace
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
                pressed == first_key(key).toCombined()
                for which in (QKeySequence.StandardKey.Undo, QKeySequence.StandardKey.Redo)
                for key in QKeySequence.keyBindings(which)
            ):
                event.ignore()  # not the field's: the window's Undo and Redo take it
                return True
        return False

    def _changed(self, *_args: object) -> None:
        if not self.filling:
            self.edited.emit()

    def note_for(self, edit: QLineEdit) -> QLabel:
        """The line under ``edit`` saying why its value is refused or unusual."""
        return self.field_notes.note_for(edit)

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        left = QVBoxLayout(self)
        make = FieldMaker(self.field_notes, self._changed)

        head = QFormLayout()
        self.style_code = make.line("NEW-STYLE", 200)
        self.title_edit = make.line("", 320)
        self.season = make.line("", 140)
        self.season.setMaxLength(50)
        self.season.setPlaceholderText("SS27, AW27 …")
        self.category = make.combo()
        self.brand = make.combo()
        self.quantity = QSpinBox()
        self.quantity.setRange(1, 10_000_000)
        self.quantity.setValue(3000)
        self.quantity.setGroupSeparatorShown(True)
        self.quantity.valueChanged.connect(self._changed)
        self.costed_on = QDateEdit(QDate.currentDate())
        self.costed_on.setCalendarPopup(True)
        self.costed_on.setDisplayFormat(date_format())  # as every date in the app is shown
        self.costed_on.dateChanged.connect(self._changed)
        add_rows(
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

        self.fabric = FabricBox(make)
        left.addWidget(self.fabric)
        self.consumption = ConsumptionBox(make, lambda: self.filling)
        left.addWidget(self.consumption)

        make_box = QGroupBox("Making, print and embroidery")
        mf = QFormLayout(make_box)
        self.sam = make.line("12")
        self.efficiency = make.line("60")
        self.mill = make.combo()
        self.print_box = make.combo()
        self.placements = QSpinBox()
        self.placements.setRange(1, 10)
        self.placements.valueChanged.connect(self._changed)
        self.stitches = make.line("0")
        self.embroidery = make.combo()
        add_rows(
            mf,
            ("SAM (min)", make.noted(self.sam)),
            ("Line efficiency %", make.noted(self.efficiency)),
            ("Mill", self.mill),
            ("Print", self.print_box),
            ("Placements", self.placements),
            ("Stitches", make.noted(self.stitches)),
            ("Embroidery rate", self.embroidery),
        )
        left.addWidget(make_box)

        self.delivery = DeliveryBox(make)
        left.addWidget(self.delivery)
        self.trims_box = TrimsBox(self._changed)
        left.addWidget(self.trims_box)
        self.colourways_box = ColourwaysBox()
        self.colourways_box.edited.connect(self._changed)
        self.colourways_box.workspace = self.workspace
        self.colourways_box.style_trims = self.trims_box.lines
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

    def show_sheet(self, sheet: CostSheet) -> None:
        style = sheet.style
        self.filling = True
        self.style_code.setText(style.style_code)
        self.title_edit.setText(sheet.title)
        self.season.setText(sheet.season)
        set_combo(self.category, style.category)
        if sheet.brand:
            set_combo(self.brand, sheet.brand)
        self.quantity.setValue(sheet.quantity)
        if sheet.costed_on:
            self.costed_on.setDate(
                QDate(sheet.costed_on.year, sheet.costed_on.month, sheet.costed_on.day)
            )
        self._show_style(style)
        self.colourways_box.show_colourways(sheet.colourways)
        self.delivery.show_delivery(sheet.delivery)
        self.filling = False

    def start_from_fabric(self, start: FabricStart, current: Style | None) -> None:
        """A fabric's spec, a priced yarn and a first draft of the rest (looked up on a
        worker). What ``current`` (the style last costed) had beyond the fabric stays, and so
        do trims chosen before it."""
        self.fabric.yarn_choices[start.fabric_id] = start.yarns
        draft = start.style
        if current is not None:  # keep what was already filled in beyond the fabric
            draft = Style(
                **{**current.__dict__, "fabric": draft.fabric, "consumption": draft.consumption}
            )
        kept = list(self.trims_box.trims)
        self.filling = True
        self._show_style(draft)
        if not draft.trims and kept:  # trims chosen before the fabric stay
            self.trims_box.trims = kept
            self.trims_box.show_trims()
        if current is None:
            set_combo(self.category, draft.category)
        self.filling = False

    def _show_style(self, style: Style) -> None:
        self.fabric.show_fabric(style.fabric)
        self.consumption.show_consumption(style)
        self.sam.setText(write_number(style.making.sam))
        self.efficiency.setText(write_number(style.making.line_efficiency * 100))
        set_combo(self.mill, style.making.mill)
        if style.printing is None:
            self.print_box.setCurrentIndex(0)
        else:
            set_combo(self.print_box, style.printing.technique)
            self.placements.setValue(style.printing.placements)
        stitches = sum(e.stitches for e in style.embroidery)
        self.stitches.setText(str(stitches))
        if style.embroidery:
            set_combo(self.embroidery, style.embroidery[0].rate_code)
        self.trims_box.trims = [(t.material_id, t.name, t.quantity, t.packing) for t in style.trims]
        self.trims_box.show_trims()

    # -- the form's state, for undo and drafts ----------------------------------------------

    def state(self) -> FormState:
        """Every value of the form as shown (see `ui.cost_sheet.edits`)."""
        fabric = self.fabric
        return {
            "fields": {k: attrgetter(a)(self).text() for k, a in TEXT_FIELDS.items()},
            "boxes": {k: attrgetter(a)(self).currentIndex() for k, a in BOXES.items()},
            "yarn": fabric.yarn.currentData(),
            "quantity": self.quantity.value(),
            "placements": self.placements.value(),
            "costed_on": self.costed_on.date().toString(Qt.DateFormat.ISODate),
            "fabric": fabric.spec,
            "fabric_id": fabric.fabric_id,
            "fabric_label": fabric.fabric_label.text(),
            "trims": tuple(self.trims_box.trims),
            "colourways": self.colourways_box.cells(),
        }

    def restore(self, state: FormState) -> None:
        """Show ``state`` (from `state`) as it was, quietly."""
        self.filling = True
        try:
            self.fabric.restore(state)
            for key, attr in BOXES.items():
                box: QComboBox = attrgetter(attr)(self)
                if 0 <= state["boxes"][key] < box.count():
                    box.setCurrentIndex(state["boxes"][key])
            for key, attr in TEXT_FIELDS.items():
                edit: QLineEdit = attrgetter(attr)(self)
                text = state["fields"].get(key, "")  # a draft from before the field
                if edit.text() != text:
                    edit.setText(text)
            self.quantity.setValue(state["quantity"])
            self.placements.setValue(state["placements"])
            self.costed_on.setDate(QDate.fromString(state["costed_on"], Qt.DateFormat.ISODate))
            self.trims_box.trims = list(state["trims"])
            self.trims_box.show_trims()
            self.colourways_box.show_cells(state.get("colourways", ()))  # a draft from before
        finally:
            self.filling = False

    # -- reading -----------------------------------------------------------------------------

    def number_fields(self) -> list[NumberField]:
        """The number fields the sheet is costed from, as the consumption method has them."""
        return [
            *self.fabric.number_fields(),
            *self.consumption.number_fields(),
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
            *self.delivery.number_fields(),
        ]

    def check_fields(self) -> dict[str, Decimal | None]:
        """Each number field's value, read in the user's locale and within the trade's range;
        what is refused or unusual is said beside its field. FieldsRefused names the fields
        refused."""
        return check_fields(self.number_fields(), self.field_notes, self.units_typed)

    def read(self) -> CostSheet:
        """The sheet as the form shows it; a CostingError names the fields that cannot be
        read (FieldsRefused, each also marked in the form) or what else keeps it from being
        costed."""
        v = self.check_fields()
        fabric = self.fabric.read(v)
        consumption = self.consumption.read(v, self.units_typed)
        percent = Decimal(100)
        stitches = int(v["stitches"] or 0)
        technique = str(self.print_box.currentData() or "")
        style = Style(
            style_code=self.style_code.text().strip() or "NEW-STYLE",
            category=self.category.currentText() or "other",
            fabric=fabric,
            consumption=consumption,
            making=Making(
                required(v, "sam"),
                str(self.mill.currentData() or ""),
                required(v, "efficiency") / percent,
            ),
            wastage=required(v, "wastage") / percent,
            printing=PrintSpec(technique, self.placements.value()) if technique else None,
            embroidery=(Embroidery(stitches, str(self.embroidery.currentData() or "EMB-FLAT")),)
            if stitches
            else (),
            trims=self.trims_box.lines(),
        )
        q = self.costed_on.date()
        return CostSheet(
            style=style,
            brand=str(self.brand.currentData() or ""),
            quantity=self.quantity.value(),
            costed_on=date(q.year(), q.month(), q.day()),
            title=self.title_edit.text(),
            season=self.season.text().strip(),
            delivery=self.delivery.read(v),
            colourways=self.colourways_box.read(),
        )
