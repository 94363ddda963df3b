"""Excel files that Excel users keep: the cost sheet's workbook and File → Export results,
triggered as a user does (the button, Ctrl+E) and read back with openpyxl: numbers, money,
percentages and dates are typed cells with formats, a header block says what the sheet is,
the sheet is named after its content, and every matching row is there."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet, press, type_into
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """The file dialog answers ``path``."""
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "Excel (*.xlsx)"))
    )


def test_the_cost_sheet_workbook_is_typed_with_a_header_block(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "XL-01")
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == "XL-01"
    )
    path = tmp_path / "XL-01.xlsx"
    save_as(monkeypatch, path)
    qtbot.mouseClick(sheet.export_button, Qt.MouseButton.LeftButton)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Cost sheet XL-01"]
    rows = [r for r in book.active.iter_rows(values_only=True)]
    header = {r[0]: r[1] for r in rows[:10] if r and r[0]}
    price = sheet.price
    assert header["Style"] == "XL-01" and header["Quantity (pcs)"] == 3000
    assert header["Brand"].startswith(price.brand.code) and header["Currency"] == price.currency
    assert isinstance(header["Costed on"], date)
    table = next(i for i, r in enumerate(rows) if r and r[0] == "Component")
    lines = [r for r in rows[table + 1 :] if r and r[0]]
    making = next(r for r in lines if r[0] == "Making")
    columns = rows[table]
    for title in ("Quantity", "Rate (₹)", "Amount (₹)", "Share"):
        assert isinstance(making[columns.index(title)], float | int), title
    assert isinstance(making[columns.index("Valid from")], date)
    total = next(r for r in lines if r[0] == "Cost per piece (INR)")
    assert round(total[columns.index("Amount (₹)")], 2) == float(round(price.cost.total, 2))
    sheet_cells = book.active
    share_col = columns.index("Share") + 1
    making_row = table + 2 + lines.index(making)
    assert sheet_cells.cell(making_row, share_col).number_format == "0.00%"


def test_export_results_writes_every_match_with_prices_as_numbers(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    qtbot.waitUntil(lambda: window.search_view.last_result is not None, timeout=10_000)
    result = window.search_view.last_result
    assert result.total > len(result.ids)  # more matches than the table loads at once
    path = tmp_path / "materials.xlsx"
    save_as(monkeypatch, path)
    progress: list[tuple[int, int, str]] = []
    window.ops.progress.connect(lambda done, total, text: progress.append((done, total, text)))
    with qtbot.waitSignal(window.exported, timeout=20_000) as blocker:
        press(qtbot, window.search_view.search_box, "Ctrl+E")
    assert blocker.args[1] == result.total
    # read and written a page at a time, the progress bar moving with it
    paged = [p for p in progress if p[2] == f"Exporting {result.total:,} materials"]
    assert len(paged) == -(-result.total // 500) and paged[-1][1] == result.total
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Materials"]
    rows = list(book.active.iter_rows(values_only=True))
    header = {r[0]: r[1] for r in rows[:8] if r and r[0]}
    assert header["Search"] == "all materials" and header["Matches"] == result.total
    assert header["Workspace"] == window.workspace.root.name
    table = next(i for i, r in enumerate(rows) if r and r[0] == "Code")
    body = rows[table + 1 :]
    assert len(body) == result.total
    price = rows[table].index("Price")
    priced = [r[price] for r in body if r[price] is not None]
    assert priced and all(isinstance(p, float | int) for p in priced)


def test_the_workbook_carries_the_delivered_prices(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.brand.setCurrentIndex(sheet.inputs.brand.findData("CSTL"))
    for edit, text in (
        (sheet.inputs.delivery.freight, "0.22"),
        (sheet.inputs.delivery.duty_rate, "16.5"),
    ):
        with qtbot.waitSignal(sheet.computed, timeout=5_000):
            type_into(qtbot, edit, text)
    terms = sheet.terms
    assert terms is not None
    path = tmp_path / "delivered.xlsx"
    save_as(monkeypatch, path)
    qtbot.mouseClick(sheet.export_button, Qt.MouseButton.LeftButton)
    rows = [r for r in openpyxl.load_workbook(path).active.iter_rows(values_only=True)]
    figures = {r[0]: r[4] for r in rows if r and r[0]}
    assert figures["Duty on the FOB value (USD)"] == pytest.approx(float(terms.duty))
    assert figures["Landed cost per piece (USD)"] == pytest.approx(float(terms.landed))
    assert figures["CIF price per piece (USD)"] == pytest.approx(float(terms.cif))
    assert "1401a" in next(r[0] for r in rows if r and r[0] and r[0].startswith("Customs"))
