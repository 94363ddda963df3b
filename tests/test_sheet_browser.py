"""The sheet browser and a sheet's status and versions, driven as a merchandiser does: type a
style in the search, pick filters, double-click or press Enter on a sheet; submit and approve
with the mouse; an approved sheet is never changed in place (a change is a new version);
Compare never offers the sheet on screen."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QListWidget, QTableWidget
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, knit_fabric, open_sheet, press, type_into
from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet import browser as browser_module
from ui.cost_sheet.browser import SheetBrowser
from ui.main_window import MainWindow
from ui.ops import OpRunner
from workbench import documents, drafts
from workbench.costing.register import (
    RegisterError,
    SheetFilter,
    copy_of,
    find_sheets,
    next_version,
    status_step,
)
from workbench.workspace import open_workspace

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def saved_sheet(
    qtbot: QtBot, win: MainWindow, code: str, season: str, brand_index: int = 1
) -> CostSheetWindow:
    """A sheet on a knitted fabric, its style, season and brand typed and picked, saved."""
    sheet = open_sheet(qtbot, win, knit_fabric(win.workspace))
    type_into(qtbot, sheet.inputs.style_code, code)
    type_into(qtbot, sheet.inputs.season, season)
    sheet.inputs.brand.setCurrentIndex(brand_index)
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == code
    )
    helpers.save(qtbot, sheet)
    return sheet


def when_modal(act: Callable[[QDialog], None]) -> None:
    """Once a dialog opens modally (its caller waiting in ``exec``), ``act`` on it."""

    def wait() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QDialog):
            act(dialog)
        else:
            QTimer.singleShot(20, wait)

    QTimer.singleShot(0, wait)


def settled(qtbot: QtBot, browser: SheetBrowser) -> SheetBrowser:
    """Wait until the browser shows the answer to its newest filters (read on a worker)."""
    qtbot.waitUntil(lambda: not browser.pending, timeout=10_000)
    return browser


def cell_texts(dialog: QDialog) -> list[str]:
    """Every text a picking dialog offers, whatever its list is made of."""
    texts = []
    for listing in dialog.findChildren(QListWidget):
        texts += [listing.item(i).text() for i in range(listing.count())]
    for table in dialog.findChildren(QTableWidget):
        texts += [
            table.item(r, c).text()
            for r in range(table.rowCount())
            for c in range(table.columnCount())
            if table.item(r, c)
        ]
    return texts


def test_the_browser_finds_sheets_by_style_brand_season_status_and_date(
    qtbot: QtBot, window: MainWindow
) -> None:
    conn = window.workspace.replica.conn
    saved_sheet(qtbot, window, "BRW-TEE-1", "SS27", 1)
    saved_sheet(qtbot, window, "BRW-TEE-2", "AW27", 2)
    polo = saved_sheet(qtbot, window, "BRW-POLO", "SS27", 1)
    browser = window.menus.sheet_browser()
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitExposed(browser)

    qtbot.waitUntil(lambda: browser.season.findText("SS27") > 0, timeout=10_000)
    qtbot.keyClicks(browser.search, "brw-tee")
    assert sorted(r["style_code"] for r in settled(qtbot, browser).rows) == [
        "BRW-TEE-1",
        "BRW-TEE-2",
    ]
    season = browser.season.findText("SS27")
    browser.season.setCurrentIndex(season)
    assert [r["style_code"] for r in settled(qtbot, browser).rows] == ["BRW-TEE-1"]
    assert "1 of" in browser.count.text()
    browser.season.setCurrentIndex(0)
    brand = polo.document["brand_id"]
    browser.brand.setCurrentIndex(browser.brand.findData(brand))
    assert [r["brand_id"] for r in settled(qtbot, browser).rows] == [brand]

    # nothing matches: said, with how many there are
    type_into(qtbot, browser.search, "no-such-style")
    settled(qtbot, browser)
    assert browser.table.rowCount() == 0 and "No cost sheet matches" in browser.count.text()
    assert not browser.open_button.isEnabled()

    # the saved days: typed in the date field, read when it is left
    browser.brand.setCurrentIndex(0)
    type_into(qtbot, browser.search, "BRW-POLO")
    tomorrow = date.today() + timedelta(days=1)
    type_into(qtbot, browser.saved_from.edit, tomorrow.isoformat())
    qtbot.keyClick(browser.saved_from.edit, Qt.Key.Key_Return)
    assert settled(qtbot, browser).rows == []
    qtbot.keyClick(browser.saved_from.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(browser.saved_from.edit, Qt.Key.Key_Delete)
    qtbot.keyClick(browser.saved_from.edit, Qt.Key.Key_Return)
    assert [r["style_code"] for r in settled(qtbot, browser).rows] == ["BRW-POLO"]

    # by status: the polo submitted, then found among the submitted only
    with qtbot.waitSignal(polo.saved, timeout=10_000):
        polo.saving.set_status("submitted")
    browser.status.setCurrentIndex(browser.status.findData("submitted"))
    assert [r["id"] for r in settled(qtbot, browser).rows] == [polo.sheet_id]
    browser.status.setCurrentIndex(browser.status.findData("draft"))
    assert settled(qtbot, browser).rows == []
    browser.status.setCurrentIndex(0)
    settled(qtbot, browser)

    # Enter on the table opens the sheet selected
    browser.table.setFocus()
    qtbot.keyClick(browser.table, Qt.Key.Key_Return)
    assert browser.result() == QDialog.DialogCode.Accepted
    assert browser.chosen_id == polo.sheet_id
    before = len(window.menus.cost_windows)
    window.menus.open_cost_sheet(browser.chosen_id)
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    opened = window.menus.cost_windows[-1]
    assert isinstance(opened, CostSheetWindow)
    qtbot.waitUntil(lambda: opened.price is not None, timeout=10_000)
    assert opened.inputs.style_code.text() == "BRW-POLO" and opened.inputs.season.text() == "SS27"
    assert "Submitted" in opened.standing.status_label.text()
    assert (
        conn.execute("SELECT season FROM cost_sheets WHERE id = ?", (polo.sheet_id,)).fetchone()[0]
        == "SS27"
    )


def test_ctrl_o_opens_the_browser_and_a_double_click_opens_the_sheet(
    qtbot: QtBot, window: MainWindow
) -> None:
    saved_sheet(qtbot, window, "DBL-CLICK", "SS28")
    before = len(window.menus.cost_windows)
    seen: list[SheetBrowser] = []

    def pick(browser: QDialog) -> None:
        assert isinstance(browser, SheetBrowser)
        seen.append(browser)
        QTimer.singleShot(8_000, browser.reject)  # never left open should the click miss
        qtbot.keyClicks(browser.search, "DBL-CLICK")
        settled(qtbot, browser)
        table = browser.table
        rect = table.visualRect(table.model().index(0, 0))
        # a double-click as the platform delivers it: a press and release, then the second
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())

    when_modal(pick)
    press(qtbot, window.search_view.search_box, "Ctrl+O")
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    assert seen and "Open cost sheet" in seen[0].windowTitle()
    opened = window.menus.cost_windows[-1]
    assert isinstance(opened, CostSheetWindow)
    qtbot.waitUntil(lambda: opened.loaded is not None, timeout=10_000)
    assert opened.inputs.style_code.text() == "DBL-CLICK"


def test_compare_never_offers_the_sheet_on_screen(qtbot: QtBot, window: MainWindow) -> None:
    saved_sheet(qtbot, window, "CMP-OTHER", "SS27")
    mine = saved_sheet(qtbot, window, "CMP-SELF", "SS27")
    offered: list[str] = []

    def look(dialog: QDialog) -> None:
        assert isinstance(dialog, SheetBrowser)
        offered.extend(cell_texts(settled(qtbot, dialog)))
        dialog.reject()

    when_modal(look)
    qtbot.mouseClick(mine.compare_button, Qt.MouseButton.LeftButton)
    assert any("CMP-OTHER" in text for text in offered)
    assert not any("CMP-SELF" in text for text in offered)
    assert mine.comparison.compare_with(str(mine.sheet_id)) is None
    assert "other than this one" in mine.message.text()


def test_submit_approve_then_a_change_is_a_new_version(qtbot: QtBot, window: MainWindow) -> None:
    conn = window.workspace.replica.conn
    sheet = saved_sheet(qtbot, window, "STATUS-1", "SS27")
    first_id = sheet.sheet_id
    said = sheet.standing.status_label.text()
    assert "Draft" in said and "version 1" in said
    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        qtbot.mouseClick(sheet.standing.step_buttons["submitted"], Qt.MouseButton.LeftButton)
    assert sheet.standing.status == "submitted" and not sheet.save_button.isEnabled()
    assert sheet.standing.step_buttons["approved"].isVisible()
    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        qtbot.mouseClick(sheet.standing.step_buttons["approved"], Qt.MouseButton.LeftButton)
    assert sheet.standing.status == "approved"
    assert not any(b.isVisible() for b in sheet.standing.step_buttons.values())
    approved_body = conn.execute(
        "SELECT body FROM cost_sheets WHERE id = ?", (first_id,)
    ).fetchone()[0]

    # a change to the approved sheet: Ctrl+S leaves the approved row as it was
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.sam, "15")
    press(qtbot, sheet.inputs.sam, "Ctrl+S")
    assert "save your changes as a new version" in sheet.message.text()
    assert (
        conn.execute("SELECT body FROM cost_sheets WHERE id = ?", (first_id,)).fetchone()[0]
        == approved_body
    )

    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        qtbot.mouseClick(sheet.standing.new_version_button, Qt.MouseButton.LeftButton)
    second = conn.execute("SELECT * FROM cost_sheets WHERE id = ?", (sheet.sheet_id,)).fetchone()
    assert second["id"] != first_id and second["family_id"] == first_id
    assert second["revision"] == 2 and second["status"] == "draft"
    assert json.loads(second["body"])["style"]["making"]["sam"] == "15"
    first = conn.execute("SELECT * FROM cost_sheets WHERE id = ?", (first_id,)).fetchone()
    assert first["status"] == "approved" and first["body"] == approved_body
    assert "version 2" in sheet.standing.status_label.text() and not sheet.has_unsaved_changes()
    assert sheet.save_button.isEnabled()
    # the two versions compared are told apart by their version
    compared = helpers.compare(qtbot, sheet, first_id)
    heads = [compared.table.horizontalHeaderItem(c).text() for c in (1, 2)]
    assert heads == ["STATUS-1 v2", "STATUS-1 v1"]
    compared.close()

    # a copy is a family of its own
    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        qtbot.mouseClick(sheet.standing.copy_button, Qt.MouseButton.LeftButton)
    copy = conn.execute("SELECT * FROM cost_sheets WHERE id = ?", (sheet.sheet_id,)).fetchone()
    assert copy["id"] not in (first_id, second["id"])
    assert copy["family_id"] is None and copy["revision"] == 1 and copy["status"] == "draft"
    # every step is queued for the server
    queued = conn.execute(
        "SELECT COUNT(*) FROM outbox WHERE table_name = 'cost_sheets' AND row_id IN (?, ?, ?)",
        (first_id, second["id"], copy["id"]),
    ).fetchone()[0]
    assert queued >= 3


def test_the_register_refuses_steps_its_status_does_not_allow(
    qtbot: QtBot, window: MainWindow
) -> None:
    replica = window.workspace.replica
    sheet = saved_sheet(qtbot, window, "RULES-1", "AW27")
    row = dict(sheet.document or {})
    with pytest.raises(RegisterError, match="draft cost sheet cannot become approved"):
        status_step(row, "approved")
    approved = {**row, "status": "approved"}
    with pytest.raises(RegisterError, match="save it as a new version"):
        status_step(approved, "draft")
    # the declaration refuses a status no one knows, as the server would
    with pytest.raises(documents.DocumentError, match="status"):
        documents.save_document(replica, "cost_sheets", {"id": row["id"], "status": "done"})
    nxt = next_version(replica.conn, row)
    assert nxt["revision"] == 2 and nxt["family_id"] == row["id"]
    assert copy_of(row)["family_id"] is None
    found = find_sheets(replica.conn, SheetFilter(text="rules-1", exclude_id=row["id"]))
    assert found == []


def test_closing_an_approved_sheet_with_changes_saves_them_as_a_new_version(
    qtbot: QtBot, window: MainWindow
) -> None:
    conn = window.workspace.replica.conn
    sheet = saved_sheet(qtbot, window, "CLOSE-APPROVED", "AW27")
    first_id = sheet.sheet_id
    for status in ("submitted", "approved"):
        with qtbot.waitSignal(sheet.saved, timeout=10_000):
            sheet.saving.set_status(status)
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        type_into(qtbot, sheet.inputs.sam, "16")
    seen: list[str] = []
    answer_prompt(qtbot, "Save", seen)
    press(qtbot, sheet.inputs.sam, "Ctrl+W")
    qtbot.waitUntil(lambda: not sheet.isVisible(), timeout=5_000)
    assert seen and "not saved" in seen[0]
    rows = conn.execute(
        "SELECT id, status, revision FROM cost_sheets WHERE id = ? OR "
        "family_id = ? ORDER BY revision",
        (first_id, first_id),
    ).fetchall()
    assert [(r["status"], r["revision"]) for r in rows] == [("approved", 1), ("draft", 2)]


def test_an_answer_to_older_filters_never_replaces_the_newest(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_sheet(qtbot, window, "STALE-ONE", "SS27")
    saved_sheet(qtbot, window, "STALE-TWO", "SS27")
    browser = window.menus.sheet_browser()
    qtbot.addWidget(browser)
    browser.show()
    assert not browser.open_button.isEnabled()  # nothing listed yet, nothing to open
    settled(qtbot, browser)
    release = threading.Event()

    def slow_for_the_first(conn: sqlite3.Connection, where: SheetFilter) -> list[dict[str, Any]]:
        if where.text == "stale-one":  # the replica is slow to answer these filters
            release.wait(10)
        return find_sheets(conn, where)

    monkeypatch.setattr(browser_module, "find_sheets", slow_for_the_first)
    type_into(qtbot, browser.search, "stale-one")
    assert browser.pending and "Finding" in browser.count.text()
    type_into(qtbot, browser.search, "stale-two")
    qtbot.waitUntil(lambda: [r["style_code"] for r in browser.rows] == ["STALE-TWO"])
    assert not browser.pending
    release.set()
    qtbot.waitUntil(lambda: browser.ops.pool.activeThreadCount() == 0, timeout=10_000)
    QApplication.processEvents()  # the late answer's delivery
    assert [r["style_code"] for r in browser.rows] == ["STALE-TWO"]
    assert browser.table.rowCount() == 1 and browser.table.item(0, 0).text() == "STALE-TWO"
    assert browser.count.text().startswith("1 of")


def test_opening_a_sheet_no_longer_saved_says_so(qtbot: QtBot, window: MainWindow) -> None:
    before = len(window.menus.cost_windows)
    with qtbot.waitSignal(
        window.statusBar().messageChanged,
        timeout=10_000,
        check_params_cb=lambda text: "no longer saved" in text,
    ):
        window.menus.open_cost_sheet("no-such-sheet")
    assert len(window.menus.cost_windows) == before


def test_a_damaged_draft_is_named_in_the_status_bar(qtbot: QtBot, tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "damaged")
    folder = drafts.drafts_dir(workspace.root)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "broken.json").write_text("{not json", "utf-8")
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win)
    said: list[str] = []
    win.statusBar().messageChanged.connect(said.append)  # before the drafts' answer arrives
    try:
        qtbot.waitUntil(lambda: any("broken.json" in text for text in said), timeout=10_000)
        assert win.menus.cost_windows == []
    finally:
        win.close()
        workspace.close()
