"""The desktop's side of a remote wipe its administrator allowed an export for: before the
workspace is deleted the window asks its user whether to save the unsent edits, sealed with a
passphrase; a mistyped passphrase is named and nothing is deleted until the user answers;
declining lets the edits go. Real server on loopback, real keys and clicks (pytest-qt)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from sync.server import accounts
from sync.session import sync_workspace
from tests.sync_fixtures import Server
from tests.test_remote_wipe import _device_id, _laptop
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.unsent_export_dialog import UnsentExportDialog
from workbench import documents, wipe
from workbench.workspace import Workspace

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)

PASSPHRASE = "linen and indigo"


def window_with_unsent_edits(
    qtbot: QtBot, server: Server, tmp_path: Path, allow_export: bool
) -> tuple[MainWindow, Workspace]:
    """A synced laptop's window with two cost sheets not sent yet; its wipe is ordered."""
    workspace = _laptop(server, tmp_path / "data")
    for n in range(2):
        documents.save_document(workspace.replica, "cost_sheets", {"style_code": f"AWAY-{n}"})
    accounts.order_wipe(server.engine, _device_id(workspace), allow_export=allow_export)
    win: MainWindow
    win = MainWindow(
        workspace,
        OpRunner(),
        syncer=lambda ctx: sync_workspace(
            workspace, cancel=ctx.cancel_event, offer_export=win.sync.offer_export
        ),
    )  # as the app
    qtbot.addWidget(win)
    win.show()
    return win, workspace


def offered(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> tuple[MainWindow, Workspace, UnsentExportDialog]:
    """Sync → Sync now on a laptop ordered wiped with an export allowed: the offer shown."""
    win, workspace = window_with_unsent_edits(qtbot, server, tmp_path, allow_export=True)
    win.sync.sync_action.trigger()
    qtbot.waitUntil(lambda: win.sync.export_dialog is not None, timeout=15_000)
    dialog = win.sync.export_dialog
    assert isinstance(dialog, UnsentExportDialog)
    return win, workspace, dialog


def deleted_message(win: MainWindow) -> QMessageBox | None:
    boxes = [b for b in win.findChildren(QMessageBox) if b.windowTitle() == "Workspace deleted"]
    return boxes[0] if boxes else None


def test_the_user_saves_the_unsent_edits_before_the_wipe(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    win, workspace, dialog = offered(qtbot, server, tmp_path)
    assert "2 edits made here were not sent" in dialog.intro.text()
    target = tmp_path / "kept" / "away.mwunsent"
    target.parent.mkdir()
    dialog.path.clear()
    qtbot.keyClicks(dialog.path, str(target))
    qtbot.keyClicks(dialog.passphrase, PASSPHRASE)
    qtbot.keyClicks(dialog.repeat, PASSPHRASE + "!")  # mistyped
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.problem.text() == "The two passphrases differ."
    assert dialog.isVisible() and workspace.root.exists()  # nothing deleted yet
    dialog.repeat.clear()
    qtbot.keyClicks(dialog.repeat, PASSPHRASE)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: deleted_message(win) is not None, timeout=15_000)
    message = deleted_message(win)
    assert message is not None and str(target) in message.text()
    assert not workspace.root.exists()
    exported = wipe.read_export(target, PASSPHRASE)
    assert sorted(json.loads(e["payload"])["style_code"] for e in exported["edits"]) == [
        "AWAY-0",
        "AWAY-1",
    ]


def test_declining_lets_the_edits_go_with_the_workspace(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    win, workspace, dialog = offered(qtbot, server, tmp_path)
    qtbot.mouseClick(dialog.discard_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: deleted_message(win) is not None, timeout=15_000)
    assert not workspace.root.exists()
    assert not list(Path.home().glob("*-unsent-edits.mwunsent.part"))


def test_without_the_admins_leave_nothing_is_offered(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    win, workspace = window_with_unsent_edits(qtbot, server, tmp_path, allow_export=False)
    win.sync.sync_action.trigger()  # Sync → Sync now
    qtbot.waitUntil(lambda: deleted_message(win) is not None, timeout=15_000)
    assert win.findChildren(UnsentExportDialog) == []
    assert not workspace.root.exists()
