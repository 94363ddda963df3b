"""The cost sheet shows the brand's price at each quantity break of its margin rules, the
order's own in bold, and the bold one is the price the sheet quotes; with colourways, each
colourway's own breaks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet
from ui.main_window import MainWindow
from workbench.costing.breaks import colourway_breaks

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def test_price_breaks_on_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.category.setCurrentIndex(sheet.inputs.category.findText("other"))
    label = sheet.panel.breaks_label
    assert label.isVisible()
    price = sheet.price
    assert sheet.inputs.quantity.value() == 3000
    assert (
        f"<b>1+ pcs {price.price_per_piece:,.2f} {price.currency} (this order)</b>" in label.text()
    )
    assert "5,000+ pcs" in label.text()
    # the order grows past the break: its price and the bold break move together
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.quantity.setFocus()
        qtbot.keyClick(sheet.inputs.quantity, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(sheet.inputs.quantity, "6000")
    qtbot.waitUntil(lambda: sheet.price is not None and sheet.price.quantity == 6000)
    bigger = sheet.price
    assert bigger.price_per_piece <= price.price_per_piece
    assert (
        f"<b>5,000+ pcs {bigger.price_per_piece:,.2f} {bigger.currency} (this order)</b>"
        in label.text()
    )


def test_each_colourway_breaks_on_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    from tests.test_cost_sheet_colourways import _type_cell

    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.category.setCurrentIndex(sheet.inputs.category.findText("other"))
    box = sheet.inputs.colourways_box
    for r, cells in enumerate(
        (("White", "1200", "reactive", "light"), ("Navy", "1800", "reactive", "dark"))
    ):
        qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        for c, text in enumerate(cells):
            _type_cell(qtbot, box.table, r, c, text)
    qtbot.waitUntil(lambda: sheet.colourway_costing is not None, timeout=5_000)
    qtbot.waitUntil(lambda: not sheet.panel.is_stale, timeout=5_000)
    read = sheet.current_sheet()
    each = colourway_breaks(
        read.style, read.colourways, sheet.loaded.book, sheet.price.cost.on, brand=sheet.price.brand
    )
    text = sheet.panel.breaks_label.text()
    for c in each:
        first, *rest = c.breaks
        assert rest  # the brand's margin falls from 5,000 pieces
        cells = [f"<b>1+ pcs {first.price_per_piece:,.2f} EUR (this order)</b>"] + [
            f"{p.quantity:,}+ pcs {p.price_per_piece:,.2f} EUR" for p in rest
        ]
        assert f"<b>Price breaks, {c.colourway.name}</b>: " + " · ".join(cells) in text
    # the order's price of each colourway is its first break's
    assert [c.price.price_per_piece for c in sheet.colourway_costing.colourways if c.price] == [
        c.breaks[0].price_per_piece for c in each
    ]
    assert each[0].breaks[0].price_per_piece != each[1].breaks[0].price_per_piece
