"""The main window: search as you type, filters, results, details, status."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

import workbench
from sync import session
from sync.session import SyncReport
from ui.capacity_view import CapacityWindow
from ui.cost_sheet import CostSheetWindow
from ui.dashboards import DashboardsWindow
from ui.detail import DetailPane
from ui.facets import FacetPanel
from ui.import_dialog import ImportDialog
from ui.models import COLUMNS, MaterialsTableModel
from ui.ops import OpContext, OpRunner
from ui.proposal_builder import ProposalBuilder
from ui.settings_dialog import SettingsDialog
from ui.sync_controller import SyncController, Syncer
from workbench.diagnostics import export_diagnostics
from workbench.export import export_table
from workbench.replica import queries
from workbench.search import IndexState, SearchRequest, SearchResult
from workbench.services.writer import pending, run_queue
from workbench.settings import Settings, SettingsError, ai_client, load_settings
from workbench.workspace import Workspace

SEARCH_DELAY_MS = 150
INDEX_STATE_TEXT = {
    IndexState.READY: "search index ready",
    IndexState.STALE: "search index catching up",
    IndexState.MISSING: "search index missing — rebuilding",
    IndexState.CORRUPT: "search index damaged — rebuilding",
    IndexState.BUILDING: "search index rebuilding",
}


class MainWindow(QMainWindow):
    #: emitted after a search's results are in the table: the SearchResult
    results_shown = Signal(object)
    #: emitted after the detail pane shows a material: its id
    detail_shown = Signal(str)
    #: emitted when the search index has been made ready at start or on request
    index_ready = Signal()
    #: emitted after an export: the file and the number of rows written
    exported = Signal(object, int)

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner | None = None,
        *,
        syncer: Syncer | None = None,
        last_sync: SyncReport | None = None,
        live: session.LiveUpdates | None = None,
    ) -> None:
        super().__init__()
        self.workspace = workspace
        self.ops = ops or OpRunner(self)
        self.ops.parent_widget = self
        self._search_seq = 0
        self._shown_seq = 0
        self._sort: tuple[str | None, bool] = (None, False)
        self.last_request: SearchRequest | None = None
        self.last_result: SearchResult | None = None
        self.setWindowTitle(f"Mill Workbench — {workspace.name}")
        self.resize(1400, 860)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.run_search)

        self._build_search_bar()
        self._build_body()
        self._build_status_bar()
        self.sync = SyncController(self, syncer, live, last_sync)
        # online again: what the AI service could not write offline is asked for now
        self.sync.synced.connect(self._after_sync)
        self._build_menus()

        self.ops.busy_changed.connect(self._on_busy)
        self.ops.progress.connect(self._on_progress)
        self.ops.replica_changed.connect(self._on_replica_changed)

        self._load_facet_options()
        self._load_counts()
        self.run_search()
        self.prepare_index()

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
        self.search_box.textChanged.connect(lambda _text: self._timer.start())
        layout.addWidget(self.search_box, 1)
        self.result_label = QLabel()
        self.result_label.setObjectName("resultLabel")
        layout.addWidget(self.result_label)
        self.fallback_badge = QLabel("search index rebuilding — basic matching")
        self.fallback_badge.setObjectName("badge")
        self.fallback_badge.setVisible(False)
        layout.addWidget(self.fallback_badge)
        self._search_bar = bar

        QShortcut(QKeySequence("Ctrl+K"), self, activated=self.focus_search)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search_box, activated=self.search_box.clear)

    def _build_body(self) -> None:
        self.facets = FacetPanel()
        self.facets.changed.connect(self.run_search)
        facet_scroll = QScrollArea()
        facet_scroll.setWidget(self.facets)
        facet_scroll.setWidgetResizable(True)
        facet_scroll.setMinimumWidth(300)
        facet_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.model = MaterialsTableModel(
            lambda ids: queries.materials_by_ids(self.workspace.replica.conn, ids)
        )
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
        for column, width in enumerate((110, 300, 70, 190, 60, 80, 110, 140, 180, 150)):
            self.table.setColumnWidth(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)

        self.detail = DetailPane()
        self.detail.setMinimumWidth(340)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(facet_scroll)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([300, 700, 400])
        self.splitter = splitter

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._search_bar)
        layout.addWidget(splitter, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self) -> None:
        status = self.statusBar()
        self.workspace_label = QLabel(f"Workspace: {self.workspace.name}")
        self.counts_label = QLabel()
        self.index_label = QLabel()
        self.sync_label = QLabel()
        self.sync_label.setObjectName("syncLabel")
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(True)
        self.progress_bar.setVisible(False)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.ops.cancel_foreground)
        for widget in (self.workspace_label, self.counts_label, self.index_label, self.sync_label):
            status.addWidget(widget)
        status.addPermanentWidget(self.progress_bar)
        status.addPermanentWidget(self.cancel_button)
        self._show_index_state()

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        export = QAction("&Export results…", self)
        export.setShortcut(QKeySequence("Ctrl+E"))
        export.triggered.connect(self.choose_export_file)
        file_menu.addAction(export)
        self.import_action = QAction("&Import master data…", self)
        self.import_action.setShortcut(QKeySequence("Ctrl+I"))
        self.import_action.triggered.connect(self.show_import)
        self.import_action.setVisible(self.workspace.replica.get_state("role") == "admin")
        file_menu.addAction(self.import_action)
        settings = QAction("&Settings…", self)
        settings.setShortcut(QKeySequence("Ctrl+,"))
        settings.triggered.connect(self.show_settings)
        file_menu.addAction(settings)
        rebuild = QAction("&Rebuild search index", self)
        rebuild.triggered.connect(lambda: self.prepare_index(force=True))
        file_menu.addAction(rebuild)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        self._build_costing_menu()
        self.sync.add_menu(self.menuBar())
        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About Mill Workbench", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)
        diagnostics = QAction("Export &diagnostics…", self)
        diagnostics.triggered.connect(self.choose_diagnostics)
        help_menu.addAction(diagnostics)

    # -- status ------------------------------------------------------------------------------

    def _show_index_state(self) -> None:
        self.index_label.setText(INDEX_STATE_TEXT[self.workspace.search.state])

    def _on_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setMaximum(max(total, 0))
        self.progress_bar.setValue(min(done, total) if total else 0)
        self.progress_bar.setFormat(f"{text} %p%" if total else text)

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Mill Workbench",
            f"<b>Mill Workbench</b> {workbench.__version__}<br>"
            "Offline-first material search, costing and labels for textile mills.",
        )

    # -- loading -----------------------------------------------------------------------------

    def _load_counts(self) -> None:
        replica = self.workspace.replica

        def count(_ctx: OpContext) -> dict[str, int]:
            return queries.table_counts(replica.conn, ("materials", "orders"))

        def show(counts: dict[str, int]) -> None:
            self.counts_label.setText(
                f"{counts['materials']:,} materials · {counts['orders']:,} orders"
            )

        self.ops.run(count, success=show, label="Counting", background=True)

    def _load_facet_options(self) -> None:
        replica = self.workspace.replica

        def load(_ctx: OpContext) -> tuple[list[str], list[str]]:
            return (
                queries.distinct_values(replica.conn, "certifications"),
                queries.distinct_values(replica.conn, "supplier"),
            )

        self.ops.run(load, success=lambda o: self.facets.set_options(*o),
                     label="Loading filters", background=True)  # fmt: skip

    def prepare_index(self, force: bool = False) -> None:
        """Bring the search index up to date on a worker; searches use SQL meanwhile."""
        search = self.workspace.search

        def work(ctx: OpContext) -> IndexState:
            report = lambda done, total: ctx.progress(done, total, "Indexing materials")  # noqa: E731
            if force:
                search.rebuild(report, ctx.cancel_event)
                return search.check()
            return search.ensure_ready(report, ctx.cancel_event)

        def done(_state: IndexState) -> None:
            self._show_index_state()
            self.index_ready.emit()
            self.run_search()

        def failed(exc: BaseException) -> None:
            self._show_index_state()
            if not isinstance(exc, Exception) or "cancel" not in str(exc).lower():
                self.index_label.setText(f"search index unavailable: {exc}")

        self.ops.run(work, success=done, failure=failed, label="Preparing search")
        self._show_index_state()

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
            **self.facets.filters(),  # type: ignore[arg-type]
        )

    @property
    def shown_seq(self) -> int:
        """The number of the search whose results are on screen (searches count up)."""
        return self._shown_seq

    def run_search(self) -> int:
        """Search now with the box's text and the filters; returns the search's number."""
        self._timer.stop()
        self._search_seq += 1
        seq = self._search_seq
        request = self.current_request()
        search = self.workspace.search
        self.ops.run(
            lambda _ctx: search.search(request),
            success=lambda result: self._show_results(seq, request, result),
            label="Searching",
            background=True,
        )
        return seq

    def _show_results(self, seq: int, request: SearchRequest, result: SearchResult) -> None:
        if seq < self._shown_seq:
            return  # an older, slower search: a newer answer is already shown
        self._shown_seq = seq
        self.last_request = request
        self.last_result = result
        selected = self.detail.material_id
        self.model.set_ids(result.ids)
        shown = len(result.ids)
        more = f" (first {shown:,} shown)" if result.total > shown else ""
        noun = "material" if result.total == 1 else "materials"
        self.result_label.setText(f"{result.total:,} {noun}{more} · {result.elapsed_ms:.0f} ms")
        self.fallback_badge.setVisible(result.engine != "index")
        self.facets.show_counts(result.facets)
        self._show_index_state()
        if selected and selected in result.ids:
            row = result.ids.index(selected)
            if row < self.model.rowCount():
                self.table.selectRow(row)
        self.results_shown.emit(result)

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
            self.detail_shown.emit(material_id)

        self.ops.run(load, success=show, label="Loading material", background=True)

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    # -- export ----------------------------------------------------------------------------

    def choose_export_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export results", "materials.xlsx", "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            self.export_results(Path(path))

    def export_results(self, path: Path) -> None:
        """Write every material the current search found (not only the rows scrolled to),
        in the table's columns, on a worker."""
        ids = list(self.last_result.ids) if self.last_result else []
        replica = self.workspace.replica

        def work(_ctx: OpContext) -> int:
            rows = queries.materials_by_ids(replica.conn, ids)
            table = ([row.get(column) for _, column in COLUMNS] for row in rows)
            return export_table(path, [header for header, _ in COLUMNS], table)

        self.ops.run(work, success=lambda n: self.exported.emit(path, n),
                     label=f"Exporting to {path.name}")  # fmt: skip

    # -- diagnostics -------------------------------------------------------------------------

    def choose_diagnostics(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export diagnostics", "workbench-diagnostics.zip", "Zip (*.zip)"
        )
        if path:
            self.export_diagnostics(Path(path))

    def export_diagnostics(self, path: Path) -> None:
        """Logs, versions and each workspace's shape for support, on a worker; no secrets."""

        def done(written: Path) -> None:
            self.statusBar().showMessage(f"Diagnostics written to {written}", 15_000)

        self.ops.run(lambda _ctx: export_diagnostics(path), success=done,
                     label="Collecting diagnostics")  # fmt: skip

    # -- costing -----------------------------------------------------------------------------

    def _build_costing_menu(self) -> None:
        """Cost sheets for the roles that see costs (a floor replica holds no rates)."""
        self.costing_menu = self.menuBar().addMenu("&Costing")
        self.costing_menu.menuAction().setVisible(
            self.workspace.replica.get_state("role") != "floor")  # fmt: skip
        new = QAction("&New cost sheet", self)
        new.setShortcut(QKeySequence("Ctrl+N"))
        new.triggered.connect(lambda: self.new_cost_sheet(self._selected_fabric()))
        self.costing_menu.addAction(new)
        open_action = QAction("&Open cost sheet…", self)
        open_action.setShortcut(QKeySequence("Ctrl+O"))
        open_action.triggered.connect(self.choose_cost_sheet)
        self.costing_menu.addAction(open_action)
        capacity = QAction("&Capacity…", self)
        capacity.triggered.connect(self.show_capacity)
        self.costing_menu.addAction(capacity)
        dashboards = QAction("&Dashboards…", self)
        dashboards.setShortcut(QKeySequence("Ctrl+D"))
        dashboards.triggered.connect(self.show_dashboards)
        self.costing_menu.addAction(dashboards)
        proposal = QAction("Buyer &proposal…", self)
        proposal.setShortcut(QKeySequence("Ctrl+P"))
        proposal.triggered.connect(self.show_proposal_builder)
        self.costing_menu.addAction(proposal)
        self.cost_windows: list[QMainWindow] = []

    def _selected_fabric(self) -> str | None:
        material_id = self.detail.material_id
        if material_id is None:
            return None
        row = queries.material(self.workspace.replica.conn, material_id)
        return material_id if row and row["material_type"] == "fabric" else None

    def _quote_asker(self) -> Any:
        if not self.workspace.replica.get_state("server_url"):
            return None
        workspace = self.workspace

        def ask(body: dict[str, Any], sheet_id: str, ctx: OpContext) -> dict[str, Any]:
            client = session.client_for(workspace, retries=1)
            try:
                return client.request_quote(body, sheet_id, ctx.cancel_event)
            finally:
                client.close()

        return ask

    def new_cost_sheet(
        self, fabric_id: str | None = None, document: dict[str, Any] | None = None
    ) -> CostSheetWindow:
        window = CostSheetWindow(self.workspace, self.ops, self._quote_asker(), document, self)
        if fabric_id is not None and document is None:
            window.ready.connect(lambda: window.use_fabric(fabric_id))
        window.show()
        self.cost_windows.append(window)
        return window

    def choose_cost_sheet(self) -> None:
        rows = self.workspace.replica.conn.execute(
            "SELECT * FROM cost_sheets WHERE deleted = 0 ORDER BY updated_at DESC"
        ).fetchall()
        labels = [f"{r['style_code']}  {r['title']}  ({r['updated_at']})" for r in rows]
        if not labels:
            QMessageBox.information(self, "Open cost sheet", "No cost sheets saved yet.")
            return
        chosen, ok = QInputDialog.getItem(self, "Open cost sheet", "Cost sheet:", labels, 0, False)
        if ok:
            self.new_cost_sheet(document=dict(rows[labels.index(chosen)]))

    def show_settings(self) -> SettingsDialog:
        try:
            current = load_settings()
        except SettingsError as exc:
            QMessageBox.warning(self, "Settings", str(exc))
            current = Settings()
        dialog = SettingsDialog(current, parent=self)
        dialog.show()
        self.settings_dialog = dialog
        return dialog

    def _ai_client(self) -> Any:
        """The AI client of the settings, or None (no provider, or unreadable settings)."""
        try:
            return ai_client(load_settings())
        except SettingsError:
            return None

    def _after_sync(self, report: object) -> None:
        """Online again: what the AI service could not write offline is asked for now; and
        when orders may have arrived, the dashboards' order file is brought up to date."""
        if not isinstance(report, SyncReport):  # the sync failed: still offline
            return
        self.run_ai_queue()
        if report.pulled:
            self.prepare_dashboards()

    def prepare_dashboards(self) -> None:
        """Write the order file the dashboards open from, in the background, if it is missing
        or far behind (`analytics.cache.prepare_order_file`): after a first sync of a million
        orders, the first dashboards then open in a fraction of a second."""
        from workbench.analytics.cache import prepare_order_file

        path = self.workspace.replica.path
        self.ops.run(lambda _ctx: prepare_order_file(path), label="Preparing dashboards",
                     background=True)  # fmt: skip

    def run_ai_queue(self) -> None:
        """Send the AI requests queued offline, in the background (after a sync: online)."""
        replica, make = self.workspace.replica, self._ai_client

        def work(ctx: OpContext) -> int:
            client = make()
            if client is None or not pending(replica):
                return 0
            with client:
                return run_queue(replica, client, ctx.cancel_event)

        self.ops.run(work, label="AI texts", background=True)

    def show_dashboards(self) -> DashboardsWindow:
        window = DashboardsWindow(self.workspace, self.ops, self)
        window.show()
        self.cost_windows.append(window)
        return window

    def show_proposal_builder(self) -> ProposalBuilder:
        window = ProposalBuilder(self.workspace, self.ops, self, ai=self._ai_client)
        window.show()
        self.cost_windows.append(window)
        return window

    def show_capacity(self) -> CapacityWindow:
        window = CapacityWindow(self.workspace, self.ops, self)
        window.show()
        self.cost_windows.append(window)
        return window

    # -- import (admins) ---------------------------------------------------------------------

    def show_import(self) -> ImportDialog:
        self.import_dialog = ImportDialog(self.workspace, self.ops, self._upload_import, self)
        self.import_dialog.answered.connect(self._on_import_answered)
        self.import_dialog.show()
        return self.import_dialog

    def _upload_import(
        self, kind: str, path: Path, dry_run: bool, partial: bool, columns: dict[str, str],
        ctx: OpContext,
    ) -> dict[str, Any]:  # fmt: skip
        client = session.client_for(self.workspace)
        try:
            return client.upload_import(
                kind, path, dry_run=dry_run, accept_partial=partial, columns=columns,
                progress=lambda done, total: ctx.progress(done, total, "Uploading"),
                cancel=ctx.cancel_event,
            )  # fmt: skip
        finally:
            client.close()

    def _on_import_answered(self, answer: dict[str, Any]) -> None:
        if answer.get("written"):
            self.sync.sync_now()

    # -- changes -----------------------------------------------------------------------------

    def _on_replica_changed(self, tables: frozenset[str]) -> None:
        if "materials" in tables:
            self.model.refresh_rows()
            self._load_counts()
            self._load_facet_options()
            self.run_search()

    def closeEvent(self, event: QCloseEvent) -> None:
        self._timer.stop()
        self.sync.stop()
        self.ops.shutdown()
        super().closeEvent(event)
