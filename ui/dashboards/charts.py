"""The dashboards' charts: how each tab's frames are drawn into its page, with the hover text
and drill-down cell of every bar, point and heatmap cell. The price history has its own
module, `rate_chart`; the page they draw into is in `pages`.

Plain functions of a `Tab` and its frames, apart from the window: the window decides what to
compute and when; these only draw what they are given.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import Qt

from ui.dashboards.columns import is_missing
from ui.dashboards.pages import Tab, start
from ui.dashboards.style import HEAT, PALETTE, PROCESS_COLOURS, TEXT
from ui.dashboards.tabs import Frames
from ui.dashboards.widgets import (
    Cell,
    Element,
    epoch_seconds,
    row_band,
    season_key,
    show_empty,
)
from ui.formats import format_date, format_integer, format_money, format_month, format_percent
from workbench.analytics.orders import month_to_date


def _brand_colour(brand: str, brands: Sequence[str], offered: Sequence[str]) -> str:
    """A brand's colour by its place among the brands ``offered`` by the filter bar, so it
    keeps its colour whichever brands are selected."""
    index = offered.index(brand) if brand in offered else list(brands).index(brand)
    return PALETTE[index % len(PALETTE)]


def draw_orders(
    tab: Tab, frames: Frames, currency: str, offered: Sequence[str], end: date | None = None
) -> None:
    """Value by season, stacked by brand, beside value and pieces by month; ``currency`` is
    the reporting currency, for when the frame does not name its own; ``end`` the last day
    the figures take in (today, or the range's end): a month not over then is marked as to
    date."""
    seasons_frame, months = frames["seasons"], frames["months"]
    # a frame's row as a named tuple: pandas' stubs type its fields as any scalar at all
    rows: dict[tuple[object, object], Any] = {
        (r.season, r.brand): r for r in seasons_frame.itertuples(index=False)
    }
    cells: list[Cell] = [
        {"brand": b, "season": s}
        for s, b in zip(seasons_frame["season"], seasons_frame["brand"], strict=True)
    ]
    start(tab, seasons_frame, cells)
    currency = seasons_frame.attrs.get("currency", currency)
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
        bars = pg.BarGraphItem(
            x=xs,
            height=heights,
            y0=bottom.copy(),
            width=0.7,
            brush=_brand_colour(brand, brands, offered),
            pen=pg.mkPen("w", width=0.5),
            name=brand,
        )
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
                return Element(
                    f"{brand} · {seasons[i]}\n{format_money(r.value, currency, 0)}\n"
                    f"{format_integer(r.pieces)} pieces in "
                    f"{format_integer(r.orders)} orders",
                    {"brand": brand, "season": seasons[i]},
                    f"Orders — {brand}, {seasons[i]}",
                )
        return None

    tab.pointer.set(plot, hit_bar)
    end = end or date.today()
    partial = _draw_months(tab, months, currency, end)
    notes = list(seasons_frame.attrs.get("notes", [])) or [
        f"Values in {currency} at the order date's rates. Click a bar or a month for its orders."
    ]
    if partial:
        notes.append(
            f"{format_month(partial)} is to date (up to {format_date(end)}): the month "
            "is not over, so its figures are not a whole month's."
        )
    tab.note.setText(" · ".join(notes))


def _draw_months(tab: Tab, months: pd.DataFrame, currency: str, end: date) -> date | None:
    """Value and pieces month by month; a last month not over at ``end`` is drawn apart
    (a dashed line to a hollow point labelled "to date") so it does not read as a fall.
    Returns that month, if any."""
    stamps = epoch_seconds(months["month"])
    last = pd.Timestamp(months["month"].iloc[-1]).date() if len(months) else None
    partial = last if last is not None and month_to_date(last, end) else None
    whole = len(months) - (1 if partial else 0)
    for name, column, colour in (("value", "value", "#2b6f97"), ("pieces", "pieces", "#d98c2b")):
        plot = tab.plots[name]
        plot.setLabel("left", f"value ({currency})" if name == "value" else "pieces")
        if not len(months):
            continue
        ys = months[column].to_numpy(dtype=float)
        curve = plot.plot(
            stamps[:whole],
            ys[:whole],
            pen=pg.mkPen(colour, width=2),
            symbol="o",
            symbolSize=5,
            symbolBrush=colour,
            symbolPen=None,
        )
        tab.items[f"months_{name}"] = curve
        if partial:
            lighter = pg.mkColor(colour)
            lighter.setAlpha(150)
            dashed = plot.plot(
                stamps[max(whole - 1, 0) :],
                ys[max(whole - 1, 0) :],
                pen=pg.mkPen(lighter, width=2, style=Qt.PenStyle.DashLine),
            )
            plot.plot(
                stamps[-1:],
                ys[-1:],
                pen=None,
                symbol="o",
                symbolSize=7,
                symbolBrush="w",
                symbolPen=pg.mkPen(colour, width=1.5),
            )
            label = pg.TextItem("(to date)", color=colour, anchor=(1.0, 1.0))
            label.setPos(float(stamps[-1]), float(ys[-1]))
            plot.addItem(label)
            tab.items[f"months_{name}_to_date"] = dashed
            tab.items[f"months_{name}_label"] = label

    def hit_month(x: float, _y: float) -> Element | None:
        if not len(stamps):
            return None
        i = int(np.argmin(np.abs(stamps - x)))
        if abs(stamps[i] - x) > 16 * 86_400:
            return None
        r = months.iloc[i]
        month = pd.Timestamp(r["month"])
        to_date = f", to date (up to {format_date(end)})" if partial and i == whole else ""
        return Element(
            f"{format_month(month)}{to_date}\n{format_money(r['value'], currency, 0)}"
            f"\n{format_integer(r['pieces'])} pieces in "
            f"{format_integer(r['orders'])} orders",
            {"month": f"{month:%Y-%m}"},
            f"Orders — {format_month(month)}",
        )

    tab.pointer.set(tab.plots["value"], hit_month)
    tab.pointer.set(tab.plots["pieces"], hit_month)
    return partial


def draw_lead_times(tab: Tab, frames: Frames) -> None:
    """Share delivered on time and median days late, one bar per brand (or mill)."""
    lead = frames["lead"]
    by = next(
        c
        for c in lead.columns
        if c
        not in (
            "orders",
            "on_time",
            "on_time_share",
            "mean_days_late",
            "median_days_late",
            "p90_days_late",
        )
    )
    names = [str(n) for n in lead[by]]
    start(tab, lead, [{by: n} for n in names])
    tab.categories = names
    share = lead["on_time_share"].to_numpy(dtype=float) * 100
    late = lead["median_days_late"].to_numpy(dtype=float)
    ys = np.arange(len(names), dtype=float)
    on_time, days = tab.plots["on_time"], tab.plots["late"]
    if not names:
        show_empty(on_time, "No delivered orders for this selection")
    colours = [
        "#4e9a5b" if s >= 90 else "#e0a85a" if s >= 70 else "#c0392b" for s in np.nan_to_num(share)
    ]
    tab.items["on_time"] = pg.BarGraphItem(
        x0=0,
        y=ys,
        height=0.7,
        width=np.nan_to_num(share),
        brushes=[pg.mkBrush(c) for c in colours],
        pen=None,
    )
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
            {by: names[i]},
            f"Delivered orders — {names[i]}",
        )

    tab.pointer.set(on_time, hit)
    tab.pointer.set(days, hit)
    tab.note.setText(
        "Orders with both a promised and a delivered date; days late are "
        "delivered − promised (negative: early). Click a bar for its orders."
    )


def draw_capacity(tab: Tab, frames: Frames) -> None:
    """Utilisation per work centre and week as a heatmap, each cell labelled."""
    weeks, heat = frames["weeks"], frames["heatmap"]
    cells: list[Cell] = [
        {"centre": c, "week": w} for c, w in zip(weeks["centre"], weeks["iso_week"], strict=True)
    ]
    start(tab, weeks, cells)
    plot = tab.plots["heat"]
    centres = [str(c) for c in heat.index]
    labels = [str(w) for w in heat.columns]
    tab.categories = centres
    rows: dict[tuple[object, object], Any] = {  # a frame's row: see draw_orders
        (r.centre, r.iso_week): r for r in weeks.itertuples(index=False)
    }
    values = heat.to_numpy(dtype=float)  # centre × week
    image = pg.ImageItem(values.T)  # pyqtgraph reads image[x, y]: x = week, y = centre
    image.setColorMap(HEAT)
    image.setLevels((0.0, 1.2))
    plot.addItem(image)
    if tab.colour_bar is not None:
        tab.colour_bar.setImageItem(image)
    tab.items["heatmap"] = image
    if not centres:
        show_empty(plot, "No work centres for this selection")
    for i in range(len(centres)):
        for j in range(len(labels)):
            if not math.isnan(values[i, j]):
                text = pg.TextItem(
                    f"{values[i, j]:.0%}",
                    anchor=(0.5, 0.5),
                    color="w" if values[i, j] >= 0.95 else TEXT,
                )
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
        share = (
            "nothing available" if is_missing(r.utilisation) else (f"{r.utilisation:.0%} booked")
        )
        calendar = f"\nCalendar: {r.calendar}" if r.calendar else ""
        return Element(
            f"{r.centre} {r.centre_name} · {r.iso_week} (from "
            f"{format_date(r.week)})\n{share}: {format_integer(r.booked / 60)} h of "
            f"{format_integer(r.available / 60)} h{calendar}",
            {"centre": r.centre, "week": r.iso_week},
            f"Capacity — {r.centre}, {r.iso_week}",
        )

    tab.pointer.set(plot, hit)
    tab.note.setText(
        "Booked ÷ available hours per work centre and ISO week, holidays, half days and "
        "shifts of the work-centre calendars counted; empty: nothing published. Of the "
        "filters only mills apply. Click a cell for its days."
    )


def draw_costs(tab: Tab, frames: Frames) -> None:
    """Each process's share of the cost per piece, over the saved cost sheets."""
    processes, structure = frames["processes"], frames["structure"]
    ordered = processes.sort_values("share", kind="stable").reset_index(drop=True)
    currency = ", ".join(sorted(set(structure["currency"]))) or ""
    start(tab, processes, [{"process": p} for p in processes["process"]], currency=currency)
    plot = tab.plots["share"]
    names = [str(p) for p in ordered["process"]]
    tab.categories = names
    shares = ordered["share"].to_numpy(dtype=float) * 100
    if not names:
        show_empty(plot, "No saved cost sheets for this selection")
    bars = pg.BarGraphItem(
        x0=0,
        y=np.arange(len(names)),
        height=0.7,
        width=np.nan_to_num(shares),
        pen=None,
        brushes=[pg.mkBrush(PROCESS_COLOURS.get(p, "#6c7a86")) for p in names],
    )
    plot.addItem(bars)
    tab.items["share"] = bars
    for i, share in enumerate(shares):
        label = pg.TextItem(f"{share:.1f} %", color=TEXT, anchor=(0, 0.5))
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
        return Element(
            f"{r['process']}: {format_percent(r['share'])} of the cost\n"
            f"{format_money(r['amount'], currency)} per piece, summed over "
            f"{int(r['sheets'])} sheet(s)",
            {"process": r["process"]},
            f"Cost lines — {r['process']}",
        )

    tab.pointer.set(plot, hit)
    skipped = processes.attrs.get("skipped", [])
    notes = [
        f"{len(set(structure['sheet_id']))} cost sheet(s), costed with the rates of "
        "their costing date. Sheets have no season."
    ]
    if skipped:
        notes.append(
            "Left out: " + "; ".join(f"{s['style_code']} ({s['reason']})" for s in skipped)
        )
    tab.note.setText(" ".join(notes))
