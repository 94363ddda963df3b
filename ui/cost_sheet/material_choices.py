"""Choosing the cost sheet's materials: a fabric or a trim from the picker, the fabric and trims
a bill of materials lists, and the yarns of a fabric shown before they were looked up.

Apart from the window because choosing has a round trip of its own (the picker or the BOM,
a read on a `ui.ops` worker, the answer shown when it comes unless a newer fabric was chosen
since) that the rest of the editor only sees as an edit of the form. It talks to its window
through `ChoosingHost`, what it uses of it, never the window class.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Protocol

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QWidget

from ui.bom_dialog import BomDialog, ChosenLine
from ui.cost_sheet.inputs import SheetInputs
from ui.cost_sheet.lookups import FabricStart, TrimEntry, fabric_start, trim_entry, yarns_of
from ui.cost_sheet.material_picker import MaterialPicker
from ui.file_dialogs import ask_open_path
from ui.ops import Newest, OpContext, OpRunner
from workbench.costing import Style
from workbench.costing.choices import Choice
from workbench.errors import user_message
from workbench.workspace import Workspace


class ChoosingHost(Protocol):
    """What choosing materials uses of its window."""

    workspace: Workspace
    ops: OpRunner
    inputs: SheetInputs
    message: QLabel
    undo_stack: QUndoStack
    #: the style last costed (None when the form cannot be costed)
    costed_style: Style | None

    def window(self) -> QWidget: ...

    def record(self) -> None: ...

    def recompute(self) -> None: ...

    def mark_clean(self) -> None: ...


class MaterialChoices:
    """The fabric and trims of one cost sheet window, chosen and read on workers; what is
    read lands in the form (`SheetInputs`) as an edit."""

    def __init__(self, host: ChoosingHost) -> None:
        self.host = host
        #: which fabric choice is the newest (an older one's answer is not shown)
        self._fabric_asked = Newest()
        #: the BOM dialog opened last (`open_bom`)
        self.bom_dialog: BomDialog | None = None
        inputs = host.inputs
        inputs.fabric.yarns_wanted.connect(self._look_up_yarns)
        inputs.fabric.choose_fabric_button.clicked.connect(self.choose_fabric)
        inputs.trims_box.add_trim_button.clicked.connect(self.choose_trim)
        inputs.trims_box.bom_button.clicked.connect(self.choose_bom)

    # -- the fabric --------------------------------------------------------------------------

    def choose_fabric(self) -> None:
        host = self.host
        picker = MaterialPicker(host.workspace, "fabric", host.window(), host.ops)
        if picker.exec() and picker.chosen:
            self.use_fabric(picker.chosen)

    def start_with_fabric(self, fabric_id: str) -> None:
        """A new sheet's first fabric, chosen before it opened: where its history starts
        (unless the user has edited the sheet before it was read)."""
        self.use_fabric(fabric_id, first=True)

    def use_fabric(self, fabric_id: str, first: bool = False) -> None:
        """Start from a fabric: its spec, a priced yarn and a first draft of the rest, read
        on a worker and shown when the answer comes (unless a newer fabric was chosen since).
        ``first``: the sheet's history starts there, if nothing was edited meanwhile."""
        self._read_choices([], fabric_id, first)

    def _read_choices(
        self, trims: list[tuple[str, Decimal]], fabric_id: str | None, first: bool = False
    ) -> None:
        """Look up ``trims`` and the fabric on one worker, then add the trims and start from
        the fabric, in that order (as a BOM lists them)."""
        host = self.host
        replica, code = host.workspace.replica, host.inputs.style_code.text() or "NEW-STYLE"
        asked = self._fabric_asked.ask() if fabric_id is not None else 0

        def read(_ctx: OpContext) -> tuple[list[TrimEntry], FabricStart | None]:
            entries = [trim_entry(replica.conn, m, quantity) for m, quantity in trims]
            start = fabric_start(replica.conn, fabric_id, code) if fabric_id else None
            return entries, start

        def show(answer: tuple[list[TrimEntry], FabricStart | None]) -> None:
            entries, start = answer
            host.inputs.trims_box.add_trims(entries)
            if start is not None and self._fabric_asked.take(asked):
                self._start_from(start, first)

        def failed(exc: BaseException) -> None:
            if fabric_id is None or self._fabric_asked.take(asked):
                host.message.setText(user_message(exc))

        host.ops.run(
            read, success=show, failure=failed, label="Reading the materials", background=True
        )

    def _start_from(self, start: FabricStart, first: bool) -> None:
        host = self.host
        untouched = host.undo_stack.count() == 0
        host.inputs.start_from_fabric(start, host.costed_style)
        host.record()
        host.recompute()
        if first and untouched:
            host.mark_clean()

    def _look_up_yarns(self, fabric_id: str) -> None:
        """Read the yarns of a fabric shown before they were looked up (a sheet built in
        code, an old draft) and offer them."""
        host = self.host
        replica = host.workspace.replica

        def read(_ctx: OpContext) -> list[Choice]:
            return yarns_of(replica.conn, fabric_id)

        host.ops.run(
            read,
            success=lambda found: host.inputs.fabric.offer_yarns(fabric_id, found),
            failure=lambda exc: host.message.setText(user_message(exc)),
            label="Reading the yarns",
            background=True,
        )

    # -- trims and bills of materials --------------------------------------------------------

    def choose_trim(self) -> None:
        host = self.host
        picker = MaterialPicker(host.workspace, "trim", host.window(), host.ops)
        if picker.exec() and picker.chosen:
            self.add_trim(picker.chosen, Decimal(1))

    def add_trim(self, material_id: str, quantity: Decimal) -> None:
        """Add a trim line, read on a worker; the form lists it when the answer comes."""
        self._read_choices([(material_id, quantity)], None)

    def choose_bom(self) -> None:
        path = ask_open_path(
            self.host.window(), "Bill of materials", "BOM exports (*.xlsx *.xls *.csv *.txt)"
        )
        if path:
            dialog = self.open_bom(path)
            dialog.accepted.connect(lambda: self.use_bom(dialog.chosen()))
            dialog.show()

    def open_bom(self, path: Path) -> BomDialog:
        host = self.host
        self.bom_dialog = BomDialog(host.workspace, host.ops, path, host.window())
        return self.bom_dialog

    def use_bom(self, lines: list[ChosenLine]) -> None:
        """The first fabric confirmed becomes the sheet's fabric; trims are added with the
        BOM's quantity per piece (1 where it gives none, or gives it in metres of fabric)."""
        fabrics = [line for line in lines if line.material_type == "fabric"]
        trims = [
            (line.material_id, line.quantity if line.quantity and line.quantity > 0 else Decimal(1))
            for line in lines
            if line.material_type == "trim"
        ]
        self._read_choices(trims, fabrics[0].material_id if fabrics else None)
