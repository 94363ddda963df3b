"""Photographing the app from scripts and CI (``screenshot``): the window, sized as asked (else
as laid out, not the offscreen platform's 800×800 screen), is driven until it shows what it is
for (a search's first result and its details, the dashboards' figures, the label station's
preview of the newest order), then saved as a PNG and the app ends.

A sample search that finds nothing ends the app with exit code 3, a PNG that cannot be written
with 4 (`AppRun` keeps the code).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.replica.queries import newest_order_no

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from ui.app.start import AppOptions
    from ui.main_window import MainWindow
    from ui.station import LabelStation
    from ui.welcome import Welcome
    from workbench.labels.jobs import LabelJob
    from workbench.search import SearchResult

SaveAndQuit = Callable[[Any, Path, str], None]


def save_png(window: Any, path: Path, what: str) -> bool:
    """Save the window as a PNG at ``path`` and say so; False when it cannot be written."""
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not window.grab().save(str(path)):
        print(f"workbench: could not write {path}", file=sys.stderr)
        return False
    print(f"workbench: saved {what} to {path}")
    return True


def photograph_welcome(welcome: Welcome, path: Path, save_and_quit: SaveAndQuit) -> None:
    """Photograph the welcome as soon as the event loop runs."""
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, lambda: save_and_quit(welcome, path, "a screenshot of the welcome"))


def photograph(
    window: MainWindow | LabelStation,
    path: Path,
    options: AppOptions,
    save_and_quit: SaveAndQuit,
    quit: Callable[[int], None],
) -> None:
    """Size the first window (the size asked for, else the laid-out one, not the offscreen
    platform's 800×800 screen) and photograph it once it shows what it is for: the label
    station, the dashboards with ``dashboards``, else the main window's sample search."""
    from ui.main_window.window import DEFAULT_SIZE as MAIN_SIZE
    from ui.station import LabelStation
    from ui.station.style import DEFAULT_SIZE as STATION_SIZE

    laid_out = STATION_SIZE if isinstance(window, LabelStation) else MAIN_SIZE
    window.resize(*(options.size or laid_out))
    if isinstance(window, LabelStation):
        _drive_station_screenshot(window, path, save_and_quit)
    elif options.dashboards:
        _drive_dashboards_screenshot(window, path, save_and_quit)
    else:
        _drive_screenshot(window, path, options.query, save_and_quit, quit)


def _drive_screenshot(
    window: MainWindow,
    path: Path,
    query: str,
    save_and_quit: SaveAndQuit,
    quit: Callable[[int], None],
) -> None:
    """Search once the index is ready, select the first result, photograph the window; a
    search that finds nothing ends the app with exit code 3."""
    state = {"searched": False, "saved": False}

    def on_index_ready() -> None:
        state["searched"] = True
        window.search_view.search_box.setText(query)
        window.search_view.run_search()

    def on_results(result: SearchResult) -> None:
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


def _drive_dashboards_screenshot(
    window: MainWindow, path: Path, save_and_quit: SaveAndQuit
) -> None:
    """Open the dashboards over the window's workspace and photograph them once their first
    tab's figures are on screen (read from the order file when the workspace has one)."""
    board = window.menus.show_dashboards()

    def on_shown(_tab: str) -> None:
        board.shown.disconnect(on_shown)
        save_and_quit(board, path, "a screenshot of the dashboards")

    board.shown.connect(on_shown)


def _drive_station_screenshot(window: LabelStation, path: Path, save_and_quit: SaveAndQuit) -> None:
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

    def on_jobs(_jobs: list[LabelJob]) -> None:
        window.jobs_shown.disconnect(on_jobs)
        window.ops.run(
            lambda _ctx: newest_order_no(replica.conn),
            success=scan_newest,
            label="Finding the newest order",
            background=True,
        )

    window.jobs_shown.connect(on_jobs)
