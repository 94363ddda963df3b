"""The windows that read the replica never do it on the UI thread: the workbench function
behind each read or write is wrapped to note the thread it runs on, then the window is used as
a person would (filtering the sheet browser, opening a sheet, choosing a fabric or a trim,
saving, copying and submitting a sheet, comparing it, confirming a BOM, listing the proposal
builder's styles, scanning at the label station). A read on the main thread would freeze the
window for as long as the replica takes to answer."""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests import test_label_station as station_tests
from tests.cost_sheet_helpers import knit_fabric, open_sheet, press, type_into
from tests.test_label_station import open_station, scan
from ui.cost_sheet import CostSheetWindow, MaterialPicker
from ui.main_window import MainWindow
from ui.models import COLUMNS, MaterialsTableModel
from ui.station import LabelStation
from workbench import documents, drafts, quotes
from workbench.costing import choices, rates, register
from workbench.labels import jobs as label_jobs
from workbench.labels import scan as label_scan
from workbench.replica import Replica, queries
from workbench.services import writer
from workbench.workspace import Workspace

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures
workspace, stations = station_tests.workspace, station_tests.stations  # fixtures


def threads_of(
    monkeypatch: pytest.MonkeyPatch, module: Any, name: str, within: str = "ui"
) -> list[bool]:
    """Wrap ``module.name`` (and every loaded ``ui`` module's binding of it) so each call
    that code of the module ``within`` (or a module under it) makes notes whether it ran on
    the main thread; returns those notes. A call made by another ui module (a window the
    menus open, reading for itself) is that window's and is not noted."""
    original: Callable[..., Any] = getattr(module, name)
    on_main: list[bool] = []

    def noted(*args: Any, **kwargs: Any) -> Any:
        frame = sys._getframe(1)
        while frame is not None:  # the nearest code of ours in ui/ that asked for the read
            caller = str(frame.f_globals.get("__name__", ""))
            if caller == "ui" or caller.startswith("ui."):
                if caller == within or caller.startswith(within + "."):
                    on_main.append(threading.current_thread() is threading.main_thread())
                break
            frame = frame.f_back  # type: ignore[assignment]
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, noted)
    for loaded_name, loaded in list(sys.modules.items()):
        if loaded_name.startswith("ui") and getattr(loaded, name, None) is original:
            monkeypatch.setattr(loaded, name, noted)
    return on_main


def knit_fabric_and_code(win: MainWindow) -> tuple[str, str]:
    """A knitted fabric's id and the code a merchandiser would type to find it."""
    fabric_id = knit_fabric(win.workspace)
    row = win.workspace.replica.conn.execute(
        "SELECT code FROM materials WHERE id = ?", (fabric_id,)
    ).fetchone()
    return fabric_id, str(row[0])


def saved_sheet(qtbot: QtBot, win: MainWindow, code: str) -> dict[str, Any]:
    sheet = open_sheet(qtbot, win, knit_fabric(win.workspace))
    type_into(qtbot, sheet.inputs.style_code, code)
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == code
    )
    return helpers.save(qtbot, sheet)


def pick_in_picker(qtbot: QtBot, code: str) -> None:
    """When the material picker comes up (its caller waiting in ``exec``), type ``code`` into
    its search and, once it lists what it found, click OK on the first."""

    def when_shown() -> None:
        picker = QApplication.activeModalWidget()
        if not isinstance(picker, MaterialPicker):
            QTimer.singleShot(20, when_shown)
            return
        qtbot.keyClicks(picker.box, code)

        def when_found() -> None:
            item = picker.results.currentItem()
            if picker.pending or item is None:
                QTimer.singleShot(20, when_found)
                return
            [box] = picker.findChildren(QDialogButtonBox)
            ok = box.button(QDialogButtonBox.StandardButton.Ok)
            qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

        when_found()

    QTimer.singleShot(0, when_shown)


def test_saving_copying_and_stepping_a_sheet_write_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "THREAD-SAVE")
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == "THREAD-SAVE"
    )
    written = threads_of(monkeypatch, documents, "save_document", within="ui.cost_sheet")
    brand = threads_of(monkeypatch, queries, "brand_id", within="ui.cost_sheet")
    standing = sheet.standing
    for button in (sheet.save_button, standing.copy_button, standing.step_buttons["submitted"]):
        with qtbot.waitSignal(sheet.saved, timeout=10_000):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(sheet.saved, timeout=10_000):
        qtbot.mouseClick(sheet.standing.new_version_button, Qt.MouseButton.LeftButton)
    assert sheet.standing.status == "draft" and (sheet.document or {}).get("revision") == 2
    assert len(written) == 4 and True not in written
    assert brand and True not in brand


def test_the_draft_of_unsaved_changes_is_written_and_removed_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    written = threads_of(monkeypatch, drafts, "save_draft", within="ui.cost_sheet")
    removed = threads_of(monkeypatch, drafts, "remove_draft", within="ui.cost_sheet")
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    type_into(qtbot, sheet.inputs.style_code, "THREAD-DRAFT")
    qtbot.waitUntil(lambda: bool(written), timeout=5_000)
    removed.clear()
    helpers.save(qtbot, sheet)
    qtbot.waitUntil(lambda: bool(removed), timeout=5_000)
    assert True not in written and True not in removed


def test_a_firm_quote_asked_offline_is_queued_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    queued = threads_of(monkeypatch, quotes, "queue_request", within="ui.cost_sheet")
    with qtbot.waitSignal(sheet.quoted, timeout=10_000):
        qtbot.mouseClick(sheet.quote_button, Qt.MouseButton.LeftButton)
    assert queued == [False] and "queued" in sheet.quote_label.text()


def test_comparing_reads_the_other_sheet_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = saved_sheet(qtbot, window, "THREAD-CMP")
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    read = threads_of(monkeypatch, register, "sheet_row", within="ui.cost_sheet")
    sheet.comparison.compare_with(other["id"])
    qtbot.waitUntil(lambda: sheet.comparison.compare_dialog is not None, timeout=10_000)
    assert read and True not in read


def test_choosing_a_fabric_and_a_trim_reads_them_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    fabric_id, code = knit_fabric_and_code(window)
    trim_id, trim_code = window.workspace.replica.conn.execute(
        "SELECT id, code FROM materials WHERE material_type = 'trim' AND category = 'button' "
        "AND deleted = 0 ORDER BY code LIMIT 1"
    ).fetchone()
    started = threads_of(monkeypatch, choices, "starting_style", within="ui.cost_sheet")
    yarns = threads_of(monkeypatch, choices, "yarns_for", within="ui.cost_sheet")
    trims = threads_of(monkeypatch, rates, "trim_line", within="ui.cost_sheet")
    named = threads_of(monkeypatch, queries, "material", within="ui.cost_sheet")
    sheet = open_sheet(qtbot, window, None)
    pick_in_picker(qtbot, code)
    qtbot.mouseClick(sheet.inputs.fabric.choose_fabric_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: sheet.inputs.fabric.fabric_id == fabric_id and sheet.price is not None,
        timeout=10_000,
    )
    assert sheet.inputs.fabric.yarn.count() > 0
    pick_in_picker(qtbot, trim_code)
    qtbot.mouseClick(sheet.inputs.trims_box.add_trim_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: [t[0] for t in sheet.inputs.trims_box.trims] == [trim_id], timeout=10_000
    )
    assert started and yarns and trims and named
    assert True not in started + yarns + trims + named


def test_filtering_the_sheet_browser_reads_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    saved_sheet(qtbot, window, "THREAD-BRW")
    found = threads_of(monkeypatch, register, "find_sheets")
    counted = threads_of(monkeypatch, register, "sheet_count")
    brands = threads_of(monkeypatch, queries, "brands")
    seasons = threads_of(monkeypatch, register, "seasons")
    browser = window.menus.sheet_browser()
    qtbot.addWidget(browser)
    browser.show()
    qtbot.waitUntil(lambda: browser.brand.count() > 1, timeout=10_000)
    qtbot.keyClicks(browser.search, "thread-brw")
    qtbot.waitUntil(lambda: [r["style_code"] for r in browser.rows] == ["THREAD-BRW"])
    assert found and counted and brands and seasons
    assert True not in found + counted + brands + seasons


def test_opening_a_sheet_from_the_menus_reads_it_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = saved_sheet(qtbot, window, "THREAD-OPEN")
    read = threads_of(monkeypatch, register, "sheet_row")
    before = len(window.menus.cost_windows)
    window.menus.open_cost_sheet(row["id"])
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    assert read and True not in read


def test_ctrl_n_on_a_selected_fabric_reads_it_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    fabric_id, code = knit_fabric_and_code(window)
    view = window.search_view
    with qtbot.waitSignal(window.results_shown, timeout=10_000):
        type_into(qtbot, view.search_box, code)
    qtbot.waitUntil(lambda: view.model.id_at(0) == fabric_id, timeout=10_000)
    with qtbot.waitSignal(window.detail_shown, timeout=10_000):
        view.select_row(0)
    read = threads_of(monkeypatch, queries, "material", within="ui.main_window")
    before = len(window.menus.cost_windows)
    press(qtbot, view.search_box, "Ctrl+N")
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    sheet = window.menus.cost_windows[-1]
    assert isinstance(sheet, CostSheetWindow)
    qtbot.waitUntil(lambda: sheet.inputs.fabric.fabric_id == fabric_id, timeout=10_000)
    assert read and True not in read


def test_the_material_picker_searches_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    fabric_id, code = knit_fabric_and_code(window)
    read = threads_of(monkeypatch, queries, "materials_by_ids", within="ui.cost_sheet")
    sheet = open_sheet(qtbot, window, None)
    picker = MaterialPicker(window.workspace, "fabric", sheet)
    qtbot.addWidget(picker)
    picker.show()
    qtbot.keyClicks(picker.box, code)
    qtbot.waitUntil(lambda: picker.chosen == fabric_id, timeout=10_000)
    assert read and True not in read


def test_the_proposal_builder_lists_brands_and_sheets_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = saved_sheet(qtbot, window, "THREAD-PROP")
    recent = threads_of(monkeypatch, register, "recent_sheets")
    brands = threads_of(monkeypatch, choices, "brands")
    builder = window.menus.show_proposal_builder()
    qtbot.waitUntil(lambda: builder.sheets.count() > 0 and builder.brand.count() > 0)
    builder.check(row["id"])
    assert builder.chosen_sheets() == [row["id"]]
    assert recent and brands and True not in recent + brands


def test_writing_the_texts_again_forgets_them_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    row = saved_sheet(qtbot, window, "THREAD-AGAIN")
    forgotten = threads_of(monkeypatch, writer, "forget")
    builder = window.menus.show_proposal_builder()
    qtbot.waitUntil(lambda: builder.is_listed, timeout=10_000)
    builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
    builder.check(row["id"])
    with qtbot.waitSignal(builder.rendered, timeout=30_000):
        qtbot.mouseClick(builder.rewrite_button, Qt.MouseButton.LeftButton)
    assert forgotten == [False]


def test_confirming_a_bom_reads_its_materials_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    conn = window.workspace.replica.conn
    button = conn.execute(
        "SELECT code, id FROM materials WHERE material_type = 'trim' AND deleted = 0 LIMIT 1"
    ).fetchone()
    book = openpyxl.Workbook()
    book.active.append(["Name", "Type", "Item No.", "Usage", "Unit"])
    book.active.append(["any button", "Button", button[0], 4, "pcs"])
    path = tmp_path / "bom.xlsx"
    book.save(path)
    read = threads_of(monkeypatch, queries, "material", within="ui.bom_dialog")
    batch = threads_of(monkeypatch, queries, "materials_by_ids", within="ui.bom_dialog")
    sheet = open_sheet(qtbot, window, None)
    dialog = sheet.materials.open_bom(path)
    with qtbot.waitSignal(dialog.matched, timeout=10_000):
        pass
    chosen = dialog.chosen()
    assert [(c.material_id, c.material_type) for c in chosen] == [(button[1], "trim")]
    assert True not in read + batch
    assert batch  # the materials offered were read with the match


def test_a_scan_at_the_label_station_is_looked_up_on_a_worker(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    looked = threads_of(monkeypatch, label_scan, "look_up")
    station = open_station(qtbot, workspace, stations)
    order = queries.newest_order_no(workspace.replica.conn)
    assert order is not None
    found = scan(qtbot, station, order)
    assert looked == [False] and getattr(found, "found", False)


def test_scrolling_the_results_reads_their_rows_on_a_worker(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(MaterialsTableModel, "PAGE", 20)
    read = threads_of(monkeypatch, queries, "materials_by_ids", within="ui.main_window")
    view = window.search_view
    type_into(qtbot, view.search_box, "cotton")
    qtbot.waitUntil(
        lambda: view.last_request is not None and view.last_request.text == "cotton",
        timeout=10_000,
    )
    assert view.last_result is not None and len(view.last_result.ids) > 60
    for _ in range(100):
        if view.model.rowCount() >= 60:
            break
        helpers.wheel(view.table.viewport(), -5)
        qtbot.wait(10)
    qtbot.waitUntil(lambda: view.model.rowCount() >= 60, timeout=10_000)
    view.table.viewport().grab()  # every row in view painted
    assert read and True not in read


def test_the_label_station_opens_and_lists_its_jobs_reading_on_a_worker(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    schemes = threads_of(monkeypatch, label_jobs, "scheme_for", within="ui.station")
    states = threads_of(monkeypatch, Replica, "get_state", within="ui.station")
    listed = threads_of(monkeypatch, label_jobs, "todays_jobs", within="ui.station")
    station = open_station(qtbot, workspace, stations)
    order = queries.newest_order_no(workspace.replica.conn)
    assert order is not None
    scan(qtbot, station, order)
    with (
        qtbot.waitSignal(station.jobs_shown, timeout=30_000),
        qtbot.waitSignal(station.printed, timeout=30_000),
    ):
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    assert schemes and states and listed
    assert True not in schemes + states + listed


def offline_station(
    qtbot: QtBot, workspace: Workspace, stations: list[LabelStation]
) -> LabelStation:
    """A label station whose every sync fails as if the network were unplugged."""

    def offline(_ctx: object) -> Any:
        raise OSError("the network is unplugged")

    return open_station(qtbot, workspace, stations, syncer=offline)


def test_the_station_names_its_sync_server_reading_on_a_worker(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    workspace.replica.set_state("server_url", "https://sync.mill.example")
    states = threads_of(monkeypatch, Replica, "get_state", within="ui.sync_controller")

    station = offline_station(qtbot, workspace, stations)
    qtbot.waitUntil(lambda: "sync.mill.example" in station.sync_label.text(), timeout=10_000)
    assert states and True not in states


def test_signing_in_and_out_read_the_server_on_a_worker(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sign-in dialog offers the server this workspace knows, and signing out forgets
    its token: both read the replica, so neither may run on the UI thread."""
    workspace.replica.set_state("server_url", "https://sync.mill.example")
    workspace.replica.set_state("username", "floor@alpha")

    station = offline_station(qtbot, workspace, stations)
    qtbot.waitUntil(lambda: "sync.mill.example" in station.sync_label.text(), timeout=10_000)
    states = threads_of(monkeypatch, Replica, "get_state", within="ui.sync_controller")
    dialog = station.sync.show_login()
    qtbot.waitUntil(lambda: dialog.server.text() == "https://sync.mill.example", timeout=10_000)
    dialog.reject()
    station.sync.sign_out_action.trigger()
    qtbot.waitUntil(lambda: "signed out" in station.sync_label.text(), timeout=10_000)
    assert states and True not in states


def test_a_server_typed_before_the_known_one_is_read_is_kept(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The known server arrives from a worker after the dialog opened: what the user typed
    into the field meanwhile stays."""
    workspace.replica.set_state("server_url", "https://sync.mill.example")

    station = offline_station(qtbot, workspace, stations)
    release = threading.Event()
    original = Replica.get_state

    def held(self: Replica, key: str, *args: Any) -> Any:
        if key == "server_url" and threading.current_thread() is not threading.main_thread():
            release.wait(10)
        return original(self, key, *args)

    monkeypatch.setattr(Replica, "get_state", held)
    dialog = station.sync.show_login()
    dialog.server.selectAll()
    qtbot.keyClicks(dialog.server, "https://other.mill.example")
    release.set()
    qtbot.wait(300)
    assert dialog.server.text() == "https://other.mill.example"
    dialog.reject()


def test_the_results_table_reads_its_remembered_columns_on_a_worker(
    qtbot: QtBot, demo_path: Path, english: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.main_window.columns import STATE_KEY
    from ui.ops import OpRunner
    from workbench.workspace import open_workspace

    workspace = open_workspace(demo_path)
    workspace.replica.set_state(STATE_KEY, json.dumps({"hidden": ["supplier"]}))
    states = threads_of(monkeypatch, Replica, "get_state", within="ui.main_window.columns")
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win)
    try:
        win.show()
        header = win.search_view.table.horizontalHeader()
        supplier = [c for _, c in COLUMNS].index("supplier")
        colour = [c for _, c in COLUMNS].index("colour")
        qtbot.waitUntil(lambda: header.isSectionHidden(supplier), timeout=10_000)
        assert not header.isSectionHidden(colour)  # what was kept, not the defaults
        assert states and True not in states
        qtbot.waitUntil(lambda: win.search_view.last_result is not None, timeout=10_000)
    finally:
        win.close()
        workspace.close()


def test_a_search_reads_through_its_own_threads_connection(
    qtbot: QtBot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows of a search are read on the worker through the worker's own connection, never
    through one the UI thread opened: two searches in flight on two workers would otherwise
    share one connection, and the UI thread would hold a connection it never reads with."""
    replica = window.workspace.replica
    made_by: list[tuple[bool, bool]] = []  # (made by this thread, made by the main thread)
    original = queries.materials_by_ids

    def noted(conn: Any, ids: Any) -> Any:
        owners = {ident for ident, made in list(replica._all) if made is conn}
        made_by.append((threading.get_ident() in owners, threading.main_thread().ident in owners))
        return original(conn, ids)

    monkeypatch.setattr(queries, "materials_by_ids", noted)
    view = window.search_view
    for text in ("cotton", "polyester", "zzzz-nothing-at-all"):
        type_into(qtbot, view.search_box, text)
        qtbot.waitUntil(
            lambda text=text: view.last_request is not None and view.last_request.text == text,
            timeout=10_000,
        )
    assert made_by and all(own and not main for own, main in made_by), made_by
