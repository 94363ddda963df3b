"""The widget a window's part parents its timers, shortcuts and dialogs to.

A part of a window (its search, its menus, its sync) names what it uses of the window in a
Protocol (`SearchHost`, `MenusHost`, `SyncHost`), so it depends on no window class. The window
is also a QWidget, the parent of what the part opens, and a Protocol cannot say that: Python
has no type for "this Protocol and a QWidget". `host_widget` says it once, and checks it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def host_widget(host: object) -> QWidget:
    """``host`` as the widget it is; TypeError when it is none (it could own no dialog)."""
    if not isinstance(host, QWidget):
        raise TypeError(f"{type(host).__name__} is not a widget: it cannot parent a window's part")
    return host
