"""The cost sheet shows the brand's price at each quantity break of its margin rules, the
order's own in bold, and the bold one is the price the sheet quotes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def test_price_breaks_on_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.category.setCurrentIndex(sheet.category.findText("other"))
    label = sheet.panel.breaks_label
    assert label.isVisible()
    price = sheet.price
    assert sheet.quantity.value() == 3000
    assert (
        f"<b>1+ pcs {price.price_per_piece:,.2f} {price.currency} (this order)</b>" in label.text()
    )
    assert "5,000+ pcs" in label.text()
    # the order grows past the break: its price and the bold break move together
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.quantity.setFocus()
        qtbot.keyClick(sheet.quantity, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        qtbot.keyClicks(sheet.quantity, "6000")
    qtbot.waitUntil(lambda: sheet.price is not None and sheet.price.quantity == 6000)
    bigger = sheet.price
    assert bigger.price_per_piece <= price.price_per_piece
    assert (
        f"<b>5,000+ pcs {bigger.price_per_piece:,.2f} {bigger.currency} (this order)</b>"
        in label.text()
    )
