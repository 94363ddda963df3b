"""A word-wrapped label that keeps the height its lines need at the width it is given.

A plain wrapped QLabel tells its layout a one-line minimum, and where the layout's guess at
its width is wider than the width it finally gets (two columns sharing a dialog, one wider than
its estimate), the last lines are cut off. This one asks for its lines' height each time its
width changes, so the layout grows the window, or its column, instead.
"""

from __future__ import annotations

from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget


class WrappedLabel(QLabel):
    """A QLabel with word wrap whose minimum height follows its width."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)

    def setText(self, text: str) -> None:
        """A new text at the same width may need more lines than the one before."""
        super().setText(text)
        self._fit(self.width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit(event.size().width())

    def _fit(self, width: int) -> None:
        needed = self.heightForWidth(width)
        if needed > 0 and needed != self.minimumHeight():
            self.setMinimumHeight(needed)
