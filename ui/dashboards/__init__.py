"""Dashboards over the replica: orders, lead times, prices, capacity and cost structure, each a
chart and its table, one filter bar for all, every figure a click away from its rows.

``DashboardsWindow(workspace, ops, parent)`` is the window (`window`); its parts live in
`widgets`. All figures come from `workbench.analytics`: nothing here computes one.
"""

from __future__ import annotations

from ui.dashboards.widgets import DrillDialog, FrameModel, MultiPick
from ui.dashboards.window import TABS, DashboardsWindow, compute_tab, drill_rows

__all__ = [
    "TABS",
    "DashboardsWindow",
    "DrillDialog",
    "FrameModel",
    "MultiPick",
    "compute_tab",
    "drill_rows",
]
