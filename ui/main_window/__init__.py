"""The main window of the office roles: search as you type, filters, results, details, status.

``MainWindow(workspace, ops, syncer=…, last_sync=…, live=…)`` is the window (`window`); the
material search it shows is `SearchView` (`search_view`), its menus and the windows and files
they open are `WindowMenus` (`menus`), and its Sync menu and sync state are `SyncController`'s.
"""

from __future__ import annotations

from ui.main_window.menus import WindowMenus
from ui.main_window.search_view import SEARCH_DELAY_MS, SearchView
from ui.main_window.window import INDEX_STATE_TEXT, MainWindow

__all__ = ["INDEX_STATE_TEXT", "SEARCH_DELAY_MS", "MainWindow", "SearchView", "WindowMenus"]
