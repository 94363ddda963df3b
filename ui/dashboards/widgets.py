"""The pieces the dashboards are built of: a DataFrame table model, the filter bar's
multi-select and optional date, the drill-down dialog, and the hover/click mapping from a
chart's scene to the element under the mouse.

Kept apart from the window so each piece can be read (and tested) on its own; none of them
computes a figure: they show frames `workbench.analytics` made.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from ui.table_export import install_export
from workbench.analytics import Filters
from workbench.export import ExportError, export_table

Cell = dict[str, object]
_EPOCH = pd.Timestamp("1970-01-01")


# -- small presentation helpers --------------------------------------------------------------


def _short(value: float) -> str:
    """1,234,567 as "1.23 M": axis ticks of order values would otherwise read 1.2e+07."""
    size = abs(value)
    for limit, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if size >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def epoch_seconds(days: Iterable[Any]) -> np.ndarray:
    """Datetimes as seconds since 1970 (UTC), what `pg.DateAxisItem` reads."""
    index = pd.DatetimeIndex(list(days))
    return np.asarray((index - _EPOCH).total_seconds(), dtype=float)


def season_key(season: str) -> tuple[int, int, str]:
    """Seasons in calendar order (SS25 before AW25 before SS26), not alphabetical."""
    match = re.fullmatch(r"([A-Za-z]+)\s*'?(\d{2}|\d{4})", season.strip())
    if not match:
        return (9999, 0, season)
    prefix, year = match.group(1).upper(), int(match.group(2))
    rank = {"SS": 0, "SP": 0, "SU": 1, "AW": 2, "FW": 2, "FA": 2, "HO": 3, "WI": 3}
    return (year + 2000 if year < 100 else year, rank.get(prefix, 1), season)


def is_missing(value: object) -> bool:
    """None, NaN or NaT: a gap a table shows empty and a spreadsheet leaves blank."""
    try:
        return bool(value is None or pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):  # arrays and the like are values, not gaps
        return False


def _plain(value: object) -> object:
    """A cell value as a spreadsheet takes it: numbers stay numbers, days become dates."""
    if is_missing(value):
        return None
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp = pd.Timestamp(value)
        return stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    return value


def display_value(value: object, column: str) -> str:
    """How a table shows a value: thousands separated, shares and utilisation as percentages,
    days without a midnight time (analytics hands dates over as datetime64)."""
    if is_missing(value):
        return ""
    if isinstance(value, pd.Timestamp | np.datetime64):
        stamp = pd.Timestamp(value)
        return f"{stamp:%Y-%m-%d}" if stamp == stamp.normalize() else f"{stamp:%Y-%m-%d %H:%M}"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        if column.endswith("share") or column == "utilisation":
            return f"{float(value):.1%}"
        if column.endswith("_pct"):
            return f"{float(value):+.1f} %"
        return f"{float(value):,.2f}"
    return str(value)


def frame_rows(frame: pd.DataFrame) -> tuple[list[str], list[list[object]]]:
    """Headers and plain values of ``frame``, for `export_table`."""
    headers = [str(c) for c in frame.columns]
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return headers, rows


class NumberAxis(pg.AxisItem):
    """An axis reading 12 M rather than 1.2e+07, for order values and pieces."""

    def __init__(self, orientation: str = "left") -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_short(v * scale) for v in values]


class FrameModel(QAbstractTableModel):
    """A DataFrame as a read-only, sortable table. Values are kept as column arrays, so a
    drill-down of a hundred thousand orders scrolls without converting a row until seen."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame()
        self._columns: list[str] = []
        self._values: list[np.ndarray] = []

    def set_frame(self, frame: pd.DataFrame, columns: Sequence[str] | None = None) -> None:
        self.beginResetModel()
        chosen = [c for c in (columns or frame.columns) if c in frame.columns]
        self.frame = frame[chosen].reset_index(drop=True)
        self._load()
        self.endResetModel()

    def source_row(self, row: int) -> int:
        """The position in the frame as given of the row shown at ``row`` (after sorting)."""
        return int(self.frame.index[row])

    def _load(self) -> None:
        self._columns = [str(c) for c in self.frame.columns]
        self._values = [self.frame[c].to_numpy(dtype=object) for c in self.frame.columns]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if not index.isValid():
            return None
        value = self._values[index.column()][index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return display_value(value, self._columns[index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(
            value, int | float | np.integer | np.floating
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # fmt: skip
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        return self._columns[section].replace("_", " ") if section < len(self._columns) else None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        ascending = order == Qt.SortOrder.AscendingOrder
        self.frame = self.frame.sort_values(self.frame.columns[column], ascending=ascending,
                                            kind="stable", na_position="last")  # fmt: skip
        self._load()
        self.layoutChanged.emit()


def frame_table(name: str) -> tuple[QTableView, FrameModel]:
    view = QTableView()
    model = FrameModel(view)
    view.setModel(model)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # as computed
    view.setSortingEnabled(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    install_export(view, name)
    return view, model


# -- the filter bar ----------------------------------------------------------------------------


class MultiPick(QToolButton):
    """A drop-down list of names with check boxes; none checked means all, as a filter reads."""

    changed = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.list = QListWidget()
        self.list.setMinimumWidth(240)
        self.list.setMaximumHeight(320)
        self.list.itemChanged.connect(self._on_item)
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.list)
        menu.addAction(holder)
        self.setMenu(menu)
        self._caption()

    def options(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def set_options(self, names: Iterable[str]) -> None:
        """Offer ``names``, keeping the names still offered checked (quietly: the selection
        a chart was computed for has not changed)."""
        keep = set(self.selected())
        self.list.blockSignals(True)
        self.list.clear()
        for name in names:
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in keep else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._caption()

    def selected(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())
                if self.list.item(i).checkState() == Qt.CheckState.Checked]  # fmt: skip

    def set_selected(self, names: Iterable[str], *, emit: bool = True) -> None:
        wanted = set(names)
        before = self.selected()
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.text() in wanted
                               else Qt.CheckState.Unchecked)  # fmt: skip
        self.list.blockSignals(False)
        self._caption()
        if emit and self.selected() != before:
            self.changed.emit()

    def _on_item(self, _item: QListWidgetItem) -> None:
        self._caption()
        self.changed.emit()

    def _caption(self) -> None:
        chosen = self.selected()
        if not chosen:
            text = "all"
        elif len(chosen) <= 2:
            text = ", ".join(chosen)
        else:
            text = f"{len(chosen)} chosen"
        self.setText(f"{self.label}: {text}")
        self.setToolTip("\n".join(chosen) or f"every {self.label.lower()}")


class DateBound(QDateEdit):
    """A date that may be unset: its earliest date reads "any" (Qt's idiom for an empty date
    field), so one widget says both "from 1 March" and "from the beginning"."""

    FLOOR = QDate(2000, 1, 1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setCalendarPopup(True)
        self.setDisplayFormat("yyyy-MM-dd")
        self.setMinimumDate(self.FLOOR)
        self.setSpecialValueText("any")
        self.setDate(self.FLOOR)

    def value(self) -> date | None:
        return None if self.date() == self.FLOOR else self.date().toPython()  # type: ignore[return-value]

    def set_value(self, day: date | None) -> None:
        self.setDate(self.FLOOR if day is None else QDate(day.year, day.month, day.day))


# -- drill-down ------------------------------------------------------------------------------


class DrillDialog(QDialog):
    """The rows behind one figure, filled when the worker has read them."""

    loaded = Signal()

    def __init__(self, title: str, name: str, filters: Filters, cell: Mapping[str, object],
                 parent: QWidget | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(1000, 520)
        #: the rows once read; the selection and cell they are the rows of
        self.frame: pd.DataFrame | None = None
        self.filters, self.cell = filters, dict(cell)
        self.name = name
        self.count = QLabel("Reading the rows…")
        self.view, self.model = frame_table(name)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = QPushButton("Export…")
        self.export_button.setEnabled(False)
        self.export_button.clicked.connect(self._choose_export)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.count)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)

    def set_frame(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.model.set_frame(frame)
        self.view.resizeColumnsToContents()
        self.count.setText(f"{len(frame):,} rows")
        self.export_button.setEnabled(len(frame) > 0)
        self.loaded.emit()

    def set_error(self, message: str) -> None:
        self.count.setText(f"Could not read the rows: {message}")

    def export(self, path: Path | str) -> int:
        """Every row read (not only those scrolled to), numbers as numbers."""
        frame = self.frame if self.frame is not None else pd.DataFrame()
        return export_table(Path(path), *frame_rows(frame))

    def _choose_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export rows", f"{self.name}.xlsx",
                                              "Excel (*.xlsx);;CSV (*.csv)")  # fmt: skip
        if path:
            try:
                self.export(path)
            except (ExportError, OSError) as exc:
                QMessageBox.warning(self, "Export rows", str(exc))


# -- hover and click ---------------------------------------------------------------------------


@dataclass
class Element:
    """What is under the mouse: the tooltip it shows and the cell a click drills into."""

    text: str
    cell: Cell
    title: str = ""


Hit = Callable[[float, float], Element | None]


class Pointer:
    """Hover tooltips and clicks for one chart: a scene position is mapped into the plot it
    falls in, and that plot's hit function names the element there (or None)."""

    def __init__(self, chart: pg.GraphicsLayoutWidget, on_click: Callable[[Element], None]):
        self.chart = chart
        self.on_click = on_click
        self.hits: dict[int, tuple[pg.PlotItem, Hit]] = {}
        self.last_text = ""
        chart.scene().sigMouseMoved.connect(self._moved)
        chart.scene().sigMouseClicked.connect(self._clicked)

    def set(self, plot: pg.PlotItem, hit: Hit | None) -> None:
        if hit is None:
            self.hits.pop(id(plot), None)
        else:
            self.hits[id(plot)] = (plot, hit)

    def clear(self) -> None:
        self.hits.clear()

    def element_at(self, scene_pos: QPointF) -> Element | None:
        for plot, hit in self.hits.values():
            box = plot.getViewBox()
            if box.sceneBoundingRect().contains(scene_pos):
                point = box.mapSceneToView(scene_pos)
                return hit(point.x(), point.y())
        return None

    def scene_pos(self, plot: pg.PlotItem, x: float, y: float) -> QPointF:
        """Where the view point (x, y) of ``plot`` is in the scene (for tests and clicks)."""
        return plot.getViewBox().mapViewToScene(QPointF(x, y))

    def _moved(self, scene_pos: QPointF) -> None:
        element = self.element_at(scene_pos)
        self.last_text = element.text if element else ""
        if element is None:
            QToolTip.hideText()
            return
        where = self.chart.mapToGlobal(self.chart.mapFromScene(scene_pos))
        QToolTip.showText(where, element.text, self.chart)

    def _clicked(self, event: Any) -> None:
        if event.button() != Qt.MouseButton.LeftButton or event.double():
            return
        element = self.element_at(event.scenePos())
        if element is not None:
            event.accept()
            self.on_click(element)


def dashboard_plot(chart: pg.GraphicsLayoutWidget, row: int, col: int, *, rowspan: int = 1,
          axes: Mapping[str, pg.AxisItem] | None = None, title: str | None = None
          ) -> pg.PlotItem:  # fmt: skip
    """A plot for a dashboard: no pan, zoom or context menu (a click means drill-down)."""
    plot = chart.addPlot(row=row, col=col, rowspan=rowspan, axisItems=dict(axes or {}),
                         title=title)  # fmt: skip
    plot.setMenuEnabled(False)
    plot.setMouseEnabled(x=False, y=False)
    plot.hideButtons()
    plot.showGrid(x=False, y=True, alpha=0.15)
    return plot


def show_empty(plot: pg.PlotItem, text: str) -> None:
    label = pg.TextItem(text, color="#6c7a86", anchor=(0.5, 0.5))
    plot.addItem(label)
    label.setPos(0.5, 0.5)
    plot.setXRange(0, 1, padding=0)
    plot.setYRange(0, 1, padding=0)


def row_band(names: Sequence[str], y: float) -> int | None:
    """The category of a horizontal bar chart under ``y`` (bars at 0, 1, 2, … of height 0.7;
    the whole band counts, so a bar of length zero can still be pointed at)."""
    i = round(y)
    return i if 0 <= i < len(names) and abs(y - i) <= 0.45 else None
