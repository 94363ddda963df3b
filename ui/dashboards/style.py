"""The dashboards' colours, in one place so every chart, its legend and the capacity colour
bar draw in the same ones.
"""

from __future__ import annotations

import pyqtgraph as pg

#: a process in the colour the cost sheet's share chart gives it
from ui.share_chart import COLOURS as PROCESS_COLOURS

#: one colour per brand, distinct enough side by side in a stacked bar
PALETTE = (
    "#2b6f97",
    "#d98c2b",
    "#4e9a5b",
    "#9b6bb3",
    "#c0392b",
    "#5fa3cc",
    "#e0a85a",
    "#1f3a4d",
    "#b35f8a",
    "#6b8e23",
    "#8cc0de",
    "#8a8f94",
)
#: utilisation colours: green while there is room, amber near full, red over-booked
HEAT = pg.ColorMap(
    [0.0, 0.6, 0.8, 0.95, 1.2], ["#3f7f4c", "#8cc04e", "#e0c45a", "#e0843a", "#b0281b"]
)
#: the colour of text drawn on a chart (legends, labels on bars and cells)
TEXT = "#1b2a33"

__all__ = ["HEAT", "PALETTE", "PROCESS_COLOURS", "TEXT"]
