"""One run of the desktop app (`AppRun`), from the QApplication to the last window closed, and
`run_app`, its entry point for the command line. Each step is a method named after what it
does; what a step is made of lives in the module named after it (`ui.app`'s docstring lists
them)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ui.app.application import prepare_application
from ui.app.data_dir import in_its_data_dir
from ui.app.opening import open_on_worker, opening_dialog
from ui.app.screenshots import photograph, photograph_welcome, save_png
from ui.app.sign_in import open_welcome
from ui.app.start import AppOptions, choose_start
from ui.app.syncing import sync_for

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from PySide6.QtWidgets import QApplication

    from sync.embedded import DemoSession
    from sync.session import SyncReport
    from ui.main_window import MainWindow
    from ui.station import LabelStation
    from ui.welcome import Welcome
    from workbench.workspace import Workspace


@in_its_data_dir
def run_app(**options: Any) -> int:
    """Run the app with ``options`` (the fields of `AppOptions`) until its last window closes;
    returns the exit code. With ``data_dir`` everything the app keeps (settings, the workspace
    used last, logs, Qt's own settings) goes there, never to the user's home."""
    return AppRun(AppOptions(**options)).run()


class AppRun:
    """One run of the desktop app, from the QApplication to the last window closed.

    The steps are methods so each can be read (and changed) on its own; the state they share
    (the op runner, the windows, the demo servers, the welcome, the exit code) is this
    object's, not a dictionary closed over by nested functions."""

    def __init__(self, options: AppOptions) -> None:
        self.options = options
        self.code = 0
        self.windows: list[MainWindow | LabelStation] = []
        self.sessions: list[DemoSession] = []
        self.welcome: Welcome | None = None
        self.app = self.prepare_application()
        from ui.ops import OpRunner

        self.ops = OpRunner()
        self.dialog = opening_dialog(self.ops)

    # -- the steps ----------------------------------------------------------------------------

    def prepare_application(self) -> QApplication:
        """The QApplication, styled and named, with its log file and Qt's settings in the
        data directory in use (`ui.app.application`)."""
        return prepare_application(
            screenshot=self.options.screenshot is not None, data_dir=self.options.data_dir
        )

    def open_first(self) -> None:
        """Open what this start asks for (`choose_start`): the welcome, or a workspace or the
        demo behind the progress dialog. --offline alone has always meant the demo generated
        on this laptop."""
        options = self.options
        start = choose_start(
            demo=options.demo or options.offline,
            workspace_dir=options.workspace_dir,
            data_dir=options.data_dir,
        )
        self.ops.progress.connect(self._on_progress)
        if start.kind == "welcome":
            self.welcome = open_welcome(
                self.ops,
                options.data_dir,
                demo=lambda: self.open_workspace(None),
                signed_in=self._signed_in,
            )
            if options.screenshot is not None:
                photograph_welcome(self.welcome, options.screenshot, self._save_and_quit)
        else:
            self.open_workspace(start.folder)

    def open_workspace(self, folder: Path | None) -> None:
        """Open the workspace in ``folder``, or (None) the demo, on a worker: generating the
        demo takes seconds. The demo is not remembered: a plain start offers the welcome
        again, not a demo folder whose server runs only with --demo."""
        self.ops.run(
            lambda ctx: open_on_worker(ctx, folder, self.options),
            failure=self._failed,
            label="Opening workspace",
            success=lambda result: self._opened(result, remember=folder is not None),
        )

    def show_window(
        self, workspace: Workspace, last_sync: SyncReport | None = None, remember: bool = True
    ) -> MainWindow | LabelStation:
        """The window on ``workspace``: the label station for the floor (its people print
        labels, they do not search materials), else the main window; syncing when the
        workspace has a server. The welcome closes only after the window shows, so the app
        never has no window."""
        from ui.main_window import MainWindow
        from ui.station import LabelStation
        from workbench.recent import remember_workspace

        if not self.windows:
            # the opening is over: from now on a window shows its own ops' progress, and
            # this dialog must not pop up (and keep the app alive) for them
            self.ops.progress.disconnect(self._on_progress)
            self.dialog.reset()
        window: MainWindow | LabelStation
        syncer, live = sync_for(workspace, lambda: window)
        floor = self.options.station or workspace.replica.get_state("role") == "floor"
        kind = LabelStation if floor else MainWindow
        window = kind(workspace, self.ops, syncer=syncer, last_sync=last_sync, live=live)
        window.setWindowIcon(self.app.windowIcon())
        window.sync.workspace_requested.connect(lambda target: self._switch_to(window, target))
        self.windows.append(window)
        if syncer is not None and last_sync is None:
            window.sync.sync_now()
        window.show()
        if self.welcome is not None:
            self.welcome.accept()
        if remember:
            remember_workspace(workspace.root, self.options.data_dir)
        return window

    def run(self) -> int:
        """Open the first window, run the event loop until the last window closes, then
        close down; the exit code."""
        self.open_first()
        if self.options.screenshot is not None:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(self.options.timeout_s * 1000, self._too_slow)
        self.app.exec()
        self.forget_pending_quit()
        self.close_down()
        return self.code

    def forget_pending_quit(self) -> None:
        """Drop a quit still queued when the event loop has ended. Told to quit with a window
        open, Qt closes the window, and the last window closing queues a second quit that
        arrives after this run's loop is over: handled then, it stops every event loop in the
        process until the next run's (a dialog's, a wait's) and ends the next run at once."""
        from PySide6.QtCore import QCoreApplication, QEvent

        QCoreApplication.removePostedEvents(self.app, QEvent.Type.Quit)

    def close_down(self) -> None:
        """Stop the workers, the demo servers and every workspace opened."""
        self.ops.shutdown()
        for session in self.sessions:
            session.close()
        for window in self.windows:
            window.workspace.close()  # closing twice is harmless

    # -- what the steps are made of -----------------------------------------------------------

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.dialog.setLabelText(text)
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _switch_to(self, current: MainWindow | LabelStation, target: Workspace | Path) -> None:
        """Another workspace was chosen, or signed in to: open it, then close this one."""
        from workbench.workspace import Workspace, open_workspace

        def opened_other(workspace: Workspace) -> None:
            self.show_window(workspace)
            current.close()
            current.workspace.close()

        if isinstance(target, Workspace):
            opened_other(target)
        else:
            self.ops.run(
                lambda _ctx: open_workspace(target), success=opened_other, label="Opening workspace"
            )

    def _opened(self, opened: Workspace | DemoSession, remember: bool) -> None:
        """The first workspace is open: show its window, and with a screenshot asked for,
        photograph it (`ui.app.screenshots`)."""
        from sync.embedded import DemoSession

        self.dialog.reset()
        if isinstance(opened, DemoSession):
            self.sessions.append(opened)
            if opened.warning:
                print(f"workbench: {opened.warning}", file=sys.stderr)
            window = self.show_window(opened.workspace, opened.report, remember=False)
        else:
            window = self.show_window(opened, remember=remember)
        if self.options.screenshot is not None:
            photograph(
                window, self.options.screenshot, self.options, self._save_and_quit, self._quit
            )

    def _signed_in(self, result: tuple[Workspace, object, str | None]) -> None:
        from PySide6.QtWidgets import QMessageBox

        workspace, _info, warning = result
        window = self.show_window(workspace)
        if warning:  # no keyring: the sign-in lasts for this session only
            QMessageBox(QMessageBox.Icon.Information, "Sign in", warning, parent=window).open()

    def _failed(self, exc: BaseException) -> None:
        """Opening failed: chosen on the welcome, choose again; otherwise the app ends (1)."""
        self.dialog.reset()
        if self.welcome is not None and self.welcome.isVisible():
            self.welcome.show_failure(f"Could not open the demo: {exc}")
            return
        print(f"workbench: could not open the workspace: {exc}", file=sys.stderr)
        self._quit(1)

    def _too_slow(self) -> None:
        print(f"workbench: no screenshot after {self.options.timeout_s} s", file=sys.stderr)
        self._quit(2)

    def _quit(self, code: int) -> None:
        """End the app with exit code ``code``."""
        self.code = code
        self.app.quit()

    def _save_and_quit(self, window: Any, path: Path, what: str) -> None:
        """Save the window as a PNG (exit code 4 if it cannot be written), then end the app."""
        from PySide6.QtWidgets import QApplication

        if not save_png(window, path, what):
            self.code = 4
        window.close()
        QApplication.quit()
