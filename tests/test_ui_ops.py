"""The background-op runner: results, errors and cancels arrive on the UI thread."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PySide6.QtCore import QThread
from pytestqt.qtbot import QtBot

from ui.ops import Newest, OpContext, OpRunner
from workbench.errors import Cancelled


@pytest.fixture
def ops(qtbot: QtBot) -> OpRunner:
    return OpRunner()


def test_success_arrives_on_the_ui_thread(qtbot: QtBot, ops: OpRunner) -> None:
    ui_thread = QThread.currentThread()
    worker_threads: list[int] = []
    seen: list[tuple[int, bool]] = []

    def work(ctx: OpContext) -> int:
        worker_threads.append(threading.get_ident())
        return 42

    ops.run(work, success=lambda v: seen.append((v, QThread.currentThread() is ui_thread)))
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [(42, True)]
    assert worker_threads[0] != threading.get_ident()


def test_failure_reaches_the_handler(qtbot: QtBot, ops: OpRunner) -> None:
    errors: list[BaseException] = []

    def work(ctx: OpContext) -> None:
        raise ValueError("the file holds no rows")

    ops.run(work, failure=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "the file holds no rows"


def test_an_unhandled_failure_is_reported_not_swallowed(
    qtbot: QtBot, ops: OpRunner, caplog: pytest.LogCaptureFixture
) -> None:
    with qtbot.waitSignal(ops.error, timeout=5000) as blocker:
        ops.run(lambda ctx: 1 / 0, label="Dividing")
    assert blocker.args[0] == "Dividing"
    assert "division by zero" in blocker.args[1]
    # a fault (not one of the product's refusals) leaves its traceback in the log
    assert "ZeroDivisionError" in caplog.text and "Dividing failed" in caplog.text


def test_cancel_stops_a_cooperating_op_quietly(qtbot: QtBot, ops: OpRunner) -> None:
    started = threading.Event()
    outcome: list[str] = []

    def work(ctx: OpContext) -> str:
        started.set()
        while not ctx.cancel_event.wait(0.01):
            pass
        ctx.check()
        return "finished"

    errors: list[str] = []
    ops.error.connect(lambda label, message: errors.append(message))
    handle = ops.run(work, success=outcome.append)
    assert started.wait(5)
    handle.cancel()
    qtbot.waitUntil(lambda: not ops.busy)
    assert outcome == [] and errors == []


def test_a_job_cancelled_below_the_op_is_quiet_too(qtbot: QtBot, ops: OpRunner) -> None:
    """The search index, a sync or the demo generator stop with `Cancelled` on their own
    event: the op reports nothing, and a real failure still names what went wrong."""
    errors: list[str] = []
    ops.error.connect(lambda label, message: errors.append(message))

    def cancelled(ctx: OpContext) -> None:
        raise Cancelled("the search index rebuild was cancelled")

    ops.run(cancelled, label="Preparing search")
    qtbot.waitUntil(lambda: not ops.busy)
    assert errors == []
    ops.run(lambda ctx: Path("/nonexistent/rates.xlsx").read_bytes(), label="Reading rates")
    qtbot.waitUntil(lambda: bool(errors))
    assert errors == ["/nonexistent/rates.xlsx: No such file or directory"]


def test_progress_and_busy_are_announced(qtbot: QtBot, ops: OpRunner) -> None:
    reports: list[tuple[int, int, str]] = []
    busy: list[bool] = []
    ops.progress.connect(lambda d, t, text: reports.append((d, t, text)))
    ops.busy_changed.connect(busy.append)

    def work(ctx: OpContext) -> None:
        for n in range(1, 4):
            ctx.progress(n, 3, "Counting")

    ops.run(work, label="Counting")
    qtbot.waitUntil(lambda: busy == [True, False])
    assert (3, 3, "Counting") in reports


def test_background_ops_do_not_show_progress(qtbot: QtBot, ops: OpRunner) -> None:
    busy: list[bool] = []
    ops.busy_changed.connect(busy.append)
    done: list[int] = []
    ops.run(lambda ctx: 1, success=done.append, background=True)
    qtbot.waitUntil(lambda: bool(done))
    assert busy == []


def test_a_mutating_op_announces_the_tables_it_changed(qtbot: QtBot, ops: OpRunner) -> None:
    with qtbot.waitSignal(ops.replica_changed, timeout=5000) as blocker:
        ops.run(lambda ctx: None, changes=frozenset({"materials"}))
    assert blocker.args[0] == frozenset({"materials"})
    failed: list[BaseException] = []
    announced: list[frozenset[str]] = []
    ops.replica_changed.connect(announced.append)
    ops.run(lambda ctx: 1 / 0, changes=frozenset({"orders"}), failure=failed.append)
    qtbot.waitUntil(lambda: bool(failed))
    assert announced == []  # nothing changed when the op failed


def test_eta_progress_counts_from_where_it_started() -> None:
    from ui.ops import EtaProgress

    reports: list[tuple[int, int, str]] = []
    ctx = OpContext("Syncing", _report=lambda d, t, text: reports.append((d, t, text)))
    now = [100.0]
    eta = EtaProgress(ctx, "changes", clock=lambda: now[0])
    eta(5_000, 15_000)  # a sync resuming at cursor 5,000 of 15,000
    now[0] += 2.0
    eta(7_000, 15_000)
    assert reports[0] == (0, 10_000, "Syncing: 0 of 10,000 changes")
    assert reports[1] == (2_000, 10_000, "Syncing: 2,000 of 10,000 changes · about 8 s left")


def test_only_the_newest_requests_answer_is_taken() -> None:
    newest = Newest()
    first = newest.ask()
    second = newest.ask()
    assert newest.pending
    assert newest.take(second) and not newest.pending
    assert not newest.take(first)  # arriving late: dropped, and nothing is waited for
    assert not newest.pending


def test_answers_queued_when_the_runner_shuts_down_are_dropped(qtbot: QtBot) -> None:
    """A window closes while a search's answer waits in the event queue: the answer must not
    reach the closed window's widgets (they are deleted by then)."""
    ops = OpRunner()
    done = threading.Event()
    seen: list[object] = []

    def work(ctx: OpContext) -> int:
        done.set()
        return 7

    ops.run(work, success=seen.append, failure=seen.append, background=True)
    assert done.wait(5)
    ops.shutdown()  # the worker has finished; its answer is queued for the UI thread
    qtbot.wait(50)  # the event loop runs: a queued answer would be delivered now
    assert seen == []
