"""The cost sheet editor and its dialogs.

``CostSheetWindow(workspace, ops, ask_quote, document, parent)`` is the editor (`window`); its
inputs form (`inputs`), breakdown panel (`breakdown`, showing `figures`), standing
(`standing`), material choices (`material_choices`), comparison (`compare`), export actions
(`export_actions`, writing through `exports`), firm quotes (`firm_quote`) and saving
(`saving`) are parts it owns. `MaterialPicker` and `CompareDialog` are the dialogs it opens.
"""

from __future__ import annotations

from ui.cost_sheet.breakdown import BREAKDOWN_HEADERS, STALE
from ui.cost_sheet.compare import CompareDialog
from ui.cost_sheet.firm_quote import QuoteAsker
from ui.cost_sheet.material_picker import MaterialPicker
from ui.cost_sheet.window import RECOMPUTE_MS, CostSheetWindow

__all__ = [
    "BREAKDOWN_HEADERS",
    "RECOMPUTE_MS",
    "STALE",
    "CompareDialog",
    "CostSheetWindow",
    "MaterialPicker",
    "QuoteAsker",
]
