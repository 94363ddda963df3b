"""Dashboards and the Capacity window a person can trust, under pytest-qt with real mouse and
key events: headers in words with units and currency, the month not over marked "to date",
order dates typed whole and calendars opening at the orders' dates, the brand picker's
caption never cut, capacity in hours in both windows, the Capacity window's legend off its
bars, and tables exported from their menu as typed workbooks."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import openpyxl
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QLocale, Qt, QTimer
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from tests.test_dashboards import demo_path, open_tab, workspace  # noqa: F401  (fixtures)
from ui.capacity_view import CapacityWindow
from ui.dashboards import DashboardsWindow
from ui.date_field import DateField
from ui.ops import OpRunner
from ui.table_export import export_view
from workbench.analytics import Analytics, Filters
from workbench.workspace import Workspace


@pytest.fixture
def english() -> Iterator[QLocale]:
    """The user's locale is British English: dates 31/12/2026, numbers 1,234.50."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    yield QLocale()
    QLocale.setDefault(before)


@pytest.fixture
def window(qtbot: QtBot, workspace: Workspace, english: QLocale) -> Iterator[DashboardsWindow]:  # noqa: F811
    ops = OpRunner()
    win = DashboardsWindow(workspace, ops, currency="USD")
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    qtbot.waitUntil(
        lambda: "orders" in win.frames and win.date_from.anchor is not None, timeout=20_000
    )
    yield win
    win.close()
    ops.shutdown()


def type_date(qtbot: QtBot, field: DateField, text: str) -> None:
    """Click into the field, select what it holds, type ``text`` and press Enter."""
    window = field.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    qtbot.mouseClick(field.edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(field.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(field.edit, text)
    qtbot.keyClick(field.edit, Qt.Key.Key_Return)


def open_calendar(qtbot: QtBot, field: DateField, look: Callable[[], object]) -> object:
    """Click the field's calendar button (its menu runs until closed): ``look`` at the open
    calendar, then close it; returns what ``look`` returned."""
    seen: dict[str, object] = {}

    def inspect() -> None:
        if not field.menu.isVisible():
            QTimer.singleShot(20, inspect)
            return
        try:
            seen["what"] = look()
        finally:
            if field.menu.isVisible():
                field.menu.hide()

    QTimer.singleShot(20, inspect)
    qtbot.mouseClick(field.button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "what" in seen and not field.menu.isVisible(), timeout=5_000)
    return seen["what"]


def test_headers_are_words_with_units_and_currency(qtbot: QtBot, window: DashboardsWindow) -> None:
    def headers(tab: str) -> list[str]:
        model = window.tab[tab].model
        return [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]

    assert headers("orders") == ["Season", "Brand", "Orders", "Pieces", "Value (USD)"]
    value = window.tab["orders"].model.index(0, 4).data()
    assert value.endswith(" USD") and "," in value  # 5,976,817.51 USD
    open_tab(qtbot, window, "lead_times")
    assert headers("lead_times")[:4] == ["Brand", "Orders", "On time (orders)", "On time (%)"]
    assert window.tab["lead_times"].model.index(0, 3).data().endswith(" %")
    open_tab(qtbot, window, "capacity")
    assert headers("capacity")[6:] == [
        "Available (h)",
        "Booked (h)",
        "Free (h)",
        "Utilisation (%)",
        "Calendar",
    ]
    weeks = window.frames["capacity"]["weeks"]
    shown = window.tab["capacity"].model.index(0, 6).data()
    assert shown == f"{weeks['available'][0] / 60:,.0f}"  # hours, as the Capacity window
    open_tab(qtbot, window, "prices")
    model = window.tab["prices"].model
    rate = headers("prices").index("Rate")
    currency = model.index(0, headers("prices").index("Currency")).data()
    assert model.index(0, rate).data().endswith(f" {currency}")  # each rate in its own
    assert all("_" not in h for h in headers("prices"))
    open_tab(qtbot, window, "costs")
    assert headers("costs") == [
        "Process",
        "Cost sheets",
        "Cost per piece (INR)",
        "Share of cost (%)",
    ]


def test_the_month_not_over_is_marked_to_date(window: DashboardsWindow) -> None:
    tab = window.tab["orders"]
    months = window.frames["orders"]["months"]
    last = months["month"].iloc[-1]
    assert (last.year, last.month) == (date.today().year, date.today().month)
    dashed = tab.items["months_value_to_date"]
    assert dashed.opts["pen"].style() == Qt.PenStyle.DashLine
    xs, ys = dashed.getData()
    assert len(xs) == 2 and ys[-1] == pytest.approx(months["value"].iloc[-1])
    label = tab.items["months_value_label"]
    assert isinstance(label, pg.TextItem) and label.toPlainText() == "(to date)"
    assert tab.items["months_pieces_label"].toPlainText() == "(to date)"
    assert f"{last:%B %Y} is to date (up to {date.today():%d/%m/%Y})" in tab.note.text()
    # the whole months end before it
    whole_x, _ = tab.items["months_value"].getData()
    assert len(whole_x) == len(months) - 1
    # a hover over the point says so
    point = tab.pointer.scene_pos(tab.plots["value"], float(xs[-1]), float(ys[-1]))
    assert "to date" in tab.pointer.element_at(point).text


def test_a_range_ending_at_a_whole_month_marks_nothing(
    qtbot: QtBot, window: DashboardsWindow
) -> None:
    with qtbot.waitSignal(window.shown, timeout=20_000):
        type_date(qtbot, window.date_to, "31/10/2026")
    assert window.filters().date_to == date(2026, 10, 31)
    assert "months_value_to_date" not in window.tab["orders"].items
    assert "is to date" not in window.tab["orders"].note.text()
    with qtbot.waitSignal(window.shown, timeout=20_000):
        type_date(qtbot, window.date_to, "15/10/2026")
    assert "months_value_to_date" in window.tab["orders"].items  # mid-month: to date


def test_order_dates_are_typed_whole_and_the_calendar_opens_at_the_orders(
    qtbot: QtBot,
    window: DashboardsWindow,
    workspace: Workspace,  # noqa: F811
) -> None:
    orders = Analytics(workspace.replica).orders()["order_date"]
    first, last = orders.min().date(), orders.max().date()
    assert window.date_from.edit.placeholderText() == "any" and window.date_from.value() is None
    # the calendar of an empty "from" opens at the first order, of "to" at the last
    calendar, shown = window.date_from.calendar, window.date_to.calendar
    assert open_calendar(
        qtbot, window.date_from, lambda: (calendar.yearShown(), calendar.monthShown())
    ) == (first.year, first.month)
    assert calendar.minimumDate().toPython() == first
    assert open_calendar(
        qtbot, window.date_to, lambda: (shown.yearShown(), shown.monthShown())
    ) == (last.year, last.month)

    # a date typed whole, in the locale's format, is taken and computed
    with qtbot.waitSignal(window.shown, timeout=20_000):
        type_date(qtbot, window.date_from, "01/03/2025")
    assert window.date_from.value() == date(2025, 3, 1)
    assert window.shown_filters["orders"] == Filters(date_from=date(2025, 3, 1))
    assert window.date_from.edit.text() == "01/03/2025"
    # ISO too, and one-digit days and months
    type_date(qtbot, window.date_to, "2026-6-30")
    assert window.date_to.value() == date(2026, 6, 30)
    type_date(qtbot, window.date_to, "1/7/2026")
    assert window.date_to.value() == date(2026, 7, 1)
    # what is not a date is refused on the field, and the selection stays
    type_date(qtbot, window.date_from, "31/02/2025")
    assert window.date_from.value() == date(2025, 3, 1)
    assert "'31/02/2025' is not a date: type it as 31/03/2026" in window.date_from.problem
    assert window.date_from.edit.toolTip() == window.date_from.problem
    assert window.status.text().startswith("Dates: '31/02/2025' is not a date")

    # a day picked on the calendar is taken too
    def pick_the_next_day() -> object:
        selected = calendar.selectedDate()
        calendar.clicked.emit(selected.addDays(1))
        return selected.toPython()

    assert open_calendar(qtbot, window.date_from, pick_the_next_day) == date(2025, 3, 1)
    assert window.date_from.value() == date(2025, 3, 2) and not window.date_from.menu.isVisible()
    # emptied, it is "any" again
    qtbot.keyClick(window.date_from.edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(window.date_from.edit, Qt.Key.Key_Delete)
    qtbot.keyClick(window.date_from.edit, Qt.Key.Key_Return)
    assert window.date_from.value() is None


def test_the_brand_caption_is_never_cut(qtbot: QtBot, window: DashboardsWindow) -> None:
    for picker in (window.brands, window.seasons, window.mills):
        assert picker.text().endswith(": all")
        needed = picker.fontMetrics().horizontalAdvance(picker.text())
        assert picker.width() >= needed + 24, picker.text()  # the text and the arrow
    first = window.brands.options()[:2]
    window.brands.set_selected(first)
    needed = window.brands.fontMetrics().horizontalAdvance(window.brands.text())
    qtbot.waitUntil(lambda: window.brands.width() >= needed + 24, timeout=2_000)


def test_exported_tables_are_typed_with_a_header_block(
    qtbot: QtBot, window: DashboardsWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The right-click "Export table…" of a dashboard's table: numbers and money as numbers,
    dates as dates, hours not minutes."""
    open_tab(qtbot, window, "capacity")
    view = window.tab["capacity"].view
    path = tmp_path / "capacity.xlsx"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "Excel (*.xlsx)"))
    )
    actions = [a for a in view.findChildren(pg.QtGui.QAction) if a.text() == "Export table…"]
    actions[0].trigger()
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Capacity"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Table"
    table = next(i for i, r in enumerate(rows) if r and r[0] == "Work centre")
    columns = rows[table]
    body = rows[table + 1 :]
    weeks = window.frames["capacity"]["weeks"]
    assert len(body) == len(weeks)
    first = body[0]
    assert first[columns.index("Available (h)")] == pytest.approx(weeks["available"][0] / 60)
    assert isinstance(first[columns.index("Week of")], date)
    assert first[columns.index("Utilisation (%)")] == pytest.approx(weeks["utilisation"][0])


@pytest.fixture
def capacity(qtbot: QtBot, workspace: Workspace, english: QLocale) -> Iterator[CapacityWindow]:  # noqa: F811
    ops = OpRunner()
    view = CapacityWindow(workspace, ops)
    qtbot.addWidget(view)
    view.resize(1366, 768)
    with qtbot.waitSignal(view.shown, timeout=20_000):
        view.show()
    yield view
    view.close()
    ops.shutdown()


def test_the_capacity_window_is_in_hours_with_its_legend_off_the_bars(
    qtbot: QtBot, capacity: CapacityWindow, tmp_path: Path
) -> None:
    plot = capacity.chart.getPlotItem()
    assert plot.legend is None  # nothing drawn over the bars
    legend = capacity.legend
    assert legend.isVisible() and "full (100 %)" in legend.text()
    chart_top = capacity.chart.mapTo(capacity, capacity.chart.rect().topLeft()).y()
    assert legend.mapTo(capacity, legend.rect().bottomLeft()).y() <= chart_top
    headers = [
        capacity.table.horizontalHeaderItem(c).text() for c in range(capacity.table.columnCount())
    ]
    assert headers == ["Week of", "Available (h)", "Booked (h)", "Utilisation"]
    week = capacity.weeks_shown[0]
    assert capacity.table.item(0, 1).text() == f"{week.available / 60:,.0f}"
    assert capacity.table.item(0, 0).text() == f"{week.week_start:%d/%m/%Y}"
    # a new number of weeks typed in the box redraws in the same units
    with qtbot.waitSignal(capacity.shown, timeout=5_000):
        capacity.weeks.selectAll()
        qtbot.keyClicks(capacity.weeks, "6")
        qtbot.keyClick(capacity.weeks, Qt.Key.Key_Return)
    assert capacity.table.rowCount() == 6
    assert export_view(capacity.table, tmp_path / "capacity.xlsx", "capacity") == 6
    rows = list(
        openpyxl.load_workbook(tmp_path / "capacity.xlsx").active.iter_rows(values_only=True)
    )
    assert rows[1][1] == pytest.approx(week.available / 60)
    assert isinstance(rows[1][0], date) and 0 <= rows[1][3] <= 2  # a share, typed
