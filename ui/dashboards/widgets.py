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
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyqtgraph as pg
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    Qt,
    Signal,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
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

from ui.dashboards.columns import column as column_spec
from ui.dashboards.columns import currency_of, frame_rows, shown, title, typed
from ui.file_dialogs import ask_save_path
from ui.table_export import VALUE_ROLE, install_export
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


def display_value(value: object, column: str) -> str:
    """How a table shows a value of ``column`` (`columns`: dates in the locale's format,
    shares as percentages, minutes as hours)."""
    return shown(value, column_spec(column).kind)


class NumberAxis(pg.AxisItem):
    """An axis reading 12 M rather than 1.2e+07, for order values and pieces."""

    def __init__(self, orientation: str = "left") -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:
        return [_short(v * scale) for v in values]


class FrameModel(QAbstractTableModel):
    """A DataFrame as a read-only, sortable table. Values are kept as column arrays, so a
    drill-down of a hundred thousand orders scrolls without converting a row until seen.
    Headers and values read as `columns` says (units, currency); `VALUE_ROLE` gives the typed
    value an export writes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.frame = pd.DataFrame()
        #: the currency of the table's money columns ("" when it has none)
        self.currency = ""
        self._columns: list[str] = []
        self._kinds: list[str] = []
        self._values: list[np.ndarray] = []

    def set_frame(
        self, frame: pd.DataFrame, columns: Sequence[str] | None = None, currency: str | None = None
    ) -> None:
        """Show ``frame`` (its ``columns``, when given); money in ``currency`` (by default
        the frame's own, ``attrs["currency"]``)."""
        self.beginResetModel()
        chosen = [c for c in (columns or frame.columns) if c in frame.columns]
        self.currency = str(frame.attrs.get("currency", "") if currency is None else currency)
        self.frame = frame[chosen].reset_index(drop=True)
        self._load()
        self.endResetModel()

    def source_row(self, row: int) -> int:
        """The position in the frame as given of the row shown at ``row`` (after sorting)."""
        return int(self.frame.index[row])

    def titles(self) -> list[str]:
        return [title(c, self.currency, self.frame[c]) for c in self._columns]

    def _load(self) -> None:
        self._columns = [str(c) for c in self.frame.columns]
        self._kinds = [column_spec(c, self.frame[c]).kind for c in self._columns]
        self._values = [self.frame[c].to_numpy(dtype=object) for c in self.frame.columns]

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.frame)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        value = self._values[col][row]
        if role in (Qt.ItemDataRole.DisplayRole, VALUE_ROLE):
            kind = self._kinds[col]
            currency = currency_of(self.frame, row, kind, self.currency)
            if role == VALUE_ROLE:
                return typed(value, kind, currency)
            return shown(value, kind, currency)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(
            value, int | float | np.integer | np.floating
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or orientation != Qt.Orientation.Horizontal:
            return None
        if not 0 <= section < len(self._columns):
            return None
        return title(self._columns[section], self.currency, self.frame[self._columns[section]])

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(self._columns):
            return
        self.layoutAboutToBeChanged.emit()
        ascending = order == Qt.SortOrder.AscendingOrder
        self.frame = self.frame.sort_values(
            self.frame.columns[column], ascending=ascending, kind="stable", na_position="last"
        )
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
    """A drop-down list of names with check boxes; none checked means all, as a filter reads.
    Its caption ("Brand: all", "Brand: 3 chosen") is never cut: the button is as wide as the
    longest caption it shows."""

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
        return [
            self.list.item(i).text()
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]

    def set_selected(self, names: Iterable[str], *, emit: bool = True) -> None:
        wanted = set(names)
        before = self.selected()
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            item = self.list.item(i)
            item.setCheckState(
                Qt.CheckState.Checked if item.text() in wanted else Qt.CheckState.Unchecked
            )
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
        # room for the text, the padding and the drop-down arrow drawn beside it
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance(self.text()) + 40)


# -- drill-down ------------------------------------------------------------------------------


class DrillDialog(QDialog):
    """The rows behind one figure, filled when the worker has read them."""

    loaded = Signal()

    def __init__(
        self,
        title: str,
        name: str,
        filters: Filters,
        cell: Mapping[str, object],
        parent: QWidget | None = None,
    ) -> None:
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
        header = [
            ("Rows of", self.windowTitle()),
            ("Exported", datetime.now().replace(microsecond=0)),
        ]
        sheet = self.windowTitle().split(" — ")[0]
        return export_table(
            Path(path), *frame_rows(frame, self.model.currency), sheet_name=sheet, header=header
        )

    def _choose_export(self) -> None:
        path = ask_save_path(
            self, "Export rows", f"{self.name}.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
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

    def __init__(self, chart: pg.GraphicsLayoutWidget, on_click: Callable[[Element], object]):
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
        point: QPointF = plot.getViewBox().mapViewToScene(QPointF(x, y))  # pyqtgraph is untyped
        return point

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


def dashboard_plot(
    chart: pg.GraphicsLayoutWidget,
    row: int,
    col: int,
    *,
    rowspan: int = 1,
    axes: Mapping[str, pg.AxisItem] | None = None,
    title: str | None = None,
) -> pg.PlotItem:
    """A plot for a dashboard: no pan, zoom or context menu (a click means drill-down)."""
    plot = chart.addPlot(row=row, col=col, rowspan=rowspan, axisItems=dict(axes or {}), title=title)
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
