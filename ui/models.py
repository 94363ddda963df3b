"""Qt models over search results.

`MaterialsTableModel` holds only the ids a search returned; the rows themselves are read from
the replica a page at a time, when the view first shows them, and cached. A table of thousands
of results therefore costs a list of ids, not thousands of row reads, and scrolling reads only
what comes into view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from workbench.replica.store import ReplicaClosed

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
    """Search results as a table; rows are loaded a page at a time.

    It does not sort itself: the search sorts (it sees every match, not only the rows
    loaded here), and the window asks it to when a header is clicked.
    """

    PAGE = 200

    def __init__(self, loader: RowLoader, parent: Any = None) -> None:
        super().__init__(parent)
        self._loader = loader
        self._ids: list[str] = []
        self._shown = 0
        self._rows: dict[str, dict[str, Any]] = {}
        self.load_calls: list[int] = []  # sizes of each page read (for tests and diagnostics)

    # -- contents ----------------------------------------------------------------------------

    def set_ids(self, ids: Sequence[str]) -> None:
        self.beginResetModel()
        self._ids = list(ids)
        self._rows = {}
        self._shown = min(len(self._ids), self.PAGE)
        self.endResetModel()

    def refresh_rows(self) -> None:
        """Forget cached rows (the replica changed) and redraw what is shown."""
        self._rows = {}
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, len(COLUMNS) - 1))

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < self._shown else None

    def row_at(self, row: int) -> dict[str, Any] | None:
        material_id = self.id_at(row)
        if material_id is None:
            return None
        if material_id not in self._rows:
            self._load_page_around(row)
        return self._rows.get(material_id)

    def _load_page_around(self, row: int) -> None:
        start = (row // self.PAGE) * self.PAGE
        page = [i for i in self._ids[start : start + self.PAGE] if i not in self._rows]
        if not page:
            return
        self.load_calls.append(len(page))
        try:
            loaded_rows = list(self._loader(page))
        except ReplicaClosed:  # the workspace closed under the window (a remote wipe): no rows
            loaded_rows = []
        for loaded in loaded_rows:
            self._rows[loaded["id"]] = loaded
        for missing in page:  # deleted meanwhile: show an empty row rather than reload forever
            self._rows.setdefault(missing, {"id": missing, "name": "(no longer available)"})

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._shown < len(self._ids)

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid():
            return
        more = min(self.PAGE, len(self._ids) - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

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
