"""Where the cost goes: a horizontal bar per breakdown component, its share of the total."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from workbench.costing import BreakdownLine

#: one colour per kind of cost, so the eye finds fabric, making and overheads at once
COLOURS = {
    "yarn": "#2b6f97",
    "knitting": "#3d86b3",
    "weaving": "#3d86b3",
    "dyeing": "#5fa3cc",
    "finishing": "#8cc0de",
    "printing": "#d98c2b",
    "embroidery": "#e0a85a",
    "making": "#4e9a5b",
    "trim": "#9b6bb3",
    "overhead": "#8a8f94",
}


class ShareChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(140)  # the breakdown above it keeps a few rows on a 768-px screen
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().setLabel("bottom", "share of cost", units="%")
        self.bars: pg.BarGraphItem | None = None
        self.shares: list[tuple[str, float]] = []

    def show_lines(self, lines: Sequence[BreakdownLine]) -> None:
        """Bars from the largest share at the top down to the smallest."""
        ordered = sorted(lines, key=lambda line: line.share)
        self.shares = [(line.component, float(line.share) * 100) for line in ordered]
        plot = self.getPlotItem()
        plot.clear()
        if not ordered:
            return
        brushes = [pg.mkBrush(COLOURS.get(line.process, "#6c7a86")) for line in ordered]
        self.bars = pg.BarGraphItem(
            x0=0,
            y=list(range(len(ordered))),
            height=0.7,
            width=[share for _, share in self.shares],
            brushes=brushes,
            pen=None,
        )
        plot.addItem(self.bars)
        axis = plot.getAxis("left")
        axis.setTicks([[(i, name) for i, (name, _) in enumerate(self.shares)]])
        for i, (_, share) in enumerate(self.shares):
            label = pg.TextItem(f"{share:.1f} %", color="#1b2a33", anchor=(0, 0.5))
            label.setPos(share, i)
            plot.addItem(label)
        plot.setYRange(-0.6, len(ordered) - 0.4, padding=0)
        plot.setXRange(0, max(share for _, share in self.shares) * 1.2, padding=0)
