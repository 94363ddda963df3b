"""The page of one dashboard tab: what it is made of (`Tab`), how it is built and its plots
laid out, how it is cleared for a new drawing, and its chart as a PNG.

Apart from the drawing (`charts`, `rate_chart`) because every tab shares this frame whatever
it draws, and apart from the window so the window only wires a page to its requests.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSplitter, QTableView, QVBoxLayout, QWidget

from ui.dashboards.style import HEAT, TEXT
from ui.dashboards.tabs import WEEKS
from ui.dashboards.widgets import (
    Cell,
    Element,
    FrameModel,
    NumberAxis,
    Pointer,
    dashboard_plot,
    frame_table,
)


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
    #: the capacity heatmap's colour scale, made once and pointed at each new image
    colour_bar: pg.ColorBarItem | None = None


def build_page(
    key: str, on_click: Callable[[Element], object], options: Sequence[QWidget] = ()
) -> Tab:
    """The page of tab ``key``: a row of its ``options`` (when it has any) over its chart and
    table, split so either can be given more room, and a note below; its plots laid out, empty.
    ``on_click`` is called with the element clicked on the chart."""
    chart = pg.GraphicsLayoutWidget()
    chart.setBackground("w")
    chart.setMinimumHeight(300)
    view, model = frame_table(key)
    note = QLabel()
    note.setWordWrap(True)
    note.setStyleSheet("color: #6c7a86")
    page = QWidget()
    layout = QVBoxLayout(page)
    tab = Tab(key, page, chart, view, model, note, Pointer(chart, on_click))
    if options:
        layout.addLayout(_row(*options))
    split = QSplitter(Qt.Orientation.Vertical)
    split.addWidget(chart)
    split.addWidget(view)
    split.setSizes([480, 220])
    layout.addWidget(split, 1)
    layout.addWidget(note)
    make_plots(tab)
    return tab


def make_plots(tab: Tab) -> None:
    """Lay out the plots of ``tab``'s chart, empty: the ``draw_*`` functions fill them."""
    chart = tab.chart
    if tab.key == "orders":
        tab.plots["seasons"] = dashboard_plot(
            chart, 0, 0, rowspan=2, title="Value by season", axes={"left": NumberAxis()}
        )
        tab.plots["value"] = dashboard_plot(
            chart,
            0,
            1,
            title="Value by month",
            axes={"left": NumberAxis(), "bottom": pg.DateAxisItem(utcOffset=0)},
        )
        tab.plots["pieces"] = dashboard_plot(
            chart,
            1,
            1,
            title="Pieces by month",
            axes={"left": NumberAxis(), "bottom": pg.DateAxisItem(utcOffset=0)},
        )
        tab.plots["pieces"].setXLink(tab.plots["value"])
        tab.plots["seasons"].addLegend(offset=(8, 4), colCount=4, labelTextColor=TEXT)
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
        plot.addLegend(offset=(8, 4), colCount=3, labelTextColor=TEXT)
        tab.plots["rates"] = plot
    elif tab.key == "capacity":
        plot = dashboard_plot(chart, 0, 0, title=f"Utilisation, the next {WEEKS} weeks")
        plot.showGrid(x=False, y=False)
        plot.invertY(True)
        tab.plots["heat"] = plot
        tab.colour_bar = pg.ColorBarItem(
            values=(0, 1.2), colorMap=HEAT, interactive=False, label="booked ÷ available"
        )
        chart.addItem(tab.colour_bar, row=0, col=1)
    elif tab.key == "costs":
        plot = dashboard_plot(chart, 0, 0, title="Share of cost per piece, by process")
        plot.showGrid(x=True, y=False, alpha=0.15)
        plot.setLabel("bottom", "share of cost", units="%")
        tab.plots["share"] = plot


def start(
    tab: Tab,
    table: pd.DataFrame,
    cells: list[Cell],
    columns: Sequence[str] | None = None,
    currency: str | None = None,
) -> None:
    """Clear ``tab``'s plots and show ``table`` (its ``columns``, when given) below them,
    money in ``currency`` (by default the table's own); ``cells`` are the drill-downs of its
    rows. The drawing follows."""
    for plot in tab.plots.values():
        plot.clear()
    tab.pointer.clear()
    tab.items = {}
    tab.categories = []
    tab.table = table if columns is None else table[[c for c in columns if c in table]]
    tab.row_cells = cells
    tab.model.set_frame(tab.table, currency=currency)
    header = tab.view.horizontalHeader()  # keep the order the user chose, if any
    if 0 <= header.sortIndicatorSection() < tab.model.columnCount():
        tab.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
    tab.view.resizeColumnsToContents()


def chart_png(chart: pg.GraphicsLayoutWidget, path: Path | str) -> Path:
    """``chart`` as a PNG, at twice the screen's size so it stays sharp in a slide."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    exporter = pyqtgraph.exporters.ImageExporter(chart.scene())
    exporter.parameters()["width"] = max(int(chart.width()) * 2, 800)
    exporter.export(str(path))
    return path


def _row(*widgets: QWidget) -> QHBoxLayout:
    layout = QHBoxLayout()
    for widget in widgets:
        layout.addWidget(widget)
    layout.addStretch(1)
    return layout
