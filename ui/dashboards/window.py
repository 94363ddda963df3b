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
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ui.dashboards.widgets import (
    Cell,
    DateBound,
    DrillDialog,
    Element,
    FrameModel,
    MultiPick,
    NumberAxis,
    Pointer,
    dashboard_plot,
    display_value,
    epoch_seconds,
    frame_rows,
    frame_table,
    is_missing,
    row_band,
    season_key,
    show_empty,
)
from ui.ops import OpContext, OpHandle, OpRunner
from ui.share_chart import COLOURS as PROCESS_COLOURS
from workbench.analytics import ALL, Analytics, Filters
from workbench.export import ExportError, export_table
from workbench.workspace import Workspace

Frames = dict[str, pd.DataFrame]

#: the tabs, in the order shown, by key (the key `shown` emits and `drill` takes)
TABS: tuple[str, ...] = ("orders", "lead_times", "prices", "capacity", "costs")
TITLES = {"orders": "Orders", "lead_times": "Lead times", "prices": "Prices",
          "capacity": "Capacity", "costs": "Cost structure"}  # fmt: skip
#: weeks ahead on the capacity heatmap
WEEKS = 12
#: the tables whose change can move a figure: a sync touching only others needs no refresh
SOURCE_TABLES = frozenset({"orders", "brands", "materials", "fx_rates", "cost_rates",
                           "capacity", "work_centres", "cost_sheets"})  # fmt: skip
#: one colour per brand, distinct enough side by side in a stacked bar
PALETTE = ("#2b6f97", "#d98c2b", "#4e9a5b", "#9b6bb3", "#c0392b", "#5fa3cc", "#e0a85a",
           "#1f3a4d", "#b35f8a", "#6b8e23", "#8cc0de", "#8a8f94")  # fmt: skip
#: utilisation colours: green while there is room, amber near full, red over-booked
HEAT = pg.ColorMap([0.0, 0.6, 0.8, 0.95, 1.2],
                   ["#3f7f4c", "#8cc04e", "#e0c45a", "#e0843a", "#b0281b"])  # fmt: skip
#: the key of one rate series, as `workbench.analytics.rates` defines it
RATE_SERIES = ("process", "rate_code", "material_id", "dye_class", "shade_depth", "technique",
               "basis", "currency")  # fmt: skip
RATE_COLUMNS = ("rate_code", "description", "material_code", "material_name", "technique",
                "dye_class", "shade_depth", "basis", "currency", "valid_from", "valid_to",
                "rate", "previous_rate", "change_pct", "source")  # fmt: skip
_TEXT = "#1b2a33"


@dataclass
class Tab:
    """The widgets of one dashboard tab and what it shows now."""

    key: str
    page: QWidget
    chart: pg.GraphicsLayoutWidget
    view: QTableView
    model: FrameModel
    note: QLabel
    pointer: Pointer
    plots: dict[str, pg.PlotItem] = field(default_factory=dict)
    #: the drawn series by name: bars per brand, curves, the heatmap image
    items: dict[str, Any] = field(default_factory=dict)
    #: the categories along the main axis (seasons, brands, processes, centres)
    categories: list[str] = field(default_factory=list)
    #: the frame shown in the table and exported by "Export data…"
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the drill-down cell of each table row (double-click drills like a click on the chart)
    row_cells: list[Cell] = field(default_factory=list)


# -- the computing, on a worker ------------------------------------------------------------------


def compute_tab(analytics: Analytics, tab: str, filters: Filters, option: str | None,
                ctx: OpContext) -> Frames:  # fmt: skip
    """The frames a tab draws, straight from `Analytics` (runs on a worker thread)."""
    if tab == "orders":
        seasons = analytics.order_history(filters, by=("season", "brand"))
        ctx.check()
        return {"seasons": seasons, "months": analytics.order_months(filters)}
    if tab == "lead_times":
        return {"lead": analytics.lead_times(filters, by=(option or "brand",))}
    if tab == "prices":
        return {"history": analytics.rate_history(filters)}
    if tab == "capacity":
        today = date.today()
        weeks = analytics.capacity(filters, start=today, weeks=WEEKS)
        ctx.check()
        return {
            "weeks": weeks,
            "heatmap": analytics.capacity_heatmap(filters, start=today, weeks=WEEKS),
        }
    if tab == "costs":
        structure = analytics.cost_structure(filters)
        ctx.check()
        return {"processes": analytics.cost_by_process(filters), "structure": structure}
    raise ValueError(f"no dashboard {tab!r}; choose from {', '.join(TABS)}")


def filter_options(analytics: Analytics) -> dict[str, list[str]]:
    """The brands, seasons and mills that have orders: what the filter bar offers."""
    out: dict[str, list[str]] = {}
    for name in ("brand", "season", "mill"):
        values = [v for v in analytics.order_history(ALL, by=(name,))[name].tolist() if v]
        out[name] = sorted(values, key=season_key) if name == "season" else sorted(values)
    return out


def drill_rows(analytics: Analytics, tab: str, filters: Filters, cell: Mapping[str, object]
               ) -> pd.DataFrame:  # fmt: skip
    """The rows behind one figure of ``tab`` (runs on a worker thread)."""
    cell = dict(cell)
    if tab == "orders":
        return analytics.order_rows(filters, **cell)
    if tab == "lead_times":
        return analytics.order_rows(filters, **{"lead_time": True, **cell})
    if tab == "prices":
        return analytics.rate_rows(filters, **cell)
    if tab == "capacity":
        return analytics.capacity_days(filters, centre=str(cell["centre"]), week=cell["week"])
    if tab == "costs":
        return analytics.cost_lines(filters, **cell)
    raise ValueError(f"no dashboard {tab!r}; choose from {', '.join(TABS)}")


# -- the window ----------------------------------------------------------------------------------


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
        self.drills: list[DrillDialog] = []
        self._shown_key: dict[str, tuple[Filters, str | None]] = {}
        self._pending: dict[str, tuple[int, tuple[Filters, str | None], OpHandle]] = {}
        self._seq = 0
        self._closed = False
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(250)
        self._debounce.timeout.connect(self.refresh)

        self._build_filter_bar()
        self.tabs = QTabWidget()
        self.tab: dict[str, Tab] = {key: self._build_tab(key) for key in TABS}
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

    def _build_filter_bar(self) -> None:
        self.brands = MultiPick("Brand")
        self.seasons = MultiPick("Season")
        self.mills = MultiPick("Mill")
        self.date_from = DateBound()
        self.date_to = DateBound()
        self.reset_button = QPushButton("All")
        self.reset_button.setToolTip("Clear every filter: all brands, seasons, dates and mills")
        self.reset_button.clicked.connect(self.reset_filters)
        for picker in (self.brands, self.seasons, self.mills):
            picker.changed.connect(self._debounce.start)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._debounce.start)
        bar = QHBoxLayout()
        bar.addWidget(self.brands)
        bar.addWidget(self.seasons)
        bar.addWidget(QLabel("Ordered from"))
        bar.addWidget(self.date_from)
        bar.addWidget(QLabel("to"))
        bar.addWidget(self.date_to)
        bar.addWidget(self.mills)
        bar.addWidget(self.reset_button)
        bar.addStretch(1)
        self.filter_bar = bar

    def _build_tab(self, key: str) -> Tab:
        chart = pg.GraphicsLayoutWidget()
        chart.setBackground("w")
        chart.setMinimumHeight(300)
        view, model = frame_table(key)
        note = QLabel()
        note.setWordWrap(True)
        note.setStyleSheet("color: #6c7a86")
        page = QWidget()
        layout = QVBoxLayout(page)
        tab = Tab(key, page, chart, view, model, note,
                  Pointer(chart, lambda element: self.drill(key, **element.cell)))  # fmt: skip
        if key == "lead_times":
            self.lead_by = QComboBox()
            self.lead_by.addItem("by brand", "brand")
            self.lead_by.addItem("by mill", "mill")
            self.lead_by.currentIndexChanged.connect(lambda _i: self.load("lead_times"))
            layout.addLayout(_row(QLabel("Promised against delivered"), self.lead_by))
        elif key == "prices":
            self.process = QComboBox()
            self.process.setMinimumWidth(160)
            self.process.currentIndexChanged.connect(self._on_process)
            layout.addLayout(_row(QLabel("Process:"), self.process))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(chart)
        split.addWidget(view)
        split.setSizes([480, 220])
        layout.addWidget(split, 1)
        layout.addWidget(note)
        view.doubleClicked.connect(lambda index: self._drill_row(key, index.row()))
        self._make_plots(tab)
        return tab

    def _make_plots(self, tab: Tab) -> None:
        chart = tab.chart
        if tab.key == "orders":
            tab.plots["seasons"] = dashboard_plot(chart, 0, 0, rowspan=2, title="Value by season",
                                         axes={"left": NumberAxis()})  # fmt: skip
            tab.plots["value"] = dashboard_plot(chart, 0, 1, title="Value by month",
                                       axes={"left": NumberAxis(),
                                             "bottom": pg.DateAxisItem(utcOffset=0)})  # fmt: skip
            tab.plots["pieces"] = dashboard_plot(chart, 1, 1, title="Pieces by month",
                                        axes={"left": NumberAxis(),
                                              "bottom": pg.DateAxisItem(utcOffset=0)})  # fmt: skip
            tab.plots["pieces"].setXLink(tab.plots["value"])
            tab.plots["seasons"].addLegend(offset=(8, 4), colCount=4, labelTextColor=_TEXT)
            chart.ci.layout.setColumnStretchFactor(0, 3)
            chart.ci.layout.setColumnStretchFactor(1, 2)
        elif tab.key == "lead_times":
            tab.plots["on_time"] = dashboard_plot(chart, 0, 0, title="Delivered on time (%)")
            tab.plots["late"] = dashboard_plot(chart, 0, 1, title="Median days late")
            tab.plots["late"].setYLink(tab.plots["on_time"])
            tab.plots["late"].getAxis("left").setStyle(showValues=False)
            for plot in tab.plots.values():
                plot.invertY(True)
                plot.showGrid(x=True, y=False, alpha=0.15)
        elif tab.key == "prices":
            plot = dashboard_plot(chart, 0, 0, axes={"bottom": pg.DateAxisItem(utcOffset=0)})
            plot.addLegend(offset=(8, 4), colCount=3, labelTextColor=_TEXT)
            tab.plots["rates"] = plot
        elif tab.key == "capacity":
            plot = dashboard_plot(chart, 0, 0, title=f"Utilisation, the next {WEEKS} weeks")
            plot.showGrid(x=False, y=False)
            plot.invertY(True)
            tab.plots["heat"] = plot
            self.colour_bar = pg.ColorBarItem(values=(0, 1.2), colorMap=HEAT, interactive=False,
                                              label="booked ÷ available")  # fmt: skip
            chart.addItem(self.colour_bar, row=0, col=1)
        elif tab.key == "costs":
            plot = dashboard_plot(chart, 0, 0, title="Share of cost per piece, by process")
            plot.showGrid(x=True, y=False, alpha=0.15)
            plot.setLabel("bottom", "share of cost", units="%")
            tab.plots["share"] = plot

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
        return Filters(brands=self.brands.selected(), seasons=self.seasons.selected(),
                       date_from=self.date_from.value(), date_to=self.date_to.value(),
                       mills=self.mills.selected())  # fmt: skip

    def set_filters(self, filters: Filters) -> None:
        """Show ``filters`` in the bar and compute the tab on screen for them."""
        self.brands.set_selected(filters.brands, emit=False)
        self.seasons.set_selected(filters.seasons, emit=False)
        self.mills.set_selected(filters.mills, emit=False)
        for edit, day in ((self.date_from, filters.date_from), (self.date_to, filters.date_to)):
            edit.blockSignals(True)
            edit.set_value(day)
            edit.blockSignals(False)
        self.refresh()

    def reset_filters(self) -> None:
        self.set_filters(ALL)

    def _load_options(self) -> None:
        analytics = self.analytics

        def done(options: dict[str, list[str]]) -> None:
            if self._closed:
                return
            self.brands.set_options(options["brand"])
            self.seasons.set_options(options["season"])
            self.mills.set_options(options["mill"])
            self.load()

        def failed(exc: BaseException) -> None:
            if not self._closed:
                self.status.setText(f"Could not read the filter choices: {exc}")
                self.load()

        self.ops.run(lambda _ctx: filter_options(analytics), success=done, failure=failed,
                     label="Reading dashboard filters", background=True)  # fmt: skip

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

    def _on_result(self, seq: int, tab: str, key: tuple[Filters, str | None],
                   frames: Frames) -> None:  # fmt: skip
        pending = self._pending.get(tab)
        if self._closed or pending is None or pending[0] != seq:
            return  # an answer to a selection since changed
        del self._pending[tab]
        self.frames[tab] = frames
        self.shown_filters[tab] = key[0]
        self._shown_key[tab] = key
        getattr(self, f"_render_{tab}")(self.tab[tab], frames, key[0])
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

    # -- rendering ---------------------------------------------------------------------------

    def _start(self, tab: Tab, table: pd.DataFrame, cells: list[Cell],
               columns: Sequence[str] | None = None) -> None:  # fmt: skip
        for plot in tab.plots.values():
            plot.clear()
        tab.pointer.clear()
        tab.items = {}
        tab.categories = []
        tab.table = table if columns is None else table[[c for c in columns if c in table]]
        tab.row_cells = cells
        tab.model.set_frame(tab.table)
        header = tab.view.horizontalHeader()  # keep the order the user chose, if any
        if 0 <= header.sortIndicatorSection() < tab.model.columnCount():
            tab.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        tab.view.resizeColumnsToContents()

    def _brand_colour(self, brand: str, brands: Sequence[str]) -> str:
        offered = self.brands.options()
        index = offered.index(brand) if brand in offered else list(brands).index(brand)
        return PALETTE[index % len(PALETTE)]

    def _render_orders(self, tab: Tab, frames: Frames, filters: Filters) -> None:
        seasons_frame, months = frames["seasons"], frames["months"]
        rows = {(r.season, r.brand): r for r in seasons_frame.itertuples(index=False)}
        cells: list[Cell] = [{"brand": b, "season": s} for s, b in zip(
            seasons_frame["season"], seasons_frame["brand"], strict=True)]  # fmt: skip
        self._start(tab, seasons_frame, cells)
        currency = seasons_frame.attrs.get("currency", self.currency)
        plot = tab.plots["seasons"]
        plot.setLabel("left", f"value ({currency})")
        seasons = sorted(set(seasons_frame["season"]), key=season_key)
        brands = sorted(set(seasons_frame["brand"]))
        tab.categories = seasons
        if not seasons:
            show_empty(plot, "No orders for this selection")
        values = seasons_frame.pivot(index="season", columns="brand", values="value")
        values = values.reindex(index=seasons, columns=brands).fillna(0.0)
        xs = np.arange(len(seasons), dtype=float)
        bottom = np.zeros(len(seasons))
        segments: list[tuple[str, np.ndarray, np.ndarray]] = []
        for brand in brands:
            heights = values[brand].to_numpy(dtype=float)
            bars = pg.BarGraphItem(x=xs, height=heights, y0=bottom.copy(), width=0.7,
                                   brush=self._brand_colour(brand, brands),
                                   pen=pg.mkPen("w", width=0.5), name=brand)  # fmt: skip
            plot.addItem(bars)
            tab.items[brand] = bars
            segments.append((brand, bottom.copy(), heights))
            bottom = bottom + heights
        plot.getAxis("bottom").setTicks([list(enumerate(seasons))])
        if seasons:
            plot.setXRange(-0.6, len(seasons) - 0.4, padding=0)
            plot.setYRange(0, float(bottom.max()) * 1.25 or 1.0, padding=0)

        def hit_bar(x: float, y: float) -> Element | None:
            i = round(x)
            if not (0 <= i < len(seasons) and abs(x - i) <= 0.35):
                return None
            for brand, y0, heights in segments:
                if heights[i] > 0 and y0[i] <= y <= y0[i] + heights[i]:
                    r = rows[(seasons[i], brand)]
                    return Element(f"{brand} · {seasons[i]}\n{r.value:,.0f} {currency}\n"
                                   f"{r.pieces:,} pieces in {r.orders:,} orders",
                                   {"brand": brand, "season": seasons[i]},
                                   f"Orders — {brand}, {seasons[i]}")  # fmt: skip
            return None

        tab.pointer.set(plot, hit_bar)
        self._render_months(tab, months, currency)
        notes = list(seasons_frame.attrs.get("notes", []))
        tab.note.setText(" · ".join(notes) or f"Values in {currency} at the order date's rates. "
                         "Click a bar or a month for its orders.")  # fmt: skip

    def _render_months(self, tab: Tab, months: pd.DataFrame, currency: str) -> None:
        stamps = epoch_seconds(months["month"])
        for name, column, colour in (("value", "value", "#2b6f97"),
                                     ("pieces", "pieces", "#d98c2b")):  # fmt: skip
            plot = tab.plots[name]
            plot.setLabel("left", f"value ({currency})" if name == "value" else "pieces")
            if not len(months):
                continue
            curve = plot.plot(stamps, months[column].to_numpy(dtype=float),
                              pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=5,
                              symbolBrush=colour, symbolPen=None)  # fmt: skip
            tab.items[f"months_{name}"] = curve

        def hit_month(x: float, _y: float) -> Element | None:
            if not len(stamps):
                return None
            i = int(np.argmin(np.abs(stamps - x)))
            if abs(stamps[i] - x) > 16 * 86_400:
                return None
            r = months.iloc[i]
            month = pd.Timestamp(r["month"])
            return Element(f"{month:%B %Y}\n{r['value']:,.0f} {currency}\n"
                           f"{int(r['pieces']):,} pieces in {int(r['orders']):,} orders",
                           {"month": f"{month:%Y-%m}"}, f"Orders — {month:%B %Y}")  # fmt: skip

        tab.pointer.set(tab.plots["value"], hit_month)
        tab.pointer.set(tab.plots["pieces"], hit_month)

    def _render_lead_times(self, tab: Tab, frames: Frames, filters: Filters) -> None:
        lead = frames["lead"]
        by = next(c for c in lead.columns if c not in (
            "orders", "on_time", "on_time_share", "mean_days_late", "median_days_late",
            "p90_days_late"))  # fmt: skip
        names = [str(n) for n in lead[by]]
        self._start(tab, lead, [{by: n} for n in names])
        tab.categories = names
        share = lead["on_time_share"].to_numpy(dtype=float) * 100
        late = lead["median_days_late"].to_numpy(dtype=float)
        ys = np.arange(len(names), dtype=float)
        on_time, days = tab.plots["on_time"], tab.plots["late"]
        if not names:
            show_empty(on_time, "No delivered orders for this selection")
        colours = ["#4e9a5b" if s >= 90 else "#e0a85a" if s >= 70 else "#c0392b"
                   for s in np.nan_to_num(share)]  # fmt: skip
        tab.items["on_time"] = pg.BarGraphItem(
            x0=0, y=ys, height=0.7, width=np.nan_to_num(share),
            brushes=[pg.mkBrush(c) for c in colours], pen=None)  # fmt: skip
        tab.items["late"] = pg.BarGraphItem(
            x0=0,
            y=ys,
            height=0.7,
            width=np.nan_to_num(late),
            pen=None,
            brushes=[pg.mkBrush("#c0392b" if d > 0 else "#4e9a5b") for d in np.nan_to_num(late)],
        )
        on_time.addItem(tab.items["on_time"])
        days.addItem(tab.items["late"])
        on_time.getAxis("left").setTicks([list(enumerate(names))])
        days.getAxis("left").setTicks([list(enumerate(names))])
        if names:
            on_time.setYRange(-0.6, len(names) - 0.4, padding=0)
            on_time.setXRange(0, 100, padding=0.02)
            low, high = float(np.nanmin([0, *late])), float(np.nanmax([0, *late]))
            days.setXRange(low - 1, high + 1, padding=0)

        def hit(_x: float, y: float) -> Element | None:
            i = row_band(names, y)
            if i is None:
                return None
            r = lead.iloc[i]
            return Element(
                f"{names[i]}\n{r['on_time_share']:.0%} on time ({int(r['on_time']):,} of "
                f"{int(r['orders']):,} delivered orders)\nmedian {r['median_days_late']:+.0f} "
                f"days, mean {r['mean_days_late']:+.1f}, p90 {r['p90_days_late']:+.0f}",
                {by: names[i]}, f"Delivered orders — {names[i]}")  # fmt: skip

        tab.pointer.set(on_time, hit)
        tab.pointer.set(days, hit)
        tab.note.setText(
            "Orders with both a promised and a delivered date; days late are "
            "delivered − promised (negative: early). Click a bar for its orders."
        )

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
            self._draw_prices(self.tab["prices"], self.frames["prices"]["history"],
                              self.shown_filters["prices"])  # fmt: skip
            self.shown.emit("prices")

    def _draw_prices(self, tab: Tab, history: pd.DataFrame, filters: Filters) -> None:
        process = self.process.currentText()
        rows = history[history["process"] == process].reset_index(drop=True)
        cells = [{k: r[k] for k in RATE_SERIES} for _, r in rows.iterrows()]
        self._start(tab, rows, cells, RATE_COLUMNS)
        plot = tab.plots["rates"]
        if not len(rows):
            show_empty(plot, "No rates for this selection")
            tab.note.setText("")
            return
        units = sorted({f"{c} {b}" for c, b in zip(rows["currency"], rows["basis"], strict=True)})
        plot.setLabel("left", f"rate ({units[0]})" if len(units) == 1 else "rate")
        end = pd.Timestamp(filters.date_to or date.today())
        series = list(rows.groupby(list(RATE_SERIES), sort=False, observed=True))
        points_x, points_y, points_row, brushes = [], [], [], []
        for n, (_key, part) in enumerate(series):
            colour = pg.intColor(n, hues=max(len(series), 9), values=1, maxValue=200)
            starts = epoch_seconds(part["valid_from"])
            last = max(end, pd.Timestamp(part["valid_from"].max()))
            edges = np.append(starts, epoch_seconds([last]))
            name = _series_name(part.iloc[0])
            curve = pg.PlotDataItem(edges, part["rate"].to_numpy(dtype=float), stepMode="center",
                                    pen=pg.mkPen(colour, width=2),
                                    name=name if len(series) <= 12 else None)  # fmt: skip
            plot.addItem(curve)
            tab.items[f"series {n}"] = curve
            points_x.extend(starts)
            points_y.extend(part["rate"].to_numpy(dtype=float))
            points_row.extend(part.index)
            brushes.extend([pg.mkBrush(colour)] * len(part))
        xs, ys = np.asarray(points_x), np.asarray(points_y)
        tab.items["versions"] = pg.ScatterPlotItem(xs, ys, size=7, brush=brushes, pen=None)
        plot.addItem(tab.items["versions"])
        tab.categories = [_series_name(part.iloc[0]) for _, part in series]
        right = float(epoch_seconds([max(end, pd.Timestamp(rows["valid_from"].max()))])[0])
        low, high = float(np.nanmin(ys)), float(np.nanmax(ys))
        span = (high - low) or abs(high) or 1.0
        # set now, not on the next paint: a hover (or a test) may map points before that
        plot.setXRange(float(xs.min()), right, padding=0.03)
        plot.setYRange(low - span * 0.08, high + span * 0.08, padding=0)

        def hit(x: float, y: float) -> Element | None:
            width, height = plot.getViewBox().viewPixelSize()
            if not len(xs) or not width or not height:
                return None
            distance = np.hypot((xs - x) / width, (ys - y) / height)
            i = int(np.argmin(distance))
            if distance[i] > 10:
                return None
            r = rows.loc[points_row[i]]
            change = ("first version" if is_missing(r["change_pct"])
                      else f"{r['change_pct']:+.1f} % on {r['previous_rate']:,.2f}")  # fmt: skip
            return Element(f"{_series_name(r)}\n{r['rate']:,.2f} {r['currency']} {r['basis']} "
                           f"from {pd.Timestamp(r['valid_from']):%d %b %Y}\n{change}",
                           {k: r[k] for k in RATE_SERIES},
                           f"Rate versions — {_series_name(r)}")  # fmt: skip

        tab.pointer.set(plot, hit)
        legend = "" if len(series) <= 12 else f"{len(series)} series (legend hidden). "
        tab.note.setText(f"{legend}Rates belong to no brand or season: only the date range and "
                         "mills apply. Click a point for its series' versions.")  # fmt: skip

    def _render_capacity(self, tab: Tab, frames: Frames, filters: Filters) -> None:
        weeks, heat = frames["weeks"], frames["heatmap"]
        cells: list[Cell] = [{"centre": c, "week": w} for c, w in zip(
            weeks["centre"], weeks["iso_week"], strict=True)]  # fmt: skip
        self._start(tab, weeks, cells)
        plot = tab.plots["heat"]
        centres = [str(c) for c in heat.index]
        labels = [str(w) for w in heat.columns]
        tab.categories = centres
        rows = {(r.centre, r.iso_week): r for r in weeks.itertuples(index=False)}
        values = heat.to_numpy(dtype=float)  # centre × week
        image = pg.ImageItem(values.T)  # pyqtgraph reads image[x, y]: x = week, y = centre
        image.setColorMap(HEAT)
        image.setLevels((0.0, 1.2))
        plot.addItem(image)
        self.colour_bar.setImageItem(image)
        tab.items["heatmap"] = image
        if not centres:
            show_empty(plot, "No work centres for this selection")
        for i in range(len(centres)):
            for j in range(len(labels)):
                if not math.isnan(values[i, j]):
                    text = pg.TextItem(f"{values[i, j]:.0%}", anchor=(0.5, 0.5),
                                       color="w" if values[i, j] >= 0.95 else _TEXT)  # fmt: skip
                    text.setPos(j + 0.5, i + 0.5)
                    plot.addItem(text)
        plot.getAxis("left").setTicks([[(i + 0.5, c) for i, c in enumerate(centres)]])
        plot.getAxis("bottom").setTicks([[(j + 0.5, w) for j, w in enumerate(labels)]])
        if centres:
            plot.setXRange(0, len(labels), padding=0)
            plot.setYRange(0, len(centres), padding=0)

        def hit(x: float, y: float) -> Element | None:
            i, j = math.floor(y), math.floor(x)
            if not (0 <= i < len(centres) and 0 <= j < len(labels)):
                return None
            r = rows[(centres[i], labels[j])]
            share = "nothing available" if is_missing(r.utilisation) else (
                f"{r.utilisation:.0%} booked")  # fmt: skip
            return Element(f"{r.centre} {r.centre_name} · {r.iso_week} (from {r.week:%d %b})\n"
                           f"{share}: {r.booked / 60:,.0f} h of {r.available / 60:,.0f} h",
                           {"centre": r.centre, "week": r.iso_week},
                           f"Capacity — {r.centre}, {r.iso_week}")  # fmt: skip

        tab.pointer.set(plot, hit)
        tab.note.setText("Booked ÷ available minutes per work centre and ISO week; empty: "
                         "nothing published. Of the filters only mills apply. Click a cell for "
                         "its days.")  # fmt: skip

    def _render_costs(self, tab: Tab, frames: Frames, filters: Filters) -> None:
        processes, structure = frames["processes"], frames["structure"]
        ordered = processes.sort_values("share", kind="stable").reset_index(drop=True)
        self._start(tab, processes, [{"process": p} for p in processes["process"]])
        plot = tab.plots["share"]
        names = [str(p) for p in ordered["process"]]
        tab.categories = names
        shares = ordered["share"].to_numpy(dtype=float) * 100
        currency = ", ".join(sorted(set(structure["currency"]))) or ""
        if not names:
            show_empty(plot, "No saved cost sheets for this selection")
        bars = pg.BarGraphItem(x0=0, y=np.arange(len(names)), height=0.7,
                               width=np.nan_to_num(shares), pen=None,
                               brushes=[pg.mkBrush(PROCESS_COLOURS.get(p, "#6c7a86"))
                                        for p in names])  # fmt: skip
        plot.addItem(bars)
        tab.items["share"] = bars
        for i, share in enumerate(shares):
            label = pg.TextItem(f"{share:.1f} %", color=_TEXT, anchor=(0, 0.5))
            label.setPos(float(np.nan_to_num(share)), i)
            plot.addItem(label)
        plot.getAxis("left").setTicks([list(enumerate(names))])
        if names:
            plot.setYRange(-0.6, len(names) - 0.4, padding=0)
            plot.setXRange(0, float(np.nanmax(shares)) * 1.2 or 1.0, padding=0)

        def hit(_x: float, y: float) -> Element | None:
            i = row_band(names, y)
            if i is None:
                return None
            r = ordered.iloc[i]
            return Element(f"{r['process']}: {r['share']:.1%} of the cost\n{r['amount']:,.2f} "
                           f"{currency} per piece, summed over {int(r['sheets'])} sheet(s)",
                           {"process": r["process"]}, f"Cost lines — {r['process']}")  # fmt: skip

        tab.pointer.set(plot, hit)
        skipped = processes.attrs.get("skipped", [])
        notes = [f"{len(set(structure['sheet_id']))} cost sheet(s), costed with the rates of "
                 "their costing date. Sheets have no season."]  # fmt: skip
        if skipped:
            notes.append("Left out: " + "; ".join(f"{s['style_code']} ({s['reason']})"
                                                    for s in skipped))  # fmt: skip
        tab.note.setText(" ".join(notes))

    # -- drill-down --------------------------------------------------------------------------

    def drill(self, tab: str, **cell: object) -> DrillDialog:
        """Open the rows behind the figure of ``tab`` at ``cell`` (brand and season, a month, a
        centre and week, …), read with the filters the figure was computed for. Clicks on the
        charts and double-clicks on the tables come here."""
        if tab not in TABS:
            raise ValueError(f"no dashboard {tab!r}; choose from {', '.join(TABS)}")
        filters = self.shown_filters.get(tab, ALL)
        what = ", ".join(display_value(v, k) for k, v in cell.items() if k in _TITLE_KEYS)
        dialog = DrillDialog(f"{TITLES[tab]} — {what or 'all'}", f"{tab}-rows", filters, cell,
                             self)  # fmt: skip
        self.drills.append(dialog)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        analytics = self.analytics

        def done(frame: pd.DataFrame) -> None:
            if dialog in self.drills:
                dialog.set_frame(frame)

        def failed(exc: BaseException) -> None:
            if dialog in self.drills:
                dialog.set_error(str(exc) or exc.__class__.__name__)

        self.ops.run(lambda _ctx: drill_rows(analytics, tab, filters, cell), success=done,
                     failure=failed, label="Reading rows", background=True)  # fmt: skip
        dialog.show()
        self.drilled.emit(dialog)
        return dialog

    def _forget(self, dialog: DrillDialog) -> None:
        if dialog in self.drills:
            self.drills.remove(dialog)
            dialog.deleteLater()

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
        chart = self.tab[tab or self.current_tab()].chart
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        exporter = pyqtgraph.exporters.ImageExporter(chart.scene())
        exporter.parameters()["width"] = max(int(chart.width()) * 2, 800)
        exporter.export(str(path))
        return path

    def export_data(self, path: Path | str, tab: str | None = None) -> int:
        """The table of ``tab`` (every row and column, numbers as numbers) to .xlsx or .csv."""
        state = self.tab[tab or self.current_tab()]
        return export_table(Path(path), *frame_rows(state.table))

    def _choose_png(self) -> None:
        tab = self.current_tab()
        path, _ = QFileDialog.getSaveFileName(self, "Export chart", f"{tab}.png", "PNG (*.png)")
        if path:
            try:
                self.export_png(path, tab)
            except OSError as exc:
                QMessageBox.warning(self, "Export chart", str(exc))

    def _choose_data(self) -> None:
        tab = self.current_tab()
        path, _ = QFileDialog.getSaveFileName(self, "Export data", f"{tab}.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv)")  # fmt: skip
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
        for dialog in list(self.drills):
            dialog.close()
        super().closeEvent(event)


_TITLE_KEYS = ("brand", "season", "mill", "month", "process", "rate_code", "centre", "week",
               "fabric_type")  # fmt: skip


def _row(*widgets: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout()
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return layout


def _series_name(row: Mapping[str, Any] | pd.Series) -> str:
    """A rate series as a buyer names it: its code and what it is for."""
    detail = [str(row[k]) for k in ("material_code", "technique", "dye_class", "shade_depth")
              if str(row.get(k, "") or "")]  # fmt: skip
    return " · ".join([str(row["rate_code"]), *detail[:2]])


def _reporting_currency() -> str:
    """The currency set in Settings (USD when the settings cannot be read)."""
    from workbench.settings import SettingsError, load_settings

    try:
        return load_settings().reporting_currency
    except (SettingsError, OSError, ValueError):
        return "USD"
