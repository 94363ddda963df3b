"""The Import dialog's running work: one piece at a time (reading, checking or sending the
file) on a worker, how far it is, and Cancel.

Cancel stops the dialog's own work until the whole file is on the server; from then on the
server's one transaction decides, so the button says so and stays off.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.ops import OpContext, OpHandle, OpRunner

CANCEL_TIP = "Stop reading, checking or sending the file"


class WorkRow(QWidget):
    """A row under the dialog's tables: what the work is doing, a bar, and Cancel; shown only
    while a piece of work runs."""

    def __init__(self, ops: OpRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ops = ops
        self._op: OpHandle | None = None
        self.bar = QProgressBar()
        self.bar.setTextVisible(True)
        self.label = QLabel()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip(CANCEL_TIP)
        self.cancel_button.clicked.connect(self.cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar, 1)
        layout.addWidget(self.cancel_button)
        self.setVisible(False)

    def start(
        self,
        work: Callable[[OpContext], Any],
        success: Callable[[Any], None],
        failure: Callable[[BaseException], None],
        label: str,
    ) -> None:
        """Run one piece of the dialog's work on a worker, its progress shown with Cancel (a
        new piece replaces one still running: that one is cancelled and its outcome dropped)."""
        if self._op is not None:
            self._op.cancel()
        handle: OpHandle | None = None

        def done(result: Any) -> None:
            if self._op is handle:
                success(result)

        def failed(exc: BaseException) -> None:
            if self._op is handle:
                failure(exc)

        self.cancel_button.setText("Cancel")
        self.cancel_button.setEnabled(True)
        self.setVisible(True)
        handle = self._op = self.ops.run(work, success=done, failure=failed, label=label)

    def cancel(self) -> None:
        """Stop the running work: reading, checking, or sending the file (the server's import
        of a file it has whole is one transaction and is not stopped from here)."""
        if self._op is not None:
            self._op.cancel()
            self.cancel_button.setText("Cancelling…")
            self.cancel_button.setEnabled(False)

    def finish(self) -> bool:
        """The running work is over (done, failed or cancelled); whether it was cancelled."""
        cancelled = self._op is not None and self._op.ctx.is_cancelled
        self._op = None
        self.setVisible(False)
        return cancelled

    def show_progress(self, done: int, total: int, text: str) -> None:
        if self._op is None:
            return
        self.label.setText(text)
        self.bar.setMaximum(max(total, 0))
        self.bar.setValue(min(done, total) if total else 0)
        # the file is all on the server: its transaction decides, Cancel can no longer stop it
        serving = total == 0 and "the server is" in text
        self.cancel_button.setEnabled(not serving and not self._op.ctx.is_cancelled)
        self.cancel_button.setToolTip(
            "The server has the whole file: its import is all or nothing and finishes on its own"
            if serving
            else CANCEL_TIP
        )
