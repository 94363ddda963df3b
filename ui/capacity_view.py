"""Capacity per work centre: available and booked hours per week for the weeks ahead, and
the utilisation, so a merchandiser sees which centre will hold an order up before promising a
date. Hours here as on the dashboards' capacity tab; the legend sits above the chart, never
over its bars. Beside the weeks, the centre's calendar (holidays, half days, shifts) and the
usual week the lead times assume past the published capacity: the same book every lead time
is planned on, so what the window shows is what a quote counts."""

from __future__ import annotations

from datetime import date

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.formats import format_date, format_number, format_percent
from ui.ops import OpContext, OpRunner
from ui.table_export import VALUE_ROLE, install_export
from ui.wheel_guard import guard_wheel
from workbench.capacity import CapacityBook, WeekLoad, load_capacity, utilisation
from workbench.capacity.model import WEEKDAY_NAMES
from workbench.export import DATE, PERCENT, Cell
from workbench.workspace import Workspace

#: hours as a workbook shows them
HOURS = '#,##0" h"'
#: what the bars and the dashed line mean, above the chart (a legend on it hid bars)
_LEGEND = (
    "Booked ÷ available hours per week: "
    "<span style='color:#4e9a5b'>■</span> under 80 % "
    "<span style='color:#e0a85a'>■</span> 80–95 % "
    "<span style='color:#c0392b'>■</span> 95 % and over "
    "<span style='color:#1f3a4d'>- - -</span> full (100 %)"
)
#: how the calendar names its kinds of day
KIND_TEXT = {"holiday": "Holiday", "half_day": "Half day", "shifts": "Shifts"}


class CapacityWindow(QMainWindow):
    #: the chart shows a centre: its code and the weeks shown
    shown = Signal(str, list)

    def __init__(self, workspace: Workspace, ops: OpRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Capacity — Mill Workbench")
        self.resize(1100, 720)
        self.workspace, self.ops = workspace, ops
        self.book: CapacityBook | None = None
        self.weeks_shown: list[WeekLoad] = []
        self.centre = QComboBox()
        self.centre.currentIndexChanged.connect(self.show_centre)
        self.weeks = QSpinBox()
        self.weeks.setRange(1, 52)
        self.weeks.setValue(12)
        self.weeks.setSuffix(" weeks")
        self.weeks.valueChanged.connect(self.show_centre)
        for field in (self.centre, self.weeks):
            guard_wheel(field)  # scrolling past them never changes the centre shown
        top = QHBoxLayout()
        top.addWidget(QLabel("Work centre:"))
        top.addWidget(self.centre, 1)
        top.addWidget(QLabel("Ahead:"))
        top.addWidget(self.weeks)
        self.chart = pg.PlotWidget(background="w")
        self.chart.setMenuEnabled(False)
        self.chart.setMouseEnabled(x=False, y=False)
        self.chart.getPlotItem().setLabel("left", "utilisation", units="%")
        self.legend = QLabel(_LEGEND)
        self.legend.setObjectName("hint")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(
            ["Week of", "Available (h)", "Booked (h)", "Utilisation"]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        install_export(self.table, "capacity")
        self.calendar = QTableWidget(0, 4)
        self.calendar.setHorizontalHeaderLabels(["Day", "Calendar", "Hours", "Name"])
        self.calendar.verticalHeader().setVisible(False)
        self.calendar.horizontalHeader().setStretchLastSection(True)
        install_export(self.calendar, "calendar")
        self.usual = QLabel()
        self.usual.setObjectName("hint")
        self.usual.setWordWrap(True)
        # a wrapped label is not given the height of its lines: reserve three
        self.usual.setMinimumHeight(3 * self.usual.fontMetrics().lineSpacing() + 4)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.usual)
        side_layout.addWidget(QLabel("Calendar ahead (holidays, half days, shifts):"))
        side_layout.addWidget(self.calendar, 1)
        below = QSplitter(Qt.Orientation.Horizontal)
        below.addWidget(self.table)
        below.addWidget(side)
        below.setSizes([620, 460])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.chart)
        split.addWidget(below)
        split.setSizes([400, 280])
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.addLayout(top)
        layout.addWidget(self.legend)
        layout.addWidget(split, 1)
        self.setCentralWidget(body)

        replica = workspace.replica

        def load(_ctx: OpContext) -> CapacityBook:
            return load_capacity(replica.conn, start=date.today())

        ops.run(load, success=self._on_loaded, label="Loading capacity")

    def _on_loaded(self, book: CapacityBook) -> None:
        self.book = book
        self.centre.blockSignals(True)
        for centre in sorted(book.centres, key=lambda c: c.code):
            self.centre.addItem(f"{centre.code}  {centre.name} ({centre.process})", centre.code)
        self.centre.blockSignals(False)
        self.show_centre()

    def show_centre(self, *_args: object) -> None:
        if self.book is None or self.centre.currentData() is None:
            return
        code = str(self.centre.currentData())
        weeks = utilisation(self.book, code, date.today(), self.weeks.value())
        self.weeks_shown = weeks
        plot = self.chart.getPlotItem()
        plot.clear()
        xs = list(range(len(weeks)))
        used = [100 * w.booked / w.available if w.available else 0.0 for w in weeks]
        colours = [("#c0392b" if u >= 95 else "#e0a85a" if u >= 80 else "#4e9a5b") for u in used]
        brushes = [pg.mkBrush(c) for c in colours]
        plot.addItem(pg.BarGraphItem(x=xs, height=used, width=0.7, brushes=brushes, pen=None))
        plot.plot(xs, [100] * len(xs), pen=pg.mkPen("#1f3a4d", width=1, style=Qt.PenStyle.DashLine))
        plot.getAxis("bottom").setTicks(
            [[(i, format_date(w.week_start)) for i, w in enumerate(weeks)]]
        )
        plot.setYRange(0, max([110.0, *used]), padding=0)
        self.table.setRowCount(len(weeks))
        for r, (week, share) in enumerate(zip(weeks, used, strict=True)):
            hours = (week.available / 60, week.booked / 60)
            cells = (
                (format_date(week.week_start), Cell(week.week_start, DATE)),
                *((format_number(h, 0), Cell(h, HOURS)) for h in hours),
                (format_percent(share / 100, 0), Cell(share / 100, PERCENT)),
            )
            for c, (text, value) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(VALUE_ROLE, value)
                if c:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self._show_calendar(code)
        self.shown.emit(code, weeks)

    def _show_calendar(self, code: str) -> None:
        """The centre's calendar days from today, in hours of its day, and its usual week."""
        assert self.book is not None
        days = self.book.centre_days(code)
        today = date.today()
        ahead = [c for c in days.calendar if c.day >= today]
        self.calendar.setRowCount(len(ahead))
        for r, entry in enumerate(ahead):
            hours = entry.minutes(days.default_free) / 60
            cells = (
                (
                    f"{WEEKDAY_NAMES[entry.day.weekday()]} {format_date(entry.day)}",
                    Cell(entry.day, DATE),
                ),
                (KIND_TEXT.get(entry.kind, entry.kind), entry.kind),
                (format_number(hours, 0), Cell(hours, HOURS)),
                (entry.name, entry.name),
            )
            for c, (text, value) in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(VALUE_ROLE, value)
                if c == 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.calendar.setItem(r, c, item)
        self.calendar.resizeColumnsToContents()
        groups: dict[int, list[str]] = {}
        for weekday, minutes in enumerate(days.weekday_free):
            if minutes:
                groups.setdefault(minutes, []).append(WEEKDAY_NAMES[weekday])
        week = (
            "; ".join(
                f"{', '.join(names)} {format_number(m / 60, 0)} h" for m, names in groups.items()
            )
            or "no working days"
        )
        end = format_date(date.fromordinal(days.horizon)) if days.horizon else "—"
        self.usual.setText(
            f"Published capacity runs to {end}. After that lead times assume "
            f"the usual week ({week}) and the calendar below, nothing "
            "booked."
        )
