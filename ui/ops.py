"""Running replica work off the UI thread, in one shape (after Anki's CollectionOp/QueryOp).

``OpRunner.run(fn, success=…)`` calls ``fn(ctx)`` on a worker thread; its result reaches
``success`` on the UI thread, an exception reaches ``failure`` (by default a message box with
the exception's words). ``ctx`` reports progress and carries a cancel flag. An op that changes
the replica names the tables it changed, and when it succeeds ``replica_changed`` announces
them, so each view decides for itself whether to refresh. Workers never touch widgets.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from workbench.errors import Cancelled, WorkbenchError, user_message

log = logging.getLogger("workbench.ops")


@dataclass
class OpContext:
    """What a worker function gets: a way to report progress and to notice a cancel."""

    label: str
    cancel_event: threading.Event = field(default_factory=threading.Event)
    _report: Callable[[int, int, str], None] = lambda done, total, text: None

    def progress(self, done: int, total: int, text: str = "") -> None:
        self._report(done, total, text or self.label)

    @property
    def is_cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def check(self) -> None:
        if self.cancel_event.is_set():
            raise Cancelled(f"{self.label} was cancelled")


class _Signals(QObject):
    finished = Signal(int, object)  # op id, result
    failed = Signal(int, object, str)  # op id, exception, formatted traceback
    progressed = Signal(int, int, int, str)  # op id, done, total, text


class _Worker(QRunnable):
    def __init__(
        self, op_id: int, fn: Callable[[OpContext], Any], ctx: OpContext, signals: _Signals
    ) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self.op_id, self.fn, self.ctx, self.signals = op_id, fn, ctx, signals

    def run(self) -> None:
        try:
            result = self.fn(self.ctx)
        except BaseException as exc:  # delivered to the UI thread, never swallowed
            self.signals.failed.emit(self.op_id, exc, traceback.format_exc())
        else:
            self.signals.finished.emit(self.op_id, result)


@dataclass
class OpHandle:
    id: int
    ctx: OpContext
    changes: frozenset[str]
    success: Callable[[Any], object] | None
    failure: Callable[[BaseException], None] | None
    background: bool

    def cancel(self) -> None:
        self.ctx.cancel_event.set()


class OpRunner(QObject):
    """Runs ops on a thread pool and delivers their outcomes on the UI thread."""

    #: tables an op changed, after it succeeded
    replica_changed = Signal(frozenset)
    #: whether an op the user waits for is running (drives the progress bar)
    busy_changed = Signal(bool)
    #: done, total, text of the newest op the user waits for (total 0: indeterminate)
    progress = Signal(int, int, str)
    #: an op failed and had no failure handler: (label, message)
    error = Signal(str, str)

    def __init__(self, parent_widget: QWidget | None = None, max_threads: int = 2) -> None:
        super().__init__()
        self.parent_widget = parent_widget
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(max_threads)
        self._signals = _Signals()
        self._signals.finished.connect(self._on_finished)
        self._signals.failed.connect(self._on_failed)
        self._signals.progressed.connect(self._on_progress)
        self._ids = itertools.count(1)
        self._running: dict[int, OpHandle] = {}

    def run(
        self,
        fn: Callable[[OpContext], Any],
        *,
        success: Callable[[Any], object] | None = None,
        failure: Callable[[BaseException], None] | None = None,
        label: str = "Working",
        changes: frozenset[str] = frozenset(),
        background: bool = False,
    ) -> OpHandle:
        """Start ``fn`` on a worker. ``background`` ops (searches, detail loads) do not show
        the progress bar; the others do, with a Cancel button."""
        op_id = next(self._ids)
        signals = self._signals
        ctx = OpContext(
            label, _report=lambda d, t, text: signals.progressed.emit(op_id, d, t, text)
        )
        handle = OpHandle(op_id, ctx, changes, success, failure, background)
        was_busy = self.busy
        self._running[op_id] = handle
        if not background:
            self.progress.emit(0, 0, label)
            if not was_busy:
                self.busy_changed.emit(True)
        self.pool.start(_Worker(op_id, fn, ctx, signals))
        return handle

    @property
    def busy(self) -> bool:
        return any(not h.background for h in self._running.values())

    def cancel_all(self) -> None:
        for handle in self._running.values():
            handle.cancel()

    def cancel_foreground(self) -> None:
        for handle in self._running.values():
            if not handle.background:
                handle.cancel()

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """Block until every worker has finished (used when the window closes)."""
        return self.pool.waitForDone(timeout_ms)

    def shutdown(self) -> None:
        """Cancel and wait for every op, then forget them: answers still queued for the UI
        thread belong to a window that is closing, whose widgets may be gone."""
        self.cancel_all()
        self.wait()
        self._running.clear()

    # -- on the UI thread --------------------------------------------------------------------

    def _finish(self, op_id: int) -> OpHandle | None:
        handle = self._running.pop(op_id, None)
        if handle is not None and not handle.background and not self.busy:
            self.busy_changed.emit(False)
        return handle

    @Slot(int, object)
    def _on_finished(self, op_id: int, result: Any) -> None:
        handle = self._finish(op_id)
        if handle is None:
            return
        if handle.changes:
            self.replica_changed.emit(handle.changes)
        if handle.success is not None:
            handle.success(result)

    @Slot(int, object, str)
    def _on_failed(self, op_id: int, exc: BaseException, formatted: str) -> None:
        handle = self._finish(op_id)
        if handle is None:
            return
        if handle.failure is not None:
            handle.failure(exc)
            return
        if isinstance(exc, Cancelled) or handle.ctx.is_cancelled:
            return  # the user asked for it: nothing to report
        if not isinstance(exc, WorkbenchError):  # a fault, not a refusal: keep where it was
            log.error("%s failed:\n%s", handle.ctx.label, formatted)
        message = user_message(exc)
        self.error.emit(handle.ctx.label, message)
        if self.parent_widget is not None:
            box = QMessageBox(
                QMessageBox.Icon.Warning,
                handle.ctx.label,
                message,
                parent=self.parent_widget,
            )
            box.open()  # not exec(): a worker's error never blocks the event loop

    @Slot(int, int, int, str)
    def _on_progress(self, op_id: int, done: int, total: int, text: str) -> None:
        handle = self._running.get(op_id)
        if handle is not None and not handle.background:
            self.progress.emit(done, total, text)


class Newest:
    """Numbers the requests a view makes of a worker (each filter change, each keystroke) so
    that only the answer to the newest is shown: a slow answer to older input that arrives
    after a newer one is dropped, never shown over it."""

    def __init__(self) -> None:
        self.asked = self.answered = 0

    def ask(self) -> int:
        """The number of a new request, now the newest."""
        self.asked += 1
        return self.asked

    def take(self, asked: int) -> bool:
        """Whether the answer to request ``asked`` is to be shown (it is the newest's); if
        so, the view is no longer waiting."""
        if asked != self.asked:
            return False
        self.answered = asked
        return True

    @property
    def pending(self) -> bool:
        """Whether the newest request's answer is still to come."""
        return self.answered != self.asked


class EtaProgress:
    """Turns (position, goal) reports into "12,000 of 50,000 changes · about 8 s left".

    Positions may start anywhere (a sync cursor resumes mid-way): what is counted is the
    distance covered since the first report, and the time left is that pace extrapolated.
    """

    def __init__(self, ctx: OpContext, what: str, clock: Callable[[], float] | None = None):
        import time

        self.ctx, self.what = ctx, what
        self.clock = clock or time.monotonic
        self.start: tuple[int, float] | None = None

    def __call__(self, position: int, goal: int) -> None:
        now = self.clock()
        if self.start is None:
            self.start = (position, now)
        first, began = self.start
        done, total = position - first, max(goal - first, 0)
        text = f"{self.ctx.label}: {done:,} of {total:,} {self.what}"
        elapsed = now - began
        if 0 < done < total and elapsed > 0.5:
            left = elapsed / done * (total - done)
            text += f" · about {left:,.0f} s left"
        self.ctx.progress(done, total, text)
