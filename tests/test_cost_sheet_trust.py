"""A cost sheet's figures change only when the user means them to, and never silently wrong:
the wheel scrolls the form instead of changing a closed box, numbers are read in the user's
locale and refused when they could mean two things or are far outside the trade, messages are
in the field's own units, and the totals say they are not current while a field is wrong."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet, type_into, wheel
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def test_the_wheel_over_a_closed_box_scrolls_the_form_and_changes_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.inputs.embroidery.setCurrentIndex(sheet.inputs.embroidery.count() - 1)
    qtbot.waitUntil(lambda: sheet.costed_style is not None)
    total = sheet.price.cost.total
    mill, embroidery = sheet.inputs.mill.currentIndex(), sheet.inputs.embroidery.currentIndex()
    placements, quantity = sheet.inputs.placements.value(), sheet.inputs.quantity.value()
    bar = sheet.form_scroll.verticalScrollBar()
    assert bar.maximum() > 0  # at 1366×768 the form scrolls
    for box in (
        sheet.inputs.mill,
        sheet.inputs.embroidery,
        sheet.inputs.placements,
        sheet.inputs.quantity,
        sheet.inputs.consumption.method,
    ):
        assert not box.hasFocus()
        before = bar.value()
        wheel(box, -1)
        assert bar.value() > before or bar.value() == bar.maximum()
        wheel(box, +1)
    qtbot.wait(300)
    assert (sheet.inputs.mill.currentIndex(), sheet.inputs.embroidery.currentIndex()) == (
        mill,
        embroidery,
    )
    assert (sheet.inputs.placements.value(), sheet.inputs.quantity.value()) == (
        placements,
        quantity,
    )
    assert sheet.price.cost.total == total


def test_an_ambiguous_length_is_refused_in_the_field_and_the_totals_say_so(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    shown = sheet.panel.cost_label.text()
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.body_length, "1,200")
    assert blocker.args[0] is None
    note = sheet.inputs.note_for(sheet.inputs.consumption.body_length)
    assert note.isVisible() and "could be 1200 or 1.2" in note.text()
    assert sheet.inputs.consumption.body_length.property("state") == "refused"
    assert sheet.panel.is_stale and sheet.panel.cost_label.text() != shown
    assert "not current" in sheet.panel.cost_label.text()
    assert not sheet.panel.breakdown.isEnabled()
    # typed plainly, it is costed and the totals are current again
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.body_length, "72")
    assert blocker.args[0] is not None and not sheet.panel.is_stale
    assert not note.isVisible() and sheet.panel.breakdown.isEnabled()


def test_a_comma_that_cannot_be_grouping_is_a_decimal_mark(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.sam, "12,5")
    assert blocker.args[0] is not None
    assert sheet.costed_style.making.sam == Decimal("12.5")


def test_a_value_far_outside_the_trade_is_refused_beside_the_field(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.sam, "1000000000")
    assert blocker.args[0] is None
    assert "outside 0.1–600 min" in sheet.inputs.note_for(sheet.inputs.sam).text()
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.sam, "1e9")
    assert (
        blocker.args[0] is None and "not a number" in sheet.inputs.note_for(sheet.inputs.sam).text()
    )
    assert sheet.panel.is_stale


def test_an_unusual_value_is_costed_with_a_warning(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.fabric.gsm, "900")
    assert blocker.args[0] is not None and not sheet.panel.is_stale
    note = sheet.inputs.note_for(sheet.inputs.fabric.gsm)
    assert note.isVisible() and "unusual" in note.text() and "g/m²" in note.text()
    assert sheet.inputs.fabric.gsm.property("state") == "warned"


def test_messages_are_in_the_fields_units(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.efficiency, "0")
    assert sheet.inputs.note_for(sheet.inputs.efficiency).text() == "0 % is outside 1–100 %"
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.consumption.wastage, "-50")
    assert (
        sheet.inputs.note_for(sheet.inputs.consumption.wastage).text() == "-50 % is outside 0–75 %"
    )
    assert "fraction" not in sheet.message.text() and "-0.5" not in sheet.message.text()
    assert "2 fields" in sheet.message.text()
    qtbot.keyClick(sheet.inputs.consumption.wastage, Qt.Key.Key_Backspace)  # "-5" is still refused
    qtbot.wait(200)
    assert sheet.panel.is_stale
