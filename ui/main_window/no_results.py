"""What the results area shows when a search finds nothing: why, in words, and the nearest
materials to click (`workbench.search.nearest` finds them, on the search's worker), with a
button that clears the filters when they are what hid every match."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from workbench.search.nearest import NoMatch

STYLE = """
#noResultsTitle { font-size: 15pt; font-weight: bold; color: #1f3a4d; }
#noResultsReason { color: #33474f; }
#nearestCaption { color: #5b6d75; margin-top: 8px; }
#nearestMatch {
    text-align: left; padding: 4px 8px; border: none; color: #1d5f8a; background: transparent;
}
#nearestMatch:hover { text-decoration: underline; background: #eef4f8; }
"""


def nearest_text(row: dict[str, Any]) -> str:
    """A nearest material in one line: code, name and GSM."""
    parts = [str(row.get("code") or ""), str(row.get("name") or "")]
    if row.get("gsm"):
        parts.append(f"{row['gsm']} g/m²")
    return " · ".join(p for p in parts if p)


class NoResults(QWidget):
    """The title, the reason, the nearest materials as links, and Clear filters."""

    #: a nearest material was clicked: its id and code
    chosen = Signal(str, str)
    #: Clear filters was clicked
    clear_filters = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noResults")
        self.setStyleSheet(STYLE)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(24, 24, 24, 24)
        self._layout.setSpacing(6)
        self.title = QLabel()
        self.title.setObjectName("noResultsTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.reason = QLabel()
        self.reason.setObjectName("noResultsReason")
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.clear_button = QPushButton("Clear filters")
        self.clear_button.clicked.connect(self.clear_filters)
        self.caption = QLabel("Nearest matches")
        self.caption.setObjectName("nearestCaption")
        # The title and the reason take the panel's width: aligned, a wrapped label is laid
        # out at its preferred width and given too few lines' height, and its end is cut off.
        for widget in (self.title, self.reason):
            self._layout.addWidget(widget)
        for left in (self.clear_button, self.caption):
            self._layout.addWidget(left, 0, Qt.AlignmentFlag.AlignLeft)
        self._links = QVBoxLayout()
        self._links.setSpacing(0)
        self._layout.addLayout(self._links)
        self._layout.addStretch(1)
        #: the nearest materials' buttons, best first
        self.links: list[QPushButton] = []

    def show_no_match(self, match: NoMatch, rows: list[dict[str, Any]]) -> None:
        """Say ``match`` and offer ``rows`` (the nearest materials, best first)."""
        self.title.setText(match.title)
        self.reason.setText(match.reason)
        self.clear_button.setVisible(match.without_filters > 0)
        for link in self.links:
            self._links.removeWidget(link)
            link.deleteLater()
        self.links = []
        for row in rows:
            link = QPushButton(nearest_text(row))
            link.setObjectName("nearestMatch")
            link.setCursor(Qt.CursorShape.PointingHandCursor)
            link.setToolTip("Show this material")
            code = str(row.get("code") or "")
            link.clicked.connect(self._choose(row["id"], code))
            self._links.addWidget(link, 0, Qt.AlignmentFlag.AlignLeft)
            self.links.append(link)
        self.caption.setVisible(bool(rows))

    def _choose(self, material_id: str, code: str) -> Callable[[], None]:
        return lambda: self.chosen.emit(material_id, code)
