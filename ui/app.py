"""Starting the desktop app: the QApplication, the workspace, the main window (or the label
station, with ``station`` or for a signed-in user of the ``floor`` role).

What opens (`choose_start`): the demo with ``demo``, the folder given with ``workspace_dir``,
otherwise the workspace used last on this laptop, and on a first start the welcome, which
offers to sign in to the company's server or to try the demo.

Opening a workspace can mean generating the demo (seconds for a large one), so it runs on a
worker behind a progress dialog; the window appears when the workspace is ready. With
``screenshot`` the same window is built offscreen, searched, photographed and closed: how we
look at the app from scripts and CI.
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

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from ui.ops import OpRunner
    from ui.welcome import Welcome


@dataclass(frozen=True)
class Start:
    """What a start of the app opens: the demo, the workspace in ``folder``, or the welcome."""

    kind: Literal["demo", "workspace", "welcome"]
    folder: Path | None = None


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
def run_app(
    *,
    demo_size: int,
    offline: bool,
    data_dir: Path | None,
    workspace_dir: Path | None,
    screenshot: Path | None,
    query: str,
    timeout_s: int = 300,
    station: bool = False,
    demo: bool = False,
    size: tuple[int, int] | None = None,
) -> int:
    """Run the app until its last window closes; returns the exit code. With ``data_dir``
    everything the app keeps (settings, the workspace used last, logs, Qt's own settings)
    goes there, never to the user's home."""
    if screenshot is not None and not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

    from sync.client import SyncError
    from sync.embedded import DemoSession, start_demo
    from sync.session import LiveUpdates, sync_workspace
    from ui.collector import MainThreadCollector
    from ui.main_window import MainWindow
    from ui.main_window.window import DEFAULT_SIZE as MAIN_SIZE
    from ui.ops import EtaProgress, OpContext, OpRunner
    from ui.station import LabelStation
    from ui.station.style import DEFAULT_SIZE as STATION_SIZE
    from workbench.logs import setup_logging
    from workbench.paths import data_dir as data_folder
    from workbench.recent import remember_workspace
    from workbench.workspace import Workspace, demo_workspace, open_workspace

    with contextlib.suppress(OSError):  # a read-only home still runs the app, unlogged
        setup_logging()
    _keep_qt_settings_in(data_folder(data_dir) / "qt")
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

    # --offline alone has always meant the demo generated on this laptop
    start = choose_start(demo=demo or offline, workspace_dir=workspace_dir, data_dir=data_dir)
    ops = OpRunner()
    outcome = {"code": 0}
    windows: list[MainWindow | LabelStation] = []
    sessions: list[DemoSession] = []
    welcome: Welcome | None = None

    dialog = QProgressDialog("Opening workspace…", "Cancel", 0, 0)
    dialog.setWindowTitle("Mill Workbench")
    dialog.setMinimumDuration(400)
    dialog.canceled.connect(ops.cancel_all)

    def open_it(ctx: OpContext, folder: Path | None) -> Workspace | DemoSession:
        """The workspace in ``folder``, or (None) the demo, generated on first use."""

        def report(stage: str, done: int, total: int) -> None:
            ctx.progress(done, total, f"Preparing the demo: {stage}")

        if folder is not None:
            return open_workspace(folder)
        if offline:
            return demo_workspace(
                data_dir, materials=demo_size, progress=report, cancel=ctx.cancel_event
            )
        return start_demo(data_dir, materials=demo_size, progress=report, cancel=ctx.cancel_event)

    def begin(folder: Path | None) -> None:
        # the demo is not remembered: a plain start offers the welcome again, not a demo
        # folder whose server runs only with --demo
        ops.run(
            lambda ctx: open_it(ctx, folder),
            failure=failed,
            label="Opening workspace",
            success=lambda result: opened(result, remember=folder is not None),
        )

    def on_progress(done: int, total: int, text: str) -> None:
        dialog.setLabelText(text)
        dialog.setMaximum(total)
        dialog.setValue(done)

    def show_window(
        workspace: Workspace, last_sync: object = None, remember: bool = True
    ) -> MainWindow | LabelStation:
        if not windows:
            # the opening is over: from now on a window shows its own ops' progress, and
            # this dialog must not pop up (and keep the app alive) for them
            ops.progress.disconnect(on_progress)
            dialog.reset()
        syncer, live = None, None
        if workspace.replica.get_state("server_url"):
            # a wipe with an export allowed asks the window's user (bound once it exists)
            syncer = lambda ctx: sync_workspace(  # noqa: E731
                workspace,
                cancel=ctx.cancel_event,
                progress=EtaProgress(ctx, "changes"),
                offer_export=window.sync.offer_export,
            )
            try:
                live = LiveUpdates(workspace)
            except SyncError as exc:  # signed out on this laptop: it syncs after a sign-in
                print(f"workbench: {exc}", file=sys.stderr)
                syncer = None
        # the floor prints labels: its people get the label station, not the material search
        floor = station or workspace.replica.get_state("role") == "floor"
        kind = LabelStation if floor else MainWindow
        window = kind(workspace, ops, syncer=syncer, last_sync=last_sync, live=live)  # type: ignore[arg-type]
        window.setWindowIcon(app.windowIcon())
        window.sync.workspace_requested.connect(lambda target: switch_to(window, target))
        windows.append(window)
        if syncer is not None and last_sync is None:
            window.sync.sync_now()
        window.show()
        if welcome is not None:
            welcome.accept()  # after the window shows: the app never has no window
        if remember:
            remember_workspace(workspace.root, data_dir)
        return window

    def switch_to(current: MainWindow | LabelStation, target: Workspace | Path) -> None:
        """Another workspace was chosen, or signed in to: open it, then close this one."""

        def opened_other(workspace: Workspace) -> None:
            show_window(workspace)
            current.close()
            current.workspace.close()

        if isinstance(target, Workspace):
            opened_other(target)
        else:
            ops.run(
                lambda _ctx: open_workspace(target), success=opened_other, label="Opening workspace"
            )

    def opened(opened: Workspace | DemoSession, remember: bool) -> None:
        dialog.reset()
        if isinstance(opened, DemoSession):
            sessions.append(opened)
            if opened.warning:
                print(f"workbench: {opened.warning}", file=sys.stderr)
            window = show_window(opened.workspace, opened.report, remember=False)
        else:
            window = show_window(opened, remember=remember)
        if screenshot is not None:  # the size asked for, else the laid-out one (not the
            # offscreen platform's 800×800 screen)
            laid_out = STATION_SIZE if isinstance(window, LabelStation) else MAIN_SIZE
            window.resize(*(size or laid_out))
        if screenshot is not None and isinstance(window, LabelStation):
            _drive_station_screenshot(window, screenshot, outcome)
        elif screenshot is not None:
            _drive_screenshot(window, screenshot, query, outcome)

    def signed_in(result: tuple[Workspace, object, str | None]) -> None:
        workspace, _info, warning = result
        window = show_window(workspace)
        if warning:  # no keyring: the sign-in lasts for this session only
            QMessageBox(QMessageBox.Icon.Information, "Sign in", warning, parent=window).open()

    def failed(exc: BaseException) -> None:
        dialog.reset()
        if welcome is not None and welcome.isVisible():  # chosen there: choose again
            welcome.show_failure(f"Could not open the demo: {exc}")
            return
        print(f"workbench: could not open the workspace: {exc}", file=sys.stderr)
        outcome["code"] = 1
        app.quit()

    ops.progress.connect(on_progress)
    if start.kind == "welcome":
        welcome = _open_welcome(ops, data_dir, demo=lambda: begin(None), signed_in=signed_in)
        if screenshot is not None:
            QTimer.singleShot(
                0,
                lambda: _save_and_quit(welcome, screenshot, outcome, "a screenshot of the welcome"),
            )
    else:
        begin(start.folder)
    if screenshot is not None:

        def too_slow() -> None:
            print(f"workbench: no screenshot after {timeout_s} s", file=sys.stderr)
            outcome["code"] = 2
            app.quit()

        QTimer.singleShot(timeout_s * 1000, too_slow)
    app.exec()
    ops.shutdown()
    for session in sessions:
        session.close()
    for window in windows:
        window.workspace.close()  # closing twice is harmless
    return outcome["code"]


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


def _drive_screenshot(window, path: Path, query: str, outcome: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Search once the index is ready, select the first result, photograph the window."""
    from PySide6.QtWidgets import QApplication

    state = {"searched": False, "saved": False}

    def on_index_ready() -> None:
        state["searched"] = True
        window.search_box.setText(query)
        window.run_search()

    def on_results(result) -> None:  # type: ignore[no-untyped-def]
        if state["searched"] and result.engine == "index" and window.search_box.text() == query:
            if not result.ids:
                print(f"workbench: the sample search {query!r} found nothing", file=sys.stderr)
                outcome["code"] = 3
                QApplication.quit()
                return
            window.select_row(0)

    def on_detail(_material_id: str) -> None:
        if state["saved"]:
            return
        state["saved"] = True
        _save_and_quit(window, path, outcome, "a screenshot")

    window.index_ready.connect(on_index_ready)
    window.results_shown.connect(on_results)
    window.detail_shown.connect(on_detail)


def _save_and_quit(window, path: Path, outcome: dict[str, int], what: str) -> None:  # type: ignore[no-untyped-def]
    """Save the window as a PNG (exit code 4 if it cannot be written), then end the app."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        print(f"workbench: could not write {path}", file=sys.stderr)
        outcome["code"] = 4
    else:
        print(f"workbench: saved {what} to {path}")
    window.close()
    QApplication.quit()


def _drive_station_screenshot(window, path: Path, outcome: dict[str, int]) -> None:  # type: ignore[no-untyped-def]
    """Photograph the label station once its jobs list has loaded, with the newest order
    scanned and its label previewed when the workspace has orders."""
    order = window.replica.conn.execute(
        "SELECT order_no FROM orders WHERE deleted = 0 ORDER BY order_date DESC LIMIT 1"
    ).fetchone()

    def on_preview(_shown: object) -> None:
        window.preview_shown.disconnect(on_preview)
        _save_and_quit(window, path, outcome, "a screenshot of the label station")

    def on_jobs(_jobs: list) -> None:  # type: ignore[type-arg]
        window.jobs_shown.disconnect(on_jobs)
        if order is None:
            _save_and_quit(window, path, outcome, "a screenshot of the label station")
            return
        window.preview_shown.connect(on_preview)
        window.scan_box.setText(order[0])
        window.look_up_scan()

    window.jobs_shown.connect(on_jobs)
