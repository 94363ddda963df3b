"""The cost sheet form's fields: how each is made, and how a field that holds a number is read.

Every part of the form (`ui.cost_sheet.inputs` and its boxes) makes its fields with one
`FieldMaker`, so each reports its edits to the form the same way and says what is wrong with
its value on the line under it (`ui.field_notes`). Every number is read in the user's locale
(`workbench.numbers`), in the field's own units or one typed after it, and checked against the
trade's ranges (`workbench.costing.limits`); a refused field keeps the sheet from being costed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from PySide6.QtWidgets import QComboBox, QFormLayout, QLineEdit, QWidget

from ui.cost_sheet.amounts import locale_format
from ui.field_notes import FieldNotes
from workbench.costing import CostingError
from workbench.costing.limits import check_plausible, show
from workbench.costing.units import CM_PER_INCH, M_PER_YARD
from workbench.numbers import NumberError, read_number

#: units that may follow a number: (what is typed, factor to the field's unit, name)
Units = tuple[tuple[str, Decimal, str], ...]


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
    units: Units = ()


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


class FieldsRefused(CostingError):
    """Fields hold what cannot be costed: each (label, why) is also said beside the field."""

    def __init__(self, refused: list[tuple[str, str]]) -> None:
        self.refused = refused
        said = "; ".join(f"{label}: {why}" for label, why in refused)
        many = f"{len(refused)} fields are refused, marked in the form. {said}"
        super().__init__(said if len(refused) == 1 else many)


class FieldMaker:
    """Makes the form's fields: each reports a change to ``changed`` (the form decides
    whether it was the user's), and a noted field has the line under it in ``notes``."""

    def __init__(self, notes: FieldNotes, changed: Callable[..., None]) -> None:
        self.notes, self.changed = notes, changed

    def line(self, text: str = "", width: int = 90) -> QLineEdit:
        edit = QLineEdit(text)
        edit.setMaximumWidth(width)
        edit.textChanged.connect(self.changed)
        return edit

    def combo(self) -> QComboBox:
        box = QComboBox()
        box.currentIndexChanged.connect(self.changed)
        return box

    def noted(self, edit: QLineEdit) -> QWidget:
        """``edit`` with the line under it where what is wrong with its value is said."""
        return self.notes.noted(edit)


def unit_of(text: str, units: Units) -> tuple[str, Decimal, str]:
    """``text`` without the unit typed after its number, the factor to the field's own unit,
    and the unit's name ("72 in" → "72", 2.54, "in"); no unit typed: the field's own."""
    stripped = text.strip()
    for typed, factor, name in units:
        if stripped.casefold().endswith(typed):
            number = stripped[: -len(typed)].strip()
            if number and (number[-1].isdigit() or typed in ('"', "″")):
                return number, factor, name
    return text, Decimal(1), units[0][2] if units else ""


def check_fields(
    fields: list[NumberField], notes: FieldNotes, units_typed: dict[str, str]
) -> dict[str, Decimal | None]:
    """Each of ``fields``' value, read in the user's locale and within the trade's range;
    what is refused or unusual is said beside its field, and a noted field not among
    ``fields`` (one the consumption method does not use) says nothing. The unit each field
    was typed in goes into ``units_typed``. FieldsRefused names the fields refused."""
    fmt = locale_format()
    values: dict[str, Decimal | None] = {}
    refused: list[tuple[str, str]] = []
    for field in fields:
        text = field.edit.text()
        if not text.strip() and field.optional:
            values[field.name] = field.empty
            notes.mark(field.edit, "", "")
            continue
        text, factor, unit = unit_of(text, field.units)
        units_typed[field.name] = unit
        try:
            value = read_number(text, fmt, whole=field.whole) * factor
        except NumberError as exc:
            notes.mark(field.edit, str(exc), "refused")
            refused.append((field.label, str(exc)))
            continue
        odd = check_plausible(field.limits, value)
        if odd is not None and odd.refused:
            notes.mark(field.edit, odd.message, "refused")
            refused.append((field.label, odd.message))
            continue
        said = (
            odd.message if odd else (f"= {show(value, field.units[0][0])}" if factor != 1 else "")
        )
        notes.mark(field.edit, said, "warned" if odd else ("ok" if said else ""))
        values[field.name] = value
    costed = {field.edit for field in fields}
    for edit in notes.notes:
        if edit not in costed:  # a field the method does not use says nothing
            notes.mark(edit, "", "")
    if refused:
        raise FieldsRefused(refused)
    return values


def required(values: dict[str, Decimal | None], name: str) -> Decimal:
    """The value `check_fields` read of the field ``name``, one that may not be left empty:
    such a field is given a number or refused, so None here is a defect, said at once (an
    optional field's value is read as it is, None when left empty)."""
    value = values[name]
    if value is None:
        raise LookupError(f"{name}: a field that must hold a number was read as empty")
    return value


def set_combo(box: QComboBox, value: str) -> None:
    """Choose ``value`` in ``box``, by its data or else its text; one the box does not offer
    (a sheet saved with a rate since retired) is added and chosen."""
    index = box.findData(value)
    if index < 0:
        index = box.findText(value)
    if index < 0:
        box.addItem(value, value)
        index = box.count() - 1
    box.setCurrentIndex(index)


def add_rows(layout: QFormLayout, *rows: tuple[str, QWidget]) -> None:
    """Add each (label, field) to ``layout``, the label followed by a colon."""
    for label, widget in rows:
        layout.addRow(label + ":", widget)
