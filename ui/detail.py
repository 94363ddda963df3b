"""The detail pane: one material with all its fields, its cost rates and its order history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.formats import format_date, format_integer, format_number
from ui.models import format_price
from ui.table_cells import cell_item
from ui.table_export import install_export, typed_item
from workbench.export import Cell

FIELDS: tuple[tuple[str, str], ...] = (
    ("Type", "material_type"),
    ("Category", "category"),
    ("Composition", "composition"),
    ("Construction", "construction"),
    ("Yarn count", "yarn_count"),
    ("GSM", "gsm"),
    ("Width", "width_cm"),
    ("Colour", "colour"),
    ("Dye class", "dye_class"),
    ("Finish", "finish"),
    ("Supplier", "supplier"),
    ("Mill", "mill"),
    ("Price", "price"),
)


def _value(material: dict[str, Any], key: str) -> str:
    value = material.get(key)
    if key == "price":
        return format_price(material)
    if key == "width_cm" and value is not None:
        return f"{value} cm ({value / 2.54:.0f} in)"
    if key == "gsm" and value is not None:
        return f"{value} g/m²"
    if key == "colour" and material.get("shade_depth"):
        return f"{value} ({material['shade_depth']} shade)"
    if key == "material_type" and value:
        return str(value).capitalize()
    return "" if value in (None, "") else str(value)


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setAlternatingRowColors(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    table.setMinimumHeight(110)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str | tuple[str, Any]]]) -> None:
    """Each cell a text, or a text shown and the typed value its export writes."""
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            text, value = cell if isinstance(cell, tuple) else (cell, None)
            table.setItem(r, c, typed_item(text, value))


def _rate(rate: Any) -> tuple[str, Any] | str:
    """A rate with its currency ("INR 12.50"), exported as the number."""
    try:
        amount = Decimal(str(rate["rate"]))
    except ArithmeticError:
        return f"{rate['rate']} {rate['currency']}"
    places = max(2, -int(amount.as_tuple().exponent))  # a rate's own decimals, never cut
    shown = f"{rate['currency']} {format_number(float(amount), places)}"  # as Price: INR 55.00
    return shown, Cell(amount, "#,##0." + "0" * places)


def _day(text: str | None) -> tuple[str, Any] | str:
    """A stored ISO date shown in the locale's format and exported as a date."""
    try:
        day = date.fromisoformat(str(text)[:10])
    except ValueError:
        return str(text or "")
    return format_date(day), day


class DetailPane(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailPane")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("detailBody")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(14, 12, 14, 12)
        layout.setSpacing(8)

        self.code = QLabel()
        self.code.setObjectName("detailCode")
        self.title = QLabel("Select a material to see its details")
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        layout.addWidget(self.code)
        layout.addWidget(self.title)

        self.chips = QHBoxLayout()
        self.chips.setSpacing(6)
        chip_row = QWidget()
        chip_row.setLayout(self.chips)
        layout.addWidget(chip_row)

        self.form = QFormLayout()
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.form.setHorizontalSpacing(12)
        self.form.setVerticalSpacing(4)
        self.values: dict[str, QLabel] = {}
        for label, key in FIELDS:
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(f"{label}:", value)
            self.values[key] = value
        layout.addLayout(self.form)

        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setObjectName("detailDescription")
        layout.addWidget(self.description)

        self.rates_label = QLabel("Cost rates")
        self.rates_label.setObjectName("sectionLabel")
        layout.addWidget(self.rates_label)
        self.rates = _table(("Process", "Rate", "Basis", "Valid from"))
        self.export_rates = install_export(self.rates, "cost rates")
        layout.addWidget(self.rates)

        self.orders_label = QLabel("Order history")
        self.orders_label.setObjectName("sectionLabel")
        layout.addWidget(self.orders_label)
        self.orders = _table(("Order", "Brand", "Season", "Qty", "Delivered"))
        self.export_orders = install_export(self.orders, "orders")
        layout.addWidget(self.orders)
        layout.addStretch(1)
        self.setWidget(body)
        self.material_id: str | None = None
        self.clear()

    def clear(self) -> None:
        self.material_id = None
        self.code.setText("")
        self.title.setText("Select a material to see its details")
        for row, value in enumerate(self.values.values()):
            value.setText("")
            self.form.setRowVisible(row, True)
        self.description.setText("")
        self._set_chips([])
        _fill(self.rates, [])
        _fill(self.orders, [])

    def _set_chips(self, certifications: Sequence[str]) -> None:
        while (item := self.chips.takeAt(0)) is not None:  # None: the layout is empty
            if (shown := item.widget()) is not None:
                shown.deleteLater()
        for cert in certifications:
            chip = QLabel(cert)
            chip.setObjectName("chip")
            self.chips.addWidget(chip)
        self.chips.addStretch(1)

    def show_detail(self, detail: dict[str, Any] | None) -> None:
        if detail is None:
            self.clear()
            self.title.setText("This material is no longer in the workspace")
            return
        material = detail["material"]
        self.material_id = material["id"]
        self.code.setText(material["code"])
        self.title.setText(material["name"])
        for row, (key, label) in enumerate(self.values.items()):
            text = _value(material, key)
            label.setText(text)
            self.form.setRowVisible(row, bool(text))  # a yarn has no GSM, a fabric no count
        self.description.setText(material.get("description") or "")
        self._set_chips([c for c in (material.get("certifications") or "").split(",") if c])
        rates = detail["cost_rates"]
        self.rates_label.setText(f"Cost rates ({len(rates)})")
        _fill(
            self.rates, [(r["process"], _rate(r), r["basis"], _day(r["valid_from"])) for r in rates]
        )
        for row, rate in enumerate(rates):
            for column in range(self.rates.columnCount()):
                cell_item(self.rates, row, column).setToolTip(
                    f"{rate['description']} — {rate['source']}"
                )
        orders = detail["orders"]
        self.orders_label.setText(f"Order history ({len(orders)})")
        _fill(
            self.orders,
            [
                (
                    o["order_no"],
                    o["brand"] or "",
                    o["season"],
                    (format_integer(o["quantity"]), o["quantity"]),
                    _day(o["delivered_date"]) if o["delivered_date"] else "open",
                )
                for o in orders
            ],
        )
