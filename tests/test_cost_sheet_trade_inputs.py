"""The cost sheet takes the trade's own inputs, typed as a merchandiser types them: a width of
182.88 cm or 72 in, a marker in yards, and a marker plan (its width, garments and length, or a
planned efficiency and the pattern area), each read exactly and said back in the field's
unit."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet, type_into
from ui.cost_sheet.consumption import MARKER_PLAN, MARKER_YD, SIZE_RATIO
from ui.main_window import MainWindow
from workbench.costing import MarkerConsumption
from workbench.costing.marker import MarkerPlan
from workbench.costing.sizes import SizeRatio

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def _choose_method(qtbot: QtBot, sheet: object, index: int) -> None:
    box = sheet.inputs.consumption.method  # type: ignore[attr-defined]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Home)
    for _ in range(index):
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert box.currentIndex() == index


def test_a_decimal_width_is_costed(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.fabric.width_cm, "182.88")
    assert blocker.args[0] is not None and not sheet.panel.is_stale
    assert sheet.costed_style.fabric.width_cm == D("182.88")


def test_a_width_in_inches_is_read_exactly_and_said_in_cm(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.fabric.width_cm, "72 in")
    assert blocker.args[0] is not None
    assert sheet.costed_style.fabric.width_cm == D("182.88")
    assert sheet.inputs.note_for(sheet.inputs.fabric.width_cm).text() == "= 182.88 cm"
    assert sheet.inputs.fabric.width_cm.text() == "72 in"  # what was typed stays as typed


def test_a_marker_in_yards(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _choose_method(qtbot, sheet, MARKER_YD)
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.marker, "1.2")
    assert blocker.args[0] is not None
    assert sheet.costed_style.consumption == MarkerConsumption(D("1.2"), "yd")
    cost = sheet.price.cost
    assert cost.consumption_kg == D("1.2") * D("0.9144") * cost.fabric.kg_per_m * (
        1 + sheet.costed_style.wastage
    )


def test_a_marker_plan_by_length_then_by_efficiency(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    assert not sheet.inputs.consumption.marker_width.isVisible()
    width = sheet.costed_style.fabric.width_cm
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _choose_method(qtbot, sheet, MARKER_PLAN)
    assert (
        sheet.inputs.consumption.marker_width.isVisible()
        and not sheet.inputs.consumption.body_length.isVisible()
    )
    type_into(qtbot, sheet.inputs.consumption.marker_width, f"{width}")
    type_into(qtbot, sheet.inputs.consumption.marker_garments, "12")
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.marker_length, "15 yd")
    assert blocker.args[0] is not None, sheet.inputs.note_for(
        sheet.inputs.consumption.marker_length
    ).text()
    assert sheet.costed_style.consumption == MarkerPlan(width, 12, D(15), "yd")
    cost = sheet.price.cost
    assert cost.consumption_kg == D("1.143") * cost.fabric.kg_per_m * (
        1 + sheet.costed_style.wastage
    )
    # planned instead: 12 garments of 0.9 m² at 80 % on this width
    type_into(qtbot, sheet.inputs.consumption.marker_length, "")
    qtbot.keyClick(sheet.inputs.consumption.marker_length, Qt.Key.Key_Backspace)
    assert sheet.inputs.consumption.marker_length.text() == ""
    type_into(qtbot, sheet.inputs.consumption.pattern_area, "0.9")
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.marker_efficiency, "80")
    assert blocker.args[0] is not None
    plan = sheet.costed_style.consumption
    assert plan == MarkerPlan(width, 12, efficiency=D("0.8"), pattern_area_m2=D("0.9"))
    assert plan.marker_length_m == D("10.8") / (D("0.8") * width / 100)
    said = sheet.inputs.note_for(sheet.inputs.consumption.marker_length).text()
    assert said == f"planned: {plan.marker_length_m:.3f} m"
    sheet.inputs.grab().save(str(tmp_path / "cost-sheet-marker-plan.png"))  # as in docs/
    # both a length and an efficiency: refused, and the totals say they are not current
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.marker_length, "12")
    assert blocker.args[0] is None and sheet.panel.is_stale


def test_a_size_ratio_typed_as_the_trade_writes_it(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    assert not sheet.inputs.consumption.size_ratio.isVisible()
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _choose_method(qtbot, sheet, SIZE_RATIO)
    assert sheet.inputs.consumption.size_ratio.isVisible()
    type_into(qtbot, sheet.inputs.consumption.size_ratio, "S:M:L:XL = 1:2:2:1")
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.size_consumption, "0.22 : 0.24 : 0.26 : 0.28 kg")
    assert blocker.args[0] is not None
    ratio = sheet.costed_style.consumption
    assert isinstance(ratio, SizeRatio) and ratio.text() == "S:M:L:XL = 1:2:2:1"
    cost = sheet.price.cost
    # (0.22 + 2 × 0.24 + 2 × 0.26 + 0.28) / 6 = 1.5 / 6 = 0.25 kg before wastage
    assert cost.consumption_kg == D("0.25") * (1 + sheet.costed_style.wastage)
    shown = sheet.panel.sizes_label.text()
    assert sheet.panel.sizes_label.isVisible() and "S ₹" in shown and "XL ₹" in shown
    sheet.grab().save(str(tmp_path / "cost-sheet-size-ratio.png"))  # as in docs/screenshots
    # a figure missing: refused beside the field, the totals not current
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        type_into(qtbot, sheet.inputs.consumption.size_consumption, "0.22 : 0.24 : 0.26 kg")
    assert blocker.args[0] is None and sheet.panel.is_stale
    note = sheet.inputs.note_for(sheet.inputs.consumption.size_consumption).text()
    assert note == "4 sizes but 3 consumptions"
