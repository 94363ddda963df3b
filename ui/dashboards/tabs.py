"""The five dashboards by key, and what each computes on a worker: the frames a tab draws and
the rows behind one of its figures.

Kept apart from the window because this is the part that runs off the GUI thread: it holds no
widget and imports no Qt itself, only `workbench.analytics`, so a worker can never touch the
screen from here, and the dispatch per tab can be read (and called) without a window.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench.analytics import Analytics, Filters

if TYPE_CHECKING:
    from ui.ops import OpContext

Frames = dict[str, pd.DataFrame]

#: the tabs, in the order shown, by key (the key `shown` emits and `drill` takes)
TABS: tuple[str, ...] = ("orders", "lead_times", "prices", "capacity", "costs")
TITLES = {
    "orders": "Orders",
    "lead_times": "Lead times",
    "prices": "Prices",
    "capacity": "Capacity",
    "costs": "Cost structure",
}
#: weeks ahead on the capacity heatmap
WEEKS = 12
#: the tables whose change can move a figure: a sync touching only others needs no refresh
SOURCE_TABLES = frozenset(
    {
        "orders",
        "brands",
        "materials",
        "fx_rates",
        "cost_rates",
        "capacity",
        "work_centres",
        "cost_sheets",
    }
)


def unknown_tab(tab: str) -> ValueError:
    """The error for a key that names no dashboard (the same words wherever one is asked for)."""
    return ValueError(f"no dashboard {tab!r}; choose from {', '.join(TABS)}")


def compute_tab(
    analytics: Analytics, tab: str, filters: Filters, option: str | None, ctx: OpContext
) -> Frames:
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
    raise unknown_tab(tab)


def drill_rows(
    analytics: Analytics, tab: str, filters: Filters, cell: Mapping[str, object]
) -> pd.DataFrame:
    """The rows behind one figure of ``tab`` (runs on a worker thread)."""
    # the figure's dimensions (brand, season, month…), passed on as keywords: their values
    # are whatever the frame holds, and no dimension is called limit or today
    given: dict[str, Any] = dict(cell)
    if tab == "orders":
        return analytics.order_rows(filters, **given)
    if tab == "lead_times":
        return analytics.order_rows(filters, **{"lead_time": True, **given})
    if tab == "prices":
        return analytics.rate_rows(filters, **given)
    if tab == "capacity":
        return analytics.capacity_days(filters, centre=str(given["centre"]), week=given["week"])
    if tab == "costs":
        return analytics.cost_lines(filters, **given)
    raise unknown_tab(tab)
