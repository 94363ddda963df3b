"""Saving a cost sheet runs on a worker, so the window answers while the replica writes. What
is saved is the sheet as it was when Save was pressed: an edit typed while the save is under
way is neither written with it nor lost, and the window stays marked unsaved until it is
saved too. Closing while a save is under way waits for it; a save that fails says why in the
window."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, knit_fabric, open_sheet, press, type_into
from ui.cost_sheet import CostSheetWindow
from ui.main_window import MainWindow
from workbench import documents
from workbench.costing import choices
from workbench.documents import DocumentError

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def held_saves(monkeypatch: pytest.MonkeyPatch) -> threading.Event:
    """Every document save waits until the event returned is set (at most 10 s), as a slow
    replica would; set it to let them through."""
    release = threading.Event()
    original: Callable[..., dict[str, Any]] = documents.save_document

    def slow(*args: Any, **kwargs: Any) -> dict[str, Any]:
        release.wait(10)
        return original(*args, **kwargs)

    monkeypatch.setattr(documents, "save_document", slow)
    return release


def stored_sam(window: MainWindow, style_code: str) -> str:
    """The SAM of the sheet saved under ``style_code``, as the replica holds it."""
    [body] = window.workspace.replica.conn.execute(
        "SELECT body FROM cost_sheets WHERE style_code = ?", (style_code,)
    ).fetchone()
    return str(json.loads(body)["style"]["making"]["sam"])


def named_sheet(qtbot: QtBot, window: MainWindow, code: str) -> CostSheetWindow:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, code)
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == code
    )
    return sheet


def saving_then_typing(
    qtbot: QtBot, sheet: CostSheetWindow, monkeypatch: pytest.MonkeyPatch, sam: str
) -> threading.Event:
    """Ctrl+S with the replica slow to write, then ``sam`` typed while the save is held;
    the event lets the save through."""
    release = held_saves(monkeypatch)
    press(qtbot, sheet.inputs.sam, "Ctrl+S")
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.sam, sam)
    return release


def pressed_while_saving(
    qtbot: QtBot,
    sheet: CostSheetWindow,
    monkeypatch: pytest.MonkeyPatch,
    widget: QWidget,
    keys: str,
) -> threading.Event:
    """Ctrl+S with the replica slow to write, then ``keys`` pressed on ``widget``: its window
    stays open and nothing is asked while the save is held; the event lets the save through."""
    release = held_saves(monkeypatch)
    press(qtbot, sheet.inputs.sam, "Ctrl+S")
    press(qtbot, widget, keys)
    qtbot.wait(100)
    assert widget.window().isVisible() and QApplication.activeModalWidget() is None
    return release


def test_an_edit_typed_while_saving_is_kept_unsaved_and_not_written_with_the_save(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-1")
    sam_at_save = sheet.inputs.sam.text()
    release = held_saves(monkeypatch)
    qtbot.mouseClick(sheet.save_button, Qt.MouseButton.LeftButton)
    assert sheet.saved_state.text().startswith("Saving")  # the window says so meanwhile
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.sam, "15")  # the window answers while the replica writes
    sheet.grab().save(str(tmp_path / "cost-sheet-saving.png"))
    with qtbot.waitSignal(sheet.saved, timeout=15_000) as blocker:
        release.set()
    row = blocker.args[0]
    assert json.loads(row["body"])["style"]["making"]["sam"] == sam_at_save != "15"
    assert stored_sam(window, "INFLIGHT-1") == sam_at_save
    assert sheet.inputs.sam.text() == "15" and sheet.isWindowModified()  # not lost, still unsaved
    assert sheet.saved_state.text().startswith("● Unsaved changes")
    assert sheet.sheet_id == row["id"]

    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        press(qtbot, sheet.inputs.sam, "Ctrl+S")
    assert stored_sam(window, "INFLIGHT-1") == "15" and not sheet.isWindowModified()
    assert sheet.saved_state.text() == "All changes saved"


def test_save_pressed_again_while_saving_saves_the_later_edit_after_the_first(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-2")
    release = saving_then_typing(qtbot, sheet, monkeypatch, "16")
    press(qtbot, sheet.inputs.sam, "Ctrl+S")
    release.set()
    qtbot.waitUntil(lambda: not sheet.isWindowModified(), timeout=15_000)
    assert stored_sam(window, "INFLIGHT-2") == "16" and sheet.inputs.sam.text() == "16"
    count = window.workspace.replica.conn.execute(
        "SELECT count(*) FROM cost_sheets WHERE style_code = 'INFLIGHT-2'"
    ).fetchone()[0]
    assert count == 1  # the second save changed the sheet the first made, not a new one


def test_closing_while_saving_waits_for_the_save_then_asks_about_later_edits(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-3")
    sam_at_save = sheet.inputs.sam.text()
    release = saving_then_typing(qtbot, sheet, monkeypatch, "17")
    press(qtbot, sheet.inputs.sam, "Ctrl+W")
    qtbot.wait(100)
    assert sheet.isVisible() and QApplication.activeModalWidget() is None  # waiting, no question
    seen: list[str] = []
    answer_prompt(qtbot, "Discard", seen)
    release.set()
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=15_000)
    assert len(seen) == 1 and "INFLIGHT-3" in seen[0]  # asked once, about the edit since
    assert stored_sam(window, "INFLIGHT-3") == sam_at_save  # what Save was pressed on


def test_closing_while_saving_with_nothing_more_closes_once_saved(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-4")
    release = pressed_while_saving(qtbot, sheet, monkeypatch, sheet.inputs.sam, "Ctrl+W")
    release.set()
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=15_000)
    assert stored_sam(window, "INFLIGHT-4") == sheet.inputs.sam.text()


def test_a_save_that_fails_says_why_and_keeps_the_changes(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-5")

    def refused(*_args: Any, **_kwargs: Any) -> dict[str, Any]:
        raise DocumentError("the replica refused the write")

    monkeypatch.setattr(documents, "save_document", refused)
    qtbot.mouseClick(sheet.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: sheet.message.text().startswith("Not saved"), timeout=10_000)
    assert "the replica refused the write" in sheet.message.text()
    assert sheet.isWindowModified() and sheet.inputs.style_code.text() == "INFLIGHT-5"
    assert sheet.saved_state.text().startswith("● Unsaved changes")
    assert sheet.save_button.isEnabled()


def test_a_fabric_chosen_after_another_is_the_one_shown_whichever_answer_comes_last(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = [
        row[0]
        for row in window.workspace.replica.conn.execute(
            "SELECT id FROM materials WHERE material_type = 'fabric' AND uom = 'kg' "
            "AND deleted = 0 ORDER BY code LIMIT 2"
        )
    ]
    release, answered = threading.Event(), threading.Event()
    original = choices.starting_style

    def slow_for_the_first(conn: Any, fabric_id: str, style_code: str) -> Any:
        if fabric_id == first:
            release.wait(10)
        try:
            return original(conn, fabric_id, style_code)
        finally:
            if fabric_id == first:
                answered.set()

    monkeypatch.setattr(choices, "starting_style", slow_for_the_first)
    sheet = open_sheet(qtbot, window, None)
    sheet.materials.use_fabric(first)
    sheet.materials.use_fabric(second)
    qtbot.waitUntil(
        lambda: sheet.inputs.fabric.fabric_id == second and sheet.price is not None, timeout=10_000
    )
    release.set()
    qtbot.waitUntil(answered.is_set, timeout=10_000)
    qtbot.wait(200)  # the older answer reaches the window and is dropped
    assert sheet.inputs.fabric.fabric_id == second


def test_a_fabric_that_cannot_be_costed_is_said_in_the_window(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, None)
    sheet.materials.use_fabric("no-such-fabric")
    qtbot.waitUntil(lambda: "no fabric" in sheet.message.text(), timeout=10_000)
    assert sheet.inputs.fabric.fabric_id is None


def test_quitting_while_saving_quits_once_the_save_has_landed(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = named_sheet(qtbot, window, "INFLIGHT-6")
    release = pressed_while_saving(
        qtbot, sheet, monkeypatch, window.search_view.search_box, "Ctrl+Q"
    )
    release.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=15_000)
    assert stored_sam(window, "INFLIGHT-6") == sheet.inputs.sam.text()
