"""The cost sheet editor window: the inputs on the left; the breakdown, its chart, the price for
the brand, the lead time and the firm quote on the right, recomputed as the merchandiser types.

The rate book and the capacity book are loaded once on a worker; a costing then takes well
under a millisecond, so it runs on each edit. Saving writes a synced document; a firm quote
asked for offline waits in the queue for the next sync.

Every edit of the form is a step on an undo stack (Ctrl+Z, Ctrl+Shift+Z); Ctrl+S saves;
closing a sheet, or quitting, with unsaved changes asks first (and waits for a save under
way, asking about any edit typed since).

Every read and write of the replica runs on a `ui.ops` worker: the sheet a comparison reads,
the fabric, yarns and trims chosen, and saving. How the sheet is saved, and how a draft of its
unsaved changes is kept on disk meanwhile, is `ui.cost_sheet.saving`.

This module holds what ties the parts together (when to cost, the undo history, closing); the
parts themselves are `SheetInputs` (the form), `BreakdownPanel` with `figures` (what a costing
shows), `SheetStanding` (status, version and steps), `MaterialChoices` (choosing the fabric and
trims), `SheetComparison` (comparing with another sheet), `ExportActions` (the workbook and
the ESG sheet), `FirmQuote` and `SheetSaving`. Each part that needs the window is typed
against a Protocol of what it uses, never this class.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoStack
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from ui.cost_sheet.books import Loaded, load_books
from ui.cost_sheet.breakdown import BreakdownPanel
from ui.cost_sheet.compare import SheetComparison
from ui.cost_sheet.edits import EditCommand, FormState, from_json
from ui.cost_sheet.export_actions import ExportActions
from ui.cost_sheet.figures import cost_form, show_costed
from ui.cost_sheet.firm_quote import FirmQuote, QuoteAsker
from ui.cost_sheet.inputs import SheetInputs
from ui.cost_sheet.lookups import yarns_of
from ui.cost_sheet.material_choices import MaterialChoices
from ui.cost_sheet.saving import AfterSave, SheetSaving
from ui.cost_sheet.standing import SheetStanding
from ui.dialogs import ask_save_first
from ui.formats import format_date
from ui.keys import bindings
from ui.ops import OpContext, OpRunner
from workbench.capacity import LeadTime
from workbench.costing import CostingError, Style, Terms
from workbench.costing.choices import Choice
from workbench.costing.colourways import ColourwayCosting
from workbench.costing.pricing import PriceResult
from workbench.costing.sheet import CostSheet, sheet_from_dict
from workbench.workspace import Workspace

RECOMPUTE_MS = 120


def _when(stamp: str) -> str:
    """A draft's local time stamp as the app writes dates (the stamp itself if unreadable)."""
    try:
        return format_date(datetime.fromisoformat(stamp))
    except ValueError:
        return stamp


class CostSheetWindow(QMainWindow):
    #: a costing was shown: the PriceResult (None when the inputs cannot be priced)
    computed = Signal(object)
    #: the sheet was saved: its document row
    saved = Signal(dict)
    #: the rate and capacity books are loaded
    ready = Signal()
    #: a firm quote arrived (dict) or was queued (str: the request id)
    quoted = Signal(object)

    #: the sheet's status and version, and the steps it may take (made with the layout)
    standing: SheetStanding

    def __init__(
        self,
        workspace: Workspace,
        ops: OpRunner,
        ask_quote: QuoteAsker | None = None,
        document: dict[str, Any] | None = None,
        parent: QWidget | None = None,
        draft: tuple[str, dict[str, Any]] | None = None,
    ) -> None:
        """``draft``: a draft left by a crash (its name and contents), shown over
        ``document`` as unsaved changes."""
        super().__init__(parent)
        self.workspace, self.ops = workspace, ops
        self.document = document
        self.draft_key: str = draft[0] if draft else uuid.uuid4().hex
        #: the draft's contents, shown once the sheet is loaded (None: no draft)
        self._draft: dict[str, Any] | None = draft[1] if draft else None
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._state: FormState | None = None  # the form as last recorded
        self.sheet_id: str | None = document["id"] if document else None
        self.loaded: Loaded | None = None
        self.costed_style: Style | None = None
        self.price: PriceResult | None = None
        #: the landed cost at each Incoterm shown, when the sheet says how it is delivered
        self.terms: Terms | None = None
        #: each colourway's cost and price as last computed (None: one colour)
        self.colourway_costing: ColourwayCosting | None = None
        self.plan: LeadTime | None = None
        self.setWindowTitle("Cost sheet[*] — Mill Workbench")
        self.resize(1400, 900)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(RECOMPUTE_MS)
        self._timer.timeout.connect(self.recompute)
        self._build()
        self._build_menus()
        #: the status line's word on saving: unsaved changes (a draft kept), or all saved
        self.saved_state = QLabel()
        self.statusBar().addPermanentWidget(self.saved_state)
        self.saving = SheetSaving(self, self.saved_state, self.draft_key)
        self.saving.show_state(True)
        self.standing.show_standing()
        self.firm_quote = FirmQuote(workspace, ops, ask_quote, self.quote_label, self)
        self.firm_quote.quoted.connect(self.quoted)
        self._load()

    # -- layout ------------------------------------------------------------------------------

    def _build(self) -> None:
        self.inputs = SheetInputs(self.workspace)
        self.inputs.edited.connect(self.changed)
        #: choosing the fabric and trims (the form's buttons), read on workers
        self.materials = MaterialChoices(self)
        #: comparing with another saved sheet, and the workbook and ESG sheet written
        self.comparison = SheetComparison(self, self)
        self.exports = ExportActions(self, self)
        scroll = self.form_scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.inputs)
        scroll.setMinimumWidth(430)

        right_host = QWidget()
        right = QVBoxLayout(right_host)
        self.standing = SheetStanding(self)
        right.addLayout(self.standing.row)
        self.message = QLabel()
        self.message.setObjectName("costMessage")
        self.message.setWordWrap(True)
        self.inputs.trims_box.invalid.connect(self.message.setText)
        right.addWidget(self.message)
        self.panel = BreakdownPanel()
        self.panel.max_age.valueChanged.connect(self.changed)
        right.addWidget(self.panel, 1)
        self.quote_label: QLabel = QLabel("Estimate from this laptop's rates")
        self.quote_label.setObjectName("quoteLabel")
        self.quote_label.setWordWrap(True)
        right.addWidget(self.quote_label)
        actions = QHBoxLayout()
        self.save_button = QPushButton("Save")
        self.save_button.clicked.connect(lambda: self.save())
        self.export_button = QPushButton("Export .xlsx…")
        self.export_button.clicked.connect(self.exports.choose_export)
        self.compare_button = QPushButton("Compare with…")
        self.compare_button.clicked.connect(self.comparison.choose_compare)
        self.esg_button = QPushButton("ESG sheet…")
        self.esg_button.setToolTip("The style's footprint as PDF, with JSON and CSV beside it")
        self.esg_button.clicked.connect(self.exports.choose_esg_sheet)
        self.quote_button = QPushButton("Ask for a firm quote")
        self.quote_button.clicked.connect(self.ask_quote)
        actions.addStretch(1)
        for button in (
            self.compare_button,
            self.export_button,
            self.esg_button,
            self.quote_button,
            self.save_button,
        ):
            actions.addWidget(button)
        right.addLayout(actions)

        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(scroll)
        body.addWidget(right_host)
        body.setSizes([460, 940])
        self.setCentralWidget(body)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.save_action = self._act(
            file_menu,
            "&Save",
            lambda: self.save(),
            bindings(QKeySequence.StandardKey.Save, "Ctrl+S"),
        )
        self._act(file_menu, "Save as new &version", lambda: self.saving.save_as_new_version(), [])
        self._act(file_menu, "Cop&y sheet", lambda: self.saving.copy_sheet(), [])
        file_menu.addSeparator()
        self._act(
            file_menu, "&Close", self.close, bindings(QKeySequence.StandardKey.Close, "Ctrl+W")
        )
        self._act(
            file_menu,
            "&Quit Mill Workbench",
            self.quit_app,
            bindings(QKeySequence.StandardKey.Quit, "Ctrl+Q"),
        )
        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(bindings(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        self.redo_action.setShortcuts(bindings(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z"))
        for action in (self.undo_action, self.redo_action):
            edit_menu.addAction(action)
            self.addAction(action)

    def _act(self, menu: Any, text: str, slot: Any, keys: list[QKeySequence]) -> QAction:
        action = QAction(text, self)
        action.setShortcuts(keys)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    # -- loading -----------------------------------------------------------------------------

    def _load(self) -> None:
        """The books, and the yarns offered with the fabrics the sheet and its draft show."""
        replica = self.workspace.replica
        fabrics: list[str | None] = [None]
        if self.document is not None:
            body = sheet_from_dict(json.loads(self.document["body"]))
            fabrics.append(body.style.fabric.material_id)
        if self._draft is not None:
            fabrics.append(from_json(self._draft)["fabric_id"])

        def work(_ctx: OpContext) -> tuple[Loaded, dict[str | None, list[Choice]]]:
            yarns = {fabric: yarns_of(replica.conn, fabric) for fabric in fabrics}
            return load_books(replica), yarns

        self.ops.run(work, success=self._on_loaded, label="Loading rates and capacity")

    def _on_loaded(self, answer: tuple[Loaded, dict[str | None, list[Choice]]]) -> None:
        loaded, yarns = answer
        self.inputs.fabric.yarn_choices.update(yarns)
        self.loaded = loaded
        self.inputs.fill_choices(loaded)
        if self.document is not None:
            self.inputs.show_sheet(sheet_from_dict(json.loads(self.document["body"])))
            self._titled(self.document["style_code"])
        self.mark_clean()
        if self._draft is not None:
            self.apply_state(from_json(self._draft), record=True)
            written = _when(str(self._draft.get("written_at", "")))
            self.message.setText(
                f"Unsaved changes recovered from a draft written at "
                f"{written}: save them, or close and discard them."
            )
            self.saving.keep_draft()
        self.ready.emit()
        if self._draft is None:
            self.recompute()

    def show_sheet(self, sheet: CostSheet) -> None:
        self.inputs.show_sheet(sheet)
        self.record()
        self.recompute()

    # -- edits: undo, redo, the draft on disk ------------------------------------------------

    def record(self) -> None:
        """Make what the form now shows one undoable step (typing on in one field merges)."""
        if self._state is None or self.inputs.filling:
            return
        now = self.inputs.state()
        if now == self._state:
            return
        before, self._state = self._state, now
        self.undo_stack.push(EditCommand(before, now, self.apply_state))
        self.saving.keep_draft()

    def apply_state(self, state: FormState, record: bool = False) -> None:
        """Show ``state`` (an undo, a redo, a recovered draft) and cost it."""
        self.inputs.restore(state)
        if record:
            self.record()
        else:
            self._state = state
            self.saving.keep_draft()
        self.recompute()

    def mark_clean(self) -> None:
        """What the form shows now is what is saved (or what the sheet opened with)."""
        self._state = self.inputs.state()
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self.setWindowModified(False)
        self.saving.show_state(True)

    def _on_clean_changed(self, clean: bool) -> None:
        self.setWindowModified(not clean)
        self.saving.clean_changed(clean)

    def has_unsaved_changes(self) -> bool:
        return not self.undo_stack.isClean()

    def discard_changes(self) -> None:
        """Forget the unsaved changes (the sheet closes without asking); the draft goes."""
        self.saving.discard()

    def confirm_close(self, after: Callable[[], object] | None = None) -> bool:
        """Whether the sheet may close now: clean, or the user discarded its changes. While a
        save is under way, or once the user chose Save, not yet: ``after`` (closing this
        window; quitting, when the main window asks) runs once the save has landed, and
        closing asks again then if the sheet was edited meanwhile."""
        if self.saving.writing:
            self.saving.close_when_saved(after)
            return False
        if not self.has_unsaved_changes():
            return True
        code = self.inputs.style_code.text().strip() or "NEW-STYLE"
        answer = ask_save_first(
            self,
            "Unsaved cost sheet",
            f"The cost sheet {code} has changes that are not saved. Save them before closing?",
        )
        if answer == QMessageBox.StandardButton.Save:
            saving = self.save if self.standing.is_draft else self.saving.save_as_new_version
            if saving():
                self.saving.close_when_saved(after)
            return False
        if answer == QMessageBox.StandardButton.Discard:
            self.discard_changes()
            return True
        return False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.confirm_close():
            event.accept()
        else:
            event.ignore()

    def quit_app(self) -> None:
        """Quit the app from this window: the main window asks about every unsaved sheet."""
        main = self.parentWidget()
        (main.window() if main is not None else self).close()

    # -- computing ---------------------------------------------------------------------------

    def changed(self, *_args: object) -> None:
        if not self.inputs.filling:
            self.record()
            self._timer.start()

    def current_sheet(self) -> CostSheet:
        """The sheet as the form shows it; a CostingError names a field that cannot be read."""
        return self.inputs.read()

    def recompute(self) -> None:
        """Cost the form and show its figures (`ui.cost_sheet.figures`); a form that cannot
        be costed says why, and the figures shown are marked stale."""
        if self.loaded is None:
            return
        try:
            costed = cost_form(self.current_sheet(), self.loaded)
        except (CostingError, ValueError) as exc:
            self.costed_style, self.price, self.colourway_costing = None, None, None
            self.message.setText(str(exc))
            self.panel.mark_stale(str(exc))
            self.computed.emit(None)
            return
        self.costed_style, self.price = costed.sheet.style, costed.price
        self.message.setText("")
        self.colourway_costing = costed.colourways
        self.terms, self.plan = show_costed(self.panel, costed, self.loaded)
        self.computed.emit(costed.price)

    # -- saving --------------------------------------------------------------------------------

    def save(self, then: AfterSave | None = None) -> bool:
        """Save what the form shows now, on a worker (see `SheetSaving.save`)."""
        return self.saving.save(then)

    def show_saved(self, row: dict[str, Any], said: str = "", clean: bool = True) -> None:
        """Go on with ``row`` as the sheet saved; ``clean``: the form shows what it holds
        (otherwise the form stays unsaved, and no earlier step of the undo stack is taken
        for the saved one)."""
        self.sheet_id = row["id"]
        self.document = row
        self._titled(row["style_code"])
        if clean:
            self.undo_stack.setClean()
        else:
            self.undo_stack.resetClean()
        self.standing.show_standing()
        self.saving.show_state(self.undo_stack.isClean())
        self.quote_label.setText("Saved · estimate from this laptop's rates")
        if said:
            self.message.setText(said)
        self.saved.emit(row)

    def _titled(self, style_code: str) -> None:
        self.setWindowTitle(f"Cost sheet {style_code}[*] — Mill Workbench")

    def breakdown_rows(self) -> tuple[list[str], list[list[Any]]]:
        return self.panel.rows()

    # -- firm quotes -------------------------------------------------------------------------

    def ask_quote(self) -> None:
        """Save, then ask for a firm quote of what was saved (see `FirmQuote`)."""
        self.save(then=lambda row: self.firm_quote.ask(row, lambda: self.price))
