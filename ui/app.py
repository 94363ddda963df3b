"""Starting the desktop app: the QApplication, the workspace, the main window (or the label
station, with ``station`` or for a signed-in user of the ``floor`` role).

What opens (`choose_start`): the demo with ``demo``, the folder given with ``workspace_dir``,
otherwise the workspace used last on this laptop, and on a first start the welcome, which
offers to sign in to the company's server or to try the demo.

Opening a workspace can mean generating the demo (seconds for a large one), so it runs on a
worker behind a progress dialog; the window appears when the workspace is ready. With
``screenshot`` the same window is built offscreen, searched, photographed and closed: how we
look at the app from scripts and CI.

`AppRun` holds one run of the app, step by step (`prepare_application`, `open_first`,
`open_workspace`, `show_window`, `run`); `run_app` is its entry point for the command line.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from workbench.paths import resources_dir
from workbench.recent import last_workspace
from workbench.replica.queries import newest_order_no

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from PySide6.QtWidgets import QApplication, QProgressDialog

    from sync.embedded import DemoSession
    from ui.main_window import MainWindow
    from ui.ops import OpContext, OpRunner
    from ui.station import LabelStation
    from ui.welcome import Welcome
    from workbench.workspace import Workspace


@dataclass(frozen=True)
class Start:
    """What a start of the app opens: the demo, the workspace in ``folder``, or the welcome."""

    kind: Literal["demo", "workspace", "welcome"]
    folder: Path | None = None


@dataclass(frozen=True)
class AppOptions:
    """What the command line asked of a run of the app (see ``workbench --help``)."""

    demo_size: int
    offline: bool
    data_dir: Path | None
    workspace_dir: Path | None
    screenshot: Path | None
    query: str
    timeout_s: int = 300
    station: bool = False
    demo: bool = False
    dashboards: bool = False
    size: tuple[int, int] | None = None


def choose_start(*, demo: bool, workspace_dir: Path | None, data_dir: Path | None) -> Start:
    """A folder asked for wins, then the demo asked for; a plain start reopens the workspace
    used last on this laptop, and shows the welcome when there is none (the first start, or
    that workspace's folder was deleted)."""
    if workspace_dir is not None:
        return Start("workspace", workspace_dir)
    if demo:
        return Start("demo")
    folder = last_workspace(data_dir)
    return Start("workspace", folder) if folder is not None else Start("welcome")


def _in_its_data_dir(run: Callable[..., int]) -> Callable[..., int]:
    """``run`` with the data directory it is given (``data_dir``) in use while it runs: all
    the app keeps (settings, the workspace used last, logs) goes there, never to the user's
    home; afterwards the process is back to the one it had."""

    @functools.wraps(run)
    def wrapper(**options: Any) -> int:
        from workbench.paths import data_dir_in_use, use_data_dir

        before = use_data_dir(options.get("data_dir") or data_dir_in_use())
        try:
            return run(**options)
        finally:
            use_data_dir(before)

    return wrapper


def _keep_qt_settings_in(folder: Path) -> None:
    """Qt's own settings (a file dialog's recent folders, …) in ``folder``, as files."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))


@_in_its_data_dir
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
        self.dialog = self._opening_dialog()

    # -- the steps ----------------------------------------------------------------------------

    def prepare_application(self) -> QApplication:
        """The QApplication, styled and named, with its log file and Qt's settings in the
        data directory in use. A screenshot needs no display, so it asks for the offscreen
        platform before the QApplication exists (the platform is chosen then)."""
        if self.options.screenshot is not None and not os.environ.get("QT_QPA_PLATFORM"):
            os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtGui import QIcon
        from PySide6.QtWidgets import QApplication

        from ui.collector import MainThreadCollector
        from workbench.logs import setup_logging
        from workbench.paths import data_dir as data_folder

        with contextlib.suppress(OSError):  # a read-only home still runs the app, unlogged
            setup_logging()
        _keep_qt_settings_in(data_folder(self.options.data_dir) / "qt")
        app = QApplication.instance() or QApplication(sys.argv[:1])
        assert isinstance(app, QApplication)
        app.collector = MainThreadCollector(app)  # type: ignore[attr-defined]  # see ui/collector.py
        app.setApplicationName("Mill Workbench")
        app.setOrganizationName("Mill Workbench")
        # Wayland and GNOME match the window to packaging/linux/mill-workbench.desktop (its icon)
        app.setDesktopFileName("mill-workbench")
        icon = resources_dir() / "icons" / "app.svg"
        if icon.exists():
            app.setWindowIcon(QIcon(str(icon)))
        style = resources_dir() / "styles" / "app.qss"
        if style.exists():
            app.setStyleSheet(style.read_text("utf-8"))
        return app

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
            self.welcome = _open_welcome(
                self.ops,
                options.data_dir,
                demo=lambda: self.open_workspace(None),
                signed_in=self._signed_in,
            )
            if options.screenshot is not None:
                from PySide6.QtCore import QTimer

                welcome, shot = self.welcome, options.screenshot
                QTimer.singleShot(
                    0, lambda: self._save_and_quit(welcome, shot, "a screenshot of the welcome")
                )
        else:
            self.open_workspace(start.folder)

    def open_workspace(self, folder: Path | None) -> None:
        """Open the workspace in ``folder``, or (None) the demo, on a worker: generating the
        demo takes seconds. The demo is not remembered: a plain start offers the welcome
        again, not a demo folder whose server runs only with --demo."""
        self.ops.run(
            lambda ctx: self._open_on_worker(ctx, folder),
            failure=self._failed,
            label="Opening workspace",
            success=lambda result: self._opened(result, remember=folder is not None),
        )

    def show_window(
        self, workspace: Workspace, last_sync: object = None, remember: bool = True
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
        syncer, live = self._sync_for(workspace, lambda: window)
        floor = self.options.station or workspace.replica.get_state("role") == "floor"
        kind = LabelStation if floor else MainWindow
        window = kind(workspace, self.ops, syncer=syncer, last_sync=last_sync, live=live)  # type: ignore[arg-type]
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
        stop the workers, the demo servers and every workspace opened; the exit code."""
        self.open_first()
        if self.options.screenshot is not None:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(self.options.timeout_s * 1000, self._too_slow)
        self.app.exec()
        self.ops.shutdown()
        for session in self.sessions:
            session.close()
        for window in self.windows:
            window.workspace.close()  # closing twice is harmless
        return self.code

    # -- what the steps are made of -----------------------------------------------------------

    def _opening_dialog(self) -> QProgressDialog:
        """The progress of opening the first workspace; Cancel cancels it."""
        from PySide6.QtWidgets import QProgressDialog

        dialog = QProgressDialog("Opening workspace…", "Cancel", 0, 0)
        dialog.setWindowTitle("Mill Workbench")
        dialog.setMinimumDuration(400)
        dialog.canceled.connect(self.ops.cancel_all)
        return dialog

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.dialog.setLabelText(text)
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _open_on_worker(self, ctx: OpContext, folder: Path | None) -> Workspace | DemoSession:
        """The workspace in ``folder``, or (None) the demo, generated on first use: on this
        laptop alone with --offline, else behind a sync server on loopback."""
        from sync.embedded import start_demo
        from workbench.workspace import demo_workspace, open_workspace

        options = self.options

        def report(stage: str, done: int, total: int) -> None:
            ctx.progress(done, total, f"Preparing the demo: {stage}")

        if folder is not None:
            return open_workspace(folder)
        if options.offline:
            return demo_workspace(
                options.data_dir,
                materials=options.demo_size,
                progress=report,
                cancel=ctx.cancel_event,
            )
        return start_demo(
            options.data_dir, materials=options.demo_size, progress=report, cancel=ctx.cancel_event
        )

    def _sync_for(
        self, workspace: Workspace, window: Callable[[], MainWindow | LabelStation]
    ) -> tuple[Callable[[OpContext], object] | None, object]:
        """How ``workspace`` syncs and hears of changes, when it has a server: a wipe with
        an export allowed asks the user of the window (``window()``, bound once it exists).
        Signed out on this laptop, it syncs after a sign-in."""
        from sync.client import SyncError
        from sync.session import LiveUpdates, sync_workspace
        from ui.ops import EtaProgress

        if not workspace.replica.get_state("server_url"):
            return None, None

        def syncer(ctx: OpContext) -> object:
            return sync_workspace(
                workspace,
                cancel=ctx.cancel_event,
                progress=EtaProgress(ctx, "changes"),
                offer_export=window().sync.offer_export,
            )

        try:
            live = LiveUpdates(workspace)
        except SyncError as exc:
            print(f"workbench: {exc}", file=sys.stderr)
            return None, None
        return syncer, live

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
        size it (the size asked for, else the laid-out one, not the offscreen platform's
        800×800 screen) and photograph it."""
        from sync.embedded import DemoSession
        from ui.main_window.window import DEFAULT_SIZE as MAIN_SIZE
        from ui.station import LabelStation
        from ui.station.style import DEFAULT_SIZE as STATION_SIZE

        self.dialog.reset()
        if isinstance(opened, DemoSession):
            self.sessions.append(opened)
            if opened.warning:
                print(f"workbench: {opened.warning}", file=sys.stderr)
            window = self.show_window(opened.workspace, opened.report, remember=False)
        else:
            window = self.show_window(opened, remember=remember)
        screenshot = self.options.screenshot
        if screenshot is None:
            return
        laid_out = STATION_SIZE if isinstance(window, LabelStation) else MAIN_SIZE
        window.resize(*(self.options.size or laid_out))
        if isinstance(window, LabelStation):
            _drive_station_screenshot(window, screenshot, self._save_and_quit)
        elif self.options.dashboards:
            _drive_dashboards_screenshot(window, screenshot, self._save_and_quit)
        else:
            _drive_screenshot(
                window, screenshot, self.options.query, self._save_and_quit, self._quit
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

        QApplication.processEvents()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not window.grab().save(str(path)):
            print(f"workbench: could not write {path}", file=sys.stderr)
            self.code = 4
        else:
            print(f"workbench: saved {what} to {path}")
        window.close()
        QApplication.quit()


def _open_welcome(
    ops: OpRunner,
    data_dir: Path | None,
    *,
    demo: Callable[[], None],
    signed_in: Callable[[tuple], None],  # type: ignore[type-arg]
) -> Welcome:
    """Show the welcome: the demo, or a sign-in to the company's server (into ``data_dir``),
    prefilled with a server address from the settings; closing it ends the app."""
    from PySide6.QtWidgets import QApplication

    from sync.session import sign_in
    from ui.welcome import Welcome
    from workbench.settings import company_server

    def sign_in_here(url: str, user: str, password: str) -> tuple:  # type: ignore[type-arg]
        return sign_in(url, user, password, base=data_dir)

    welcome = Welcome(ops, sign_in_here, company_server(data_dir))
    welcome.setWindowIcon(QApplication.windowIcon())
    welcome.demo_chosen.connect(demo)
    welcome.signed_in.connect(signed_in)
    welcome.rejected.connect(QApplication.quit)
    welcome.show()
    return welcome


SaveAndQuit = Callable[[Any, Path, str], None]


def _drive_screenshot(  # type: ignore[no-untyped-def]
    window, path: Path, query: str, save_and_quit: SaveAndQuit, quit: Callable[[int], None]
) -> None:
    """Search once the index is ready, select the first result, photograph the window; a
    search that finds nothing ends the app with exit code 3."""
    state = {"searched": False, "saved": False}

    def on_index_ready() -> None:
        state["searched"] = True
        window.search_view.search_box.setText(query)
        window.search_view.run_search()

    def on_results(result) -> None:  # type: ignore[no-untyped-def]
        if (
            state["searched"]
            and result.engine == "index"
            and window.search_view.search_box.text() == query
        ):
            if not result.ids:
                print(f"workbench: the sample search {query!r} found nothing", file=sys.stderr)
                quit(3)
                return
            window.search_view.select_row(0)

    def on_detail(_material_id: str) -> None:
        if state["saved"]:
            return
        state["saved"] = True
        save_and_quit(window, path, "a screenshot")

    window.index_ready.connect(on_index_ready)
    window.results_shown.connect(on_results)
    window.detail_shown.connect(on_detail)


def _drive_dashboards_screenshot(window, path: Path, save_and_quit: SaveAndQuit) -> None:  # type: ignore[no-untyped-def]
    """Open the dashboards over the window's workspace and photograph them once their first
    tab's figures are on screen (read from the order file when the workspace has one)."""
    board = window.menus.show_dashboards()

    def on_shown(_tab: str) -> None:
        board.shown.disconnect(on_shown)
        save_and_quit(board, path, "a screenshot of the dashboards")

    board.shown.connect(on_shown)


def _drive_station_screenshot(window, path: Path, save_and_quit: SaveAndQuit) -> None:  # type: ignore[no-untyped-def]
    """Photograph the label station once its jobs list has loaded, with the newest order
    scanned and its label previewed when the workspace has orders (found on a worker)."""
    replica = window.replica

    def on_preview(_shown: object) -> None:
        window.preview_shown.disconnect(on_preview)
        save_and_quit(window, path, "a screenshot of the label station")

    def scan_newest(order: str | None) -> None:
        if order is None:
            save_and_quit(window, path, "a screenshot of the label station")
            return
        window.preview_shown.connect(on_preview)
        window.scan_box.setText(order)
        window.look_up_scan()

    def on_jobs(_jobs: list) -> None:  # type: ignore[type-arg]
        window.jobs_shown.disconnect(on_jobs)
        window.ops.run(
            lambda _ctx: newest_order_no(replica.conn),
            success=scan_newest,
            label="Finding the newest order",
            background=True,
        )

    window.jobs_shown.connect(on_jobs)
