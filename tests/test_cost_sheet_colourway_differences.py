"""A colourway's embroidery and trims, edited as a merchandiser does: a double-click on its
"Also differs" cell opens a small editor, typed into with the keyboard and closed with OK; the
edit is costed, marked unsaved, undone and redone, kept in the draft on disk and through saving;
a quantity that cannot be read keeps the editor open and says why, and Cancel changes
nothing."""

from __future__ import annotations

import json
from decimal import Decimal as D
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QScrollArea, QTableWidget
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet, press, save
from tests.test_cost_sheet_colourways import _ancestors, _type_cell
from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet.colourway_differences import DifferencesDialog
from ui.cost_sheet.edits import from_json
from ui.main_window import MainWindow
from workbench.costing import Embroidery, TrimLine
from workbench.costing.colourways import AS_STYLE, Colourway

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def _open_editor(qtbot: QtBot, sheet: CostSheetWindow, row: int) -> DifferencesDialog:
    table = sheet.inputs.colourways_box.table
    rect = table.visualRect(table.model().index(row, 5))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: sheet.inputs.colourways_box.dialog is not None, timeout=2_000)
    dialog = sheet.inputs.colourways_box.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    return dialog


def _press(qtbot: QtBot, dialog: DifferencesDialog, which: QDialogButtonBox.StandardButton) -> None:
    qtbot.mouseClick(dialog.button_box.button(which), Qt.MouseButton.LeftButton)


def _new_row(qtbot: QtBot, table: QTableWidget, button: object) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # the editor it opened
    assert table.rowCount() >= 1


def test_a_colourways_embroidery_and_trims_are_edited_in_their_cell(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.resize(1366, 768)
    box = sheet.inputs.colourways_box
    next(w for w in _ancestors(box) if isinstance(w, QScrollArea)).ensureWidgetVisible(box)
    trim_id, trim_code = window.workspace.replica.conn.execute(
        "SELECT id, code FROM materials WHERE material_type = 'trim' ORDER BY code LIMIT 1"
    ).fetchone()
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    _type_cell(qtbot, box.table, 0, 0, "Navy")
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _type_cell(qtbot, box.table, 0, 1, "3000")
    sheet.undo_stack.setClean()  # what follows is the edit under test
    plain = sheet.colourway_costing
    assert plain is not None

    dialog = _open_editor(qtbot, sheet, 0)
    assert dialog.embroidery_mode.currentText() == "as the style"
    dialog.embroidery_mode.setFocus()
    qtbot.keyClick(dialog.embroidery_mode, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.embroidery_mode, Qt.Key.Key_Down)
    assert dialog.embroidery_mode.currentText() == "its own"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # the row it opened
    _type_cell(qtbot, dialog.embroidery_table, 0, 0, "6000")
    _type_cell(qtbot, dialog.embroidery_table, 0, 2, "chest logo")
    _new_row(qtbot, dialog.trim_table, dialog.add_trim)
    _type_cell(qtbot, dialog.trim_table, 0, 0, "hang tag")
    # the material searched for by its code, as on the sheet's own trims, and clicked
    qtbot.mouseClick(dialog.choose_material, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.picker is not None, timeout=2_000)
    picker = dialog.picker
    assert picker is not None
    with qtbot.waitSignal(picker.shown, timeout=10_000):
        qtbot.keyClicks(picker.box, trim_code)
    [found] = [
        picker.results.item(i)
        for i in range(picker.results.count())
        if picker.results.item(i).data(Qt.ItemDataRole.UserRole) == trim_id
    ]
    rect = picker.results.visualItemRect(found)
    qtbot.mouseClick(picker.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(picker.results, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.picker is None, timeout=2_000)
    assert dialog.trim_table.item(0, 1).text().startswith(trim_code)
    _type_cell(qtbot, dialog.trim_table, 0, 2, "2")
    dialog.grab().save(str(Path("/tmp") / "colourway-differences.png"))
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    rate = box.embroidery_rates[0]
    navy = Colourway(
        "Navy",
        3000,
        embroidery=(Embroidery(6000, rate, "chest logo"),),
        trims=(TrimLine(trim_id, "hang tag", D(2)),),
    )
    assert sheet.current_sheet().colourways == (navy,)
    assert box.table.item(0, 5).text() == "embroidery 6,000 st; hang tag ×2"
    sheet.grab().save(str(Path("/tmp") / "cost-sheet-colourway-differences.png"))
    assert sheet.has_unsaved_changes()
    costed = sheet.colourway_costing
    assert costed is not None and costed.colourways[0].cost.total > plain.colourways[0].cost.total
    assert any("mbroider" in line.component for line in costed.colourways[0].cost.lines)

    # the draft on disk holds the differences, and reads back to the same colourway
    sheet.saving.keep_draft()
    assert sheet.saving.drafts.wait()
    [draft] = (demo_path / "drafts").glob("*.json")
    kept = from_json(json.loads(draft.read_text("utf-8")))["colourways"]
    assert kept == sheet.inputs.state()["colourways"] and trim_id in str(kept)

    # undo takes the whole edit back, redo brings it again (the window's own keys)
    press(qtbot, box.table, "Ctrl+Z")
    [undone] = sheet.current_sheet().colourways
    assert (undone.embroidery, undone.trims) == (AS_STYLE, ())
    assert box.table.item(0, 5).text() == ""
    press(qtbot, box.table, "Ctrl+Shift+Z")
    assert sheet.current_sheet().colourways == (navy,)

    # a quantity that is no number keeps the editor open with the reason; Cancel keeps all
    dialog = _open_editor(qtbot, sheet, 0)
    assert dialog.embroidery_mode.currentText() == "its own"
    _type_cell(qtbot, dialog.trim_table, 0, 2, "two")
    _press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    assert dialog.isVisible()
    assert "trim row 1 (hang tag): qty / pc" in dialog.error.text()
    _press(qtbot, dialog, QDialogButtonBox.StandardButton.Cancel)
    qtbot.waitUntil(lambda: box.dialog is None, timeout=2_000)
    assert sheet.current_sheet().colourways == (navy,)

    # saved and opened again, the colourway keeps them
    saved = save(qtbot, sheet)
    [body] = json.loads(saved["body"])["colourways"]
    assert body["name"] == "Navy" and body["trims"] and body["embroidery"]
    before = len(window.menus.cost_windows)
    window.menus.open_cost_sheet(saved["id"])
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    again = window.menus.cost_windows[-1]
    assert isinstance(again, CostSheetWindow)
    qtbot.waitUntil(lambda: again.colourway_costing is not None, timeout=10_000)
    assert again.current_sheet().colourways == (navy,)


def _one_colourway(qtbot: QtBot, window: MainWindow) -> CostSheetWindow:
    """A sheet with one colourway of the whole order, its table in view."""
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    box = sheet.inputs.colourways_box
    next(w for w in _ancestors(box) if isinstance(w, QScrollArea)).ensureWidgetVisible(box)
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _type_cell(qtbot, box.table, 0, 1, "3000")
    return sheet


def test_no_embroidery_for_one_colourway_through_the_button(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = _one_colourway(qtbot, window)
    box = sheet.inputs.colourways_box
    box.table.setCurrentCell(0, 0)
    qtbot.mouseClick(box.differences_button, Qt.MouseButton.LeftButton)  # the button's way in
    qtbot.waitUntil(lambda: box.dialog is not None, timeout=2_000)
    dialog = box.dialog
    assert dialog is not None
    dialog.embroidery_mode.setFocus()
    qtbot.keyClick(dialog.embroidery_mode, Qt.Key.Key_Down)
    assert dialog.embroidery_mode.currentText() == "none"
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _press(qtbot, dialog, QDialogButtonBox.StandardButton.Ok)
    [colourway] = sheet.current_sheet().colourways
    assert colourway.embroidery == () and colourway.trims == ()
    assert box.table.item(0, 5).text() == "no embroidery"


def test_enter_on_the_cell_opens_the_editor_and_escape_changes_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = _one_colourway(qtbot, window)
    box = sheet.inputs.colourways_box
    before = sheet.current_sheet()
    steps = sheet.undo_stack.count()
    box.table.setFocus()
    box.table.setCurrentCell(0, 5)
    qtbot.keyClick(box.table, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.dialog is not None, timeout=2_000)
    dialog = box.dialog
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.embroidery_mode.setFocus()
    qtbot.keyClick(dialog.embroidery_mode, Qt.Key.Key_Down)  # "none", then thought better of
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: box.dialog is None, timeout=2_000)
    assert sheet.current_sheet() == before and sheet.undo_stack.count() == steps
