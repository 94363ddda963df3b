"""The price history chart: the versions of each rate series of one process as steps over
time, every version a point a click away from its series.

Apart from the other charts because a rate series is keyed differently (`RATE_SERIES`, the key
`workbench.analytics.rates` defines) and named as a buyer names it, not by brand or season.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg

from ui.dashboards.columns import is_missing
from ui.dashboards.pages import Tab, start
from ui.dashboards.widgets import Element, epoch_seconds, show_empty
from ui.formats import format_date
from workbench.analytics import Filters

#: the key of one rate series, as `workbench.analytics.rates` defines it
RATE_SERIES = (
    "process",
    "rate_code",
    "material_id",
    "dye_class",
    "shade_depth",
    "technique",
    "basis",
    "currency",
)
#: the columns of the prices table, in the order shown
RATE_COLUMNS = (
    "rate_code",
    "description",
    "material_code",
    "material_name",
    "technique",
    "dye_class",
    "shade_depth",
    "basis",
    "currency",
    "valid_from",
    "valid_to",
    "rate",
    "previous_rate",
    "change_pct",
    "source",
)


def draw_prices(tab: Tab, history: pd.DataFrame, process: str, filters: Filters) -> None:
    """The rate versions of ``process`` as steps, one series per rate; the range ends at the
    filters' last date (today when open), so a rate still valid reaches the right edge."""
    rows = history[history["process"] == process].reset_index(drop=True)
    cells = [{k: r[k] for k in RATE_SERIES} for _, r in rows.iterrows()]
    start(tab, rows, cells, RATE_COLUMNS)
    plot = tab.plots["rates"]
    if not len(rows):
        show_empty(plot, "No rates for this selection")
        tab.note.setText("")
        return
    units = sorted({f"{c} {b}" for c, b in zip(rows["currency"], rows["basis"], strict=True)})
    plot.setLabel("left", f"rate ({units[0]})" if len(units) == 1 else "rate")
    end = pd.Timestamp(filters.date_to or date.today())
    series = list(rows.groupby(list(RATE_SERIES), sort=False, observed=True))
    points_x: list[float] = []
    points_y: list[float] = []
    #: each point's row of ``rows``, by its label (the frame's index counts its rows)
    points_row: list[int] = []
    brushes: list[object] = []
    for n, (_key, part) in enumerate(series):
        colour = pg.intColor(n, hues=max(len(series), 9), values=1, maxValue=200)
        starts = epoch_seconds(part["valid_from"])
        last = max(end, pd.Timestamp(part["valid_from"].max()))
        edges = np.append(starts, epoch_seconds([last]))
        name = series_name(part.iloc[0])
        curve = pg.PlotDataItem(
            edges,
            part["rate"].to_numpy(dtype=float),
            stepMode="center",
            pen=pg.mkPen(colour, width=2),
            name=name if len(series) <= 12 else None,
        )
        plot.addItem(curve)
        tab.items[f"series {n}"] = curve
        points_x.extend(starts)
        points_y.extend(part["rate"].to_numpy(dtype=float))
        points_row.extend(part.index)
        brushes.extend([pg.mkBrush(colour)] * len(part))
    xs, ys = np.asarray(points_x), np.asarray(points_y)
    tab.items["versions"] = pg.ScatterPlotItem(xs, ys, size=7, brush=brushes, pen=None)
    plot.addItem(tab.items["versions"])
    tab.categories = [series_name(part.iloc[0]) for _, part in series]
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
        assert isinstance(r, pd.Series)  # one row: the frame's index counts its rows
        change = (
            "first version"
            if is_missing(r["change_pct"])
            else f"{r['change_pct']:+.1f} % on {r['previous_rate']:,.2f}"
        )
        return Element(
            f"{series_name(r)}\n{r['rate']:,.2f} {r['currency']} {r['basis']} "
            f"from {format_date(pd.Timestamp(r['valid_from']))}\n{change}",
            {k: r[k] for k in RATE_SERIES},
            f"Rate versions — {series_name(r)}",
        )

    tab.pointer.set(plot, hit)
    legend = "" if len(series) <= 12 else f"{len(series)} series (legend hidden). "
    tab.note.setText(
        f"{legend}Rates belong to no brand or season: only the date range and "
        "mills apply. Click a point for its series' versions."
    )


def series_name(row: Mapping[str, Any] | pd.Series) -> str:
    """A rate series as a buyer names it: its code and what it is for."""
    detail = [
        str(row[k])
        for k in ("material_code", "technique", "dye_class", "shade_depth")
        if str(row.get(k, "") or "")
    ]
    return " · ".join([str(row["rate_code"]), *detail[:2]])
