"""Dashboards over the replica, in pandas and without Qt: order history, promised against
actual delivery, cost-rate history, capacity utilisation and the cost structure of saved cost
sheets, each with the rows behind any of its cells.

Every dashboard is a function of a replica connection and a `Filters` selection returning a
DataFrame whose columns its docstring lists; `Analytics` serves the same dashboards for one
replica with every result cached until the data under it changes (see `cache` for what that
means). Typical use, from a worker thread::

    analytics = Analytics(workspace.replica)
    table = analytics.order_history(Filters(brands=["NORDV"], seasons=["SS25"]), by=["mill"])
    rows = analytics.order_rows(Filters(brands=["NORDV"]), season="SS25", mill=table.mill[0])
"""

from workbench.analytics.cache import Analytics
from workbench.analytics.capacity import (
    WEEK_COLUMNS,
    capacity_days,
    capacity_heatmap,
    capacity_weeks,
    iso_week,
)
from workbench.analytics.costs import (
    COST_DIMENSIONS,
    STRUCTURE_COLUMNS,
    cost_by_process,
    cost_lines,
    cost_structure,
)
from workbench.analytics.filters import ALL, ORDER_DIMENSIONS, Filters
from workbench.analytics.orders import (
    ORDER_ROW_COLUMNS,
    lead_times,
    order_frame,
    order_history,
    order_months,
    order_rows,
)
from workbench.analytics.rates import (
    HISTORY_COLUMNS,
    TREND_DIMENSIONS,
    all_rate_versions,
    rate_history,
    rate_rows,
    rate_trends,
)

__all__ = [
    "ALL",
    "COST_DIMENSIONS",
    "HISTORY_COLUMNS",
    "ORDER_DIMENSIONS",
    "ORDER_ROW_COLUMNS",
    "STRUCTURE_COLUMNS",
    "TREND_DIMENSIONS",
    "WEEK_COLUMNS",
    "Analytics",
    "Filters",
    "all_rate_versions",
    "capacity_days",
    "capacity_heatmap",
    "capacity_weeks",
    "cost_by_process",
    "cost_lines",
    "cost_structure",
    "iso_week",
    "lead_times",
    "order_frame",
    "order_history",
    "order_months",
    "order_rows",
    "rate_history",
    "rate_rows",
    "rate_trends",
]
