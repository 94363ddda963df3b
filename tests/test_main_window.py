"""The main window under pytest-qt, offscreen: search as you type, details, filters, sorting,
lazy loading, shortcuts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from ui.main_window import MainWindow
from ui.models import COLUMNS
from ui.ops import OpRunner
from workbench.demo import generate_demo
from workbench.replica import queries
from workbench.search import SearchResult
from workbench.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def workspace_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ws") / "demo"
    workspace = open_workspace(root)
    generate_demo(workspace.replica, materials=1_500, seed=3)
    workspace.search.rebuild()
    workspace.close()
    return root


@pytest.fixture
def window(qtbot: QtBot, workspace_path: Path) -> Iterator[MainWindow]:
    workspace: Workspace = open_workspace(workspace_path)
    ops = OpRunner()
    win = MainWindow(workspace, ops)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(
        lambda: (
            win.search_view.last_result is not None
            and win.search_view.last_result.engine == "index"
        )
    )
    yield win
    win.close()
    workspace.close()


def search(qtbot: QtBot, win: MainWindow, text: str) -> SearchResult:
    qtbot.keyClicks(win.search_view.search_box, text)
    # typing is debounced into one or more searches: wait for the one with the full text
    qtbot.waitUntil(
        lambda: (
            win.search_view.last_request is not None and win.search_view.last_request.text == text
        )
    )
    assert win.search_view.last_result is not None
    return win.search_view.last_result


def cell(win: MainWindow, row: int, header: str) -> str:
    column = [h for h, _ in COLUMNS].index(header)
    return win.search_view.model.data(win.search_view.model.index(row, column))


def test_typing_a_query_shows_results(qtbot: QtBot, window: MainWindow) -> None:
    result = search(qtbot, window, "cotton jersey")
    assert result.total > 0 and window.search_view.model.rowCount() > 0
    assert (
        "materials" in window.search_view.result_label.text()
        or "material" in window.search_view.result_label.text()
    )
    assert "jersey" in cell(window, 0, "Name").lower()
    assert not window.search_view.fallback_badge.isVisible()


def test_selecting_a_row_shows_its_details(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "fleece")
    expected = window.search_view.model.row_at(0)
    assert expected is not None
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.search_view.select_row(0)
    assert window.search_view.detail.code.text() == expected["code"]
    assert window.search_view.detail.title.text() == expected["name"]
    assert window.search_view.detail.values["gsm"].text() == f"{expected['gsm']} g/m²"
    assert window.search_view.detail.rates.rowCount() > 0  # knitting, dyeing… rates that price it


def test_a_facet_filter_narrows_the_results(qtbot: QtBot, window: MainWindow) -> None:
    before = search(qtbot, window, "cotton").total
    window.search_view.facets.type_boxes["yarn"].setChecked(True)
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and window.search_view.last_request.material_types == {"yarn"}
        )
    )
    after = window.search_view.last_result
    assert after is not None
    assert 0 < after.total < before
    rows = queries.materials_by_ids(window.workspace.replica.conn, after.ids)
    assert all(r["material_type"] == "yarn" for r in rows)
    assert (
        "(" in window.search_view.facets.type_boxes["fabric"].text()
    )  # counts shown beside choices
    window.search_view.facets.clear()
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and not window.search_view.last_request.material_types
        )
    )
    assert (
        window.search_view.last_result is not None
        and window.search_view.last_result.total == before
    )


def test_gsm_range_filter(qtbot: QtBot, window: MainWindow) -> None:
    window.search_view.facets.gsm_min.setValue(300)
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_request is not None
            and window.search_view.last_request.gsm_min == 300
        )
    )
    result = window.search_view.last_result
    assert result is not None and result.total > 0
    rows = queries.materials_by_ids(window.workspace.replica.conn, result.ids)
    assert all(r["gsm"] is not None and r["gsm"] >= 300 for r in rows)


def test_clicking_a_header_sorts_through_the_search(qtbot: QtBot, window: MainWindow) -> None:
    search(qtbot, window, "fabric")
    gsm = [h for h, _ in COLUMNS].index("GSM")
    header = window.search_view.table.horizontalHeader()

    def shown_sort() -> tuple[str | None, bool] | None:
        request = window.search_view.last_request
        return None if request is None else (request.sort, request.descending)

    header.sectionClicked.emit(gsm)
    qtbot.waitUntil(lambda: shown_sort() == ("gsm", False))
    ascending = [window.search_view.model.row_at(i)["gsm"] for i in range(20)]  # type: ignore[index]
    assert ascending == sorted(ascending)
    header.sectionClicked.emit(gsm)
    qtbot.waitUntil(lambda: shown_sort() == ("gsm", True))
    descending = [window.search_view.model.row_at(i)["gsm"] for i in range(20)]  # type: ignore[index]
    assert descending == sorted(descending, reverse=True)
    assert descending[0] >= ascending[-1]
    header.sectionClicked.emit(gsm)
    qtbot.waitUntil(lambda: shown_sort() == (None, False))  # third click: back to relevance


def test_ctrl_k_focuses_the_search_box(qtbot: QtBot, window: MainWindow) -> None:
    window.search_view.table.setFocus()
    qtbot.waitUntil(lambda: not window.search_view.search_box.hasFocus())
    qtbot.keyClick(window, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.search_view.search_box.hasFocus)


def test_escape_in_the_search_box_clears_it(qtbot: QtBot, window: MainWindow) -> None:
    box = window.search_view.search_box
    search(qtbot, window, "cotton")
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert box.text() == ""


def test_status_bar_shows_workspace_counts_and_sync_state(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: "materials" in window.counts_label.text())
    assert window.counts_label.text().startswith("1,500 materials")
    assert window.sync_label.text() == "offline — no server configured"
    assert window.index_label.text() == "search index ready"


def test_the_fallback_answers_while_the_index_is_rebuilt(qtbot: QtBot, window: MainWindow) -> None:
    window.workspace.search.delete_index()
    seq = window.search_view.run_search()
    qtbot.waitUntil(lambda: window.search_view.shown_seq >= seq)
    assert (
        window.search_view.last_result is not None
        and window.search_view.last_result.engine == "sql"
    )
    qtbot.waitUntil(window.search_view.fallback_badge.isVisible)
    with qtbot.waitSignal(window.index_ready, timeout=30_000):
        window.prepare_index()
    qtbot.waitUntil(
        lambda: (
            window.search_view.last_result is not None
            and window.search_view.last_result.engine == "index"
        )
    )
    assert not window.search_view.fallback_badge.isVisible()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_exporting_the_results(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, suffix: str
) -> None:
    import csv

    import openpyxl

    result = search(qtbot, window, "fleece")
    path = tmp_path / f"export{suffix}"
    with qtbot.waitSignal(window.exported, timeout=10_000) as blocker:
        window.menus.export_results(path)
    assert blocker.args == [path, len(result.ids)]
    if suffix == ".xlsx":
        rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
        rows = rows[rows.index(next(r for r in rows if r and r[0] == "Code")) :]
    else:
        rows = list(csv.reader(path.read_text("utf-8-sig").splitlines()))
    shown = [header for header, column in COLUMNS if column != "price"]
    assert list(rows[0]) == [*shown, "Price", "Currency", "Per"]
    assert len(rows) == len(result.ids) + 1
    first = window.search_view.model.row_at(0)
    assert first is not None and rows[1][0] == first["code"]
    assert all("fleece" in " ".join(str(v) for v in row).lower() for row in rows[1:])


def test_the_detail_tables_export_what_they_show(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from datetime import datetime

    import openpyxl

    from ui.table_export import export_view

    search(qtbot, window, "fleece")
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        window.search_view.select_row(0)
    rates = window.search_view.detail.rates
    assert window.search_view.detail.export_rates.text() == "Export table…"
    assert rates.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu
    shown = [
        [rates.item(r, c).text() for c in range(rates.columnCount())]
        for r in range(rates.rowCount())
    ]
    assert export_view(rates, tmp_path / "rates.xlsx") == len(shown) > 0
    sheet = openpyxl.load_workbook(tmp_path / "rates.xlsx").active
    got = list(sheet.iter_rows(values_only=True))
    assert got[0] == ("Process", "Rate", "Basis", "Valid from")
    # the texts as shown; the rate a number and the day a date, typed as Excel keeps them
    assert [[row[0], row[2]] for row in got[1:]] == [[r[0], r[2]] for r in shown]
    assert all(isinstance(row[1], (int, float)) and isinstance(row[3], datetime) for row in got[1:])
    export_view(window.search_view.detail.orders, tmp_path / "orders.csv")
    lines = (tmp_path / "orders.csv").read_text("utf-8-sig").splitlines()
    assert lines[0] == "Order,Brand,Season,Qty,Delivered"
    assert len(lines) == window.search_view.detail.orders.rowCount() + 1


def test_exporting_diagnostics_from_the_help_menu(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import zipfile

    target = tmp_path / "diagnostics.zip"
    window.menus.export_diagnostics(target)
    qtbot.waitUntil(target.exists, timeout=10_000)
    qtbot.waitUntil(lambda: "Diagnostics written" in window.statusBar().currentMessage())
    with zipfile.ZipFile(target) as bundle:
        assert {"versions.json", "workspaces.json"} <= set(bundle.namelist())


def test_the_window_is_what_its_parts_need(window: MainWindow) -> None:
    """The search, the menus and the sync are typed against what they use of their window
    (a Protocol each), not the window class: the window must still provide all of it."""
    from ui.main_window.menus import MenusHost
    from ui.main_window.search_view import SearchHost
    from ui.sync_controller import SyncHost

    assert isinstance(window, SearchHost)
    assert isinstance(window, MenusHost)
    assert isinstance(window, SyncHost)
    assert not isinstance(window.search_view, MenusHost)  # the check tells them apart


def test_the_parts_open_what_they_open_on_the_window(window: MainWindow) -> None:
    """What the search, menus and sync open is parented to the window they were given, which
    must be a widget: a host that is none is refused when the part is made."""
    from ui.host_widget import host_widget

    assert host_widget(window) is window
    parts = (window.search_view, window.menus, window.sync)
    assert all(part.parent_widget is window for part in parts)
    with pytest.raises(TypeError, match="SearchView is not a widget"):
        host_widget(window.search_view)
