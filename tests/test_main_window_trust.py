"""The main window on a 1366-pixel screen, under pytest-qt with real mouse and key events:
the key figures in view, a column chooser that is remembered, a search that finds nothing
saying why and offering the nearest materials, and shortcuts that work from a text field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QWidget
from pytestqt.qtbot import QtBot

from tests.test_main_window import search, window, workspace_path
from ui.main_window import MainWindow
from ui.main_window.columns import STATE_KEY
from ui.models import COLUMNS
from ui.ops import OpRunner
from workbench.search import SearchRequest
from workbench.search.nearest import explain_no_match
from workbench.workspace import open_workspace

__all__ = ["window", "workspace_path"]  # fixtures shared with the main window's other tests

KEY_FIGURES = ("Code", "Name", "GSM", "Width (cm)", "Price")
HEADERS = [header for header, _ in COLUMNS]


def section(header: str) -> int:
    return HEADERS.index(header)


def fully_in_view(win: MainWindow, name: str) -> bool:
    header = win.search_view.table.horizontalHeader()
    index = section(name)
    left = header.sectionViewportPosition(index)
    return (
        not header.isSectionHidden(index)
        and left >= 0
        and left + header.sectionSize(index) <= win.search_view.table.viewport().width()
    )


def test_the_key_figures_fit_a_1366_pixel_screen(qtbot: QtBot, window: MainWindow) -> None:
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    search(qtbot, window, "jersey")
    QApplication.processEvents()
    assert [name for name in KEY_FIGURES if not fully_in_view(window, name)] == []
    header = window.search_view.table.horizontalHeader()
    metrics = window.search_view.table.fontMetrics()
    rows = range(min(50, window.search_view.model.rowCount()))
    # each figure whole, as on the first page (a long name is elided: the detail pane has it)
    for name in ("Code", "GSM", "Width (cm)", "Price"):
        texts = [
            window.search_view.model.data(window.search_view.model.index(row, section(name))) or ""
            for row in rows
        ]
        widest = max(metrics.horizontalAdvance(text) for text in texts)
        assert widest + 8 <= header.sectionSize(section(name)), name


def _right_click_header(qtbot: QtBot, win: MainWindow) -> None:
    header = win.search_view.table.horizontalHeader()
    at = QPoint(header.sectionViewportPosition(section("Name")) + 20, header.height() // 2)
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.RightButton, pos=at)
    # QTest's click goes to the widget, not through the window system that turns a right
    # click into a context menu event: that event, as the platform sends it
    event = QContextMenuEvent(QContextMenuEvent.Reason.Mouse, at, header.viewport().mapToGlobal(at))
    QApplication.sendEvent(header.viewport(), event)
    qtbot.waitUntil(
        lambda: (
            win.search_view.columns.menu is not None and win.search_view.columns.menu.isVisible()
        )
    )


def _click_entry(qtbot: QtBot, win: MainWindow, text: str) -> None:
    menu = win.search_view.columns.menu
    assert menu is not None
    action = next(a for a in menu.actions() if a.text() == text)
    qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())


def test_the_column_chooser_shows_hides_and_remembers_columns(
    qtbot: QtBot, window: MainWindow, workspace_path: Path
) -> None:
    header = window.search_view.table.horizontalHeader()
    assert header.isSectionHidden(section("Colour"))  # one right-click away by default
    _right_click_header(qtbot, window)
    entries = {a.text(): a for a in window.search_view.columns.menu.actions() if a.isCheckable()}
    assert set(entries) == set(HEADERS)
    assert entries["Colour"].isChecked() is False and entries["GSM"].isChecked()
    assert not entries["Code"].isEnabled()  # a row without its code cannot be told apart
    _click_entry(qtbot, window, "Colour")
    assert not header.isSectionHidden(section("Colour"))
    _right_click_header(qtbot, window)
    _click_entry(qtbot, window, "Supplier")
    assert header.isSectionHidden(section("Supplier"))
    # widen Name by dragging the edge of its header
    edge = header.sectionViewportPosition(section("Name")) + header.sectionSize(section("Name"))
    y = header.height() // 2
    before = header.sectionSize(section("Name"))
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge - 1, y))
    qtbot.mouseMove(header.viewport(), QPoint(edge + 30, y))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge + 30, y))
    widened = header.sectionSize(section("Name"))
    assert widened > before
    window.close()  # remembered on closing at the latest

    replica_state = window.workspace.replica.get_state(STATE_KEY)
    assert replica_state is not None and "Colour" not in replica_state  # keys, not captions
    saved = json.loads(replica_state)
    assert "colour" not in saved["hidden"] and "supplier" in saved["hidden"]
    workspace = open_workspace(workspace_path)
    again = MainWindow(workspace, OpRunner())
    qtbot.addWidget(again)
    try:
        qtbot.waitUntil(lambda: again.search_view.columns.restored, timeout=10_000)
        reopened = again.search_view.table.horizontalHeader()
        assert not reopened.isSectionHidden(section("Colour"))
        assert reopened.isSectionHidden(section("Supplier"))
        assert reopened.sectionSize(section("Name")) == widened
        again.search_view.columns.reset()
        assert reopened.isSectionHidden(section("Colour"))
    finally:
        again.close()
        workspace.close()


def test_a_search_that_finds_nothing_says_why_and_offers_the_nearest(
    qtbot: QtBot, window: MainWindow
) -> None:
    search(qtbot, window, "cotton xylophone")
    assert window.search_view.last_result is not None and window.search_view.last_result.total == 0
    panel = window.search_view.no_results
    qtbot.waitUntil(panel.isVisible)
    assert not window.search_view.table.isVisible()
    assert panel.title.text() == "No materials match 'cotton xylophone'"
    assert "No material holds all of 'cotton', 'xylophone'" in panel.reason.text()
    assert panel.links and all(link.isVisible() for link in panel.links)
    first = panel.links[0]
    code = first.text().split(" · ")[0]
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        qtbot.mouseClick(first, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and window.search_view.last_request.text == code
        )
    )
    qtbot.waitUntil(window.search_view.table.isVisible)
    assert window.search_view.detail.code.text() == code
    qtbot.waitUntil(lambda: bool(window.search_view.table.selectionModel().selectedRows()))
    row = window.search_view.table.selectionModel().selectedRows()[0].row()
    assert window.search_view.model.row_at(row)["code"] == code  # type: ignore[index]


def test_filters_that_hide_every_match_are_named_and_cleared(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.search_view.facets.type_boxes["yarn"].setChecked(True)
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and window.search_view.last_request.material_types == {"yarn"}
        )
    )
    search(qtbot, window, "fleece")
    panel = window.search_view.no_results
    qtbot.waitUntil(panel.isVisible)
    assert panel.title.text() == "No materials match 'fleece' with the filters chosen"
    assert "without the filters" in panel.reason.text() and panel.clear_button.isVisible()
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and not window.search_view.last_request.material_types
        )
    )
    qtbot.waitUntil(window.search_view.table.isVisible)
    assert window.search_view.last_result is not None and window.search_view.last_result.total > 0


def test_explain_no_match_loosens_a_word_cut_short(window: MainWindow) -> None:
    request = SearchRequest(text="fleecexqzw")
    assert window.workspace.search.search(request).total == 0
    match = explain_no_match(window.workspace.search, request)
    assert match.nearest and "cut short" in match.reason
    nothing = explain_no_match(window.workspace.search, SearchRequest(text="qzxv"))
    assert nothing.nearest == () and "check the spelling" in nothing.reason


class X11LineEditKeys(QObject):
    """What a line edit does on X11 desktops (GNOME, KDE), where Ctrl+E means "end of line":
    it claims the key before the window's shortcuts see it (the offscreen platform binds no
    such keys, so the test binds them as X11 does)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            assert isinstance(event, QKeyEvent)
            if QKeySequence(event.keyCombination()).toString() in ("Ctrl+E", "Ctrl+D", "Ctrl+K"):
                event.accept()
        return False


@pytest.fixture
def x11_keys() -> X11LineEditKeys:
    return X11LineEditKeys()


@pytest.mark.parametrize("field", ["search box", "GSM filter"])
def test_ctrl_e_exports_with_the_focus_in_a_text_field(
    qtbot: QtBot,
    window: MainWindow,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    x11_keys: X11LineEditKeys,
    field: str,
) -> None:
    target = tmp_path / "results.xlsx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_args, **_kw: (str(target), "Excel (*.xlsx)")
    )
    result = search(qtbot, window, "fleece")
    focus: QWidget = (
        window.search_view.search_box
        if field == "search box"
        else window.search_view.facets.gsm_min
    )
    focus.installEventFilter(x11_keys)
    focus.setFocus()
    qtbot.waitUntil(focus.hasFocus)
    with qtbot.waitSignal(window.exported, timeout=10_000) as blocker:
        qtbot.keyClick(focus, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert blocker.args == [target, result.total]
    assert window.search_view.search_box.text() == "fleece"  # the key did not edit the field


def test_ctrl_k_from_a_filter_goes_to_the_search_box(
    qtbot: QtBot, window: MainWindow, x11_keys: X11LineEditKeys
) -> None:
    window.search_view.facets.gsm_min.installEventFilter(x11_keys)
    window.search_view.facets.gsm_min.setFocus()
    qtbot.waitUntil(window.search_view.facets.gsm_min.hasFocus)
    qtbot.keyClick(
        window.search_view.facets.gsm_min, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.waitUntil(window.search_view.search_box.hasFocus)


def test_an_empty_workspace_says_so_whole_in_a_small_window(qtbot: QtBot, tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "demo")
    ops = OpRunner()
    win = MainWindow(workspace, ops)
    qtbot.addWidget(win)
    win.resize(1100, 600)
    win.show()
    panel = win.search_view.no_results
    try:
        qtbot.waitUntil(panel.isVisible)
        QApplication.processEvents()
        assert panel.title.text() == "No materials yet"
        assert "holds no materials" in panel.reason.text()
        for label in (panel.title, panel.reason):  # no line cut off at the bottom or the side
            assert label.height() >= label.heightForWidth(label.width()), label.text()
            assert label.width() >= label.minimumSizeHint().width(), label.text()
    finally:
        # the index made ready searches again: let it answer while the window is still here
        qtbot.waitUntil(lambda: not ops.busy, timeout=10_000)
        win.close()
        workspace.close()


def test_a_search_after_a_remote_wipe_closed_the_workspace_changes_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    """An op that ends after a wipe (the index being made ready) searches again: with the
    replica closed for good it must neither fail nor open the replica afresh."""
    shown = window.search_view.model.rowCount()
    window.workspace.replica.close(for_good=True)
    window.search_view.run_search()
    qtbot.wait(50)
    assert window.search_view.model.rowCount() == shown
