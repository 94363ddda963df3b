"""The label's fields at the station: description, style, colour, lot, quantity, date made and
mill, filled from a scan and corrected by the operator before printing.

Kept apart from the window because it is the one place that turns a scan's label into fields
and the fields back into the label that prints; the window decides when to look up and when
to print.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit

from ui.station.scan import Scan, parse_quantity, quantity_text
from workbench.labels import LabelError, LabelItem

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


class LabelForm(QGridLayout):
    """The scanned code above, a caption and a line edit for each of :data:`FORM_FIELDS`.

    A layout rather than a widget: it sits beside the print panel with no margins of its own.
    """

    def __init__(self) -> None:
        super().__init__()
        self.setHorizontalSpacing(14)
        self.setVerticalSpacing(6)
        self.code_label = QLabel("—")
        self.code_label.setObjectName("scanSummary")
        self.addWidget(QLabel("Code"), 0, 0)
        self.addWidget(self.code_label, 0, 1)
        self.fields: dict[str, QLineEdit] = {}
        for row, (name, caption) in enumerate(FORM_FIELDS, start=1):
            edit = QLineEdit()
            edit.setObjectName(f"field_{name}")
            self.addWidget(QLabel(caption), row, 0)
            self.addWidget(edit, row, 1)
            self.fields[name] = edit
        self.fields["date"].setPlaceholderText("YYYY-MM-DD")
        self.fields["quantity"].setPlaceholderText("e.g. 1200 pc or 52.5 kg")
        self.setColumnStretch(1, 1)

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
            "date": item.production_date.isoformat() if item.production_date else "",
            "mill": item.mill,
        }
        for name, edit in self.fields.items():
            edit.setText(values.get(name) or "")

    def label_item(self, scan: Scan) -> LabelItem:
        """``scan``'s label as the fields now say it (the operator may have corrected them);
        a :class:`LabelError` says which field cannot be read."""
        text = {name: edit.text().strip() or None for name, edit in self.fields.items()}
        quantity, unit = parse_quantity(text["quantity"] or "", scan.item.unit)
        try:
            made = date.fromisoformat(text["date"]) if text["date"] else None
        except ValueError:
            raise LabelError(f"made {text['date']!r}: write the date as YYYY-MM-DD") from None
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
