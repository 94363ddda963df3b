"""The first start on a laptop: the welcome, which signs in to the company's server (prefilled
with a server address from the settings) or opens the demo; closing it ends the app."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from sync.protocol import Login
    from ui.ops import OpRunner
    from ui.welcome import Welcome
    from workbench.workspace import Workspace

    #: what signing in answers: the workspace, the login, and a warning to show (or None)
    SignedIn = tuple[Workspace, Login, str | None]


def open_welcome(
    ops: OpRunner,
    data_dir: Path | None,
    *,
    demo: Callable[[], None],
    signed_in: Callable[[SignedIn], None],
) -> Welcome:
    """Show the welcome: the demo, or a sign-in to the company's server (into ``data_dir``),
    prefilled with a server address from the settings; closing it ends the app."""
    from PySide6.QtWidgets import QApplication

    from sync.session import sign_in
    from ui.welcome import Welcome
    from workbench.settings import company_server

    def sign_in_here(url: str, user: str, password: str) -> SignedIn:
        return sign_in(url, user, password, base=data_dir)

    welcome = Welcome(ops, sign_in_here, company_server(data_dir))
    welcome.setWindowIcon(QApplication.windowIcon())
    welcome.demo_chosen.connect(demo)
    welcome.signed_in.connect(signed_in)
    welcome.rejected.connect(QApplication.quit)
    welcome.show()
    return welcome
