"""The window's side of sync: when to sync, what the status bar says about it, the long-poll
that brings other laptops' edits in moments, and the Sync menu (sign in or out, switch
workspace, resolve conflicts)."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMenuBar, QMessageBox

from sync import session
from sync.session import SyncReport
from ui.dialogs import ConflictsDialog, LoginDialog, WorkspacePicker
from ui.host_widget import host_widget
from ui.ops import OpContext, OpRunner
from ui.unsent_export_dialog import UnsentExportDialog
from workbench.documents import Conflict, conflicts, resolve_conflict
from workbench.errors import Cancelled
from workbench.replica import REPLICATED_TABLES
from workbench.settings import company_server
from workbench.workspace import Workspace

SYNC_EVERY_MS = 3 * 60 * 1000
#: sync errors that mean the laptop must sign in again (expired or revoked; none kept)
SIGNED_OUT = frozenset({"unauthorized", "signed_out"})
LISTEN_RETRY_MS = 30_000
#: What the sync line says until the server's address is read.
CONNECTING = "connecting…"

#: what syncing the workspace means for a window (None: no server configured)
Syncer = Callable[[OpContext], SyncReport]


@runtime_checkable
class SyncHost(Protocol):
    """What the sync controller needs of the window it serves (the main window or the label
    station), so it depends on neither: the window is also the parent of the dialogs it
    opens, and it closes after a remote wipe."""

    ops: OpRunner
    workspace: Workspace
    #: where the sync's state is shown ("online", "offline — …")
    sync_label: QLabel

    def close(self) -> bool: ...


class _ExportAnswer:
    """The user's answer to the export offer, handed from the UI thread to the sync worker."""

    def __init__(self) -> None:
        self.given = threading.Event()
        self.value: tuple[Path, str] | None = None


class SyncController(QObject):
    #: a sync finished: the SyncReport, or the exception
    synced = Signal(object)
    #: the user wants another workspace: an opened Workspace, or the Path of a folder
    workspace_requested = Signal(object)
    #: the long-poll answered: True (changes), False (timed out) or the exception
    live_answer = Signal(object)
    #: a wipe with an export allowed waits for the user: the unsent edits' count, the answer
    export_asked = Signal(int, object)

    def __init__(
        self,
        window: SyncHost,
        syncer: Syncer | None,
        live: session.LiveUpdates | None,
        last_sync: SyncReport | None,
    ) -> None:
        owner = host_widget(window)
        super().__init__(owner)  # the window owns the controller
        #: the window as a widget: the parent of the dialogs the controller opens
        self.parent_widget = owner
        self.window, self.ops, self.workspace = window, window.ops, window.workspace
        self.syncer, self.live = syncer, live
        self.label = window.sync_label
        self.conflicts_dialog: ConflictsDialog | None = None
        #: the sign-in dialog offered when the server refused the laptop's sign-in
        self.login_dialog: LoginDialog | None = None
        self._syncing = self._closing = False
        #: an admin had the workspace deleted from this laptop (a remote wipe)
        self.workspace_deleted = False
        self._timer = QTimer(self)
        self._timer.setInterval(SYNC_EVERY_MS)
        self._timer.timeout.connect(self.sync_now)
        self._retry = QTimer(self)
        self._retry.setSingleShot(True)
        self._retry.setInterval(LISTEN_RETRY_MS)
        self._retry.timeout.connect(self.listen)
        self.live_answer.connect(self._on_live_answer)
        self.export_asked.connect(self._ask_export)
        #: the open export offer, while one is shown
        self.export_dialog: UnsentExportDialog | None = None
        if syncer is None:
            self._set_text("offline — no server configured", "offline")
        else:
            self._set_text(CONNECTING, "offline")
            self._name_server()
            self._timer.start()
            if last_sync is not None:
                self._show(last_sync)
        self.listen()

    def _name_server(self) -> None:
        """Say which server the window is connecting to, once its address is read (on a
        worker); a sync's outcome shown meanwhile is not replaced."""
        replica = self.workspace.replica

        def named(server: str | None) -> None:
            if self.label.text() == CONNECTING:
                self._set_text(f"connecting to {server or 'the server'}…", "offline")

        self.ops.run(
            lambda _ctx: replica.get_state("server_url"),
            success=named,
            failure=lambda _exc: None,  # the plain "connecting…" stays
            label="Reading the server's address",
            background=True,
        )

    def add_menu(self, menu_bar: QMenuBar) -> None:
        menu = menu_bar.addMenu("&Sync")
        self.sync_action = QAction("&Sync now", self)
        self.sync_action.setShortcut(QKeySequence(Qt.Key.Key_F5))
        self.sync_action.setEnabled(self.syncer is not None)
        self.sync_action.triggered.connect(lambda: self.sync_now(foreground=True))
        menu.addAction(self.sync_action)
        conflicts_action = QAction("&Conflicts…", self)
        conflicts_action.triggered.connect(self.show_conflicts)
        menu.addAction(conflicts_action)
        menu.addSeparator()
        sign_in = QAction("Sign &in to a server…", self)
        sign_in.triggered.connect(self.show_login)
        menu.addAction(sign_in)
        self.sign_out_action = QAction("Sign &out", self)
        self.sign_out_action.setEnabled(self.syncer is not None)
        self.sign_out_action.triggered.connect(self.sign_out)
        menu.addAction(self.sign_out_action)
        menu.addSeparator()
        switch = QAction("S&witch workspace…", self)
        switch.triggered.connect(self.choose_workspace)
        menu.addAction(switch)

    # -- syncing -----------------------------------------------------------------------------

    def sync_now(self, foreground: bool = False) -> None:
        """Push and pull on a worker; one sync at a time. Asked for by the user (F5, the
        menu) it shows its progress with a Cancel button; the timer's and the long-poll's
        syncs run quietly."""
        if self.syncer is None or self._syncing:
            return
        self._syncing = True
        self.label.setText("syncing…")

        def done(report: SyncReport) -> None:
            self._syncing = False
            self._show(report)
            self.synced.emit(report)

        def failed(exc: BaseException) -> None:
            self._syncing = False
            if getattr(exc, "code", None) == "wiped":
                self._wiped(exc)
            elif getattr(exc, "code", None) in SIGNED_OUT:
                self._ask_to_sign_in(exc)
            elif isinstance(exc, Cancelled):  # the user's choice, not a lost connection
                self._set_text(
                    "sync cancelled · edits are kept and sent at the next sync", "offline"
                )
            else:
                self._set_text(
                    f"offline — {exc} · edits are kept and sent when back online", "offline"
                )
            self.synced.emit(exc)

        self.ops.run(
            self.syncer,
            success=done,
            failure=failed,
            label="Syncing",
            changes=frozenset(REPLICATED_TABLES),
            background=not foreground,
        )

    def listen(self) -> None:
        """Keep a long-poll open while online: another laptop's change triggers a sync.

        The wait runs on its own daemon thread, not in the op pool: it blocks for up to half
        a minute by design, and neither other work nor closing the window should queue
        behind it.
        """
        live = self.live
        if live is None or self._closing or self.syncer is None:
            return

        def wait() -> None:
            try:
                answer: object = live.wait(25)
            except Exception as exc:  # offline, signed out…: reported to the UI thread
                answer = exc
            with contextlib.suppress(RuntimeError):  # the window is already gone
                self.live_answer.emit(answer)

        threading.Thread(target=wait, name="long-poll", daemon=True).start()

    def _wiped(self, exc: BaseException) -> QMessageBox:
        """An admin had this laptop's copy of the workspace deleted (`sync.session`): it is
        gone; say so, then close the window."""
        self.workspace_deleted = True
        self.stop()
        self.syncer = None
        self._set_text("deleted from this laptop on your administrator's order", "offline")
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Workspace deleted",
            str(exc),
            QMessageBox.StandardButton.Ok,
            self.parent_widget,
        )
        box.finished.connect(lambda _result: self.window.close())
        box.open()
        return box

    def offer_export(self, unsent: int) -> tuple[Path, str] | None:
        """Ask the user whether to save the ``unsent`` edits before a wipe their admin allowed
        an export for (`sync.session.ExportOffer`): called on the sync worker, which waits
        here while the dialog is shown on the UI thread. (file, passphrase), or None."""
        answer = _ExportAnswer()
        if QThread.currentThread() is self.thread():
            self._ask_export(unsent, answer, modal=True)
        else:
            self.export_asked.emit(unsent, answer)
            answer.given.wait()
        return answer.value

    def _ask_export(self, unsent: int, answer: _ExportAnswer, modal: bool = False) -> None:
        dialog = UnsentExportDialog(
            self.workspace.name, self.workspace.root, unsent, self.parent_widget
        )
        self.export_dialog = dialog

        def answered(_result: int) -> None:
            answer.value = dialog.answer
            self.export_dialog = None
            answer.given.set()

        dialog.finished.connect(answered)
        if modal:
            dialog.exec()
        else:
            dialog.open()

    def _ask_to_sign_in(self, exc: BaseException) -> None:
        """The server no longer takes this laptop's sign-in (expired, revoked): say so and
        offer the sign-in dialog once; edits stay queued for after it."""
        self._set_text(f"signed out — {exc} · edits are kept and sent after you sign in", "offline")
        if self.login_dialog is None or not self.login_dialog.isVisible():
            self.login_dialog = self.show_login()

    def _on_live_answer(self, answer: object) -> None:
        if self._closing:
            return
        if isinstance(answer, BaseException):
            self._retry.start()  # offline: listen again in a while
            return
        if answer:
            self.sync_now()
        self.listen()

    def stop(self) -> None:
        """The window is closing: no more syncs, and the open long-poll is let go."""
        self._closing = True
        if self.export_dialog is not None:  # the waiting sync worker is answered: no export
            self.export_dialog.reject()
        self._timer.stop()
        self._retry.stop()
        if self.live is not None:
            self.live.stop()

    # -- the status bar ----------------------------------------------------------------------

    def _set_text(self, text: str, state: str) -> None:
        self.label.setText(text)
        self.label.setProperty("state", state)
        self.label.style().unpolish(self.label)
        self.label.style().polish(self.label)

    def _show(self, report: SyncReport) -> None:
        parts = [f"online · synced {datetime.now():%H:%M}", f"{report.pending} pending"]
        if report.conflicts:
            parts.append(f"{report.conflicts} conflict(s) to resolve")
        if report.rejected:
            parts.append(f"{report.rejected} rejected")
        if report.update_due:
            parts.append("update due")
        self._set_text(" · ".join(parts), "online")
        self.label.setToolTip(report.update_due or "")

    # -- signing in and out, workspaces, conflicts -------------------------------------------

    def show_login(self) -> LoginDialog:
        """Open the sign-in dialog at once with the company's server; the server this
        workspace knows is read on a worker and offered if the field still holds what it
        opened with (an address the user typed meanwhile stays)."""
        base = self.workspace.root.parent.parent  # <data dir>/workspaces/<name>
        default = company_server(base)
        replica = self.workspace.replica

        def sign_in_here(url: str, user: str, password: str) -> Workspace:
            workspace, _info, warning = session.sign_in(url, user, password, base=base)
            if warning:
                self.ops.error.emit("Sign in", warning)
            return workspace

        dialog = LoginDialog(self.ops, sign_in_here, default, self.parent_widget)
        dialog.signed_in.connect(self.workspace_requested.emit)

        def known(server: str | None) -> None:
            if server and dialog.server.text() == default and not dialog.server.isModified():
                dialog.server.setText(server)

        self.ops.run(
            lambda _ctx: replica.get_state("server_url"),
            success=known,
            failure=lambda _exc: None,  # the company's server stays offered
            label="Reading the server's address",
            background=True,
        )
        dialog.open()
        return dialog

    def sign_out(self) -> None:
        """Forget this workspace's token (read from the replica and the keyring on a
        worker), then stop syncing."""
        workspace = self.workspace
        self.ops.run(
            lambda _ctx: session.sign_out(workspace),
            success=lambda _result: self._signed_out(),
            label="Signing out",
        )

    def _signed_out(self) -> None:
        self.syncer = None
        if self.live is not None:
            self.live.stop()
            self.live = None
        self._timer.stop()
        self.sync_action.setEnabled(False)
        self.sign_out_action.setEnabled(False)
        self._set_text("signed out — the workspace stays on this laptop", "offline")

    def choose_workspace(self) -> WorkspacePicker:
        folders = sorted(
            p for p in self.workspace.root.parent.iterdir() if (p / "replica.sqlite").exists()
        )
        picker = WorkspacePicker(folders, self.workspace.root, self.parent_widget)

        def chosen() -> None:
            folder = picker.chosen()
            if folder is not None and folder != self.workspace.root:
                self.workspace_requested.emit(folder)

        picker.accepted.connect(chosen)
        picker.open()
        return picker

    def show_conflicts(self) -> None:
        replica = self.workspace.replica

        def show(found: list[Conflict]) -> None:
            dialog = ConflictsDialog(found, self.parent_widget)
            dialog.resolve.connect(self.resolve_conflict)
            self.conflicts_dialog = dialog
            dialog.open()

        self.ops.run(
            lambda _ctx: conflicts(replica),
            success=show,
            label="Loading conflicts",
            background=True,
        )

    def resolve_conflict(self, conflict_id: int, keep: str) -> None:
        replica = self.workspace.replica
        self.ops.run(
            lambda _ctx: resolve_conflict(replica, conflict_id, keep),
            success=lambda _r: self.sync_now(),
            label="Resolving a conflict",
            changes=frozenset({"cost_sheets"}),
            background=True,
        )
