"""The results table reads its rows a page at a time on a worker, as the view scrolls: real
wheel turns and key presses scroll a long result, and every row appears exactly once and in
the search's order; the row the user selected stays selected as pages arrive; and a new query
typed while a page is still being read never gets a row of the old query."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests import test_main_window as main_tests
from tests.cost_sheet_helpers import wheel
from tests.test_main_window import search
from ui.main_window import MainWindow
from ui.models import COLUMNS, MaterialsTableModel
from ui.ops import OpRunner
from workbench.replica import queries
from workbench.search import SearchResult

workspace_path, window = main_tests.workspace_path, main_tests.window  # fixtures

PAGE = 40  # small pages, so that a result of a few hundred rows takes many


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(MaterialsTableModel, "PAGE", PAGE)
    return PAGE


def shown_ids(win: MainWindow) -> list[str]:
    """The id of each row the table holds, top to bottom, as its rows say."""
    model = win.search_view.model
    rows = [model.row_at(r) for r in range(model.rowCount())]
    return [row["id"] for row in rows if row is not None]


def long_result(qtbot: QtBot, win: MainWindow, text: str) -> SearchResult:
    result = search(qtbot, win, text)
    assert len(result.ids) > 4 * PAGE, "the query must find several pages of materials"
    qtbot.waitUntil(lambda: win.search_view.model.rowCount() > 0)
    return result


def scroll_to_the_end(qtbot: QtBot, win: MainWindow, step: Any) -> None:
    """Scroll with ``step`` (a wheel turn or a key press) until every row is in the table;
    at the bottom of what is shown, wait for the next page, as a person would."""
    model, table = win.search_view.model, win.search_view.table
    for _ in range(2_000):
        if model.rowCount() == len(model.ids):
            return
        before = model.rowCount()
        step()
        QApplication.processEvents()
        last = table.visualRect(model.index(before - 1, 0))
        if last.intersects(table.viewport().rect()):  # the last row is in view
            qtbot.waitUntil(lambda: model.rowCount() > before, timeout=10_000)  # noqa: B023
    raise AssertionError(f"{model.rowCount()} of {len(model.ids)} rows after 2,000 steps")


def test_the_wheel_scrolls_every_row_in_once_in_order_and_keeps_the_selection(
    qtbot: QtBot, window: MainWindow, small_pages: int
) -> None:
    result = long_result(qtbot, window, "cotton")
    view = window.search_view
    assert view.model.rowCount() == PAGE  # the first page came with the search
    table = view.table
    third = table.visualRect(view.model.index(2, 1)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=third)
    assert [i.row() for i in table.selectionModel().selectedRows()] == [2]

    scroll_to_the_end(qtbot, window, lambda: wheel(table.viewport(), -3))

    assert shown_ids(window) == list(result.ids)  # every row, once, in the search's order
    assert [view.model.id_at(r) for r in range(view.model.rowCount())] == list(result.ids)
    code = [c for _, c in COLUMNS].index("code")
    for row in range(view.model.rowCount()):
        shown = view.model.data(view.model.index(row, code))
        assert shown == view.model.row_at(row)["code"]  # type: ignore[index]
    assert [i.row() for i in table.selectionModel().selectedRows()] == [2]
    assert table.currentIndex().row() == 2
    assert table.verticalScrollBar().value() > 0


def test_page_down_reads_every_row_once_in_order(
    qtbot: QtBot, window: MainWindow, small_pages: int
) -> None:
    result = long_result(qtbot, window, "cotton")
    table = window.search_view.table
    table.setFocus()
    qtbot.keyClick(table, Qt.Key.Key_Home, Qt.KeyboardModifier.ControlModifier)
    scroll_to_the_end(qtbot, window, lambda: qtbot.keyClick(table, Qt.Key.Key_PageDown))
    assert shown_ids(window) == list(result.ids)
    qtbot.keyClick(table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    assert table.currentIndex().row() == len(result.ids) - 1


def test_sorting_by_a_column_pages_in_the_sorted_order(
    qtbot: QtBot, window: MainWindow, small_pages: int
) -> None:
    long_result(qtbot, window, "cotton")
    view = window.search_view
    gsm = [c for _, c in COLUMNS].index("gsm")
    header = view.table.horizontalHeader()
    qtbot.mouseClick(
        header.viewport(),
        Qt.MouseButton.LeftButton,
        pos=QPoint(header.sectionViewportPosition(gsm) + 5, header.height() // 2),
    )
    qtbot.waitUntil(
        lambda: view.last_request is not None and view.last_request.sort == "gsm", timeout=10_000
    )
    qtbot.waitUntil(lambda: view.model.rowCount() > 0)
    assert view.last_result is not None
    scroll_to_the_end(qtbot, window, lambda: wheel(view.table.viewport(), -3))
    assert shown_ids(window) == list(view.last_result.ids)
    values = [view.model.row_at(r)["gsm"] for r in range(view.model.rowCount())]  # type: ignore[index]
    known = [v for v in values if v is not None]
    assert known == sorted(known)


def test_a_query_typed_while_a_page_is_read_never_gets_the_old_querys_rows(
    qtbot: QtBot, window: MainWindow, small_pages: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = long_result(qtbot, window, "cotton")
    old_page = list(first.ids[PAGE : 2 * PAGE])
    reading, release = threading.Event(), threading.Event()
    original = queries.materials_by_ids

    def held(conn: Any, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The old query's second page is held back until the new query is on screen."""
        if list(ids) == old_page and threading.current_thread() is not threading.main_thread():
            reading.set()
            release.wait(30)
        return original(conn, ids)

    monkeypatch.setattr(queries, "materials_by_ids", held)
    view = window.search_view
    wheel(view.table.viewport(), -30)  # to the bottom: the second page is asked for
    qtbot.waitUntil(reading.is_set, timeout=10_000)
    assert view.model.rowCount() == PAGE  # the view goes on; nothing is inserted yet

    view.search_box.selectAll()
    second = search(qtbot, window, "polyester")
    assert list(second.ids[:PAGE]) != old_page and len(second.ids) > 2 * PAGE
    qtbot.waitUntil(lambda: shown_ids(window) == list(second.ids[: view.model.rowCount()]))
    release.set()
    qtbot.waitUntil(lambda: window.ops.pool.activeThreadCount() == 0, timeout=10_000)
    QApplication.processEvents()  # the held page's answer reaches the UI thread

    assert shown_ids(window) == list(second.ids[: view.model.rowCount()])
    assert not set(old_page) - set(second.ids) & set(shown_ids(window))
    scroll_to_the_end(qtbot, window, lambda: wheel(view.table.viewport(), -3))
    assert shown_ids(window) == list(second.ids)


def test_the_model_reads_pages_on_a_worker_and_inserts_them_when_they_arrive(
    qtbot: QtBot,
) -> None:
    ids = [f"id-{n:05d}" for n in range(1000)]
    asked: list[tuple[int, bool]] = []

    def loader(page: Sequence[str]) -> list[dict[str, object]]:
        asked.append((len(page), threading.current_thread() is threading.main_thread()))
        return [{"id": i, "code": i.upper(), "name": f"Material {i}"} for i in page]

    ops = OpRunner()
    model = MaterialsTableModel(loader, ops)
    with qtbot.waitSignal(model.page_loaded, timeout=10_000):
        model.set_ids(ids)
        assert model.rowCount() == 0  # nothing is shown before it is read
    page = MaterialsTableModel.PAGE
    assert model.rowCount() == page and asked == [(page, False)]
    assert model.data(model.index(0, 0)) == "ID-00000"
    assert model.data(model.index(5, 1)) == "Material id-00005"
    assert len(asked) == 1  # showing rows reads nothing
    inserted: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.page_loaded, timeout=10_000):
            model.fetchMore(QModelIndex())
            model.fetchMore(QModelIndex())  # asked again while reading: one read
    assert model.rowCount() == 1000 and len(asked) == 5
    assert inserted == [(200, 399), (400, 599), (600, 799), (800, 999)]
    assert True not in [on_main for _, on_main in asked]
    ops.shutdown()
