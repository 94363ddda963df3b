"""Dashboards (orders, lead times, prices, capacity, cost structure) over the replica, each a
chart and its table, narrowed by one filter bar, every figure a click away from its rows.

The window only presents: every figure comes from `workbench.analytics.Analytics`, computed on
a worker (``ops.run(..., background=True)``) so a million orders never freeze the window. Why
the loading is shaped as it is:

- Only the tab on screen is computed; another tab is computed when it is opened, so a filter
  change costs one dashboard, not five (the results are cached, so coming back is instant).
- Every request carries a number; a result is shown only if it answers the newest request of
  its tab. A slow answer to an old selection can therefore never overwrite a newer one.
- Drill-downs read with the filters the chart was computed with, not the filter bar's current
  state (which may be a selection still being computed): the rows are those behind the figure
  that was clicked.

This module holds the window: its state, the requests and their numbers, menus and dialogs.
What runs on the worker is in `tabs`; the filter bar in `filter_bar`; a tab's page in `pages`,
drawn by `charts` and `rate_chart` in the colours of `style`; the drill-down dialogs in
`drilldown`; the pieces all of these are built of in `widgets`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pandas as pd
from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.dashboards.charts import draw_capacity, draw_costs, draw_lead_times, draw_orders
from ui.dashboards.columns import frame_rows
from ui.dashboards.drilldown import Drills
from ui.dashboards.filter_bar import FilterBar, describe, filter_options
from ui.dashboards.pages import Tab, build_page, chart_png
from ui.dashboards.rate_chart import RATE_SERIES, draw_prices
from ui.dashboards.tabs import (
    SOURCE_TABLES,
    TABS,
    TITLES,
    Frames,
    compute_tab,
    drill_rows,
    unknown_tab,
)
from ui.dashboards.widgets import DrillDialog
from ui.file_dialogs import ask_save_path
from ui.ops import OpContext, OpHandle, OpRunner
from ui.wheel_guard import guard_wheel
from workbench.analytics import ALL, Analytics, Filters
from workbench.export import ExportError, export_table
from workbench.workspace import Workspace

#: with the window, the names `ui.dashboards` and the tests import from here
__all__ = ["RATE_SERIES", "TABS", "DashboardsWindow", "compute_tab", "drill_rows"]


class DashboardsWindow(QMainWindow):
    """Five dashboards over the workspace's replica, one filter bar for all of them."""

    #: a tab's data is on screen (its key)
    shown = Signal(str)
    #: a drill-down dialog was opened (the `DrillDialog`; its rows follow with ``loaded``)
    drilled = Signal(object)
    #: a request failed: tab key and message
    failed = Signal(str, str)

    #: what computes a tab on the worker (a seam for tests that need a slow answer)
    compute: Callable[[Analytics, str, Filters, str | None, OpContext], Frames] = staticmethod(
        compute_tab
    )
    #: the line under the tabs saying what a request came to (made after the filter bar,
    #: whose date fields write to it)
    status: QLabel

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        parent: QWidget | None = None,
        *,
        currency: str | None = None,
        analytics: Analytics | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Dashboards — Mill Workbench")
        self.resize(1280, 820)
        self.workspace, self.ops = workspace, ops
        if analytics is None:
            analytics = Analytics(workspace.replica, currency=currency or _reporting_currency())
        self.analytics = analytics
        self.currency = analytics.currency
        #: the frames each tab shows now, by tab key
        self.frames: dict[str, Frames] = {}
        #: the filters each tab's frames were computed for
        self.shown_filters: dict[str, Filters] = {}
        self._drills = Drills(self, ops, analytics)
        #: the drill-down dialogs open now (`drill` opens one)
        self.drills: list[DrillDialog] = self._drills.dialogs
        self._shown_key: dict[str, tuple[Filters, str | None]] = {}
        self._pending: dict[str, tuple[int, tuple[Filters, str | None], OpHandle]] = {}
        self._seq = 0
        self._closed = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)

        self.filter_bar = FilterBar(self._debounce.start, self.reset_filters)
        bar = self.filter_bar  # its parts stay the window's attributes, as tests reach them
        self.brands, self.seasons, self.mills = bar.brands, bar.seasons, bar.mills
        self.date_from, self.date_to = bar.date_from, bar.date_to
        self.reset_button = bar.reset_button
        for edit in (self.date_from, self.date_to):
            edit.refused.connect(lambda why: self.status.setText(f"Dates: {why}"))
        self.tabs = QTabWidget()
        self.tab: dict[str, Tab] = {key: self._build_tab(key) for key in TABS}
        self.colour_bar = self.tab["capacity"].colour_bar
        for key in TABS:
            self.tabs.addTab(self.tab[key].page, TITLES[key])
        self.tabs.currentChanged.connect(lambda i: self.load(TABS[i]))
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(self.filter_bar)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(body)
        self.status = QLabel()
        self.statusBar().addWidget(self.status, 1)
        self._build_menus()
        self.ops.replica_changed.connect(self._on_replica_changed)
        self._load_options()

    # -- building ----------------------------------------------------------------------------

    def _build_tab(self, key: str) -> Tab:
        """A tab's page (`pages`), with the options of the two tabs that have any: the window
        holds them, as a change of either is a request of its own."""
        options: list[QWidget] = []
        if key == "lead_times":
            self.lead_by = QComboBox()
            self.lead_by.addItem("by brand", "brand")
            self.lead_by.addItem("by mill", "mill")
            self.lead_by.currentIndexChanged.connect(lambda _i: self.load("lead_times"))
            guard_wheel(self.lead_by)
            options = [QLabel("Promised against delivered"), self.lead_by]
        elif key == "prices":
            self.process = QComboBox()
            self.process.setMinimumWidth(160)
            self.process.currentIndexChanged.connect(self._on_process)
            guard_wheel(self.process)
            options = [QLabel("Process:"), self.process]
        tab = build_page(key, lambda element: self.drill(key, **element.cell), options)
        tab.view.doubleClicked.connect(lambda index: self._drill_row(key, index.row()))
        return tab

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.png_action = QAction("Export chart as PNG…", self)
        self.png_action.setShortcut(QKeySequence("Ctrl+Shift+P"))
        self.png_action.triggered.connect(self._choose_png)
        self.data_action = QAction("Export data…", self)
        self.data_action.setShortcut(QKeySequence("Ctrl+E"))
        self.data_action.triggered.connect(self._choose_data)
        close = QAction("Close", self)
        close.setShortcut(QKeySequence.StandardKey.Close)
        close.triggered.connect(self.close)
        file_menu.addActions([self.png_action, self.data_action])
        file_menu.addSeparator()
        file_menu.addAction(close)
        view_menu = self.menuBar().addMenu("&View")
        refresh = QAction("Refresh", self)
        refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        refresh.triggered.connect(lambda: self.refresh(force=True))
        reset = QAction("All (clear filters)", self)
        reset.triggered.connect(self.reset_filters)
        view_menu.addActions([refresh, reset])

    # -- filters -----------------------------------------------------------------------------

    def filters(self) -> Filters:
        """The filter bar's selection (ValueError when the date range is backwards)."""
        return self.filter_bar.filters()

    def set_filters(self, filters: Filters) -> None:
        """Show ``filters`` in the bar and compute the tab on screen for them."""
        self.filter_bar.show_filters(filters)
        self.refresh()

    def reset_filters(self) -> None:
        self.set_filters(ALL)

    def _load_options(self) -> None:
        analytics = self.analytics

        def done(options: dict[str, list[str]]) -> None:
            if self._closed:
                return
            self.filter_bar.set_options(options)
            self.load()

        def failed(exc: BaseException) -> None:
            if not self._closed:
                self.status.setText(f"Could not read the filter choices: {exc}")
                self.load()

        self.ops.run(
            lambda _ctx: filter_options(analytics),
            success=done,
            failure=failed,
            label="Reading dashboard filters",
            background=True,
        )

    # -- loading -----------------------------------------------------------------------------

    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()]

    def show_tab(self, tab: str) -> None:
        """Bring ``tab`` to the front (it is computed if its figures are not up to date)."""
        self.tabs.setCurrentIndex(TABS.index(tab))

    def _key(self, tab: str, filters: Filters) -> tuple[Filters, str | None]:
        option = str(self.lead_by.currentData()) if tab == "lead_times" else None
        return (filters, option)

    def refresh(self, *, force: bool = False) -> None:
        """Compute the tab on screen for the filter bar's selection (the others when opened)."""
        self._debounce.stop()
        if force:
            self._shown_key.clear()
        self.load(force=force)

    def load(self, tab: str | None = None, *, force: bool = False) -> int | None:
        """Start computing ``tab`` (the one on screen when None) unless what it shows, or what
        is on its way, is already for this selection; returns the request's number."""
        tab = tab or self.current_tab()
        try:
            filters = self.filters()
        except ValueError as exc:
            self.status.setText(str(exc))
            return None
        key = self._key(tab, filters)
        pending = self._pending.get(tab)
        if not force and (self._shown_key.get(tab) == key or (pending and pending[1] == key)):
            return pending[0] if pending else None
        if pending is not None:
            pending[2].cancel()  # a stale answer is ignored anyway; this spares the work
        self._seq += 1
        seq, analytics, compute, option = self._seq, self.analytics, self.compute, key[1]
        handle = self.ops.run(
            lambda ctx: compute(analytics, tab, filters, option, ctx),
            success=lambda frames: self._on_result(seq, tab, key, frames),
            failure=lambda exc: self._on_failed(seq, tab, exc),
            label=f"Computing {TITLES[tab].lower()}",
            background=True,
        )
        self._pending[tab] = (seq, key, handle)
        self.status.setText(f"Computing {TITLES[tab].lower()}…")
        return seq

    def _on_result(
        self, seq: int, tab: str, key: tuple[Filters, str | None], frames: Frames
    ) -> None:
        pending = self._pending.get(tab)
        if self._closed or pending is None or pending[0] != seq:
            return  # an answer to a selection since changed
        del self._pending[tab]
        self.frames[tab] = frames
        self.shown_filters[tab] = key[0]
        self._shown_key[tab] = key
        self._draw(tab, frames, key[0])
        if tab == self.current_tab():
            self.status.setText("")
        self.shown.emit(tab)

    def _on_failed(self, seq: int, tab: str, exc: BaseException) -> None:
        pending = self._pending.get(tab)
        if self._closed or pending is None or pending[0] != seq:
            return
        del self._pending[tab]
        message = str(exc) or exc.__class__.__name__
        self.status.setText(f"{TITLES[tab]}: {message}")
        self.failed.emit(tab, message)

    def _on_replica_changed(self, tables: frozenset[str]) -> None:
        if not self._closed and tables & SOURCE_TABLES:
            self._shown_key.clear()  # other tabs recompute when opened
            self.load(force=True)

    # -- drawing -----------------------------------------------------------------------------

    def _draw(self, tab: str, frames: Frames, filters: Filters) -> None:
        """Draw a tab's frames into its chart and table (`charts`, `rate_chart`)."""
        state = self.tab[tab]
        if tab == "orders":
            end = min(filters.date_to or date.today(), date.today())
            draw_orders(state, frames, self.currency, self.brands.options(), end)
        elif tab == "lead_times":
            draw_lead_times(state, frames)
        elif tab == "prices":
            self._render_prices(state, frames, filters)
        elif tab == "capacity":
            draw_capacity(state, frames)
        elif tab == "costs":
            draw_costs(state, frames)

    def _render_prices(self, tab: Tab, frames: Frames, filters: Filters) -> None:
        history = frames["history"]
        processes = sorted(set(history["process"]))
        chosen = self.process.currentText()
        self.process.blockSignals(True)
        self.process.clear()
        self.process.addItems(processes)
        if chosen in processes:
            self.process.setCurrentText(chosen)
        self.process.blockSignals(False)
        self._draw_prices(tab, history, filters)

    def _on_process(self, _index: int) -> None:
        if "prices" in self.frames:
            self._draw_prices(
                self.tab["prices"], self.frames["prices"]["history"], self.shown_filters["prices"]
            )
            self.shown.emit("prices")

    def _draw_prices(self, tab: Tab, history: pd.DataFrame, filters: Filters) -> None:
        draw_prices(tab, history, self.process.currentText(), filters)

    # -- drill-down --------------------------------------------------------------------------

    def drill(self, tab: str, **cell: object) -> DrillDialog:
        """Open the rows behind the figure of ``tab`` at ``cell`` (brand and season, a month, a
        centre and week, …), read with the filters the figure was computed for. Clicks on the
        charts and double-clicks on the tables come here."""
        if tab not in TABS:
            raise unknown_tab(tab)
        dialog = self._drills.open(tab, self.shown_filters.get(tab, ALL), cell)
        self.drilled.emit(dialog)
        return dialog

    def _drill_row(self, tab: str, row: int) -> None:
        state = self.tab[tab]
        if 0 <= row < state.model.rowCount():
            position = state.model.source_row(row)  # the table may have been sorted
            if position < len(state.row_cells):
                self.drill(tab, **state.row_cells[position])

    # -- export ------------------------------------------------------------------------------

    def export_png(self, path: Path | str, tab: str | None = None) -> Path:
        """The chart of ``tab`` (the one on screen when None) as a PNG, at twice the screen's
        size so it stays sharp in a slide."""
        return chart_png(self.tab[tab or self.current_tab()].chart, path)

    def export_data(self, path: Path | str, tab: str | None = None) -> int:
        """The table of ``tab`` (every row and column, as headed on screen; numbers, money
        and dates typed) to .xlsx or .csv, under a header block saying which dashboard, for
        which selection, from which workspace and when."""
        tab = tab or self.current_tab()
        state = self.tab[tab]
        filters = self.shown_filters.get(tab, ALL)
        header = [
            ("Dashboard", TITLES[tab]),
            ("Selection", describe(filters)),
            ("Workspace", self.workspace.root.name),
            ("Exported", datetime.now().replace(microsecond=0)),
        ]
        return export_table(
            Path(path),
            *frame_rows(state.table, state.model.currency),
            sheet_name=TITLES[tab],
            header=header,
        )

    def _choose_png(self) -> None:
        tab = self.current_tab()
        path = ask_save_path(self, "Export chart", f"{tab}.png", "PNG (*.png)")
        if path:
            try:
                self.export_png(path, tab)
            except OSError as exc:
                QMessageBox.warning(self, "Export chart", str(exc))

    def _choose_data(self) -> None:
        tab = self.current_tab()
        path = ask_save_path(self, "Export data", f"{tab}.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            try:
                self.export_data(path, tab)
            except (ExportError, OSError) as exc:
                QMessageBox.warning(self, "Export data", str(exc))

    # -- closing -----------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        self._closed = True
        self._debounce.stop()
        for _seq, _key, handle in self._pending.values():
            handle.cancel()
        self._pending.clear()
        with contextlib.suppress(RuntimeError, TypeError):  # already disconnected
            self.ops.replica_changed.disconnect(self._on_replica_changed)
        self._drills.close_all()
        super().closeEvent(event)


def _reporting_currency() -> str:
    """The currency set in Settings (USD when the settings cannot be read)."""
    from workbench.settings import SettingsError, load_settings

    try:
        return load_settings().reporting_currency
    except (SettingsError, OSError, ValueError):
        return "USD"
