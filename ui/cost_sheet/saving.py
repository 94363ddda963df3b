"""How a cost sheet is saved, and how its unsaved changes are kept on disk meanwhile.

Every write of the sheet (Save, Save as new version, Copy, a status step) runs on a `ui.ops`
worker. A write saves the sheet as the form showed it when it was asked for; an edit typed
while it is under way stays on screen, unsaved, and a write asked for meanwhile runs once the
first has landed. Closing while a write is under way waits for it; a write that fails says why
in the window and keeps every change.

While the form holds unsaved changes a draft of it is kept on disk (`workbench.drafts`), so
that after a crash the app opens the sheet again as it was. The draft is written on a worker
too, after every edit: one write at a time, the newest form winning over one not yet written,
and its removal (on save or discard) after any write still under way, so a late write never
brings back a draft of changes already saved or discarded. A step asked for before the window
closes is still carried out after it has closed (never dropped, never waited for on the UI
thread, which a busy worker pool would freeze); the app waits for its workers as it quits, so
the last step is on disk before it ends.

`SheetSaving` owns this flow; the window (`CostSheetWindow`) presents what it says, through
the `SavingHost` protocol.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel

from ui.cost_sheet.edits import to_json
from ui.cost_sheet.inputs import SheetInputs
from ui.cost_sheet.standing import SheetStanding
from ui.ops import OpContext, OpRunner
from workbench import documents, drafts
from workbench.costing import CostingError
from workbench.costing.register import RegisterError, copy_of, next_version, status_step
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.errors import user_message
from workbench.replica import Replica, queries
from workbench.workspace import Workspace

#: what is done with the row a write saved, once it has landed
AfterSave = Callable[[dict[str, Any]], object]

#: how long `DraftKeeper.wait` waits for the draft's last step, at most
DRAFT_WAIT_MS = 10_000


def sheet_values(replica: Replica, sheet: CostSheet) -> dict[str, Any]:
    """The document fields of ``sheet`` (read on the worker that saves it)."""
    return {
        "style_code": sheet.style.style_code,
        "title": sheet.title,
        "season": sheet.season,
        "brand_id": queries.brand_id(replica.conn, sheet.brand),
        "body": json.dumps(sheet_to_dict(sheet)),
        "created_by": replica.get_state("username") or "",
    }


class SavingHost(Protocol):
    """What the save flow uses of its window."""

    workspace: Workspace
    ops: OpRunner
    undo_stack: QUndoStack
    inputs: SheetInputs
    message: QLabel
    document: dict[str, Any] | None
    sheet_id: str | None

    standing: SheetStanding

    def current_sheet(self) -> CostSheet: ...

    def show_saved(self, row: dict[str, Any], said: str, clean: bool) -> None: ...

    def close(self) -> bool: ...


class DraftKeeper:
    """Writes and removes one draft on workers, one step at a time, newest first: a step
    asked for while another is under way replaces any step still waiting, and runs once the
    one under way is done (on the same worker, so an app waiting for its workers as it
    closes waits for the last step too)."""

    def __init__(
        self,
        ops: OpRunner,
        root: Path,
        key: str,
        failed: Callable[[BaseException], None],
    ) -> None:
        self.ops, self.root, self.key, self._failed = ops, root, key, failed
        self._changed = threading.Condition()
        self._next: Callable[[], object] | None = None
        self._busy = False

    def keep(self, data: dict[str, Any]) -> None:
        """Write ``data`` as the draft (after the step under way, if any)."""
        root, key = self.root, self.key
        self._ask(lambda: drafts.save_draft(root, key, data))

    def remove(self) -> None:
        """Remove the draft (after the step under way, if any)."""
        root, key = self.root, self.key
        self._ask(lambda: drafts.remove_draft(root, key))

    def wait(self, timeout_ms: int = DRAFT_WAIT_MS) -> bool:
        """Block until every step asked for is done; False if ``timeout_ms`` passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._busy, timeout_ms / 1000)

    def _ask(self, step: Callable[[], object]) -> None:
        with self._changed:
            self._next = step
            start, self._busy = not self._busy, True
        if start:
            self.ops.run(
                self._run_steps, failure=self._failed, label="Keeping a draft", background=True
            )

    def _run_steps(self, _ctx: OpContext) -> None:
        """On a worker: run the waiting step, and the one asked for meanwhile, until none is
        left. A failed step ends the run; the next step asked for starts another."""
        while True:
            with self._changed:
                step, self._next = self._next, None
                if step is None:
                    self._busy = False
                    self._changed.notify_all()
                    return
            try:
                step()
            except BaseException:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
                raise


class SheetSaving:
    """The save flow of one cost sheet window: the writes, in order, on workers; what the
    status line says about them; and the draft of the unsaved changes."""

    def __init__(self, host: SavingHost, saved_state: QLabel, draft_key: str) -> None:
        self.host = host
        #: the status line's word on saving: unsaved changes (a draft kept), or all saved
        self.saved_state = saved_state
        #: a write of the sheet is under way on a worker
        self.writing = False
        #: writes asked for while one was under way, run in order once it lands
        self._queued: list[Callable[[], object]] = []
        #: what closes the window (or quits) once the write under way has landed
        self.closing: Callable[[], object] | None = None
        self.drafts = DraftKeeper(host.ops, host.workspace.root, draft_key, self._draft_failed)

    # -- the writes ----------------------------------------------------------------------------

    def _form_sheet(self) -> CostSheet | None:
        """The sheet as the form shows it, to save; None (and the reason said) when the form
        cannot be read."""
        try:
            return self.host.current_sheet()
        except CostingError as exc:
            self.host.message.setText(f"Not saved: {exc}")
            return None

    def _write(
        self,
        work: Callable[[Replica], dict[str, Any]],
        said: Callable[[dict[str, Any]], str],
        then: AfterSave | None = None,
    ) -> None:
        """Run ``work`` (a write of this sheet) on a worker. When it lands the window goes on
        with the row written, clean if the form is still what it was now (an edit typed
        meanwhile stays unsaved), then ``then`` runs; a failure is said in the window."""
        host = self.host
        replica, index = host.workspace.replica, host.undo_stack.index()
        state = host.inputs.state()  # the form as this write saves it
        self.writing = True
        host.standing.show_standing()
        self.show_state(False)

        def write(_ctx: OpContext) -> dict[str, Any]:
            return work(replica)

        def landed(row: dict[str, Any]) -> None:
            self.writing = False
            same = host.undo_stack.index() == index and host.inputs.state() == state
            host.show_saved(row, said(row), same)
            if then is not None:
                then(row)
            self._after_write()

        def failed(exc: BaseException) -> None:
            self.writing = False
            self.closing = None  # the window stays open with what is not saved
            host.message.setText(f"Not saved: {user_message(exc)}")
            host.standing.show_standing()
            self.show_state(host.undo_stack.isClean())
            self._after_write()

        host.ops.run(write, success=landed, failure=failed, label="Saving", background=True)

    def _after_write(self) -> None:
        """Start the next write asked for meanwhile; with none left, close if asked to."""
        if self.writing:
            return
        if self._queued:
            self._queued.pop(0)()
        elif self.closing is not None:
            closing, self.closing = self.closing, None
            closing()

    def _queue(self, write: Callable[[], object]) -> bool:
        """Run ``write`` once the write under way has landed; True (it will be tried)."""
        self._queued.append(write)
        return True

    def close_when_saved(self, after: Callable[[], object] | None = None) -> None:
        """Close the window (or run ``after``) once the write under way has landed."""
        self.closing = after or self.host.close
        self.show_state(False)

    def save(self, then: AfterSave | None = None) -> bool:
        """Save what the form shows now, on a worker; ``then`` gets the row saved. False when
        it cannot be saved (the reason is said); while another write is under way, it is
        saved once that one lands."""
        if self.writing:
            return self._queue(lambda: self.save(then))
        host = self.host
        if not host.standing.is_draft:
            host.message.setText(
                f"Not saved: this sheet is {host.standing.status}, kept as it was; "
                "save your changes as a new version."
            )
            return False
        sheet = self._form_sheet()
        if sheet is None:
            return False
        kept = {"id": host.sheet_id} if host.sheet_id else {}

        def work(replica: Replica) -> dict[str, Any]:
            values = {**kept, **sheet_values(replica, sheet)}
            return documents.save_document(replica, "cost_sheets", values)

        self._write(work, lambda _row: "", then)
        return True

    def save_as_new_version(self, then: AfterSave | None = None) -> bool:
        """What the form shows as the next version of this sheet (a draft); the version
        before stays as it was. A sheet not saved yet is simply saved."""
        if self.writing:
            return self._queue(lambda: self.save_as_new_version(then))
        if self.host.document is None:
            return self.save(then)
        sheet, before = self._form_sheet(), self.host.document
        if sheet is None:
            return False

        def work(replica: Replica) -> dict[str, Any]:
            fresh = next_version(replica.conn, before)
            values = {**fresh, **sheet_values(replica, sheet)}
            return documents.save_document(replica, "cost_sheets", values)

        def said(row: dict[str, Any]) -> str:
            return (
                f"Saved as version {row['revision']}, a draft; version "
                f"{before['revision']} is kept as it was."
            )

        self._write(work, said, then)
        return True

    def copy_sheet(self) -> bool:
        """What the form shows as a new sheet of its own (a draft, version 1); the window
        goes on with the copy and the sheet copied stays as it was saved."""
        if self.writing:
            return self._queue(self.copy_sheet)
        sheet = self._form_sheet()
        if sheet is None:
            return False
        fresh = copy_of(self.host.document or {})

        def work(replica: Replica) -> dict[str, Any]:
            values = {**fresh, **sheet_values(replica, sheet)}
            return documents.save_document(replica, "cost_sheets", values)

        self._write(
            work,
            lambda _row: "Copied: this is a new sheet; the sheet copied is kept as it was saved.",
        )
        return True

    def set_status(self, status: str) -> bool:
        """Move the saved sheet to ``status`` (see `workbench.costing.register.NEXT`); what
        is submitted or approved is what is saved, so unsaved changes are saved first."""
        if self.writing:
            return self._queue(lambda: self.set_status(status))
        host = self.host
        if host.document is None or not host.undo_stack.isClean():
            return self.save(then=lambda _row: self.set_status(status))
        try:
            values = status_step(host.document, status)
        except RegisterError as exc:
            host.message.setText(str(exc))
            return False

        def work(replica: Replica) -> dict[str, Any]:
            return documents.save_document(replica, "cost_sheets", values)

        self._write(work, lambda _row: f"The sheet is now {status}.")
        return True

    # -- the status line -----------------------------------------------------------------------

    def show_state(self, clean: bool) -> None:
        """Say on the status line whether everything is saved, unsaved (a draft kept), or
        being saved."""
        if self.writing:
            text = "Saving…" + (" The window closes once saved." if self.closing else "")
            self._say(text, "#5b7180")
            return
        if not clean:
            text = "● Unsaved changes (a draft is kept; Ctrl+S saves)"
        elif self.host.sheet_id is None:
            text = "New sheet, not saved yet"
        else:
            text = "All changes saved"
        self._say(text, "#8a5a00" if not clean else "#5b7180")

    def _say(self, text: str, colour: str) -> None:
        """The status line's word on saving; its style is set only when its colour changes
        (setting a style sheet lays the label out again, on every save)."""
        self.saved_state.setText(text)
        style = f"color: {colour}"
        if self.saved_state.styleSheet() != style:
            self.saved_state.setStyleSheet(style)

    # -- the draft on disk ---------------------------------------------------------------------

    def keep_draft(self) -> None:
        """Keep the form as it is on disk (on a worker) while it holds unsaved changes."""
        host = self.host
        if host.undo_stack.isClean():
            return
        data = to_json(host.inputs.state())
        data["sheet_id"] = host.sheet_id
        data["written_at"] = datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        self.drafts.keep(data)

    def clean_changed(self, clean: bool) -> None:
        """Remove the draft once everything is saved (or the changes discarded); keep one
        again once there are unsaved changes (an undo past the saved state)."""
        self.show_state(clean)
        if clean:
            self.drafts.remove()
        else:
            self.keep_draft()

    def discard(self) -> None:
        """Forget the unsaved changes; the draft goes."""
        self.host.undo_stack.setClean()
        self.drafts.remove()

    def _draft_failed(self, exc: BaseException) -> None:
        self.host.message.setText(
            f"The draft of the unsaved changes cannot be kept: {user_message(exc)}"
        )
