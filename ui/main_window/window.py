"""The main window of the office roles: the material search (`SearchView`) in the middle, the
menus and what they open (`WindowMenus`) above, and a status bar below with the workspace, its
counts, the search index, the sync state and the progress of the running work.

After each sync the window sends the AI requests queued offline and, when changes came in,
brings the dashboards' order file up to date; a change to the materials refreshes the search.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QProgressBar, QPushButton

from sync import session
from sync.session import SyncReport
from ui.keys import window_keys_first
from ui.main_window.menus import WindowMenus
from ui.main_window.search_view import SearchView
from ui.ops import OpContext, OpRunner
from ui.sync_controller import SyncController, Syncer
from ui.window_size import fit_screen
from workbench.derived import OPENED
from workbench.errors import Cancelled, user_message
from workbench.replica import queries
from workbench.search import IndexState
from workbench.services.writer import pending, run_queue
from workbench.settings import SettingsError, ai_client, load_settings
from workbench.workspace import Workspace

#: The size the window opens at when the screen has room.
DEFAULT_SIZE = (1400, 860)

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
        self.setWindowTitle(f"Mill Workbench — {workspace.name}")
        fit_screen(self, DEFAULT_SIZE)

        self.search_view = view = SearchView(self)
        self.setCentralWidget(view.widget)
        self._build_status_bar()
        self.sync = SyncController(self, syncer, live, last_sync)
        # online again: what the AI service could not write offline is asked for now
        self.sync.synced.connect(self._after_sync)
        self.menus = WindowMenus(self, ai=self._ai_client)
        # Ctrl+E and the others work with the cursor in the search box or a filter too
        self.keys_first = window_keys_first(self)

        self.ops.busy_changed.connect(self._on_busy)
        self.ops.progress.connect(self._on_progress)
        self.ops.replica_changed.connect(self._on_replica_changed)

        self.menus.recover_drafts()
        view.load_facet_options()
        self._load_counts()
        self.search_view.run_search()
        self.prepare_index()

    # -- status ------------------------------------------------------------------------------

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
        self.show_index_state()

    def show_index_state(self) -> None:
        self.index_label.setText(INDEX_STATE_TEXT[self.workspace.search.state])

    def _on_busy(self, busy: bool) -> None:
        self.progress_bar.setVisible(busy)
        self.cancel_button.setVisible(busy)

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setMaximum(max(total, 0))
        self.progress_bar.setValue(min(done, total) if total else 0)
        self.progress_bar.setFormat(f"{text} %p%" if total else text)

    def _load_counts(self) -> None:
        replica = self.workspace.replica

        def count(_ctx: OpContext) -> dict[str, int]:
            return queries.table_counts(replica.conn, ("materials", "orders"))

        def show(counts: dict[str, int]) -> None:
            self.counts_label.setText(
                f"{counts['materials']:,} materials · {counts['orders']:,} orders"
            )

        self.ops.run(count, success=show, label="Counting", background=True)

    def prepare_index(self, force: bool = False) -> None:
        """Bring the search index up to date on a worker (`workbench.derived`: checked,
        refreshed or rebuilt; with ``force``, rebuilt); searches use SQL meanwhile."""
        derived = self.workspace.derived

        def work(ctx: OpContext) -> None:
            report = lambda done, total: ctx.progress(done, total, "Indexing materials")  # noqa: E731
            if force:
                derived.rebuild_index(report, ctx.cancel_event)
            else:
                derived.update(OPENED, report, ctx.cancel_event)

        def done(_result: None) -> None:
            self.show_index_state()
            self.index_ready.emit()
            self.search_view.run_search()

        def failed(exc: BaseException) -> None:
            self.show_index_state()
            if not isinstance(exc, Cancelled):
                self.index_label.setText(f"search index unavailable: {user_message(exc)}")

        self.ops.run(work, success=done, failure=failed, label="Preparing search")
        self.show_index_state()

    # -- after a sync, and changes -----------------------------------------------------------

    def _ai_client(self) -> Any:
        """The AI client of the settings, or None (no provider, or unreadable settings)."""
        try:
            return ai_client(load_settings())
        except SettingsError:
            return None

    def _after_sync(self, report: object) -> None:
        """Online again: what the AI service could not write offline is asked for now. (The
        sync itself brought the index and the dashboards' order file up to date.)"""
        if not isinstance(report, SyncReport):  # the sync failed: still offline
            return
        self.run_ai_queue()

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

    def _on_replica_changed(self, tables: frozenset[str]) -> None:
        if "materials" in tables:
            self.search_view.model.refresh_rows()
            self._load_counts()
            self.search_view.load_facet_options()
            self.search_view.run_search()

    def closeEvent(self, event: QCloseEvent) -> None:
        deleted = self.sync.workspace_deleted  # a remote wipe: nothing left to save or ask
        if not deleted and not self.menus.confirm_quit():  # an unsaved sheet's user: Cancel
            event.ignore()
            return
        for opened in self.menus.cost_windows:
            opened.close()
        self.search_view.timer.stop()
        if not deleted:
            self.search_view.columns.save_pending()
        self.sync.stop()
        self.ops.shutdown()
        super().closeEvent(event)
