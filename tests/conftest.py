"""Shared test setup: Qt offscreen, an in-memory keyring, a private data directory, and the
cycle collector on the main thread only, as in the app (`ui.collector`).

Every test runs with ``WORKBENCH_DATA_DIR`` pointing at its own temporary folder, so no test
reads or writes the user's real workspaces, and with a keyring that keeps secrets in a dict,
so no test depends on (or pollutes) a desktop Secret Service.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import keyring
import pytest
from keyring.backend import KeyringBackend

from tests.postgres import postgres_server
from tests.sync_fixtures import server, server_db
from ui.collector import collect_due

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

__all__ = ["postgres_server", "server", "server_db"]  # fixtures shared by the sync tests

# The sync model's invariants and rules assert in helper modules: rewritten like a test's
# asserts, a broken invariant reports the values as well as its message.
pytest.register_assert_rewrite("tests.sync_model_invariants", "tests.sync_model_machine")

# Must be set before any QApplication exists; pytest-qt creates it lazily.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# A window of one test caught in a reference cycle must not be destroyed on a worker thread
# of another, which crashes Qt: cycles are collected on the main thread, between tests.
gc.disable()


@pytest.fixture(autouse=True)
def collect_on_the_main_thread() -> Iterator[None]:
    yield
    collect_due()


class MemoryKeyring(KeyringBackend):
    """A keyring backend holding secrets in memory for the duration of one test."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.secrets:
            raise keyring.errors.PasswordDeleteError(f"no secret for {service}/{username}")
        del self.secrets[(service, username)]


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class NoKeyring(KeyringBackend):
    """A machine without a keyring service (a server, a bare container, a kiosk)."""

    priority = 1  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        raise keyring.errors.NoKeyringError("no backend")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")

    def delete_password(self, service: str, username: str) -> None:
        raise keyring.errors.NoKeyringError("no backend")


@pytest.fixture
def no_keyring() -> Iterator[NoKeyring]:
    previous = keyring.get_keyring()
    backend = NoKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def passphrase_instead_of_keyring(no_keyring: NoKeyring, monkeypatch: pytest.MonkeyPatch) -> str:
    """No keyring, and a passphrase the administrator allowed in its place: what a test needs
    when the app it starts as a separate process (which cannot see the test's keyring) opens
    a workspace the test made. The passphrase is in the environment the process inherits."""
    from workbench.replica import keys

    passphrase = "a passphrase for the tests"
    monkeypatch.setenv(keys.PASSPHRASE_ENV, passphrase)
    return passphrase


@pytest.fixture(autouse=True)
def private_data_dir(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    from workbench.paths import use_data_dir

    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("WORKBENCH_DATA_DIR", str(path))
    # the app's log file goes to one folder of the test run, never the user's log directory
    monkeypatch.setenv("WORKBENCH_LOG_DIR", str(tmp_path_factory.getbasetemp() / "logs"))
    # a command run in the test process with --data-dir makes that folder the process's data
    # directory (`use_data_dir`); the next test starts from its own again
    use_data_dir(None)
    yield path
    use_data_dir(None)


@pytest.fixture
def app_state(qapp: QApplication) -> Iterator[QApplication]:
    """A test that starts the app (``run_app``): run_app styles the application and starts the
    log file, so both are put back afterwards."""
    style, root = qapp.styleSheet(), logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield qapp
    qapp.setStyleSheet(style)
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
