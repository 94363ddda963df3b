"""Opening a window at the size it is laid out for, or smaller on a smaller screen, so no
window opens with its bottom (a jobs list, a status bar) below the screen's edge."""

from __future__ import annotations

from PySide6.QtWidgets import QWidget


def fit_screen(window: QWidget, preferred: tuple[int, int]) -> None:
    """Resize ``window`` to ``preferred`` (width, height), or to its screen's free area
    (without the task bar) where that is smaller."""
    width, height = preferred
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width()), min(height, room.height())
    window.resize(width, height)
