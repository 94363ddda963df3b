"""The material search that fills the main window: the search bar, the facet filters, the
results table and the detail pane of the selected material.

Typing waits `SEARCH_DELAY_MS` for a pause, then searches on a worker; searches are numbered,
so a slow answer never replaces a newer one on screen. A click on a column header sorts through
the search (ascending, descending, then back to relevance); a right-click chooses the columns
(`ResultColumns`, remembered); a selected row shows its material. A search that finds nothing
says why in place of the table, with the nearest materials to click (`NoResults`).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QItemSelection, Qt, QTimer, SignalInstance
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ui.detail import DetailPane
from ui.facets import FacetPanel
from ui.host_widget import host_widget
from ui.keys import shortcut
from ui.main_window.columns import ResultColumns
from ui.main_window.no_results import NoResults
from ui.models import COLUMNS, MaterialsTableModel
from ui.ops import OpContext, OpRunner
from workbench.replica import queries
from workbench.replica.store import ReplicaClosed
from workbench.search import SearchRequest, SearchResult
from workbench.search.nearest import NoMatch, explain_no_match
from workbench.workspace import Workspace

SEARCH_DELAY_MS = 150
#: A search that found nothing: why, and the nearest materials' rows.
Nothing = tuple[NoMatch, list[dict[str, Any]]]
#: Materials' rows, as the replica holds them.
Rows = list[dict[str, Any]]


@runtime_checkable
class SearchHost(Protocol):
    """What the search needs of its window: the workspace and ops it searches with, where it
    announces what it shows, and the index state it asks the status bar to show again. The
    window is also the widget its Ctrl+K shortcut belongs to."""

    ops: OpRunner
    workspace: Workspace
    #: a search's results are on screen: the SearchResult
    results_shown: SignalInstance
    #: a material's details are on screen: its id
    detail_shown: SignalInstance

    def show_index_state(self) -> None: ...


class SearchView:
    """The search bar over the facets, results and detail panes (`widget`), for ``window``:
    it announces results and details through the window's `results_shown` and
    `detail_shown`."""

    def __init__(self, window: SearchHost) -> None:
        self.window = window
        #: the window as a widget: the parent of the search's timer and Ctrl+K
        self.parent_widget = host_widget(window)
        self.workspace = window.workspace
        self.ops = window.ops
        self._search_seq = 0
        self._shown_seq = 0
        self._sort: tuple[str | None, bool] = (None, False)
        self.last_request: SearchRequest | None = None
        self.last_result: SearchResult | None = None
        self._select_next: str | None = None

        self.timer = QTimer(self.parent_widget)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SEARCH_DELAY_MS)
        self.timer.timeout.connect(self.run_search)

        self._build_search_bar()
        self._build_body()

    # -- layout ------------------------------------------------------------------------------

    def _build_search_bar(self) -> None:
        bar = QWidget()
        bar.setObjectName("searchBar")
        layout = QHBoxLayout(bar)
        layout.setContentsMargins(12, 10, 12, 10)
        self.search_box = QLineEdit()
        self.search_box.setObjectName("searchBox")
        self.search_box.setPlaceholderText(
            "Search materials: code, name, composition, supplier…  (Ctrl+K)"
        )
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(lambda _text: self.timer.start())
        layout.addWidget(self.search_box, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        layout.addWidget(self.result_label)
        self.fallback_badge = QLabel("search index rebuilding — basic matching")
        self.fallback_badge.setObjectName("badge")
        self.fallback_badge.setVisible(False)
        layout.addWidget(self.fallback_badge)
        self._search_bar = bar

        shortcut(QKeySequence("Ctrl+K"), self.parent_widget, self.focus_search)
        shortcut(QKeySequence(Qt.Key.Key_Escape), self.search_box, self.search_box.clear)

    def _build_body(self) -> None:
        self.facets = FacetPanel()
        self.facets.changed.connect(self.run_search)
        facet_scroll = QScrollArea()
        facet_scroll.setWidget(self.facets)
        facet_scroll.setWidgetResizable(True)
        facet_scroll.setMinimumWidth(300)
        facet_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.model = MaterialsTableModel(
            lambda ids: queries.materials_by_ids(self.workspace.replica.conn, ids), self.ops
        )
        self.model.page_failed.connect(self.result_label.setText)
        self.table = QTableView()
        self.table.setObjectName("results")
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(False)
        header.sectionClicked.connect(self._on_header_clicked)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsMovable(True)
        header.setStretchLastSection(True)
        header.setToolTip("Right-click to choose the columns; drag to reorder or resize them")
        self.columns = ResultColumns(self.table, self.workspace.replica, self.ops)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.no_results = NoResults()
        self.no_results.chosen.connect(self._show_nearest)
        self.no_results.clear_filters.connect(self.facets.clear)
        self.results = QStackedWidget()
        self.results.addWidget(self.table)
        self.results.addWidget(self.no_results)

        self.detail = DetailPane()
        self.detail.setMinimumWidth(340)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(facet_scroll)
        splitter.addWidget(self.results)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([300, 700, 360])
        self.splitter = splitter

        self.widget = QWidget()
        layout = QVBoxLayout(self.widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._search_bar)
        layout.addWidget(splitter, 1)

    def load_facet_options(self) -> None:
        """Fill the certification and supplier filters from the replica, on a worker."""
        replica = self.workspace.replica

        def load(_ctx: OpContext) -> tuple[list[str], list[str]]:
            return (
                queries.distinct_values(replica.conn, "certifications"),
                queries.distinct_values(replica.conn, "supplier"),
            )

        self.ops.run(
            load,
            success=lambda o: self.facets.set_options(*o),
            label="Loading filters",
            background=True,
        )

    # -- searching ---------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def current_request(self) -> SearchRequest:
        sort, descending = self._sort
        return SearchRequest(
            text=self.search_box.text(),
            sort=sort,
            descending=descending,
            facets=True,
            **self.facets.filters(),
        )

    @property
    def shown_seq(self) -> int:
        """The number of the search whose results are on screen (searches count up)."""
        return self._shown_seq

    def run_search(self) -> int:
        """Search now with the box's text and the filters; returns the search's number."""
        self.timer.stop()
        self._search_seq += 1
        seq = self._search_seq
        request = self.current_request()
        replica, search, page = self.workspace.replica, self.workspace.search, self.model.PAGE

        def work(_ctx: OpContext) -> tuple[SearchResult, Rows, Nothing | None] | None:
            try:
                conn = replica.conn  # the worker's own connection
            except ReplicaClosed:  # the workspace is being deleted (a remote wipe): nothing to do
                return None
            result = search.search(request)
            if result.total:  # the first page's rows come with the ids: shown at once
                return result, queries.materials_by_ids(conn, result.ids[:page]), None
            match = explain_no_match(search, request)  # why, and the nearest materials
            return result, [], (match, queries.materials_by_ids(conn, match.nearest))

        def show(found: tuple[SearchResult, Rows, Nothing | None] | None) -> None:
            if found is not None:
                self._show_results(seq, request, *found)

        self.ops.run(
            work,
            success=show,
            label="Searching",
            background=True,
        )
        return seq

    def _show_results(
        self,
        seq: int,
        request: SearchRequest,
        result: SearchResult,
        rows: Rows,
        nothing: Nothing | None,
    ) -> None:
        if seq < self._shown_seq:
            return  # an older, slower search: a newer answer is already shown
        self._shown_seq = seq
        self.last_request = request
        self.last_result = result
        if nothing is None:
            self.results.setCurrentWidget(self.table)
        else:
            self.no_results.show_no_match(*nothing)
            self.results.setCurrentWidget(self.no_results)
        selected = self.detail.material_id
        if self._select_next is not None and self._select_next in result.ids:
            selected, self._select_next = self._select_next, None  # a nearest match clicked
        self.model.set_ids(result.ids, rows)
        self.table.scrollToTop()  # a new result starts at its first row, pages follow below
        shown = len(result.ids)
        more = f" (first {shown:,} shown)" if result.total > shown else ""
        noun = "material" if result.total == 1 else "materials"
        self.result_label.setText(f"{result.total:,} {noun}{more} · {result.elapsed_ms:.0f} ms")
        self.fallback_badge.setVisible(result.engine != "index")
        self.facets.show_counts(result.facets)
        self.window.show_index_state()
        if selected and selected in result.ids:
            row = result.ids.index(selected)
            if row < self.model.rowCount():
                self.table.selectRow(row)
        self.window.results_shown.emit(result)

    def _show_nearest(self, material_id: str, code: str) -> None:
        """A nearest material was clicked: search its code, and select it in the results."""
        self._select_next = material_id
        self.search_box.setText(code)
        self.run_search()
        self.show_material(material_id)

    def _on_header_clicked(self, section: int) -> None:
        """Sort by a column: ascending, then descending, then back to relevance."""
        column = COLUMNS[section][1]
        current, descending = self._sort
        if current != column:
            self._sort = (column, False)
        elif not descending:
            self._sort = (column, True)
        else:
            self._sort = (None, False)
        header = self.table.horizontalHeader()
        sort, descending = self._sort
        header.setSortIndicatorShown(sort is not None)
        if sort is not None:
            order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
            header.setSortIndicator(section, order)
        self.run_search()

    # -- details -----------------------------------------------------------------------------

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        indexes = selected.indexes()
        if not indexes:
            return
        self.show_material(self.model.id_at(indexes[0].row()))

    def show_material(self, material_id: str | None) -> None:
        if material_id is None:
            self.detail.clear()
            return
        replica = self.workspace.replica

        def load(_ctx: OpContext) -> dict[str, Any] | None:
            return queries.material_detail(replica.conn, material_id)

        def show(detail: dict[str, Any] | None) -> None:
            self.detail.show_detail(detail)
            self.window.detail_shown.emit(material_id)

        self.ops.run(load, success=show, label="Loading material", background=True)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)
