"""The cost sheet form's Consumption box: how much fabric a piece takes, by one of six methods
(body measurements, a marker quantity in kg, m or yd, a marker plan, a size ratio), and the
wastage.

Apart from the rest of the form because the method decides which of its fields are shown and
read, how a saved size ratio is kept when its sizes are not marker figures, and what a marker
plan says under the field left empty; the form only hands it the values read
(`ui.cost_sheet.fields`) and takes the consumption back.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal

from PySide6.QtWidgets import QFormLayout, QGroupBox, QLineEdit

from ui.cost_sheet.amounts import locale_format, write_number
from ui.cost_sheet.fields import (
    LENGTH_UNITS,
    WIDTH_UNITS,
    FieldMaker,
    FieldsRefused,
    NumberField,
    add_rows,
    required,
)
from workbench.costing import BodyMeasurements, CostingError, MarkerConsumption, Style
from workbench.costing.limits import check_plausible
from workbench.costing.marker import MarkerPlan
from workbench.costing.sizes import SizeRatio, marker_figures, read_size_ratio
from workbench.costing.units import M_PER_YARD
from workbench.numbers import NumberError, read_number

#: the consumption methods, in the order of the method box (kept: drafts hold the position)
BODY, MARKER_KG, MARKER_M, MARKER_YD, MARKER_PLAN, SIZE_RATIO = range(6)

#: what the sheet's consumption is, as the form reads it
Consumption = BodyMeasurements | MarkerConsumption | MarkerPlan | SizeRatio


class ConsumptionBox(QGroupBox):
    """The method and the fields it is costed from, with the wastage."""

    def __init__(self, make: FieldMaker, filling: Callable[[], bool]) -> None:
        """``filling``: whether the form is filling itself (a method shown then is not the
        user's choice, so a saved size ratio stays)."""
        super().__init__("Consumption")
        self.make, self._filling = make, filling
        self.notes = make.notes
        cf = QFormLayout(self)
        self.method = make.combo()
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
        self.body_length = make.line("70")
        self.sleeve_length = make.line("20")
        self.half_chest = make.line("50")
        self.marker = make.line("1.60")
        self.marker_width = make.line("")
        self.marker_width.setPlaceholderText("cm, or 72 in")
        self.marker_garments = make.line("")
        self.marker_length = make.line("")
        self.marker_length.setPlaceholderText("m, or 15 yd")
        self.marker_length.setToolTip(
            "The marker's length; leave empty to plan it from an efficiency"
        )
        self.marker_efficiency = make.line("")
        self.marker_efficiency.setPlaceholderText("or plan")
        self.marker_efficiency.setToolTip(
            "The share of the marker the patterns cover, to plan its length before it is laid"
        )
        self.pattern_area = make.line("", 110)
        self.size_ratio = make.line("", 260)
        self.size_ratio.setPlaceholderText("S:M:L:XL = 1:2:2:1")
        self.size_consumption = make.line("", 260)
        self.size_consumption.setPlaceholderText("0.22 : 0.24 : 0.26 : 0.28 kg")
        self.size_consumption.setToolTip(
            "Each size's marker consumption per piece, in the ratio's order, then kg, m or yd"
        )
        #: a saved ratio whose sizes are not marker figures (body measurements per size):
        #: costed as saved, its fields read-only
        self._saved_sizes: SizeRatio | None = None
        self.wastage = make.line("8")
        add_rows(
            cf,
            ("Method", self.method),
            ("Body length (cm)", make.noted(self.body_length)),
            ("Sleeve length (cm)", make.noted(self.sleeve_length)),
            ("½ chest (cm)", make.noted(self.half_chest)),
            ("Marker quantity", make.noted(self.marker)),
            ("Marker width (cm or in)", make.noted(self.marker_width)),
            ("Garments in the marker", make.noted(self.marker_garments)),
            ("Marker length (m or yd)", make.noted(self.marker_length)),
            ("Marker efficiency %", make.noted(self.marker_efficiency)),
            ("Pattern area per garment (m²)", make.noted(self.pattern_area)),
            ("Size ratio", make.noted(self.size_ratio)),
            ("Per size", make.noted(self.size_consumption)),
            ("Wastage %", make.noted(self.wastage)),
        )
        self._form = cf
        self.method.currentIndexChanged.connect(self._show_method_rows)
        self._show_method_rows()

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
        if method != SIZE_RATIO and self._saved_sizes is not None and not self._filling():
            self._keep_sizes(None)  # another method chosen: the saved ratio is let go
        for edit, visible in shown.items():  # the row of the field with its note under it
            self._form.setRowVisible(self.notes.row_for(edit), visible)

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
            self.notes.mark(self.size_consumption, str(exc), "refused")
            raise FieldsRefused([("Size ratio", str(exc))]) from None
        self.notes.mark(self.size_consumption, f"{ratio.pieces} pieces a ratio", "ok")
        return ratio

    def _say_plan(self, plan: MarkerPlan) -> None:
        """Under the field left empty, what the plan gives for it: the marker length a planned
        efficiency needs, or the efficiency a laid marker reaches."""
        if plan.length is None:
            self.notes.mark(self.marker_length, f"planned: {plan.marker_length_m:.3f} m", "ok")
        reached = plan.efficiency_reached
        if plan.efficiency is None and reached is not None:
            self.notes.mark(self.marker_efficiency, f"reached: {reached * 100:.1f} %", "ok")

    def _plan_edits(self) -> tuple[QLineEdit, ...]:
        return (
            self.marker_width,
            self.marker_garments,
            self.marker_length,
            self.marker_efficiency,
            self.pattern_area,
        )

    # -- showing and reading -----------------------------------------------------------------

    def show_consumption(self, style: Style) -> None:
        """Show ``style``'s consumption, by its method, and its wastage."""
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

    def number_fields(self) -> list[NumberField]:
        """The number fields the chosen method is costed from, then the wastage."""
        method = self.method.currentIndex()
        marker_limits = {MARKER_KG: "marker_kg", MARKER_YD: "marker_yd"}.get(method, "marker_m")
        if method == BODY:
            fields = [
                NumberField("body_length", self.body_length, "Body length", "body_length_cm"),
                NumberField(
                    "sleeve_length", self.sleeve_length, "Sleeve length", "sleeve_length_cm"
                ),
                NumberField("half_chest", self.half_chest, "½ chest", "half_chest_cm"),
            ]
        elif method == MARKER_PLAN:
            fields = [
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
            ]
        elif method == SIZE_RATIO:
            fields = []
        else:
            fields = [NumberField("marker", self.marker, "Marker quantity", marker_limits)]
        return [*fields, NumberField("wastage", self.wastage, "Wastage", "wastage")]

    def read(self, v: dict[str, Decimal | None], units_typed: dict[str, str]) -> Consumption:
        """The consumption from the values read of `number_fields` (``units_typed``: the unit
        each was typed in); FieldsRefused when a size ratio cannot be read."""
        percent = Decimal(100)
        consumption: Consumption
        method = self.method.currentIndex()
        if method == BODY:
            consumption = BodyMeasurements(
                required(v, "body_length"),
                required(v, "sleeve_length"),
                required(v, "half_chest"),
            )
        elif method == SIZE_RATIO:
            consumption = self._read_sizes()
        elif method == MARKER_PLAN:
            # a length typed in yards is kept in yards, as the cutting room gave it (yards:
            # the length in yards; None when it was typed in metres or left empty)
            length = v["marker_length"]
            yards = (
                length / M_PER_YARD if length and units_typed.get("marker_length") == "yd" else None
            )
            consumption = MarkerPlan(
                width_cm=required(v, "marker_width"),
                garments=int(required(v, "marker_garments")),
                length=length if yards is None else yards,
                length_uom="m" if yards is None else "yd",
                efficiency=(
                    None if v["marker_efficiency"] is None else v["marker_efficiency"] / percent
                ),
                pattern_area_m2=v["pattern_area"],
            )
            self._say_plan(consumption)
        else:
            uom: Literal["kg", "m", "yd"] = (
                "kg" if method == MARKER_KG else "yd" if method == MARKER_YD else "m"
            )
            consumption = MarkerConsumption(required(v, "marker"), uom)
        return consumption
