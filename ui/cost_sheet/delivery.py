"""The cost sheet form's delivery box: freight, insurance, duty and commissions per piece, in
the brand's currency, from which the landed cost at each Incoterm is worked out
(`workbench.costing.terms`).

Apart from the rest of the form because its fields are all optional and typed as the trade
says them (percentages as percentages, kept as fractions in the sheet); a sheet with none of
them filled in has no delivery.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import QFormLayout, QGroupBox

from ui.cost_sheet.amounts import write_number
from ui.cost_sheet.fields import FieldMaker, NumberField, add_rows
from workbench.costing.terms import DELIVERY_FIELDS

#: the delivery fields: the box's attribute (and `terms.DELIVERY_FIELDS` name), its label in
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


class DeliveryBox(QGroupBox):
    """How the pieces are delivered to the brand, each field optional."""

    def __init__(self, make: FieldMaker) -> None:
        super().__init__("Delivery to the brand (per piece, in the brand's currency)")
        df = QFormLayout(self)
        self.freight = make.line("")
        self.insurance_rate = make.line("")
        self.insurance_cover = make.line("")
        self.insurance_cover.setPlaceholderText("110")
        self.insurance_cover.setToolTip("Incoterms 2020 CIF: at least 110 % of the CIF value")
        self.duty_rate = make.line("")
        self.local_freight = make.line("")
        self.commission_rate = make.line("")
        self.buying_agent_rate = make.line("")
        for edit in (self.freight, self.insurance_rate, self.duty_rate, self.local_freight):
            edit.setPlaceholderText("none")
        add_rows(
            df,
            ("Freight", make.noted(self.freight)),
            ("Insurance %", make.noted(self.insurance_rate)),
            ("Insured % of CIF", make.noted(self.insurance_cover)),
            ("Duty %", make.noted(self.duty_rate)),
            ("Local freight", make.noted(self.local_freight)),
            ("Selling commission % of FOB", make.noted(self.commission_rate)),
            ("Buying agent % of FOB", make.noted(self.buying_agent_rate)),
        )

    def show_delivery(self, delivery: dict[str, Decimal] | None) -> None:
        """Show a sheet's delivery (percentages as typed: 5 for 0.05); empty without one."""
        delivery = delivery or {}
        for name, _label, _limits in DELIVERY_INPUTS:
            value = delivery.get(name)
            getattr(self, name).setText(
                ""
                if value is None
                else write_number(value * 100 if name in PERCENT_INPUTS else value)
            )

    def number_fields(self) -> list[NumberField]:
        return [
            NumberField(name, getattr(self, name), label, limits, optional=True)
            for name, label, limits in DELIVERY_INPUTS
        ]

    def read(self, v: dict[str, Decimal | None]) -> dict[str, Decimal] | None:
        """The delivery from the values read of `number_fields`; None when none is filled in."""
        percent = Decimal(100)
        delivery = {
            name: value / percent if name in PERCENT_INPUTS else value
            for name, _label, _limits in DELIVERY_INPUTS
            if (value := v[name]) is not None
        }
        return delivery or None
