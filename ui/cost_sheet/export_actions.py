"""The cost sheet editor's Export .xlsx… and ESG sheet… actions: where to write, whether the
figures on screen may be written, and the ESG sheet's save first and write on a worker.

What goes into the files is `ui.cost_sheet.exports`; this part decides when and where, and
talks to its window through `ExportingHost`, what it uses of it, never the window class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QWidget

from ui.cost_sheet.books import Loaded
from ui.cost_sheet.breakdown import BreakdownPanel
from ui.cost_sheet.exports import esg_paths, export_breakdown, write_esg_sheet
from ui.cost_sheet.inputs import SheetInputs
from ui.cost_sheet.saving import AfterSave
from ui.document_locale import app_locale
from ui.file_dialogs import ask_save_path
from ui.ops import OpContext, OpRunner
from workbench.costing import Terms
from workbench.costing.colourways import ColourwayCosting
from workbench.costing.pricing import PriceResult
from workbench.costing.sheet import CostSheet
from workbench.settings import proposal_sender
from workbench.workspace import Workspace


class ExportingHost(Protocol):
    """What exporting uses of its window."""

    workspace: Workspace
    ops: OpRunner
    inputs: SheetInputs
    panel: BreakdownPanel
    message: QLabel
    loaded: Loaded | None
    price: PriceResult | None
    terms: Terms | None
    colourway_costing: ColourwayCosting | None

    def window(self) -> QWidget: ...

    def current_sheet(self) -> CostSheet: ...

    def save(self, then: AfterSave | None = None) -> bool: ...


class ExportActions(QObject):
    """The sheet written to a workbook, and its footprint to an ESG sheet."""

    #: the ESG sheet was written: the files
    esg_written = Signal(list)

    def __init__(self, host: ExportingHost, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.host = host

    def choose_export(self) -> None:
        name = f"{self.host.inputs.style_code.text() or 'cost-sheet'}.xlsx"
        path = ask_save_path(self.host.window(), "Export cost sheet", name, "Excel (*.xlsx)")
        if path:
            self.export(path)

    def export(self, path: Path) -> int:
        """The sheet as a workbook (see `export_breakdown`); nothing while the figures on
        screen are not current. Returns the number of breakdown lines written."""
        host = self.host
        cost = host.panel.cost
        if cost is None or host.panel.is_stale:
            host.message.setText(
                "Not exported: the figures are not current; fix the fields marked first."
            )
            return 0
        sheet = host.current_sheet()
        price = host.price
        brand = f"{price.brand.code} — {price.brand.name}" if price else sheet.brand
        written = export_breakdown(
            path, sheet, cost, price, brand, host.terms, host.colourway_costing
        )
        host.message.setText(f"Exported to {path}")
        return written

    def choose_esg_sheet(self) -> None:
        name = f"{self.host.inputs.style_code.text() or 'style'}-esg.pdf"
        path = ask_save_path(self.host.window(), "ESG sheet", name, "PDF (*.pdf)")
        if path:
            self.export_esg_sheet(path)

    def export_esg_sheet(self, path: Path) -> list[Path]:
        """Save, then write the footprint of what was saved as PDF, JSON and CSV (same name,
        three suffixes), on workers; the files to be written (none when it cannot be
        saved)."""
        assert self.host.loaded is not None
        written = esg_paths(path)
        if not self.host.save(then=lambda row: self._write_esg(row, written)):
            return []
        return written

    def _write_esg(self, row: dict[str, Any], written: list[Path]) -> None:
        host = self.host
        assert host.loaded is not None
        replica, book = host.workspace.replica, host.loaded.book
        locale = proposal_sender(app_locale=app_locale()).locale

        def work(_ctx: OpContext) -> list[Path]:
            return write_esg_sheet(replica, book, row, written, locale)

        def failed(exc: BaseException) -> None:
            host.message.setText(f"No ESG sheet: {exc}")

        host.ops.run(
            work,
            success=lambda paths: self.esg_written.emit(paths),
            failure=failed,
            label="Working out the footprint",
        )
