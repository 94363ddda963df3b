"""How the label station looks: large type and large buttons, for a touch screen or a laptop
on a trolley, used with gloves.

One style sheet for the whole window, and the button every panel uses: one that never takes
the keyboard focus, so a scan always lands in the scan box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

STATION_STYLE = """
QWidget { font-size: 15pt; }
QMenuBar, QMenu, QToolTip { font-size: 11pt; }
#scanBox {
    font-size: 24pt; padding: 4px 14px; border: 3px solid #2d5670; border-radius: 10px;
}
#scanBox:focus { border-color: #2e8fc4; }
#scanSummary { font-size: 14pt; color: #33474f; }
#scanCode { font-size: 15pt; font-weight: bold; color: #1f3a4d; }
#caption { color: #33474f; }
QLineEdit, QComboBox, QSpinBox { min-height: 40px; padding: 0 8px; }
#printerPath {
    min-height: 40px; padding: 0 8px; border: 1px solid #c5d0d6; border-radius: 6px;
    background: #f7f9fa;
}
QPushButton {
    min-height: 48px; padding: 2px 18px; border-radius: 10px; border: 2px solid #8aa1ad;
    background: #eef2f4;
}
QPushButton:disabled { color: #9aa7ad; background: #f4f6f7; }
#printButton {
    font-size: 22pt; font-weight: bold; min-height: 64px; color: white;
    background: #1e7d3a; border-color: #17642e;
}
#printButton:disabled { background: #9cc3a8; border-color: #9cc3a8; }
#retryButton { color: #7a1d12; border-color: #c9786d; background: #fbe9e6; }
#retryButton:disabled { color: #9aa7ad; border-color: #c5d0d6; background: #f4f6f7; }
#stepButton { min-width: 56px; font-size: 22pt; font-weight: bold; padding: 0; }
QSpinBox { font-size: 22pt; font-weight: bold; }
QSpinBox::up-button, QSpinBox::down-button { width: 0; }
#stationMessage { font-size: 16pt; padding: 6px 12px; border-radius: 8px; }
#stationMessage[state="ok"] { background: #dff2e4; color: #14522a; }
#stationMessage[state="error"] { background: #fbe1de; color: #7a1d12; }
#stationMessage[state="info"] { background: #e7f0f5; color: #1f3a4d; }
#labelPreview { background: #e9edef; border: 1px solid #c5d0d6; border-radius: 8px; }
#previewNote { font-size: 12pt; color: #5b6d75; }
QTableWidget { font-size: 13pt; }
QHeaderView::section { font-size: 12pt; }
#syncLabel { font-size: 12pt; color: #5b6d75; }
"""

#: The smallest screen the station is laid out for (a 10" panel PC or an old laptop): at this
#: size every control shows whole and the jobs list keeps a few rows.
SMALLEST_SCREEN = (1024, 768)
#: The size it opens at when the screen has room (a common 13" laptop).
DEFAULT_SIZE = (1280, 800)


def caption(text: str) -> QLabel:
    """A field's caption."""
    label = QLabel(text)
    label.setObjectName("caption")
    return label


def big_button(text: str, name: str = "") -> QPushButton:
    """A station button: ``name`` picks its style (``printButton``, ``stepButton``)."""
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a scan always lands in the scan box
    return button
