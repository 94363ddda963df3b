"""Drill-downs: the dialogs that show the rows behind one figure, each read on a worker.

Apart from the window, which only says which figure was clicked and with which filters it was
computed: this keeps the dialogs open over it, so a late answer fills only a dialog still open
and closing the window closes them all.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
from PySide6.QtWidgets import QWidget

from ui.dashboards.tabs import TITLES, drill_rows
from ui.dashboards.widgets import DrillDialog, display_value
from ui.ops import OpRunner
from workbench.analytics import Analytics, Filters

#: the keys of a cell that name the figure in the dialog's title (ids and flags do not)
_TITLE_KEYS = (
    "brand",
    "season",
    "mill",
    "month",
    "process",
    "rate_code",
    "centre",
    "week",
    "fabric_type",
)


class Drills:
    """The drill-down dialogs open over one window, oldest first."""

    def __init__(self, owner: QWidget, ops: OpRunner, analytics: Analytics) -> None:
        self.owner, self.ops, self.analytics = owner, ops, analytics
        #: the dialogs open now; one closed is forgotten (and deleted) at once
        self.dialogs: list[DrillDialog] = []

    def open(self, tab: str, filters: Filters, cell: Mapping[str, object]) -> DrillDialog:
        """Show the rows of ``tab`` behind ``cell``, read with ``filters`` on a worker; the
        dialog shows at once and is filled when they arrive."""
        what = ", ".join(display_value(v, k) for k, v in cell.items() if k in _TITLE_KEYS)
        dialog = DrillDialog(
            f"{TITLES[tab]} — {what or 'all'}", f"{tab}-rows", filters, cell, self.owner
        )
        self.dialogs.append(dialog)
        dialog.finished.connect(lambda _result: self._forget(dialog))
        analytics = self.analytics

        def done(frame: pd.DataFrame) -> None:
            if dialog in self.dialogs:
                dialog.set_frame(frame)

        def failed(exc: BaseException) -> None:
            if dialog in self.dialogs:
                dialog.set_error(str(exc) or exc.__class__.__name__)

        self.ops.run(
            lambda _ctx: drill_rows(analytics, tab, filters, cell),
            success=done,
            failure=failed,
            label="Reading rows",
            background=True,
        )
        dialog.show()
        return dialog

    def close_all(self) -> None:
        for dialog in list(self.dialogs):
            dialog.close()

    def _forget(self, dialog: DrillDialog) -> None:
        if dialog in self.dialogs:
            self.dialogs.remove(dialog)
            dialog.deleteLater()
