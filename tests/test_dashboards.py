"""The dashboards window under pytest-qt, over a small demo workspace with two saved cost
sheets: every chart shows what `workbench.analytics` computes for the selection, a filter
change recomputes (and a late answer to an older selection is dropped), a click on a bar opens
exactly the rows behind it, and charts and tables export."""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from ui.dashboards import TABS, DashboardsWindow, DrillDialog
from ui.dashboards.window import RATE_SERIES
from ui.ops import OpContext, OpRunner
from workbench import documents
from workbench.analytics import (
    Analytics,
    Filters,
    capacity_days,
    capacity_heatmap,
    cost_by_process,
    cost_lines,
    iso_week,
    lead_times,
    order_history,
    order_months,
    order_rows,
    rate_history,
    rate_rows,
)
from workbench.costing.choices import starting_style
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.workspace import Workspace, open_workspace

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("dashboards") / "demo"
    workspace = open_workspace(root)
    generate_demo(workspace.replica, materials=600, orders=3000, seed=4)
    conn = workspace.replica.conn
    fabrics = conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' ORDER BY code LIMIT 2"
    ).fetchall()
    for n, (fabric_id,) in enumerate(fabrics):
        style = starting_style(conn, fabric_id, f"DB-STYLE-{n}")
        body = sheet_to_dict(CostSheet(style, "NORDV"))
        row = {"style_code": style.style_code, "body": json.dumps(body)}
        documents.save_document(workspace.replica, "cost_sheets", row)
    workspace.close()
    return root


@pytest.fixture
def workspace(demo_path: Path) -> Iterator[Workspace]:
    opened = open_workspace(demo_path)
    yield opened
    opened.close()


@pytest.fixture
def window(qtbot: QtBot, workspace: Workspace) -> Iterator[DashboardsWindow]:
    ops = OpRunner()
    win = DashboardsWindow(workspace, ops, currency="USD")
    qtbot.addWidget(win)
    win.resize(1280, 820)
    win.show()
    qtbot.waitUntil(lambda: "orders" in win.frames, timeout=20_000)
    yield win
    win.close()
    ops.shutdown()


def open_tab(qtbot: QtBot, win: DashboardsWindow, tab: str) -> None:
    with qtbot.waitSignal(win.shown, timeout=20_000, check_params_cb=lambda t: t == tab):
        win.show_tab(tab)


def bars(win: DashboardsWindow) -> dict[tuple[str, str], float]:
    """The stacked bars of the orders tab as drawn: (season, brand) → height."""
    tab = win.tab["orders"]
    out = {}
    for brand, item in tab.items.items():
        if isinstance(item, pg.BarGraphItem):
            for season, height in zip(tab.categories, item.opts["height"], strict=True):
                if height:
                    out[(season, brand)] = float(height)
    return out


def month_series(win: DashboardsWindow, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A month series as drawn: the whole months, then the month to date (drawn apart)."""
    items = win.tab["orders"].items
    xs, ys = items[f"months_{name}"].getData()
    if f"months_{name}_to_date" in items:
        more_x, more_y = items[f"months_{name}_to_date"].getData()
        xs, ys = np.append(xs, more_x[-1:]), np.append(ys, more_y[-1:])
    return xs, ys


def expected_bars(workspace: Workspace, filters: Filters) -> dict[tuple[str, str], float]:
    table = Analytics(workspace.replica).order_history(filters)  # default: every dimension
    sums = table.groupby(["season", "brand"])["value"].sum()
    return {key: float(value) for key, value in sums.items() if value}


def widget_point(win: DashboardsWindow, tab: str, plot: str, x: float, y: float) -> QPoint:
    """Where the view point (x, y) of a plot is on the chart's viewport, for the mouse."""
    state = win.tab[tab]
    scene = state.pointer.scene_pos(state.plots[plot], x, y)
    return state.chart.mapFromScene(scene)


def test_opening_shows_the_order_history_of_all_orders(
    window: DashboardsWindow, workspace: Workspace
) -> None:
    assert window.current_tab() == "orders"
    analytics = Analytics(workspace.replica)
    drawn = bars(window)
    expected = expected_bars(workspace, Filters())
    assert drawn.keys() == expected.keys()
    for key, value in expected.items():
        assert drawn[key] == pytest.approx(value, rel=1e-9)
    assert sum(drawn.values()) == pytest.approx(analytics.order_history(Filters())["value"].sum())
    brands = sorted(analytics.order_history(Filters(), by=["brand"])["brand"])
    assert window.brands.options() == brands and len(brands) > 1
    assert window.tab["orders"].categories[:2] == ["SS24", "AW24"]  # calendar, not A to Z
    # the month series, value and pieces, as the analytics have them
    months = order_months(workspace.replica.conn, Filters())
    value_x, value_y = month_series(window, "value")
    _, pieces_y = month_series(window, "pieces")
    assert len(value_x) == len(months)
    assert np.allclose(value_y, months["value"]) and np.allclose(pieces_y, months["pieces"])
    # the table is the frame behind the bars
    assert window.tab["orders"].model.rowCount() == len(window.frames["orders"]["seasons"])


def test_one_brand_recomputes_off_the_ui_thread_and_all_resets(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    total = sum(bars(window).values())
    item = window.brands.list.findItems("NORDV", Qt.MatchFlag.MatchExactly)[0]
    with qtbot.waitSignal(window.shown, timeout=20_000, check_params_cb=lambda t: t == "orders"):
        item.setCheckState(Qt.CheckState.Checked)  # as a click in the drop-down does
    assert window.brands.text() == "Brand: NORDV"
    assert window.shown_filters["orders"] == Filters(brands=["NORDV"])
    drawn = bars(window)
    assert {brand for _, brand in drawn} == {"NORDV"}
    expected = order_history(workspace.replica.conn, Filters(brands=["NORDV"]), by=["season"])
    assert sum(drawn.values()) == pytest.approx(expected["value"].sum())
    assert sum(drawn.values()) < total
    for row in expected.itertuples():
        assert drawn[(row.season, "NORDV")] == pytest.approx(row.value)
    months = order_months(workspace.replica.conn, Filters(brands=["NORDV"]))
    assert np.allclose(window.tab["orders"].items["months_pieces"].getData()[1], months["pieces"])

    with qtbot.waitSignal(window.shown, timeout=20_000):
        qtbot.mouseClick(window.reset_button, Qt.MouseButton.LeftButton)
    assert window.brands.selected() == [] and window.shown_filters["orders"] == Filters()
    assert sum(bars(window).values()) == pytest.approx(total)


def test_a_late_answer_to_an_older_selection_is_dropped(
    qtbot: QtBot, window: DashboardsWindow
) -> None:
    real = DashboardsWindow.compute

    def slow_for_alba(analytics, tab, filters, option, _ctx):  # type: ignore[no-untyped-def]
        if filters.brands == ("ALBA",):
            time.sleep(0.8)  # and ignores the cancel: its answer does arrive, late
        return real(analytics, tab, filters, option, OpContext("test"))

    window.compute = slow_for_alba  # type: ignore[method-assign]
    shown: list[str] = []
    window.shown.connect(shown.append)
    window.set_filters(Filters(brands=["ALBA"]))
    window.set_filters(Filters(brands=["BRKL"]))
    qtbot.waitUntil(lambda: shown == ["orders"], timeout=10_000)
    assert window.ops.wait(10_000)
    qtbot.wait(100)  # the ALBA answer is delivered now, and must change nothing
    assert shown == ["orders"]
    assert window.shown_filters["orders"] == Filters(brands=["BRKL"])
    assert {brand for _, brand in bars(window)} == {"BRKL"}


def test_hover_names_a_bar_and_a_click_opens_exactly_its_orders(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    tab = window.tab["orders"]
    season = tab.categories[1]
    segment = tab.items["CSTL"]
    i = tab.categories.index(season)
    middle = segment.opts["y0"][i] + segment.opts["height"][i] / 2
    where = widget_point(window, "orders", "seasons", i, middle)
    qtbot.mouseMove(tab.chart.viewport(), where)
    value = expected_bars(workspace, Filters())[(season, "CSTL")]
    qtbot.waitUntil(lambda: tab.pointer.last_text.startswith(f"CSTL · {season}"), timeout=3_000)
    assert f"{value:,.0f} USD" in tab.pointer.last_text
    qtbot.waitUntil(lambda: QToolTip.text() == tab.pointer.last_text, timeout=3_000)

    with qtbot.waitSignal(window.drilled, timeout=5_000) as opened:
        qtbot.mouseClick(tab.chart.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog: DrillDialog = opened.args[0]
    assert dialog.cell == {"brand": "CSTL", "season": season}
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    expected = order_rows(workspace.replica.conn, Filters(), brand="CSTL", season=season)
    assert len(expected) > 0
    pd.testing.assert_frame_equal(dialog.frame, expected)
    assert dialog.model.rowCount() == len(expected)
    assert dialog.count.text() == f"{len(expected):,} rows"

    # the same drill without a mouse, with the filters the chart was computed for
    cut = pd.Timestamp(expected["order_date"].iloc[len(expected) // 2]).date()
    narrowed = Filters(seasons=[season], date_from=cut)
    with qtbot.waitSignal(window.shown, timeout=20_000):
        window.set_filters(narrowed)
    again = window.drill("orders", brand="CSTL", season=season)
    with qtbot.waitSignal(again.loaded, timeout=10_000):
        pass
    fewer = order_rows(workspace.replica.conn, narrowed, brand="CSTL", season=season)
    assert 0 < len(fewer) < len(expected)
    pd.testing.assert_frame_equal(again.frame, fewer)
    # a month of the series drills into that month's orders
    months = window.frames["orders"]["months"]
    month = months["month"].iloc[len(months) // 2]
    rows = window.drill("orders", month=f"{month:%Y-%m}")
    qtbot.waitUntil(lambda: rows.frame is not None, timeout=10_000)
    assert set(pd.to_datetime(rows.frame["order_date"]).dt.to_period("M")) == {
        pd.Period(month, "M")
    }


def test_lead_times_by_brand_and_by_mill(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    open_tab(qtbot, window, "lead_times")
    tab = window.tab["lead_times"]
    expected = lead_times(workspace.replica.conn, Filters(), by=["brand"])
    assert tab.categories == expected["brand"].tolist()
    assert np.allclose(tab.items["on_time"].opts["width"], expected["on_time_share"] * 100)
    assert np.allclose(tab.items["late"].opts["width"], expected["median_days_late"])
    element = tab.pointer.element_at(tab.pointer.scene_pos(tab.plots["late"], 0, 2))
    assert element is not None and element.cell == {"brand": expected["brand"][2]}
    dialog = window.drill("lead_times", **element.cell)
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    assert len(dialog.frame) == expected["orders"][2]  # the orders the figure counts

    with qtbot.waitSignal(window.shown, timeout=20_000):
        window.lead_by.setCurrentIndex(window.lead_by.findData("mill"))
    by_mill = lead_times(workspace.replica.conn, Filters(), by=["mill"])
    assert tab.categories == by_mill["mill"].tolist()


def test_prices_follow_the_chosen_process(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    open_tab(qtbot, window, "prices")
    history = rate_history(workspace.replica.conn, Filters())
    pd.testing.assert_frame_equal(window.frames["prices"]["history"], history)
    assert window.process.currentText() == "dyeing"  # the first process, A to Z
    with qtbot.waitSignal(window.shown, timeout=5_000):
        window.process.setCurrentText("making")  # redrawn from the frame, not recomputed
    tab = window.tab["prices"]
    making = history[history["process"] == "making"]
    series = making.groupby(list(RATE_SERIES)).ngroups
    assert len(tab.categories) == series > 1
    assert tab.model.rowCount() == len(making)
    points = tab.items["versions"]
    xs, ys = points.getData()
    assert sorted(ys) == sorted(making["rate"])
    element = tab.pointer.element_at(tab.pointer.scene_pos(tab.plots["rates"], xs[0], ys[0]))
    assert element is not None and "INR per minute" in element.text
    assert element.cell["process"] == "making"
    dialog = window.drill("prices", **element.cell)
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    pd.testing.assert_frame_equal(
        dialog.frame, rate_rows(workspace.replica.conn, Filters(), **element.cell)
    )
    assert len(dialog.frame) >= 1


def test_capacity_heatmap_is_centres_by_twelve_weeks(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    open_tab(qtbot, window, "capacity")
    tab = window.tab["capacity"]
    conn = workspace.replica.conn
    centres = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT code FROM work_centres WHERE deleted = 0 ORDER BY code"
        )
    ]
    image = tab.items["heatmap"].image
    assert image.shape == (12, len(centres))  # x: weeks, y: centres
    heat = capacity_heatmap(conn, start=date.today(), weeks=12)
    assert np.allclose(image, heat.to_numpy().T, equal_nan=True)
    assert [label for _, label in tab.plots["heat"].getAxis("left")._tickLevels[0]] == centres
    monday = date.today() - timedelta(days=date.today().weekday())
    weeks = [label for _, label in tab.plots["heat"].getAxis("bottom")._tickLevels[0]]
    assert weeks == [iso_week(monday + timedelta(weeks=n)) for n in range(12)]
    # hovering a cell names it; a click-equivalent drill reads its days
    element = tab.pointer.element_at(tab.pointer.scene_pos(tab.plots["heat"], 2.5, 1.5))
    assert element is not None and element.cell == {"centre": centres[1], "week": weeks[2]}
    assert f"{heat.iloc[1, 2]:.0%} booked" in element.text
    dialog = window.drill("capacity", **element.cell)
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    expected = capacity_days(conn, start=weeks[2], centre=centres[1])
    pd.testing.assert_frame_equal(dialog.frame, expected)
    assert 5 <= len(expected) <= 7 and set(expected["centre"]) == {centres[1]}


def test_cost_structure_shares_and_their_lines(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    open_tab(qtbot, window, "costs")
    tab = window.tab["costs"]
    expected = cost_by_process(workspace.replica.conn, Filters()).sort_values("share")
    assert tab.categories == expected["process"].tolist()
    assert np.allclose(tab.items["share"].opts["width"], expected["share"] * 100)
    assert sum(tab.items["share"].opts["width"]) == pytest.approx(100)
    biggest = tab.categories[-1]
    element = tab.pointer.element_at(
        tab.pointer.scene_pos(tab.plots["share"], 1, len(tab.categories) - 1)
    )
    assert element is not None and element.cell == {"process": biggest}
    dialog = window.drill("costs", **element.cell)
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    lines = cost_lines(workspace.replica.conn, Filters(), process=biggest)
    pd.testing.assert_frame_equal(dialog.frame, lines)
    assert set(dialog.frame["style_code"]) == {"DB-STYLE-0", "DB-STYLE-1"}


def test_export_chart_as_png_and_data_as_xlsx_and_csv(
    qtbot: QtBot, window: DashboardsWindow, tmp_path: Path
) -> None:
    path = window.export_png(tmp_path / "orders.png")
    data = path.read_bytes()
    assert data.startswith(PNG)
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 800 and height > 100 and len(data) > 10_000

    frame = window.frames["orders"]["seasons"]
    assert window.export_data(tmp_path / "orders.xlsx") == len(frame)
    book = openpyxl.load_workbook(tmp_path / "orders.xlsx")
    assert book.sheetnames == ["Orders"]
    rows = list(book.active.iter_rows(values_only=True))
    header = {r[0]: r[1] for r in rows[:5] if r and r[0]}
    assert header["Dashboard"] == "Orders" and header["Selection"] == "everything (no filter)"
    assert header["Workspace"] == window.workspace.root.name
    table = next(i for i, r in enumerate(rows) if r and r[0] == "Season")
    # human headers, with the currency of the money
    assert rows[table] == ("Season", "Brand", "Orders", "Pieces", "Value (USD)")
    body = rows[table + 1 :]
    assert len(body) == len(frame)
    assert body[0][:2] == (frame["season"][0], frame["brand"][0])
    assert body[0][4] == pytest.approx(frame["value"][0])  # numbers stay numbers
    assert sum(r[4] for r in body) == pytest.approx(frame["value"].sum())
    value_cell = book.active.cell(table + 2, 5)
    assert value_cell.number_format == '#,##0.00" USD"'  # money shows its currency in Excel

    open_tab(qtbot, window, "capacity")
    weeks = window.frames["capacity"]["weeks"]
    assert window.export_data(tmp_path / "capacity.csv") == 12 * len(
        window.frames["capacity"]["heatmap"]
    )
    text = (tmp_path / "capacity.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text[0].startswith("Work centre,Name,Process,Mill,Week of,ISO week,Available (h)")
    first = next(csv.reader(text[1:2]))
    assert float(first[6]) == pytest.approx(weeks["available"][0] / 60)  # hours, not minutes
    assert window.export_png(tmp_path / "capacity.png").read_bytes().startswith(PNG)


def test_window_screenshot(qtbot: QtBot, window: DashboardsWindow, tmp_path: Path) -> None:
    """A picture of the window as opened, for a reviewer (kept in the test's tmp_path)."""
    for tab in TABS[1:]:
        open_tab(qtbot, window, tab)
    window.show_tab("orders")
    qtbot.wait(200)  # let the axes lay out their tick labels
    path = tmp_path / "dashboards.png"
    assert window.grab().save(str(path), "PNG")
    assert path.read_bytes().startswith(PNG)
    print(f"screenshot: {path}")
