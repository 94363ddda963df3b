"""Dates are written one way, the locale's, everywhere a merchandiser reads them: the cost
sheet's "Costed on", its breakdown and lead time, the material's rates and orders in the main
window. Under German settings every date reads 07.12.2026; none is "7 12 2026", "15 Jan 2027"
or "2026-12-11". And a list table's right-click export writes typed cells, not its text."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QLocale
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet
from ui.formats import format_date
from ui.main_window import MainWindow
from ui.table_export import export_view
from workbench.replica import queries

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures

GERMAN_DATE = re.compile(r"^\d{2}\.\d{2}\.\d{4}$")
OTHER_DATES = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,2} [A-Z][a-z]{2} \d{4}|\d{1,2} \d{1,2} \d{4}")


@pytest.fixture
def german(english: QLocale) -> Iterator[QLocale]:
    """The user's locale is German (dates 07.12.2026, decimal mark ',')."""
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    yield QLocale()


def test_the_cost_sheet_writes_every_date_in_the_locales_format(
    qtbot: QtBot, window: MainWindow, german: QLocale
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    qtbot.waitUntil(lambda: sheet.plan is not None, timeout=10_000)
    costed = sheet.inputs.costed_on.date().toPython()
    assert sheet.inputs.costed_on.text() == format_date(costed)
    assert GERMAN_DATE.match(sheet.inputs.costed_on.text())
    valid_from = [
        sheet.panel.breakdown.item(r, 7).text() for r in range(sheet.panel.breakdown.rowCount())
    ]
    assert valid_from and all(GERMAN_DATE.match(text) for text in valid_from)
    assert (
        sheet.plan is not None
        and format_date(sheet.plan.completion) in sheet.panel.lead_label.text()
    )
    shown = " ".join(
        [
            sheet.panel.lead_label.text(),
            sheet.panel.price_label.text(),
            sheet.inputs.costed_on.text(),
            *valid_from,
        ]
    )
    assert not OTHER_DATES.search(shown), shown


POINT_AMOUNT = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})*\.\d{2,4}(?![\d.])")


def test_the_cost_sheet_writes_every_amount_in_the_locales_format(
    qtbot: QtBot, window: MainWindow, german: QLocale
) -> None:
    """Under German settings the cost, the price, the margin and the price breaks are
    written 1.234,56 with the code after the amount, as the fields are typed: never 1,234.56
    beside a field that reads "12,5" as twelve and a half."""
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    qtbot.waitUntil(lambda: sheet.price is not None, timeout=10_000)
    price = sheet.price
    assert price is not None
    shown = " ".join(
        label.text()
        for label in (sheet.panel.cost_label, sheet.panel.price_label, sheet.panel.breaks_label)
    )
    per_piece = f"{price.price_per_piece:.2f}".replace(".", ",") + f" {price.currency}"
    assert per_piece in sheet.panel.price_label.text(), sheet.panel.price_label.text()
    assert not POINT_AMOUNT.search(shown), shown
    assert not re.search(rf"{price.currency} \d", shown), shown


def test_the_materials_rates_and_orders_show_local_dates_and_export_typed(
    qtbot: QtBot, window: MainWindow, german: QLocale, tmp_path: Path
) -> None:
    conn = window.workspace.replica.conn
    material_id = conn.execute(
        "SELECT m.id FROM materials m WHERE EXISTS (SELECT 1 FROM cost_rates r WHERE "
        "r.material_id = m.id) AND EXISTS (SELECT 1 FROM orders o WHERE o.material_id = m.id "
        "AND o.delivered_date IS NOT NULL) LIMIT 1"
    ).fetchone()[0]
    pane = window.search_view.detail
    pane.show_detail(queries.material_detail(conn, material_id))
    rates, orders = pane.rates, pane.orders
    valid = [rates.item(r, 3).text() for r in range(rates.rowCount())]
    delivered = [orders.item(r, 4).text() for r in range(orders.rowCount())]
    assert valid and all(GERMAN_DATE.match(t) for t in valid)
    assert any(GERMAN_DATE.match(t) for t in delivered)
    assert not any(OTHER_DATES.search(t) for t in valid + delivered)

    export_view(rates, tmp_path / "rates.xlsx", "cost rates")
    rows = list(openpyxl.load_workbook(tmp_path / "rates.xlsx").active.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Process")
    body = rows[head + 1 :]
    assert len(body) == rates.rowCount()
    assert all(isinstance(r[1], (int, float)) for r in body)  # the rate, a number
    assert all(isinstance(r[3], date) for r in body)  # valid from, a date


def test_the_breakdown_and_comparison_export_typed_cells(
    qtbot: QtBot, window: MainWindow, english: QLocale, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.inputs.style_code.setText("TYPED-1")
    first = helpers.save(qtbot, sheet)
    export_view(sheet.panel.breakdown, tmp_path / "breakdown.xlsx", "cost breakdown")
    rows = list(
        openpyxl.load_workbook(tmp_path / "breakdown.xlsx").active.iter_rows(values_only=True)
    )
    head = next(i for i, r in enumerate(rows) if r and r[0] == "Component")
    body = rows[head + 1 :]
    assert len(body) == sheet.panel.breakdown.rowCount()
    assert all(isinstance(r[3], (int, float)) for r in body)  # amounts
    assert all(isinstance(r[4], float) and 0 <= r[4] <= 1 for r in body)  # shares
    assert abs(sum(r[4] for r in body) - 1) < 0.01

    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        sheet.saving.copy_sheet()
    dialog = helpers.compare(qtbot, sheet, first["id"])
    labels = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    price = [t for t in labels if t.startswith("Price per piece")]
    assert price and not re.search(r"\((\w{3}) / \1\)", price[0]), price  # not "EUR / EUR"
    export_view(dialog.table, tmp_path / "compare.xlsx", "cost comparison")
    rows = list(
        openpyxl.load_workbook(tmp_path / "compare.xlsx").active.iter_rows(values_only=True)
    )
    totals = next(r for r in rows if r and str(r[0]).startswith("Total cost"))
    assert all(isinstance(v, (int, float)) for v in totals[1:])
