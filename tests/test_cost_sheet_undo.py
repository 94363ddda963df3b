"""No lost work on a cost sheet: every edit can be undone and redone, Ctrl+S saves, closing a
sheet or quitting with unsaved changes asks first, and a draft is kept on disk as the user
types, so a crash loses nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, knit_fabric, open_sheet, press, type_into
from ui.cost_sheet import CostSheetWindow
from ui.main_window import MainWindow
from ui.ops import OpRunner
from workbench.workspace import open_workspace

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def test_undo_restores_the_previous_total_and_redo_brings_the_edit_back(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    before = sheet.price.cost.total
    assert not sheet.isWindowModified()
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.consumption.wastage, "15")
    raised = sheet.price.cost.total
    assert raised > before and sheet.isWindowModified()
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        press(qtbot, sheet.inputs.consumption.wastage, "Ctrl+Z")  # in the field just typed in
    assert sheet.inputs.consumption.wastage.text() == "8" and sheet.price.cost.total == before
    assert not sheet.isWindowModified()
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        press(qtbot, sheet.inputs.consumption.wastage, "Ctrl+Shift+Z")
    assert sheet.inputs.consumption.wastage.text() == "15" and sheet.price.cost.total == raised

    # a box changed with the keyboard is one step too
    mill = sheet.inputs.mill.currentIndex()
    sheet.inputs.mill.setFocus()
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        qtbot.keyClick(sheet.inputs.mill, Qt.Key.Key_Down)
    assert sheet.inputs.mill.currentIndex() != mill
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        press(qtbot, sheet.inputs.mill, "Ctrl+Z")
    assert (
        sheet.inputs.mill.currentIndex() == mill and sheet.inputs.consumption.wastage.text() == "15"
    )


def test_ctrl_s_saves_the_sheet(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "CTRL-S-1")
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == "CTRL-S-1"
    )
    assert sheet.isWindowModified() and sheet.sheet_id is None
    assert sheet.saved_state.text().startswith("● Unsaved changes")  # the status line says so
    with qtbot.waitSignal(sheet.saved, timeout=5_000) as blocker:
        press(qtbot, sheet.inputs.style_code, "Ctrl+S")
    assert blocker.args[0]["style_code"] == "CTRL-S-1" and not sheet.isWindowModified()
    assert sheet.saved_state.text() == "All changes saved"


def test_quitting_with_an_unsaved_sheet_asks_first(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "QUIT-1")
    qtbot.waitUntil(lambda: sheet.isWindowModified())
    seen: list[str] = []
    answer_prompt(qtbot, "Cancel", seen)
    press(qtbot, window.search_view.search_box, "Ctrl+Q")
    assert seen and "QUIT-1" in seen[0]
    assert window.isVisible() and sheet.isVisible() and sheet.isWindowModified()

    # Ctrl+Q in the sheet's own window asks too; Save keeps the work
    answer_prompt(qtbot, "Save", seen)
    press(qtbot, sheet.inputs.sam, "Ctrl+Q")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)  # once saved
    assert len(seen) == 2
    saved = window.workspace.replica.conn.execute(
        "SELECT count(*) FROM cost_sheets WHERE style_code = 'QUIT-1'"
    ).fetchone()[0]
    assert saved == 1


def test_closing_an_unsaved_sheet_asks_and_discard_loses_only_what_was_chosen(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "CLOSE-1")
    qtbot.waitUntil(lambda: sheet.isWindowModified())
    seen: list[str] = []
    answer_prompt(qtbot, "Discard", seen)
    press(qtbot, sheet.inputs.sam, "Ctrl+W")
    assert seen and not sheet.isVisible()
    assert window.isVisible()  # quitting the app was not asked for
    found = window.workspace.replica.conn.execute(
        "SELECT count(*) FROM cost_sheets WHERE style_code = 'CLOSE-1'"
    ).fetchone()[0]
    assert found == 0


def typed_sheet(qtbot: QtBot, window: MainWindow, code: str, sam: str) -> CostSheetWindow:
    """A new sheet with ``code`` and ``sam`` typed into it, key by key."""
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, code)
    type_into(qtbot, sheet.inputs.sam, sam)
    return sheet


def draft_fields(demo_path: Path) -> dict[str, str]:
    """The fields of the one draft in the workspace ({} when there is none)."""
    found = list((demo_path / "drafts").glob("*.json"))
    if not found:
        return {}
    [draft] = found
    fields: dict[str, str] = json.loads(draft.read_text("utf-8"))["fields"]
    return fields


@contextmanager
def started_again(qtbot: QtBot, demo_path: Path) -> Iterator[CostSheetWindow]:
    """The app started again on the workspace, as after a crash: the one sheet it opened
    again from a draft, once costed. Its changes are discarded when the block ends."""
    workspace = open_workspace(demo_path)
    again = MainWindow(workspace, OpRunner())
    qtbot.addWidget(again, before_close_func=helpers.discard_unsaved)
    try:
        qtbot.waitUntil(lambda: len(again.menus.cost_windows) == 1, timeout=10_000)
        [recovered] = again.menus.cost_windows
        assert isinstance(recovered, CostSheetWindow)
        qtbot.waitUntil(lambda: recovered.price is not None, timeout=10_000)
        yield recovered
    finally:
        for opened in again.menus.cost_windows:
            assert isinstance(opened, CostSheetWindow)
            opened.discard_changes()
            opened.close()
            assert opened.saving.drafts.wait()
        again.close()
        workspace.close()


def test_a_draft_is_kept_as_the_user_types_and_recovered_after_a_crash(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    sheet = typed_sheet(qtbot, window, "CRASH-1", "14,5")
    drafts = demo_path / "drafts"
    qtbot.waitUntil(lambda: draft_fields(demo_path).get("sam") == "14,5", timeout=5_000)

    # the app dies: nothing was saved, nothing closed; a new start finds the draft
    try:
        with started_again(qtbot, demo_path) as recovered:
            assert (
                recovered.inputs.style_code.text() == "CRASH-1"
                and recovered.inputs.sam.text() == "14,5"
            )
            assert recovered.isWindowModified() and "recovered" in recovered.message.text()
            with qtbot.waitSignal(recovered.saved, timeout=5_000):
                press(qtbot, recovered.inputs.sam, "Ctrl+S")
            assert recovered.saving.drafts.wait()  # the draft's removal, on a worker
            assert not any(drafts.glob("*.json"))
    finally:
        sheet.discard_changes()


def test_the_last_keystroke_is_in_the_draft_when_the_app_stops_at_once(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    sheet = typed_sheet(qtbot, window, "STOP-1", "15,5")
    window.ops.shutdown()  # the app closes at once: it waits for its workers, no more

    fields = draft_fields(demo_path)
    assert (fields["style_code"], fields["sam"]) == ("STOP-1", "15,5")
    try:
        with started_again(qtbot, demo_path) as recovered:
            assert (
                recovered.inputs.style_code.text() == "STOP-1"
                and recovered.inputs.sam.text() == "15,5"
            )
    finally:
        sheet.discard_changes()
        sheet.close()
    assert sheet.saving.drafts.wait()
    assert not draft_fields(demo_path)


def test_changes_discarded_at_once_leave_no_draft_behind(
    qtbot: QtBot, window: MainWindow, demo_path: Path
) -> None:
    sheet = typed_sheet(qtbot, window, "GONE-1", "16,5")
    seen: list[str] = []
    answer_prompt(qtbot, "Discard", seen)
    press(qtbot, sheet.inputs.sam, "Ctrl+W")  # a draft write may still be under way: it lands first
    assert seen and not sheet.isVisible()
    assert sheet.saving.drafts.wait()  # the removal, after any write asked for before it
    assert not draft_fields(demo_path)
