"""How the label station looks: large type and large buttons, for a touch screen or a laptop
on a trolley, used with gloves.

One style sheet for the whole window, and the button every panel uses: one that never takes
the keyboard focus, so a scan always lands in the scan box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

STATION_STYLE = """
QWidget { font-size: 16pt; }
QMenuBar, QMenu { font-size: 11pt; }
#stationTitle { font-size: 24pt; font-weight: bold; color: #1f3a4d; }
#scanBox {
    font-size: 30pt; padding: 10px 16px; border: 3px solid #2d5670; border-radius: 10px;
}
#scanBox:focus { border-color: #2e8fc4; }
#scanSummary { font-size: 16pt; color: #33474f; }
QLineEdit, QComboBox, QSpinBox { min-height: 44px; padding: 2px 10px; }
QPushButton {
    min-height: 56px; padding: 4px 22px; border-radius: 10px; border: 2px solid #8aa1ad;
    background: #eef2f4;
}
QPushButton:disabled { color: #9aa7ad; background: #f4f6f7; }
#printButton {
    font-size: 24pt; font-weight: bold; min-height: 84px; color: white;
    background: #1e7d3a; border-color: #17642e;
}
#printButton:disabled { background: #9cc3a8; border-color: #9cc3a8; }
#stepButton { min-width: 64px; font-size: 24pt; font-weight: bold; padding: 0; }
QSpinBox { font-size: 24pt; font-weight: bold; }
QSpinBox::up-button, QSpinBox::down-button { width: 0; }
#stationMessage { font-size: 18pt; padding: 8px 12px; border-radius: 8px; }
#stationMessage[state="ok"] { background: #dff2e4; color: #14522a; }
#stationMessage[state="error"] { background: #fbe1de; color: #7a1d12; }
#stationMessage[state="info"] { background: #e7f0f5; color: #1f3a4d; }
QTableWidget { font-size: 14pt; }
QHeaderView::section { font-size: 13pt; }
#syncLabel { font-size: 12pt; color: #5b6d75; }
"""


def big_button(text: str, name: str = "") -> QPushButton:
    """A station button: ``name`` picks its style (``printButton``, ``stepButton``)."""
    button = QPushButton(text)
    if name:
        button.setObjectName(name)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a scan always lands in the scan box
    return button
