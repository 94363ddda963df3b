"""The cost sheet form's Fabric box: the fabric chosen, the yarn it is made of, its weight and
width, and the losses of knitting or weaving and of dyeing.

Apart from the rest of the form because the fabric is more than its fields: its spec, as the
material master gave it, and the priced yarns it can be made of, looked up on a worker
(`ui.cost_sheet.lookups`) and kept by fabric so that undo and redo offer them again without
a read. A fabric shown before its yarns were looked up asks for them (`yarns_wanted`).
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QHBoxLayout, QPushButton

from ui.cost_sheet.amounts import write_number
from ui.cost_sheet.edits import FormState
from ui.cost_sheet.fields import WIDTH_UNITS, FieldMaker, NumberField, add_rows, set_combo
from ui.wrapped_label import WrappedLabel
from workbench.costing import CostingError, FabricSpec
from workbench.costing import choices as pick


class FabricBox(QGroupBox):
    """The fabric and its fields; `spec` is the fabric as chosen, before the fields."""

    #: a fabric was shown whose yarns were not looked up: its id (see `offer_yarns`)
    yarns_wanted = Signal(str)

    def __init__(self, make: FieldMaker) -> None:
        super().__init__("Fabric")
        self.fabric_id: str | None = None
        self.spec: FabricSpec | None = None
        #: the priced yarns offered with each fabric (None: no fabric), as looked up on a
        #: worker (`ui.cost_sheet.lookups`): undo and redo show them again without a read
        self.yarn_choices: dict[str | None, list[pick.Choice]] = {}
        ff = QFormLayout(self)
        self.fabric_label = WrappedLabel("no fabric chosen")  # a long name: two lines, whole
        #: "Choose fabric…": the window opens the picker
        self.choose_fabric_button = QPushButton("Choose fabric…")
        row = QHBoxLayout()
        row.addWidget(self.fabric_label, 1)
        row.addWidget(self.choose_fabric_button)
        ff.addRow(row)
        self.yarn = make.combo()
        self.gsm = make.line()
        self.width_cm = make.line()
        self.width_cm.setPlaceholderText("cm, or 72 in")
        self.width_cm.setToolTip(
            "Centimetres, or inches with in or ″ after the number (72 in = 182.88 cm)"
        )
        self.conversion_loss = make.line("")
        self.conversion_loss.setPlaceholderText("0.5 usual")
        self.dyeing_loss = make.line("")
        self.dyeing_loss.setPlaceholderText("rate's")
        add_rows(
            ff,
            ("Yarn", self.yarn),
            ("GSM", make.noted(self.gsm)),
            ("Cuttable width (cm or in)", make.noted(self.width_cm)),
            ("Knitting/weaving loss %", make.noted(self.conversion_loss)),
            ("Dyeing loss %", make.noted(self.dyeing_loss)),
        )

    def show_fabric(self, f: FabricSpec) -> None:
        """Show the fabric ``f``, its yarn chosen (offered even before its yarns arrive)."""
        self.fabric_id = f.material_id
        self.fabric_label.setText(f.name or f.construction)
        self._fill_yarns(f.material_id)
        if self.yarn.findData(f.yarn_material_id) < 0:  # yarns not looked up yet: this one
            self.yarn.addItem(f"  {f.yarn_count}", f.yarn_material_id)
        set_combo(self.yarn, f.yarn_material_id)
        self.gsm.setText(str(f.gsm))
        self.width_cm.setText(write_number(f.width_cm))
        self.conversion_loss.setText(
            "" if f.conversion_loss is None else write_number(f.conversion_loss * 100)
        )
        self.dyeing_loss.setText("" if f.dyeing_loss is None else write_number(f.dyeing_loss * 100))
        self.spec = f

    def restore(self, state: FormState) -> None:
        """Show the fabric and yarn of ``state`` (`ui.cost_sheet.edits`) as they were."""
        if state["fabric_id"] != self.fabric_id or not self.yarn.count():
            self._fill_yarns(state["fabric_id"])
        self.fabric_id, self.spec = state["fabric_id"], state["fabric"]
        self.fabric_label.setText(state["fabric_label"])
        if state["yarn"] is not None:
            set_combo(self.yarn, state["yarn"])

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

    def number_fields(self) -> list[NumberField]:
        return [
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
        ]

    def read(self, v: dict[str, Decimal | None]) -> FabricSpec:
        """The fabric chosen with the values read of `number_fields` and the yarn chosen; a
        CostingError when no fabric is chosen."""
        spec = self.spec
        if spec is None:
            raise CostingError("choose a fabric to start")
        percent = Decimal(100)
        return type(spec)(
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
