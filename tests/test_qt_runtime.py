"""The Qt binding the app runs on must not corrupt the interpreter.

PySide6 6.12.0 under Python 3.11 drops a reference to ``True`` on every ``Signal.emit()``;
after a few hundred emits the interpreter aborts ("deallocating True or False"). Python 3.12
hides it (immortal booleans), 3.11 does not. This guards the pin in pyproject.toml.
"""

from __future__ import annotations

import gc
import sys
import threading

from PySide6.QtCore import QObject, Signal
from pytestqt.qtbot import QtBot

from ui.collector import MainThreadCollector


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


#: the threads `_Tracked` objects were freed on
FREED_ON: list[str] = []


class _Tracked(QObject):
    """A Qt object in a reference cycle that notes the thread its Python side is freed on."""

    def __init__(self) -> None:
        super().__init__()
        self.cycle = self

    def __del__(self) -> None:
        FREED_ON.append(threading.current_thread().name)


def test_cycles_of_qt_objects_are_collected_on_the_main_thread(qtbot: QtBot) -> None:
    """With Python's automatic collector a worker that allocates triggers the collection and
    frees the main thread's objects there; with `MainThreadCollector` the main thread does."""
    was_enabled = gc.isenabled()
    gc.enable()
    collector = MainThreadCollector(interval_ms=20)
    try:
        FREED_ON.clear()
        gc.collect()
        for _ in range(20):
            _Tracked()
        loaded: list[list[dict[str, int]]] = []  # what the worker made, kept as a book is
        worker = threading.Thread(
            target=lambda: loaded.extend([{}] for _ in range(200_000)), name="loading a rate book"
        )
        worker.start()
        worker.join()
        qtbot.waitUntil(lambda: len(FREED_ON) == 20, timeout=5_000)
        assert set(FREED_ON) == {threading.main_thread().name}
        assert not gc.isenabled()
    finally:
        collector.stop()
        if not was_enabled:
            gc.disable()
