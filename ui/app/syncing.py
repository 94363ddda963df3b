"""How a window's workspace syncs and hears of changes, when it has a server: the sync op its
window runs, and the live updates that tell it the server moved on."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Qt is imported only when the app starts
    from sync.session import LiveUpdates, SyncReport
    from ui.main_window import MainWindow
    from ui.ops import OpContext
    from ui.station import LabelStation
    from workbench.workspace import Workspace


def sync_for(
    workspace: Workspace, window: Callable[[], MainWindow | LabelStation]
) -> tuple[Callable[[OpContext], SyncReport] | None, LiveUpdates | None]:
    """How ``workspace`` syncs and hears of changes, when it has a server: a wipe with
    an export allowed asks the user of the window (``window()``, bound once it exists).
    Signed out on this laptop, it syncs after a sign-in."""
    from sync.client import SyncError
    from sync.session import LiveUpdates, sync_workspace
    from ui.ops import EtaProgress

    if not workspace.replica.get_state("server_url"):
        return None, None

    def syncer(ctx: OpContext) -> SyncReport:
        return sync_workspace(
            workspace,
            cancel=ctx.cancel_event,
            progress=EtaProgress(ctx, "changes"),
            offer_export=window().sync.offer_export,
        )

    try:
        live = LiveUpdates(workspace)
    except SyncError as exc:
        print(f"workbench: {exc}", file=sys.stderr)
        return None, None
    return syncer, live
