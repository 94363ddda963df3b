"""Qt models over search results.

`MaterialsTableModel` holds the ids a search returned and the rows read so far, in the
search's order. Rows are read a page at a time on a worker (`ui.ops`) when the view scrolls
near the end of what it holds (`canFetchMore`/`fetchMore`), and inserted when they arrive, so
a table of thousands of results costs a list of ids, scrolling never waits on the replica,
and what is selected stays selected while pages arrive. A page read for an older search is
dropped when it arrives after a newer one (`ui.ops.Newest`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from ui.ops import Newest, OpContext, OpRunner
from workbench.errors import user_message
from workbench.replica.store import ReplicaClosed

log = logging.getLogger("workbench.results")

RowLoader = Callable[[Sequence[str]], list[dict[str, Any]]]
Index = QModelIndex | QPersistentModelIndex

#: (header, material column used for sorting, how to show the value)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Code", "code"),
    ("Name", "name"),
    ("Type", "material_type"),
    ("Composition", "composition"),
    ("GSM", "gsm"),
    ("Width (cm)", "width_cm"),
    ("Colour", "colour"),
    ("Certifications", "certifications"),
    ("Supplier", "supplier"),
    ("Price", "price"),
)
NUMERIC = frozenset({"gsm", "width_cm", "price"})


def format_price(row: dict[str, Any]) -> str:
    if row.get("price") in (None, ""):
        return "—"
    try:
        amount = Decimal(str(row["price"]))
    except InvalidOperation:
        return str(row["price"])
    return f"{row.get('currency') or ''} {amount:,.2f} / {row.get('uom') or ''}".strip()


def display(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if column == "price":
        return format_price(row)
    if value is None or value == "":
        return "—" if column in NUMERIC else ""
    if column == "certifications":
        return ", ".join(str(value).split(","))
    if column == "material_type":
        return str(value).capitalize()
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


class MaterialsTableModel(QAbstractTableModel):
    """Search results as a table; rows are read a page at a time on a worker.

    It does not sort itself: the search sorts (it sees every match, not only the rows
    read here), and the window asks it to when a header is clicked.
    """

    PAGE = 200

    #: a page of rows arrived and was inserted: its first row and how many rows
    page_loaded = Signal(int, int)
    #: a page could not be read: the message
    page_failed = Signal(str)

    def __init__(self, loader: RowLoader, ops: OpRunner, parent: Any = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._ops = ops
        self._ids: list[str] = []
        self._rows: list[dict[str, Any]] = []
        self._newest = Newest()  # one request a search (set_ids); its pages answer to it
        self._reading: int | None = None  # the first row of the page being read

    # -- contents ----------------------------------------------------------------------------

    def set_ids(self, ids: Sequence[str], rows: Sequence[dict[str, Any]] | None = None) -> None:
        """Show a new search's ``ids``; ``rows``, when given, are the first of them already
        read (with the search, so its first page shows at once). Pages still being read
        for the previous search are dropped when they arrive."""
        asked = self._newest.ask()
        self.beginResetModel()
        self._ids = list(ids)
        self._rows = []
        self._reading = None
        if rows is not None:
            self._rows = arranged(self._ids[: len(rows)], rows)
        self.endResetModel()
        if rows is None and self._ids:
            self._read_page(asked)

    def refresh_rows(self) -> None:
        """Read the rows shown again (the replica changed), on a worker, and redraw them."""
        shown = self._ids[: len(self._rows)]
        if not shown:
            return
        asked, loader = self._newest.asked, self._loader

        def replace(rows: list[dict[str, Any]]) -> None:
            if asked != self._newest.asked or len(self._rows) < len(shown):
                return  # another search is shown now
            self._rows[: len(shown)] = arranged(shown, rows)
            last = self.index(len(shown) - 1, len(COLUMNS) - 1)
            self.dataChanged.emit(self.index(0, 0), last)

        self._ops.run(
            lambda _ctx: loader(shown),
            success=replace,
            failure=self._failed,
            label="Reading results",
            background=True,
        )

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._rows) else None

    def row_at(self, row: int) -> dict[str, Any] | None:
        """The row shown at ``row``, or None where no row is (never a read)."""
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def _read_page(self, asked: int) -> None:
        """Read the page after the rows shown, on a worker; it is inserted when it arrives
        if the search it was read for is still the one shown."""
        start = len(self._rows)
        page = self._ids[start : start + self.PAGE]
        self._reading = start
        loader = self._loader

        def read(_ctx: OpContext) -> list[dict[str, Any]]:
            return arranged(page, loader(page))

        def arrived(rows: list[dict[str, Any]]) -> None:
            if not self._newest.take(asked):
                return  # read for an older search: dropped
            self._reading = None
            if start != len(self._rows):
                return
            self.beginInsertRows(QModelIndex(), start, start + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
            self.page_loaded.emit(start, len(rows))

        def failed(exc: BaseException) -> None:
            if asked == self._newest.asked:
                self._reading = None
                self._failed(exc)

        self._ops.run(
            read, success=arrived, failure=failed, label="Reading results", background=True
        )

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ReplicaClosed):  # the workspace closed under the window (a wipe)
            return
        log.warning("results not read: %s", exc)
        self.page_failed.emit(user_message(exc))

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and len(self._rows) < len(self._ids)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        """The view scrolled near the end of the rows: read the next page, unless it is
        being read already."""
        if parent.isValid() or self._reading is not None or not self.canFetchMore():
            return
        self._read_page(self._newest.asked)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        column = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.get("description") or None
        return display(row, column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None


def arranged(ids: Sequence[str], rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """``rows`` in the order of ``ids``, one for each id: a material deleted since the search
    shows as an empty row rather than shifting the rows after it."""
    by_id = {row["id"]: row for row in rows}
    return [by_id.get(i) or {"id": i, "name": "(no longer available)"} for i in ids]
