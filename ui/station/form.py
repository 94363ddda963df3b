"""The label's fields at the station: description, style, colour, lot, quantity, date made and
mill, filled from a scan and corrected by the operator before printing.

Kept apart from the window because it is the one place that turns a scan's label into fields
and the fields back into the label that prints; the window decides when to look up and when
to print.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit

from ui.date_field import read_date
from ui.formats import format_date
from ui.station.style import caption
from workbench.labels import LabelError, LabelItem
from workbench.labels.scan import Scan, parse_quantity, quantity_text

#: The label fields the operator sees, in the order of the form: (field, caption).
FORM_FIELDS = (
    ("description", "Description"),
    ("mill", "Mill"),
    ("style", "Style"),
    ("colour", "Colour"),
    ("lot", "Lot"),
    ("quantity", "Qty"),
    ("date", "Made"),
)


class LabelForm(QGridLayout):
    """The scanned code above, a caption and a line edit for each of :data:`FORM_FIELDS`:
    the description and the mill (a name and a town, the longest values) across the form, the
    short fields two to a row (six rows, so the jobs list stays in view on a 768-pixel-high
    screen).

    A layout rather than a widget: it sits above the message and the jobs with no margins of
    its own. ``edited`` is called when the operator changes a field.
    """

    def __init__(self, edited: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.setHorizontalSpacing(10)
        self.setVerticalSpacing(6)
        self.code_label = QLabel("—")
        self.code_label.setObjectName("scanCode")
        self.addWidget(caption("Code"), 0, 0)
        self.addWidget(self.code_label, 0, 1, 1, 3)
        self.fields: dict[str, QLineEdit] = {}
        for number, (name, text) in enumerate(FORM_FIELDS):
            edit = QLineEdit()
            edit.setObjectName(f"field_{name}")
            edit.setMinimumWidth(90)
            if edited is not None:
                edit.textEdited.connect(lambda _text: edited())
            if number < 2:  # the description and the mill: the whole width
                row, column, span = 1 + number, 0, 3
            else:
                row, column, span = 3 + (number - 2) // 2, 2 * (number % 2), 1
            self.addWidget(caption(text), row, column)
            self.addWidget(edit, row, column + 1, 1, span)
            self.fields[name] = edit
        self.fields["date"].setPlaceholderText("YYYY-MM-DD")
        self.fields["quantity"].setPlaceholderText("1200 pc")
        self.fields["quantity"].setToolTip("A number and its unit: 1200 pc, 52.5 kg, 80 m")
        self.setColumnStretch(1, 1)
        self.setColumnStretch(3, 1)

    def clear(self) -> None:
        """No scan: the code and every field empty."""
        self.code_label.setText("—")
        for edit in self.fields.values():
            edit.clear()

    def show_scan(self, scan: Scan) -> None:
        """Fill the fields with the label ``scan`` suggests."""
        item = scan.item
        self.code_label.setText(f"{scan.kind} {item.code}")
        values = {
            "description": item.description,
            "style": item.style,
            "colour": item.colour,
            "lot": item.lot,
            "quantity": quantity_text(item),
            "date": format_date(item.production_date) if item.production_date else "",
            "mill": item.mill,
        }
        for name, edit in self.fields.items():
            edit.setText(values.get(name) or "")
            edit.setCursorPosition(0)  # a long value shows its start, not its end

    def label_item(self, scan: Scan) -> LabelItem:
        """``scan``'s label as the fields now say it (the operator may have corrected them);
        a :class:`LabelError` says which field cannot be read."""
        text = {name: edit.text().strip() or None for name, edit in self.fields.items()}
        quantity, unit = parse_quantity(text["quantity"] or "", scan.item.unit)
        try:
            made = read_date(text["date"] or "")  # as shown (the locale's format) or ISO
        except ValueError as exc:
            raise LabelError(f"made: {exc}") from None
        return replace(
            scan.item,
            description=text["description"],
            style=text["style"],
            colour=text["colour"],
            lot=text["lot"],
            quantity=quantity,
            unit=unit if quantity is not None else None,
            production_date=made,
            mill=text["mill"],
        )
