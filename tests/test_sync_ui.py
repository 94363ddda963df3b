"""The app's side of sync under pytest-qt: signing in, syncing from the window, and resolving
a conflict by choosing a version."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from sync.session import SyncReport, sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from ui.main_window import MainWindow
from ui.ops import OpContext, OpRunner
from workbench import documents
from workbench.analytics import store_file
from workbench.errors import Cancelled
from workbench.workspace import Workspace, open_workspace

# The window's side of sync is the same whatever the server's database: SQLite is enough.
pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)


def window_for(qtbot: QtBot, workspace: Workspace, synced: bool) -> MainWindow:
    syncer = (lambda ctx: sync_workspace(workspace, cancel=ctx.cancel_event)) if synced else None
    win = MainWindow(workspace, OpRunner(), syncer=syncer)
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def close_all() -> Iterator[list[MainWindow]]:
    windows: list[MainWindow] = []
    yield windows
    for win in windows:
        win.close()
        win.workspace.close()


def test_signing_in_from_the_window(
    qtbot: QtBot, server: Server, tmp_path: Path, close_all: list
) -> None:
    local = open_workspace(tmp_path / "data" / "workspaces" / "scratch")
    win = window_for(qtbot, local, synced=False)
    close_all.append(win)
    assert win.sync_label.text() == "offline — no server configured"
    dialog = win.sync.show_login()
    dialog.server.setText(server.url)
    dialog.username.setText("merchandiser@alpha")
    dialog.password.setText("wrong password")
    dialog.submit()
    qtbot.waitUntil(lambda: "wrong password" in dialog.message.text())
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(win.sync.workspace_requested, timeout=10_000) as blocker:
        dialog.submit()
    signed_in: Workspace = blocker.args[0]
    assert signed_in.replica.get_state("server_url") == server.url
    assert signed_in.root == tmp_path / "data" / "workspaces" / "alpha"
    signed_in.close()


def test_syncing_from_the_window_shows_the_state(
    qtbot: QtBot, server: Server, tmp_path: Path, close_all: list
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"F-{i}", name=f"Pique {i}") for i in range(5)],
    )
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    win = window_for(qtbot, workspace, synced=True)
    close_all.append(win)
    with qtbot.waitSignal(win.sync.synced, timeout=20_000) as blocker:
        win.sync.sync_now()
    report = blocker.args[0]
    assert isinstance(report, SyncReport) and report.pulled == 5
    assert win.sync_label.text().startswith("online · synced")
    qtbot.waitUntil(lambda: win.counts_label.text().startswith("5 materials"))
    win.search_view.search_box.setText("pique")
    qtbot.waitUntil(
        lambda: (
            win.search_view.last_request is not None
            and win.search_view.last_request.text == "pique"
            and win.search_view.last_result is not None
            and win.search_view.last_result.total == 5
        )
    )
    # the dashboards' order file is written after the sync, in the background
    order_file = store_file.path_for(workspace.replica.path)
    qtbot.waitUntil(order_file.exists, timeout=20_000)
    assert store_file.read_stamp(order_file, workspace.replica.key).cursor == report.cursor


def test_resolving_a_conflict_in_the_window(
    qtbot: QtBot, server: Server, tmp_path: Path, close_all: list
) -> None:
    a, _, _ = sign_in(server.url, "admin@alpha", PASSWORD, base=tmp_path / "a")
    b, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "b")
    sheet = documents.save_document(a.replica, "cost_sheets", {"style_code": "TS-1", "title": "x"})
    sync_workspace(a)
    sync_workspace(b)
    documents.save_document(a.replica, "cost_sheets", {"id": sheet["id"], "title": "A's"})
    documents.save_document(b.replica, "cost_sheets", {"id": sheet["id"], "title": "B's"})
    sync_workspace(a)
    assert sync_workspace(b).conflicts == 1
    win = window_for(qtbot, b, synced=True)
    close_all.append(win)
    a.close()
    win.sync.show_conflicts()
    qtbot.waitUntil(lambda: win.sync.conflicts_dialog is not None)
    dialog = win.sync.conflicts_dialog
    assert dialog is not None
    assert dialog.list.count() == 1
    fields = {
        dialog.table.item(r, 0).text(): (
            dialog.table.item(r, 1).text(),
            dialog.table.item(r, 2).text(),
        )
        for r in range(dialog.table.rowCount())
    }
    assert fields["title"] == ("B's", "A's")
    with qtbot.waitSignal(win.sync.synced, timeout=20_000):
        dialog.keep_mine.click()
    assert documents.conflicts(b.replica) == []
    title = b.replica.conn.execute("SELECT title FROM cost_sheets").fetchone()[0]
    assert title == "B's"


def test_an_online_window_receives_another_laptops_edit(
    qtbot: QtBot, server: Server, tmp_path: Path, close_all: list
) -> None:
    from sync.session import LiveUpdates

    a, _, _ = sign_in(server.url, "admin@alpha", PASSWORD, base=tmp_path / "a")
    b, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "b")
    sync_workspace(a)
    sync_workspace(b)
    win = MainWindow(
        b,
        OpRunner(),
        live=LiveUpdates(b),
        syncer=lambda ctx: sync_workspace(b, cancel=ctx.cancel_event),
    )
    qtbot.addWidget(win)
    win.show()
    sheet = documents.save_document(a.replica, "cost_sheets", {"style_code": "LIVE-1"})
    sync_workspace(a)  # pushed from laptop A: B's long-poll answers, B syncs
    qtbot.waitUntil(
        lambda: (
            b.replica.conn.execute(
                "SELECT 1 FROM cost_sheets WHERE id = ?", (sheet["id"],)
            ).fetchone()
            is not None
        ),
        timeout=10_000,
    )
    # a long-poll is open again, on its own thread: no op is left for closing to wait on
    qtbot.waitUntil(lambda: win.ops.pool.activeThreadCount() == 0)
    win.close()
    a.close()
    b.close()


def test_a_window_whose_workspace_was_ordered_wiped_says_so_and_closes(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from sync.server import accounts

    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("F-W")])
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "OPEN"})
    root = workspace.root
    win = window_for(qtbot, workspace, synced=True)
    accounts.order_wipe(server.engine, str(workspace.replica.get_state("device_id")))
    with qtbot.waitSignal(win.sync.synced, timeout=20_000):
        win.sync.sync_now()
    qtbot.waitUntil(
        lambda: any(
            isinstance(w, QMessageBox) and w.isVisible() for w in win.findChildren(QMessageBox)
        )
    )
    [box] = [w for w in win.findChildren(QMessageBox) if w.isVisible()]
    assert "deleted from this laptop" in box.text()
    assert win.sync_label.text().startswith("deleted from this laptop")
    assert not root.exists()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not win.isVisible())
    assert not root.exists()  # closing saved nothing into a workspace that is gone


def test_a_cancelled_sync_says_so_not_offline(
    qtbot: QtBot, server: Server, tmp_path: Path, close_all: list
) -> None:
    """Cancelling a sync is the user's choice, not a lost connection: the status says the
    sync was cancelled and the edits wait for the next one."""
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)

    def cancelled_at_once(ctx: OpContext) -> SyncReport:
        ctx.cancel_event.set()  # as the progress dialog's Cancel button does
        return sync_workspace(workspace, cancel=ctx.cancel_event)

    win = MainWindow(workspace, OpRunner(), syncer=cancelled_at_once)
    qtbot.addWidget(win)
    win.show()
    close_all.append(win)
    with qtbot.waitSignal(win.sync.synced, timeout=20_000) as blocker:
        win.sync.sync_now()
    assert isinstance(blocker.args[0], Cancelled)
    assert win.sync_label.text() == "sync cancelled · edits are kept and sent at the next sync"
