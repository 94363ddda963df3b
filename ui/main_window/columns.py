"""The results table's columns: which show, in what order and how wide, chosen from the
header's context menu and remembered on this laptop.

The defaults fit a 1366-pixel-wide screen beside the filters and the detail pane with the
figures a merchandiser compares first in view: code, name, GSM, width and price, then type,
composition and supplier; colour and certifications are one right-click away (and always in
the detail pane). The choice is kept in the workspace's local state (`Replica.set_state`,
under the data directory in use, never synced), as the label station keeps its printer. The
table opens with the defaults and the choice kept is read on a worker and shown when it
arrives; nothing is saved before then, so the defaults never replace what was kept.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHeaderView, QMenu, QTableView

from ui.models import COLUMNS
from ui.ops import OpRunner
from workbench.replica import Replica

#: Where the choice is kept in the replica's local state.
STATE_KEY = "main_window.result_columns"
#: The columns in the order they show by default (material columns, as `COLUMNS` names them).
DEFAULT_ORDER = (
    "code",
    "name",
    "gsm",
    "width_cm",
    "price",
    "material_type",
    "composition",
    "supplier",
    "colour",
    "certifications",
)
DEFAULT_HIDDEN = frozenset({"colour", "certifications"})
DEFAULT_WIDTHS = {
    "code": 112,
    "name": 230,
    "gsm": 56,
    "width_cm": 96,
    "price": 132,
    "material_type": 76,
    "composition": 190,
    "supplier": 170,
    "colour": 110,
    "certifications": 170,
}
#: Never hidden: without it a row cannot be told from another.
ALWAYS_SHOWN = "code"
SAVE_DELAY_MS = 400
_KEYS = [column for _, column in COLUMNS]
_HEADERS = dict((column, header) for header, column in COLUMNS)


class ResultColumns:
    """The column chooser of ``table``'s header, remembered in ``replica`` (written on a
    worker of ``ops``)."""

    def __init__(self, table: QTableView, replica: Replica, ops: OpRunner) -> None:
        self.table, self.replica, self.ops = table, replica, ops
        self.header: QHeaderView = table.horizontalHeader()
        #: the chooser last opened (for tests and screenshots)
        self.menu: QMenu | None = None
        self._timer = QTimer(table)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save)
        self._restoring = False
        #: the choice kept on this laptop has been read and shown
        self.restored = False
        self.apply({})
        self.header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.header.customContextMenuRequested.connect(self.open_menu)
        self.header.sectionResized.connect(self._changed)
        self.header.sectionMoved.connect(self._changed)
        self._read_saved()

    # -- what shows --------------------------------------------------------------------------

    def visible(self) -> list[str]:
        """The columns shown, left to right."""
        shown = [_KEYS[self.header.logicalIndex(v)] for v in range(self.header.count())]
        return [key for key in shown if not self.header.isSectionHidden(_KEYS.index(key))]

    def set_visible(self, column: str, visible: bool) -> None:
        if column == ALWAYS_SHOWN and not visible:
            return
        self.header.setSectionHidden(_KEYS.index(column), not visible)
        if visible and self.header.sectionSize(_KEYS.index(column)) < 30:
            self.header.resizeSection(_KEYS.index(column), DEFAULT_WIDTHS.get(column, 120))
        self._changed()

    def apply(self, choice: dict[str, Any]) -> None:
        """Show ``choice`` ({"order": [...], "hidden": [...], "widths": {...}}), the defaults
        for whatever it does not say (or says about columns that no longer exist)."""
        self._restoring = True
        try:
            order = [c for c in choice.get("order", []) if c in _KEYS]
            order += [c for c in DEFAULT_ORDER if c not in order]
            order += [c for c in _KEYS if c not in order]
            for visual, column in enumerate(order):
                self.header.moveSection(self.header.visualIndex(_KEYS.index(column)), visual)
            hidden = set(choice.get("hidden", DEFAULT_HIDDEN)) - {ALWAYS_SHOWN}
            widths = {**DEFAULT_WIDTHS, **choice.get("widths", {})}
            for column in _KEYS:
                index = _KEYS.index(column)
                self.header.setSectionHidden(index, column in hidden)
                width = widths.get(column)
                if isinstance(width, int) and 30 <= width <= 2000:
                    self.header.resizeSection(index, width)
        finally:
            self._restoring = False

    def reset(self) -> None:
        """Back to the default columns and widths."""
        self.apply({})
        self._changed()

    def choice(self) -> dict[str, Any]:
        """What shows now, as `apply` takes it."""
        order = [_KEYS[self.header.logicalIndex(v)] for v in range(self.header.count())]
        return {
            "order": order,
            "hidden": [c for c in _KEYS if self.header.isSectionHidden(_KEYS.index(c))],
            "widths": {
                c: self.header.sectionSize(_KEYS.index(c))
                for c in _KEYS
                if not self.header.isSectionHidden(_KEYS.index(c))
            },
        }

    # -- the chooser -------------------------------------------------------------------------

    def open_menu(self, at: QPoint) -> QMenu:
        """The header's context menu: a checkable entry per column, and Reset."""
        menu = QMenu(self.table)
        menu.setObjectName("columnChooser")
        shown = set(self.visible())
        for column in [_KEYS[self.header.logicalIndex(v)] for v in range(self.header.count())]:
            action = QAction(_HEADERS[column], menu)
            action.setCheckable(True)
            action.setChecked(column in shown)
            action.setEnabled(column != ALWAYS_SHOWN)
            action.setData(column)
            action.toggled.connect(lambda on, c=column: self.set_visible(c, on))
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction("Reset columns", self.reset)
        self.menu = menu
        menu.popup(self.header.mapToGlobal(at))
        return menu

    # -- remembering -------------------------------------------------------------------------

    def _changed(self, *_args: object) -> None:
        if not self._restoring and self.restored:
            self._timer.start()

    def _read_saved(self) -> None:
        """Read the choice kept on this laptop on a worker, and show it when it arrives."""
        replica = self.replica

        def show(text: str | None) -> None:
            self.restored = True
            self.apply(parsed(text) or {})

        def failed(_exc: BaseException) -> None:
            self.restored = True  # the defaults stay, and the user's next change is kept

        self.ops.run(
            lambda _ctx: replica.get_state(STATE_KEY),
            success=show,
            failure=failed,
            label="Reading the columns",
            background=True,
        )

    def save(self) -> None:
        """Remember what shows now (on a worker)."""
        self._timer.stop()
        text, replica = json.dumps(self.choice()), self.replica
        self.ops.run(
            lambda _ctx: replica.set_state(STATE_KEY, text), label="Saving columns", background=True
        )

    def save_pending(self) -> None:
        """Save now if a change waits for the timer (when the window closes)."""
        if self._timer.isActive():
            self.save()


def parsed(text: str | None) -> dict[str, Any] | None:
    """The choice kept as ``text``, or None for none or a damaged one (the defaults then)."""
    try:
        saved = json.loads(text) if text else None
    except ValueError:
        return None
    return saved if isinstance(saved, dict) else None
