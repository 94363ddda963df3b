"""The main window's menus and what they open: exporting the results, importing master data
(admins, uploaded to the server), settings, rebuilding the search index, cost sheets, capacity,
dashboards, buyer proposals, a diagnostics bundle for support and About. The Sync menu between
Costing and Help is `SyncController`'s."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu, QMenuBar, QMessageBox, QStatusBar

import workbench
from sync import session
from ui.capacity_view import CapacityWindow
from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet.browser import SheetBrowser
from ui.dashboards import DashboardsWindow
from ui.file_dialogs import ask_save_path
from ui.host_widget import host_widget
from ui.import_dialog import ImportDialog
from ui.keys import bindings
from ui.main_window.search_view import SearchView
from ui.models import COLUMNS, NUMERIC
from ui.ops import OpContext, OpRunner
from ui.proposal_builder import ProposalBuilder
from ui.settings_dialog import SettingsDialog
from ui.sync_controller import SyncController
from workbench import drafts
from workbench.costing.register import sheet_row
from workbench.diagnostics import export_diagnostics
from workbench.errors import user_message
from workbench.export import INTEGER, MONEY, export_table
from workbench.replica import queries
from workbench.search.describe import describe_search
from workbench.settings import Settings, SettingsError, load_settings
from workbench.workspace import Workspace

#: File → Export results: the table's columns, with a price as amount, currency and unit
RESULT_HEADERS = [
    *(header for header, column in COLUMNS if column != "price"),
    "Price",
    "Currency",
    "Per",
]
RESULT_FORMATS = [
    INTEGER if column in NUMERIC else None for _, column in COLUMNS if column != "price"
] + [MONEY]


def result_row(row: dict[str, Any]) -> list[Any]:
    """A material as a row of typed values (a price Excel can add up)."""
    values: list[Any] = [row.get(column) for _, column in COLUMNS if column != "price"]
    price = row.get("price")
    try:
        amount = None if price in (None, "") else Decimal(str(price))
    except InvalidOperation:
        amount = None
    return [
        *values,
        amount,
        row.get("currency") if amount is not None else None,
        row.get("uom") if amount is not None else None,
    ]


#: materials read and written at a time by File → Export results
EXPORT_PAGE = 500

#: a draft a crash left (its key and what it holds) and the saved sheet it changes, if any
Recovered = tuple[str, dict[str, Any], dict[str, Any] | None]

#: a window the menus open and keep
Opened = TypeVar("Opened", bound=QMainWindow)


@runtime_checkable
class MenusHost(Protocol):
    """What the menus need of their window: the workspace and ops, the search whose results
    and material they export and cost, the sync whose menu they hold, and the window's own
    menu bar, status bar and index rebuild. The window is also the parent of what they open."""

    ops: OpRunner
    workspace: Workspace
    search_view: SearchView
    sync: SyncController
    #: an export finished: the file and the number of rows written
    exported: SignalInstance

    def menuBar(self) -> QMenuBar: ...

    def statusBar(self) -> QStatusBar: ...

    def prepare_index(self, force: bool = False) -> None: ...

    def close(self) -> bool: ...


class WindowMenus:
    """The File, Costing and Help menus of ``window`` and the windows and dialogs they open;
    ``ai`` gives the AI client of the settings (or None) to the proposal builder."""

    def __init__(self, window: MenusHost, ai: Callable[[], Any]) -> None:
        self.window = window
        #: the window as a widget: the parent of the actions, dialogs and windows opened
        self.parent_widget = host_widget(window)
        self.workspace = window.workspace
        self.ops = window.ops
        self.ai = ai
        self.settings_dialog: SettingsDialog | None = None
        self.import_dialog: ImportDialog | None = None
        self._build_menus()

    def _build_menus(self) -> None:
        window, add = self.window, self._add
        file_menu = window.menuBar().addMenu("&File")
        add(file_menu, "&Export results…", self.choose_export_file, QKeySequence("Ctrl+E"))
        self.import_action = add(
            file_menu, "&Import master data…", self.show_import, QKeySequence("Ctrl+I")
        )
        self.import_action.setVisible(self.workspace.replica.get_state("role") == "admin")
        add(file_menu, "&Settings…", self.show_settings, QKeySequence("Ctrl+,"))
        add(file_menu, "&Rebuild search index", lambda: window.prepare_index(force=True))
        file_menu.addSeparator()
        add(file_menu, "&Quit", window.close, bindings(QKeySequence.StandardKey.Quit, "Ctrl+Q"))
        self._build_costing_menu()
        window.sync.add_menu(window.menuBar())
        help_menu = window.menuBar().addMenu("&Help")
        add(help_menu, "&About Mill Workbench", self.show_about)
        add(help_menu, "Export &diagnostics…", self.choose_diagnostics)

    def _add(
        self,
        menu: QMenu,
        text: str,
        slot: Callable[[], object],
        shortcut: QKeySequence | list[QKeySequence] | None = None,
    ) -> QAction:
        """An entry of ``menu`` calling ``slot``; the window owns it, and so its shortcut."""
        action = QAction(text, self.parent_widget)
        if isinstance(shortcut, list):
            action.setShortcuts(shortcut)
        elif shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def show_about(self) -> None:
        QMessageBox.about(
            self.parent_widget,
            "About Mill Workbench",
            f"<b>Mill Workbench</b> {workbench.__version__}<br>"
            "Offline-first material search, costing and labels for textile mills.",
        )

    # -- export ----------------------------------------------------------------------------

    def _save_as(self, title: str, name: str, types: str) -> Path | None:
        """The file the user chose to write, or None if they cancelled."""
        return ask_save_path(self.parent_widget, title, name, types)

    def choose_export_file(self) -> None:
        path = self._save_as("Export results", "materials.xlsx", "Excel (*.xlsx);;CSV (*.csv)")
        if path:
            self.export_results(path)

    def export_results(self, path: Path) -> None:
        """Write every material the current search found (not only the rows loaded in the
        table: the search runs again without its page limit), on a worker. Numbers are
        numbers and a price is an amount with its currency and unit beside it."""
        request, last = self.window.search_view.last_request, self.window.search_view.last_result
        search, replica = self.workspace.search, self.workspace.replica

        workspace = self.workspace.root.name

        def work(ctx: OpContext) -> int:
            ids: list[str] = []
            if request is not None and last is not None:
                everything = replace(request, limit=max(last.total, len(last.ids), 1), facets=False)
                ids = list(search.search(everything).ids)

            def rows() -> Iterator[list[Any]]:
                """The matches a page at a time, so the progress bar moves and Cancel stops."""
                for start in range(0, len(ids), EXPORT_PAGE):
                    ctx.check()
                    ctx.progress(start, len(ids), f"Exporting {len(ids):,} materials")
                    page = queries.materials_by_ids(replica.conn, ids[start : start + EXPORT_PAGE])
                    yield from (result_row(row) for row in page)

            header = [
                *describe_search(request),
                ("Matches", len(ids)),
                ("Workspace", workspace),
                ("Exported", datetime.now().replace(microsecond=0)),
            ]
            return export_table(
                path,
                RESULT_HEADERS,
                rows(),
                sheet_name="Materials",
                header=header,
                formats=RESULT_FORMATS,
            )

        self.ops.run(
            work,
            success=lambda n: self.window.exported.emit(path, n),
            label=f"Exporting to {path.name}",
        )

    # -- diagnostics -------------------------------------------------------------------------

    def choose_diagnostics(self) -> None:
        path = self._save_as("Export diagnostics", "workbench-diagnostics.zip", "Zip (*.zip)")
        if path:
            self.export_diagnostics(path)

    def export_diagnostics(self, path: Path) -> None:
        """Logs, versions and each workspace's shape for support, on a worker; no secrets."""

        def done(written: Path) -> None:
            self.window.statusBar().showMessage(f"Diagnostics written to {written}", 15_000)

        self.ops.run(
            lambda _ctx: export_diagnostics(path), success=done, label="Collecting diagnostics"
        )

    # -- costing -----------------------------------------------------------------------------

    def _build_costing_menu(self) -> None:
        """Cost sheets for the roles that see costs (a floor replica holds no rates)."""
        menu = self.costing_menu = self.window.menuBar().addMenu("&Costing")
        menu.menuAction().setVisible(self.workspace.replica.get_state("role") != "floor")
        self._add(
            menu,
            "&New cost sheet",
            self.new_cost_sheet_for_selection,
            QKeySequence("Ctrl+N"),
        )
        self._add(menu, "&Open cost sheet…", self.choose_cost_sheet, QKeySequence("Ctrl+O"))
        self._add(menu, "&Capacity…", self.show_capacity)
        self._add(menu, "&Dashboards…", self.show_dashboards, QKeySequence("Ctrl+D"))
        self._add(menu, "Buyer &proposal…", self.show_proposal_builder, QKeySequence("Ctrl+P"))
        self.cost_windows: list[QMainWindow] = []

    def new_cost_sheet_for_selection(self) -> None:
        """A new cost sheet, on the material selected in the results when it is a fabric
        (which is read on a worker; the sheet opens when the answer comes)."""
        material_id, replica = self.window.search_view.detail.material_id, self.workspace.replica
        if material_id is None:
            self.new_cost_sheet()
            return

        def fabric(_ctx: OpContext) -> str | None:
            row = queries.material(replica.conn, material_id)
            return material_id if row and row["material_type"] == "fabric" else None

        self.ops.run(
            fabric, success=self.new_cost_sheet, label="Opening a cost sheet", background=True
        )

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
        sheet = CostSheetWindow(
            self.workspace, self.ops, self._quote_asker(), document, self.parent_widget
        )
        if fabric_id is not None and document is None:
            sheet.ready.connect(lambda: sheet.materials.start_with_fabric(fabric_id))
        return self._keep(sheet)

    def recover_drafts(self) -> None:
        """Open again, with their unsaved changes, the cost sheets a crash left drafts of.

        The drafts and the saved sheets they change are read on a worker; the windows open,
        and the status bar says how many, when the answer comes."""
        root, replica = self.workspace.root, self.workspace.replica

        def read(_ctx: OpContext) -> list[Recovered]:
            found = []
            for key, data in drafts.load_drafts(root):
                row = sheet_row(replica.conn, data["sheet_id"]) if data.get("sheet_id") else None
                found.append((key, data, row))
            return found

        def reopen(found: list[Recovered]) -> None:
            for key, data, row in found:
                self._keep(
                    CostSheetWindow(
                        self.workspace,
                        self.ops,
                        self._quote_asker(),
                        row,
                        self.parent_widget,
                        draft=(key, data),
                    )
                )
            if found:
                self.window.statusBar().showMessage(
                    f"{len(found)} cost sheet(s) with unsaved changes recovered", 30_000
                )

        def failed(exc: BaseException) -> None:
            self.window.statusBar().showMessage(user_message(exc), 30_000)

        self.ops.run(
            read, success=reopen, failure=failed, label="Recovering drafts", background=True
        )

    def confirm_quit(self) -> bool:
        """Ask about each open cost sheet with unsaved changes and each proposal previewed but
        not kept; False: the user cancelled, or a sheet is saving first (quitting goes on once
        it has landed)."""
        asking = [w for w in self.cost_windows if isinstance(w, CostSheetWindow | ProposalBuilder)]
        return all(
            window.confirm_close(after=self.window.close)
            if isinstance(window, CostSheetWindow)
            else window.confirm_close()
            for window in asking
            if window.isVisible()
        )

    def sheet_browser(self) -> SheetBrowser:
        """The browser the merchandiser finds a saved cost sheet in."""
        return SheetBrowser(self.workspace.replica, self.parent_widget, ops=self.ops)

    def choose_cost_sheet(self) -> None:
        browser = self.sheet_browser()
        if browser.exec() and browser.chosen_id is not None:
            self.open_cost_sheet(browser.chosen_id)

    def open_cost_sheet(self, sheet_id: str) -> None:
        """Read the saved sheet on a worker, then open it in a window of its own (kept in
        `cost_windows`); a sheet no longer there is said in the status bar."""
        replica = self.workspace.replica

        def opened(row: dict[str, Any] | None) -> None:
            if row is None:
                self.window.statusBar().showMessage("That cost sheet is no longer saved", 15_000)
                return
            self.new_cost_sheet(document=row)

        self.ops.run(
            lambda _ctx: sheet_row(replica.conn, sheet_id),
            success=opened,
            label="Opening the cost sheet",
            background=True,
        )

    def show_settings(self) -> SettingsDialog:
        try:
            current = load_settings()
        except SettingsError as exc:
            QMessageBox.warning(self.parent_widget, "Settings", str(exc))
            current = Settings()
        dialog = SettingsDialog(current, parent=self.parent_widget)
        dialog.show()
        self.settings_dialog = dialog
        return dialog

    def show_dashboards(self) -> DashboardsWindow:
        return self._keep(DashboardsWindow(self.workspace, self.ops, self.parent_widget))

    def show_proposal_builder(self) -> ProposalBuilder:
        return self._keep(ProposalBuilder(self.workspace, self.ops, self.parent_widget, ai=self.ai))

    def show_capacity(self) -> CapacityWindow:
        return self._keep(CapacityWindow(self.workspace, self.ops, self.parent_widget))

    def _keep(self, opened: Opened) -> Opened:
        """Show a window the menus opened and keep it with the others in `cost_windows`."""
        opened.show()
        self.cost_windows.append(opened)
        return opened

    # -- import (admins) ---------------------------------------------------------------------

    def show_import(self) -> ImportDialog:
        dialog = ImportDialog(self.workspace, self.ops, self._upload_import, self.parent_widget)
        self.import_dialog = dialog
        dialog.answered.connect(self._on_import_answered)
        dialog.show()
        return dialog

    def _upload_import(
        self,
        kind: str,
        path: Path,
        dry_run: bool,
        partial: bool,
        columns: dict[str, str],
        decimal_mark: str | None,
        ctx: OpContext,
    ) -> dict[str, Any]:
        client = session.client_for(self.workspace)
        try:
            return client.upload_import(
                kind,
                path,
                dry_run=dry_run,
                accept_partial=partial,
                columns=columns,
                progress=lambda done, total: ctx.progress(done, total, "Uploading"),
                cancel=ctx.cancel_event,
                decimal_mark=decimal_mark,
            )
        finally:
            client.close()

    def _on_import_answered(self, answer: dict[str, Any]) -> None:
        if answer.get("written"):
            self.window.sync.sync_now()
