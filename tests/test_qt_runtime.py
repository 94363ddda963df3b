"""The Qt binding the app runs on must not corrupt the interpreter.

PySide6 6.12.0 under Python 3.11 drops a reference to ``True`` on every ``Signal.emit()``;
after a few hundred emits the interpreter aborts ("deallocating True or False"). Python 3.12
hides it (immortal booleans), 3.11 does not. This guards the pin in pyproject.toml.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot


class _Emitter(QObject):
    fired = Signal(int)


def test_emitting_signals_keeps_refcounts_intact(qtbot: QtBot) -> None:
    emitter = _Emitter()
    received: list[int] = []
    emitter.fired.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(200):
        emitter.fired.emit(n)
    after = sys.getrefcount(True)
    assert len(received) == 200
    assert after >= before - 5, f"True lost {before - after} references over 200 emits"
