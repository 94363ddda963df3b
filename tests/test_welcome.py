"""The first start of the app: what a start opens, the workspace remembered for the next
start, and the welcome (sign in to the company's server, or try the demo) under pytest-qt,
against a real sync server on a loopback port."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sync.session import sign_in
from tests.app_runs import run_app_driven, visible
from tests.sync_fixtures import PASSWORD, Server
from ui.app import Start, choose_start
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.welcome import Welcome
from workbench.recent import RECENT_FILE, last_workspace, remember_workspace
from workbench.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parent.parent


def make_workspace(folder: Path, role: str | None = None) -> Path:
    workspace = open_workspace(folder)
    if role is not None:
        workspace.replica.set_state("role", role)
    workspace.close()
    return folder


# --- what a start opens ---------------------------------------------------------------------


def test_a_first_plain_start_shows_the_welcome(tmp_path: Path) -> None:
    assert choose_start(demo=False, workspace_dir=None, data_dir=tmp_path) == Start("welcome")


def test_a_plain_start_reopens_the_workspace_used_last(tmp_path: Path) -> None:
    folder = make_workspace(tmp_path / "workspaces" / "alpha")
    remember_workspace(folder, tmp_path)
    start = choose_start(demo=False, workspace_dir=None, data_dir=tmp_path)
    assert start == Start("workspace", folder.resolve())


def test_a_deleted_last_workspace_means_the_welcome(tmp_path: Path) -> None:
    folder = make_workspace(tmp_path / "workspaces" / "alpha")
    remember_workspace(folder, tmp_path)
    for path in folder.rglob("*"):
        if path.is_file():
            path.unlink()
    assert choose_start(demo=False, workspace_dir=None, data_dir=tmp_path) == Start("welcome")


def test_options_win_over_the_workspace_used_last(tmp_path: Path) -> None:
    remember_workspace(make_workspace(tmp_path / "workspaces" / "alpha"), tmp_path)
    other = tmp_path / "elsewhere"
    assert choose_start(demo=True, workspace_dir=None, data_dir=tmp_path) == Start("demo")
    assert choose_start(demo=False, workspace_dir=other, data_dir=tmp_path) == Start(
        "workspace", other
    )


# --- the store of the workspace used last ---------------------------------------------------


def test_the_last_workspace_is_remembered_in_the_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert last_workspace(data) is None
    first = make_workspace(data / "workspaces" / "alpha")
    second = make_workspace(tmp_path / "elsewhere" / "beta")  # --workspace DIR, outside
    assert remember_workspace(first, data)
    assert last_workspace(data) == first.resolve()
    assert remember_workspace(second, data)
    assert last_workspace(data) == second.resolve()
    assert last_workspace(tmp_path / "another data dir") is None


@pytest.mark.parametrize("content", ["{not json", "[]", '{"workspace": 7}', '{"workspace": ""}'])
def test_a_damaged_recent_file_means_no_recent_workspace(tmp_path: Path, content: str) -> None:
    (tmp_path / RECENT_FILE).write_text(content, "utf-8")
    assert last_workspace(tmp_path) is None


def test_an_unwritable_data_directory_is_not_an_error(tmp_path: Path) -> None:
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("", "utf-8")
    assert remember_workspace(make_workspace(tmp_path / "alpha"), not_a_folder) is False
    assert last_workspace(not_a_folder) is None


# --- the welcome ----------------------------------------------------------------------------


@pytest.fixture
def opened() -> Iterator[list[Workspace]]:
    """Workspaces a test signed in to: closed at the end."""
    workspaces: list[Workspace] = []
    yield workspaces
    for workspace in workspaces:
        workspace.close()


def welcome_for(qtbot: QtBot, base: Path, opened: list[Workspace]) -> Welcome:
    def sign_in_here(url: str, user: str, password: str) -> tuple:  # type: ignore[type-arg]
        result = sign_in(url, user, password, base=base)
        opened.append(result[0])
        return result

    ops = OpRunner()
    welcome = Welcome(ops, sign_in_here)
    qtbot.addWidget(welcome)
    welcome.show()
    qtbot.waitExposed(welcome)
    return welcome


def test_trying_the_demo_from_the_welcome(
    qtbot: QtBot, tmp_path: Path, opened: list[Workspace]
) -> None:
    welcome = welcome_for(qtbot, tmp_path, opened)
    assert welcome.windowTitle() == "Welcome to Mill Workbench"
    with qtbot.waitSignal(welcome.demo_chosen, timeout=2_000):
        welcome.demo_button.click()
    # while the demo opens, neither choice can be made twice
    assert not welcome.demo_button.isEnabled() and not welcome.connect_button.isEnabled()
    welcome.show_failure("Could not open the demo: no free port")
    assert welcome.demo_button.isEnabled() and welcome.connect_button.isEnabled()
    assert "no free port" in welcome.message.text()


def test_closing_the_welcome_is_choosing_neither(
    qtbot: QtBot, tmp_path: Path, opened: list[Workspace]
) -> None:
    welcome = welcome_for(qtbot, tmp_path, opened)
    with qtbot.waitSignal(welcome.rejected, timeout=2_000):
        welcome.close()


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_connecting_from_the_welcome_signs_in_to_the_server(
    qtbot: QtBot, server: Server, tmp_path: Path, opened: list[Workspace]
) -> None:
    welcome = welcome_for(qtbot, tmp_path, opened)
    welcome.connect_button.click()
    dialog = welcome.login
    assert dialog is not None and dialog.isVisible()
    dialog.server.setText(server.url)
    dialog.username.setText("merchandiser@alpha")
    dialog.password.setText("not the password")
    dialog.submit()
    # the server's words, in the dialog; the dialog and the welcome stay open
    qtbot.waitUntil(lambda: "wrong password" in dialog.message.text(), timeout=10_000)
    assert dialog.isVisible() and welcome.isVisible() and welcome.demo_button.isEnabled()
    dialog.password.setText(PASSWORD)
    with qtbot.waitSignal(welcome.signed_in, timeout=10_000) as blocker:
        dialog.submit()
    workspace, info, _warning = blocker.args[0]
    assert info.username == "merchandiser@alpha"
    assert workspace.root == tmp_path / "workspaces" / "alpha"
    assert workspace.replica.get_state("server_url") == server.url


# --- the app, started ------------------------------------------------------------------------


def give_up(app: QApplication, seen: dict[str, object]) -> None:
    """A start that does not end when its last window closes fails the test, not hangs it."""
    seen["gave up"] = True
    app.quit()


def first_start(
    app: QApplication,
    data: Path,
    choose: Callable[[Welcome], None],
    done: Callable[[MainWindow, dict[str, object]], bool],
    *,
    demo_size: int,
    timeout_ms: int,
) -> tuple[int, dict[str, object]]:
    """``run_app`` with no option on an empty data folder, driven like a person: ``choose``
    acts on the welcome once it shows; once ``done`` says the window is what the test waited
    for (noting what it saw), the window is closed, which must end the app. Returns the exit
    code and what was seen."""
    seen: dict[str, object] = {}

    def step() -> None:
        welcomes, windows = visible(Welcome), visible(MainWindow)
        if "welcome" not in seen and welcomes:
            seen["welcome"] = welcomes[0]
            choose(welcomes[0])
        elif windows and done(windows[0], seen):
            windows[0].close()  # the last window: the app ends
            return
        poll.start(50)

    poll = QTimer(singleShot=True, timeout=step)
    too_long = QTimer(singleShot=True, timeout=lambda: give_up(app, seen))
    code = run_app_driven(
        poll, too_long, timeout_ms, data_dir=data, workspace_dir=None, demo_size=demo_size
    )
    return code, seen


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_a_first_start_signs_in_from_the_welcome_and_opens_the_window(
    app_state: QApplication, server: Server, tmp_path: Path
) -> None:
    """The whole first start: the welcome, a sign-in, the window on the signed-in workspace
    syncing from the server; and the next plain start goes straight to that workspace."""
    data = tmp_path / "data"

    def sign_in_there(welcome: Welcome) -> None:
        welcome.connect_button.click()
        dialog = welcome.login
        dialog.server.setText(server.url)
        dialog.username.setText("merchandiser@alpha")
        dialog.password.setText(PASSWORD)
        dialog.submit()

    def online(window: MainWindow, seen: dict[str, object]) -> bool:
        if not window.sync_label.text().startswith("online"):
            return False
        seen["root"] = window.workspace.root
        seen["welcome visible"] = bool(visible(Welcome))
        return True

    code, seen = first_start(
        app_state, data, sign_in_there, online, demo_size=100, timeout_ms=60_000
    )
    assert code == 0 and "gave up" not in seen  # closing the window ended the app
    assert seen.get("root") == data / "workspaces" / "alpha"
    assert seen["welcome visible"] is False
    assert choose_start(demo=False, workspace_dir=None, data_dir=data) == Start(
        "workspace", (data / "workspaces" / "alpha").resolve()
    )


def test_trying_the_demo_from_a_first_start_opens_the_demo(
    app_state: QApplication, tmp_path: Path
) -> None:
    """Choosing "Try the demo" takes the --demo path (its own server, the demo
    merchandiser); the demo is not remembered, so the next plain start offers the welcome
    again."""
    data = tmp_path / "data"

    def opened(window: MainWindow, seen: dict[str, object]) -> bool:
        seen["user"] = window.workspace.replica.get_state("username")
        return True

    code, seen = first_start(
        app_state,
        data,
        lambda welcome: welcome.demo_button.click(),
        opened,
        demo_size=200,
        timeout_ms=120_000,
    )
    assert code == 0 and "gave up" not in seen
    assert seen.get("user") == "demo-merch@demo"
    assert choose_start(demo=False, workspace_dir=None, data_dir=data) == Start("welcome")


def start_app(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            *args,
            "--data-dir",
            str(data),
            "--screenshot",
            str(data.parent / "shot.png"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )


def test_plain_starts_show_the_welcome_then_the_workspace_used_last(
    tmp_path: Path, passphrase_instead_of_keyring: str
) -> None:
    data = tmp_path / "data"
    first = start_app(data)
    assert first.returncode == 0, first.stderr
    assert "saved a screenshot of the welcome" in first.stdout
    # a floor workspace opens the label station: a window that needs no search to photograph
    folder = make_workspace(tmp_path / "floor", role="floor")
    chosen = start_app(data, "--workspace", str(folder))
    assert chosen.returncode == 0, chosen.stderr
    assert last_workspace(data) == folder.resolve()
    again = start_app(data)
    assert again.returncode == 0, again.stderr
    assert "saved a screenshot of the label station" in again.stdout
