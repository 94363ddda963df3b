"""The welcome: what a first start of the app shows, before there is any workspace to open.

Two choices, because those are the two ways people arrive: someone at a mill whose admin has
set up the company's sync server signs in to it, and someone evaluating the app tries the
demo. The welcome only presents: signing in runs through the same `LoginDialog` (and worker)
as the Sync menu, and what happens after a choice is decided by whoever shows the welcome,
through its signals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QByteArray, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs import LoginDialog
from ui.ops import OpRunner
from workbench.paths import resources_dir

__all__ = ["Welcome"]

TITLE = "Welcome to Mill Workbench"
WIDTH = 640
MIN_CHOICE_HEIGHT = 84

WELCOME_STYLE = """
#welcomeHeader { background: #1f3a4d; }
#welcomeLogo { background: #2d5670; border-radius: 14px; }
#welcomeTitle { color: #ffffff; font-size: 19pt; font-weight: bold; }
#welcomeTagline { color: #cfe2ec; font-size: 11pt; }
#welcomeBody { background: #f7f9fa; }
#welcomeIntro { color: #33474f; font-size: 10.5pt; }
#choice {
    background: #ffffff; border: 1px solid #cfd8dc; border-radius: 10px; text-align: left;
}
#choice:hover { border-color: #5fb3d9; background: #f4fafd; }
#choice:focus { border: 2px solid #2e8fc4; }
#choice:pressed { background: #e3f1f8; }
#choice:disabled { background: #f1f4f5; border-color: #e0e6e9; }
#choice[primary="true"] { border: 2px solid #2d5670; }
#choice[primary="true"]:hover { border-color: #2e8fc4; }
#choice[primary="true"]:disabled { border: 1px solid #e0e6e9; }
#choiceTitle { color: #14303f; font-size: 12.5pt; font-weight: bold; background: transparent; }
#choiceText { color: #51646d; font-size: 10pt; background: transparent; }
#choiceTitle:disabled, #choiceText:disabled { color: #98a6ac; }
#choiceIcon, #choiceArrow { background: transparent; }
#choiceArrow { color: #8aa1ad; font-size: 16pt; }
#welcomeMessage { border-radius: 6px; padding: 6px 10px; }
#welcomeMessage[state="error"] { background: #fbe1de; color: #7a1d12; }
#welcomeMessage[state="info"] { background: #e7f0f5; color: #1f3a4d; }
#welcomeFooter { color: #6a7c84; font-size: 9pt; }
"""

#: A server rack: the company's sync server.
SERVER_ICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">
<rect x="1" y="1" width="46" height="46" rx="11" fill="#e3f0f7"/>
<g fill="none" stroke="#1f3a4d" stroke-width="2.6" stroke-linejoin="round">
<rect x="11" y="10" width="26" height="11" rx="3"/>
<rect x="11" y="27" width="26" height="11" rx="3"/>
</g><g fill="#2e8fc4"><circle cx="17" cy="15.5" r="2"/><circle cx="17" cy="32.5" r="2"/></g>
<g stroke="#1f3a4d" stroke-width="2.4" stroke-linecap="round">
<path d="M24 15.5h8M24 32.5h8"/></g></svg>"""

#: A swatch of fabric with a play mark: the demo mill.
DEMO_ICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48">
<rect x="1" y="1" width="46" height="46" rx="11" fill="#fbf1d9"/>
<circle cx="24" cy="24" r="13" fill="none" stroke="#a8780c" stroke-width="2.6"/>
<path d="M20.5 17.5v13l10.5-6.5z" fill="#a8780c" stroke="#a8780c" stroke-width="1.5"
 stroke-linejoin="round"/></svg>"""


def svg_pixmap(svg: str, size: int, ratio: float = 1.0) -> QPixmap:
    """Render an inline SVG crisply at ``size`` logical pixels (HiDPI-aware)."""
    pixmap = QPixmap(round(size * ratio), round(size * ratio))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    QSvgRenderer(QByteArray(svg.encode())).render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap


class ChoiceButton(QPushButton):
    """A large button with an icon, a title and a sentence of explanation.

    A plain QPushButton holds one line of text; a choice this important deserves a sentence
    saying what it leads to, so the labels sit in the button's own layout and let clicks
    through to it.
    """

    def __init__(self, svg: str, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("choice")
        self.setAccessibleName(title)
        self.setAccessibleDescription(text)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        icon = QLabel()
        icon.setObjectName("choiceIcon")
        icon.setPixmap(svg_pixmap(svg, 48, self.devicePixelRatioF()))
        self.title = QLabel(title)
        self.title.setObjectName("choiceTitle")
        self.explanation = QLabel(text)
        self.explanation.setObjectName("choiceText")
        self.explanation.setWordWrap(True)
        arrow = QLabel("›")
        arrow.setObjectName("choiceArrow")
        words = QVBoxLayout()
        words.setSpacing(2)
        words.addWidget(self.title)
        words.addWidget(self.explanation)
        layout = self._layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(16)
        layout.addWidget(icon, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addLayout(words, 1)
        layout.addWidget(arrow, 0, Qt.AlignmentFlag.AlignVCenter)
        for label in (icon, self.title, self.explanation, arrow):
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)

    # The explanation wraps: the button is as tall as its words need at the width it gets.
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(MIN_CHOICE_HEIGHT, self._layout.totalHeightForWidth(width))

    def sizeHint(self) -> QSize:
        width = self._layout.sizeHint().width()
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(self._layout.minimumSize().width(), MIN_CHOICE_HEIGHT)


class Welcome(QDialog):
    """The first-run screen: connect to the company's server, or try the demo.

    Closing it (the window's close button, Esc) means "neither": ``rejected``. Whoever shows
    it keeps it open while the chosen workspace opens and calls `accept` once that workspace's
    window is up, or `show_failure` to let the user choose again.
    """

    #: "Try the demo" was clicked: open the demo
    demo_chosen = Signal()
    #: signing in succeeded: what the sign-in function returned
    signed_in = Signal(object)

    def __init__(
        self,
        ops: OpRunner,
        sign_in: Callable[[str, str, str], Any],
        server_url: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ops, self._sign_in, self._server_url = ops, sign_in, server_url
        self.login: LoginDialog | None = None
        self.setWindowTitle(TITLE)
        self.setStyleSheet(WELCOME_STYLE)
        self.connect_button = ChoiceButton(
            SERVER_ICON,
            "Connect to my company server",
            "Sign in with the account your administrator gave you: your company's "
            "workspace comes to this laptop and stays in sync.",
        )
        self.connect_button.setProperty("primary", True)
        self.connect_button.clicked.connect(self.show_login)
        self.demo_button = ChoiceButton(
            DEMO_ICON,
            "Try the demo",
            "Explore a sample mill with thousands of materials and years of orders, "
            "served by its own sync server on this laptop.",
        )
        self.demo_button.clicked.connect(self.choose_demo)
        self.message = QLabel()
        self.message.setObjectName("welcomeMessage")
        self.message.setWordWrap(True)
        self.message.hide()
        layout = self._layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._header())
        layout.addWidget(self._body())
        self.setMinimumWidth(WIDTH)
        self.resize(WIDTH, 0)
        self._fit()
        self.connect_button.setFocus()

    def _header(self) -> QWidget:
        header = QFrame()
        header.setObjectName("welcomeHeader")
        header.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        logo = QLabel()
        logo.setObjectName("welcomeLogo")
        logo.setPixmap(QIcon(str(resources_dir() / "icons" / "app.svg")).pixmap(54, 54))
        logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        logo.setFixedSize(66, 66)
        title = QLabel(TITLE)
        title.setObjectName("welcomeTitle")
        tagline = QLabel("Material search, costing and labels for textile mills")
        tagline.setObjectName("welcomeTagline")
        words = QVBoxLayout()
        words.setSpacing(4)
        words.addStretch(1)
        words.addWidget(title)
        words.addWidget(tagline)
        words.addStretch(1)
        layout = QHBoxLayout(header)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(18)
        layout.addWidget(logo)
        layout.addLayout(words, 1)
        return header

    def _body(self) -> QWidget:
        body = QFrame()
        body.setObjectName("welcomeBody")
        intro = QLabel(
            "Search your material master as you type, cost styles, check capacity and print "
            "QR labels. Everything works on this laptop, online or off, and syncs with your "
            "company's server whenever you are connected."
        )
        intro.setObjectName("welcomeIntro")
        intro.setWordWrap(True)
        footer = QLabel(
            "You can open the demo again later with <b>workbench --demo</b>, and sign "
            "in to a server from inside the app with <b>Sync → Sign in to a server…</b>"
        )
        footer.setObjectName("welcomeFooter")
        footer.setWordWrap(True)
        rule = QFrame()
        rule.setFrameShape(QFrame.Shape.HLine)
        rule.setStyleSheet("color: #dde4e7;")
        layout = QVBoxLayout(body)
        layout.setContentsMargins(28, 22, 28, 22)
        layout.setSpacing(12)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(self.connect_button)
        layout.addWidget(self.demo_button)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addSpacing(6)
        layout.addWidget(rule)
        layout.addWidget(footer)
        return body

    # -- the choices -------------------------------------------------------------------------

    def show_login(self) -> LoginDialog:
        """The Sync menu's sign-in dialog; on success the welcome hands on what it returned.

        A failed sign-in shows the server's words in the dialog, which stays open, and the
        welcome stays behind it.
        """
        self._say("", "")
        dialog = LoginDialog(self.ops, self._sign_in, self._server_url, self)
        dialog.signed_in.connect(self._on_signed_in)
        self.login = dialog
        dialog.open()
        return dialog

    def _on_signed_in(self, result: object) -> None:
        self._set_busy("Signed in. Opening your workspace…")
        self.signed_in.emit(result)

    def choose_demo(self) -> None:
        self._set_busy("Preparing the demo… The first time takes a little while.")
        self.demo_chosen.emit()

    def show_failure(self, message: str) -> None:
        """What was chosen could not be opened: say why, and offer both choices again."""
        self.connect_button.setEnabled(True)
        self.demo_button.setEnabled(True)
        self._say(message, "error")

    # -- presenting --------------------------------------------------------------------------

    def _set_busy(self, text: str) -> None:
        self.connect_button.setEnabled(False)
        self.demo_button.setEnabled(False)
        self._say(text, "info")

    def _say(self, text: str, state: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setProperty("state", state)
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self._fit()

    def _fit(self) -> None:
        """As tall as the wrapped text needs at the current width: a top-level window does
        not follow its contents' height-for-width by itself."""
        self.resize(self.width(), self._layout.totalHeightForWidth(self.width()))
