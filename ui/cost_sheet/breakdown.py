"""The right-hand side of the cost sheet editor: the cost, price and lead-time figures, the
breakdown table with its chart, and the age beyond which a rate is flagged as stale.

Kept apart from the window because it only presents: it is handed a costing, a price and a
lead time and shows them, highlighting lines whose rate is older than the age chosen; the
window decides when to cost and what with.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QGraphicsOpacityEffect,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.amounts import money, money_in, write_number
from ui.formats import (
    dates_in,
    format_date,
    format_integer,
    format_number,
    format_percent,
)
from ui.share_chart import ShareChart
from ui.table_cells import cell_item
from ui.table_export import install_export, typed_item
from ui.wheel_guard import guard_wheel
from workbench.capacity import LeadTime
from workbench.costing import CostResult, Terms, stale_lines
from workbench.costing.breaks import ColourwayBreaks
from workbench.costing.colourways import ColourwayCosting
from workbench.costing.pricing import PriceResult
from workbench.costing.sizes import SizeLine
from workbench.export import MONEY, PERCENT, Cell

STALE = QBrush(QColor("#fff1c7"))
INCOTERMS = ("FOB", "CFR", "CIF", "Landed")
BREAKDOWN_HEADERS = (
    "Component",
    "Quantity",
    "Rate (₹)",
    "Amount (₹)",
    "Share",
    "Rate code",
    "Source",
    "Valid from",
)


class BreakdownPanel(QWidget):
    """Figures above, the breakdown and its chart in a splitter, the stale-rate age below."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)  # laid out as part of the window's right side
        figures = QHBoxLayout()
        self.cost_label = QLabel("—")
        self.price_label = QLabel("—")
        self.lead_label = QLabel("—")
        for widget in (self.cost_label, self.price_label, self.lead_label):
            widget.setObjectName("costFigure")
            widget.setWordWrap(True)
            widget.setTextFormat(Qt.TextFormat.RichText)
            figures.addWidget(widget, 1)
        layout.addLayout(figures)
        #: each size's own cost, when the sheet is costed by size
        self.sizes_label = QLabel()
        self.sizes_label.setWordWrap(True)
        self.sizes_label.setVisible(False)
        layout.addWidget(self.sizes_label)
        #: each colourway's cost and price, and the order's weighted by pieces
        self.colourways_label = QLabel()
        self.colourways_label.setWordWrap(True)
        self.colourways_label.setVisible(False)
        layout.addWidget(self.colourways_label)
        #: the brand's price at each quantity break, the order's own marked
        self.breaks_label = QLabel()
        self.breaks_label.setWordWrap(True)
        self.breaks_label.setVisible(False)
        layout.addWidget(self.breaks_label)
        self.breakdown = QTableWidget(0, len(BREAKDOWN_HEADERS))
        self.breakdown.setHorizontalHeaderLabels(list(BREAKDOWN_HEADERS))
        self.breakdown.verticalHeader().setVisible(False)
        self.breakdown.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.breakdown.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        install_export(self.breakdown, "cost breakdown")
        self.chart = ShareChart()
        self._faded = QGraphicsOpacityEffect(self.chart)  # the chart while not current
        self._faded.setOpacity(0.3)
        self._faded.setEnabled(False)
        self.chart.setGraphicsEffect(self._faded)
        delivered = QWidget()
        dl = QVBoxLayout(delivered)
        dl.setContentsMargins(0, 0, 0, 0)
        #: the buyer's price at each Incoterm, with its lines (`Terms.incoterms`)
        self.terms_table = QTableWidget(0, len(INCOTERMS))
        self.terms_table.setHorizontalHeaderLabels(list(INCOTERMS))
        self.terms_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.terms_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.terms_table.verticalHeader().setDefaultSectionSize(22)
        install_export(self.terms_table, "delivery terms")
        #: the customs valuation basis and its source, or why there are no delivery terms
        self.terms_label = QLabel("Delivery: fill in freight and duty to see the landed cost")
        self.terms_label.setWordWrap(True)
        dl.addWidget(self.terms_label)
        dl.addWidget(self.terms_table, 1)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.breakdown)
        split.addWidget(self.chart)
        split.addWidget(delivered)
        split.setSizes([300, 220, 110])  # the lines first; delivery terms are one row
        split.setChildrenCollapsible(False)
        layout.addWidget(split, 1)
        #: where the rounding went, when the amounts shown needed a cent moved to add up
        self.rounding_label = QLabel()
        self.rounding_label.setWordWrap(True)
        layout.addWidget(self.rounding_label)
        stale_row = QHBoxLayout()
        stale_row.addWidget(QLabel("Flag rates older than"))
        self.max_age = QSpinBox()
        self.max_age.setRange(1, 3650)
        self.max_age.setValue(180)
        self.max_age.setSuffix(" days")
        guard_wheel(self.max_age)
        stale_row.addWidget(self.max_age)
        self.stale_label = QLabel()
        stale_row.addWidget(self.stale_label, 1)
        layout.addLayout(stale_row)
        #: the costing shown
        self.cost: CostResult | None = None
        #: the figures shown are not those of the form: a field is refused
        self.is_stale = False
        self._figures: tuple[str, str, str] = ("", "", "")

    def mark_stale(self, why: str) -> None:
        """The form holds what cannot be costed: the figures on screen are the last good ones,
        and they say so, struck through and greyed, with the table and chart greyed."""
        if not self.is_stale:
            self._figures = (
                self.cost_label.text(),
                self.price_label.text(),
                self.lead_label.text(),
            )
        self.is_stale = True
        for label, shown in zip(
            (self.cost_label, self.price_label, self.lead_label), self._figures, strict=True
        ):
            title, _, rest = shown.partition("<br>")
            label.setText(
                f"{title} <span style='color:#b3261e'>· not current</span><br>"
                f"<span style='color:#8c969c'><s>{rest}</s></span>"
                if rest
                else f"{title} <span style='color:#b3261e'>· not current</span>"
            )
        self.cost_label.setToolTip(f"Not current: {why}")
        for widget in (self.breakdown, self.chart):
            widget.setEnabled(False)
        self._faded.setEnabled(True)
        self.stale_label.setText("figures not current: fix the fields marked in the form")

    def show_cost(self, cost: CostResult, price: PriceResult | None) -> None:
        self.cost = cost
        self.is_stale = False
        self.cost_label.setToolTip("")
        for widget in (self.breakdown, self.chart):
            widget.setEnabled(True)
        self._faded.setEnabled(False)
        stale = {line.component for line in stale_lines(cost, cost.on, self.max_age.value())}
        self.breakdown.setRowCount(len(cost.lines))
        for r, line in enumerate(cost.lines):
            qty = (
                f"{money(line.quantity)} ₹"
                if line.basis == "percent"
                else f"{line.quantity:,.4f} {line.unit}"
            )
            rate = f"{line.rate:.2f} %" if line.basis == "percent" else money(line.rate)
            percent = line.basis == "percent"
            cells = (
                line.component,
                qty,
                rate,
                money(line.amount_shown),
                f"{line.share * 100:.2f} %",
                line.rate_code,
                line.source,
                format_date(line.valid_from),
            )
            typed = (
                None,
                Cell(line.quantity, MONEY if percent else "#,##0.0000"),
                Cell(line.rate / 100, PERCENT) if percent else Cell(line.rate, MONEY),
                Cell(line.amount_shown, MONEY),
                Cell(line.share, PERCENT),
                None,
                None,
                line.valid_from,
            )
            for c, text in enumerate(cells):
                item = typed_item(text, typed[c])
                if c in (1, 2, 3, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if line.component in stale:
                    item.setBackground(STALE)
                    item.setToolTip(
                        f"rate valid from {line.valid_from}: older than {self.max_age.value()} days"
                    )
                self.breakdown.setItem(r, c, item)
        self.stale_label.setText(
            f"{len(stale)} rate(s) older than that, highlighted" if stale else "all rates recent"
        )
        self.chart.show_lines(cost.lines)
        moved = ", ".join(
            f"{line.component} {'+' if line.amount_shown > line.amount else '−'}₹0.01"
            for line in cost.rounded_lines
        )
        self.rounding_label.setText(
            f"Amounts rounded to the paisa so that they add up to the total (largest "
            f"remainder): {moved}"
            if moved
            else ""
        )
        self.cost_label.setText(
            f"<b>Cost</b><br><span style='font-size:15pt'>₹ {money(cost.total)}</span> per piece"
            f"<br>fabric ₹ {money(cost.fabric.per_kg)}/kg · "
            f"{format_number(float(cost.consumption_kg), 4)} kg/pc"
        )
        if price is None:
            self.price_label.setText("<b>Price</b><br>choose a brand")
            return
        fx = price.fx
        self.price_label.setText(
            f"<b>Estimate</b> for {price.brand.code}<br><span style='font-size:15pt'>"
            f"{money_in(price.price_per_piece, price.currency)}</span> per piece · "
            f"{money_in(price.price_per_dozen, price.currency)} per dozen"
            f"<br>margin {format_percent(float(price.margin))}"
            + (
                f" · 1 INR = {write_number(fx.rate)} {price.currency} ({format_date(fx.as_of)})"
                if fx
                else ""
            )
            + "".join(f"<br><i>{dates_in(note)}</i>" for note in price.notes)
        )

    def show_sizes(self, ratio: str, costs: tuple[tuple[SizeLine, Decimal], ...]) -> None:
        """Each size's own cost per piece beside the ratio; the cost above is their mean
        weighted by the ratio. Nothing when the sheet is not costed by size."""
        self.sizes_label.setVisible(bool(costs))
        self.sizes_label.setText(
            f"<b>By size</b> ({ratio}): "
            + " · ".join(f"{line.size} ₹ {money(total)}" for line, total in costs)
            + " — the cost above is their mean weighted by the ratio"
            if costs
            else ""
        )

    def show_colourways(self, costing: ColourwayCosting | None) -> None:
        """Each colourway's pieces, cost per piece and price, then the order's cost and price
        weighted by pieces. Nothing when the sheet has one colour."""
        self.colourways_label.setVisible(costing is not None)
        if costing is None:
            self.colourways_label.setText("")
            return
        cells = []
        for c in costing.colourways:
            pieces = format_integer(c.colourway.pieces)
            cell = f"{c.colourway.name} {pieces} pcs ₹ {money(c.cost.total)}"
            if c.price is not None:
                cell += f" → {money_in(c.price.price_per_piece, c.price.currency)}"
            cells.append(cell)
        order = f"<b>the order ₹ {money(costing.cost)}"
        price = costing.price
        if price is not None and costing.colourways[0].price is not None:
            order += f" → {money_in(price, costing.colourways[0].price.currency, 4)}"
        self.colourways_label.setText(
            "<b>Colourways</b>: "
            + " · ".join(cells)
            + f" — {order}</b> per piece, weighted by pieces (the figures above are the "
            "style's without colourways)"
        )

    def show_breaks(
        self,
        breaks: tuple[PriceResult, ...],
        quantity: int,
        colourways: tuple[ColourwayBreaks, ...] = (),
    ) -> None:
        """The price from each quantity break of the brand's rules; the break the order's
        quantity falls in is in bold. With ``colourways``, each colourway's own breaks on a
        line of its own instead of the style's. Nothing when there is a single price."""
        lines = (
            [(html.escape(c.colourway.name), c.breaks) for c in colourways if len(c.breaks) > 1]
            if colourways
            else ([("", breaks)] if len(breaks) > 1 else [])
        )
        self.breaks_label.setVisible(bool(lines))
        self.breaks_label.setText(
            "<br>".join(
                f"<b>Price breaks{f', {name}' if name else ''}</b>: "
                + _break_cells(prices, quantity)
                for name, prices in lines
            )
        )

    def show_terms(self, terms: Terms | None, currency: str, why: str) -> None:
        """Each Incoterm's lines as shown, adding up to its price; the valuation basis and its
        source above. ``why`` says what is missing when there are no terms."""
        self.terms_table.setRowCount(0)
        if terms is None:
            self.terms_label.setText(f"Delivery: {why}")
            return
        ladder = terms.incoterms()
        names = [name for name, _ in ladder[-1].lines] + ["Total"]
        self.terms_table.setRowCount(len(names))
        self.terms_table.setVerticalHeaderLabels(names)
        for c, rung in enumerate(ladder):
            shown = {**dict(rung.lines), "Total": rung.total}
            for r, name in enumerate(names):
                text = f"{shown[name]:,.2f}" if name in shown else ""
                item = typed_item(text, Cell(shown[name], MONEY) if name in shown else None)
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if name == "Total":
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.terms_table.setItem(r, c, item)
        basis = "FOB (transaction value)" if terms.valuation == "FOB" else "CIF"
        law, _, why = terms.valuation_source.partition(":")
        self.terms_label.setText(
            f"<b>Delivered</b> ({currency} per piece): duty {terms.duty:,.4f} on the {basis} "
            f"value of {terms.customs_value:,.4f}"
            + (f" · <i>{law}</i>" if law else "")
            + (
                "<br>Lines rounded to add up to each total (largest remainder): "
                + ", ".join(f"{name} {off:+.2f}" for rung in ladder for name, off in rung.moved)
                if any(rung.moved for rung in ladder)
                else ""
            )
        )
        self.terms_label.setToolTip(terms.valuation_source if why else "")

    def show_lead_time(self, plan: LeadTime) -> None:
        done = format_date(plan.completion)
        self.lead_label.setText(
            f"<b>Lead time</b><br><span style='font-size:15pt'>{done}</span>"
            f" ({plan.days} days)<br>bottleneck: {plan.bottleneck.process} at "
            f"{plan.bottleneck.centre_code}"
            + ("".join(f"<br><i>{dates_in(w)}</i>" for w in plan.warnings[:2]))
        )

    def show_no_lead_time(self, why: str) -> None:
        self.lead_label.setText(f"<b>Lead time</b><br>{why}")

    def rows(self) -> tuple[list[str], list[list[Any]]]:
        """The breakdown as shown: its headers and its cells' text."""
        rows = [
            [cell_item(self.breakdown, r, c).text() for c in range(self.breakdown.columnCount())]
            for r in range(self.breakdown.rowCount())
        ]
        return list(BREAKDOWN_HEADERS), rows


def _break_cells(breaks: tuple[PriceResult, ...], quantity: int) -> str:
    """Each break's quantity and price, the one the order's ``quantity`` falls in bold."""
    ordered = max(
        (p for p in breaks if p.quantity <= quantity), default=None, key=lambda p: p.quantity
    )
    cells = []
    for p in breaks:
        cell = f"{format_integer(p.quantity)}+ pcs {money_in(p.price_per_piece, p.currency)}"
        cells.append(f"<b>{cell} (this order)</b>" if p is ordered else cell)
    return " · ".join(cells)
