"""Where the cost goes: a horizontal bar per breakdown component, its share of the total.

Each bar has a row at least a line of text tall, so no two names and no two shares overlap
however small the window: when the chart cannot give every component a row (nine lines on a
1366×768 screen), the smallest are drawn as one "Other (N lines)" bar, and the chart's tooltip
names every component with its share. A name longer than the axis has room for is cut short
with "…" and given whole in the same tooltip. The breakdown table above lists every line.
"""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetricsF
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
OTHER_COLOUR = "#b4bcc2"
#: the widest a component's name is drawn, in pixels, before it is cut short with "…"
NAME_WIDTH = 220
#: space between two rows' text, in pixels
ROW_GAP = 1


class ShareChart(pg.PlotWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setMinimumHeight(140)  # the breakdown above it keeps a few rows on a 768-px screen
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.getPlotItem().setLabel("bottom", "share of cost", units="%")
        self.bars: pg.BarGraphItem | None = None
        #: every component and its share (%), smallest first
        self.shares: list[tuple[str, float]] = []
        #: the bars drawn, smallest first: (name as drawn, share, colour)
        self.shown: list[tuple[str, float, str]] = []
        self._processes: list[str] = []
        # the plot's height is known once its layout has run, after the widget's resize
        self.getPlotItem().vb.sigResized.connect(self._refit)

    def show_lines(self, lines: Sequence[BreakdownLine]) -> None:
        """Bars from the largest share at the top down to the smallest."""
        ordered = sorted(lines, key=lambda line: line.share)
        self.shares = [(line.component, float(line.share) * 100) for line in ordered]
        self._processes = [line.process for line in ordered]
        self.setToolTip(
            "\n".join(f"{name}: {share:.1f} %" for name, share in reversed(self.shares))
        )
        self._draw()

    def rows(self) -> int:
        """How many bars the plot's height holds, each a line of text and a gap tall."""
        height = self.getPlotItem().vb.height()
        if height <= 0:  # not laid out yet: the widget's height less the bottom axis
            height = self.height() - 50
        pitch = QFontMetricsF(self.font()).height() + ROW_GAP
        return max(2, int(height // pitch))

    def _refit(self) -> None:
        """The plot's new height may hold more or fewer rows: drawn again when it does."""
        if self.shares and self._fits() != len(self.shown):
            self._draw()

    def _fits(self) -> int:
        rows = self.rows()
        return len(self.shares) if len(self.shares) <= rows else rows

    def _draw(self) -> None:
        plot = self.getPlotItem()
        plot.clear()
        self.shown = []
        if not self.shares:
            return
        rows = self._fits()
        metrics = QFontMetricsF(self.font())
        kept = len(self.shares) if rows == len(self.shares) else rows - 1
        folded = self.shares[: len(self.shares) - kept]
        if folded:
            self.shown.append(
                (f"Other ({len(folded)} lines)", sum(s for _, s in folded), OTHER_COLOUR)
            )
        for (name, share), process in list(zip(self.shares, self._processes, strict=True))[
            len(folded) :
        ]:
            drawn = metrics.elidedText(name, Qt.TextElideMode.ElideRight, NAME_WIDTH)
            self.shown.append((drawn, share, COLOURS.get(process, "#6c7a86")))
        self.bars = pg.BarGraphItem(
            x0=0,
            y=list(range(len(self.shown))),
            height=0.7,
            width=[share for _, share, _ in self.shown],
            brushes=[pg.mkBrush(colour) for _, _, colour in self.shown],
            pen=None,
        )
        plot.addItem(self.bars)
        axis = plot.getAxis("left")
        axis.setTicks([[(i, name) for i, (name, _, _) in enumerate(self.shown)]])
        for i, (_, share, _) in enumerate(self.shown):
            label = pg.TextItem(f"{share:.1f} %", color="#1b2a33", anchor=(0, 0.5))
            label.textItem.document().setDocumentMargin(0)  # the box is the text's own
            label.setPos(share, i)
            plot.addItem(label)
        plot.setYRange(-0.6, len(self.shown) - 0.4, padding=0)
        plot.setXRange(0, max(share for _, share, _ in self.shown) * 1.2, padding=0)
