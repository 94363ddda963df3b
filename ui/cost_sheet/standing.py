"""A cost sheet's standing, on the line above its figures: its status and version, the status
steps it may take now (Submit for approval, Approve, …), Save as new version and Copy sheet.

Apart from the window because what a sheet may do follows from its status alone
(`workbench.costing.register.NEXT`): only a draft is saved in place, and a saved sheet takes
the steps its status allows, none while a write is under way. The writes themselves are the
save flow's (`ui.cost_sheet.saving`); this part talks to its window through `StandingHost`.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from workbench.costing.register import NEXT


class StandingWrites(Protocol):
    """What the standing uses of the save flow (`ui.cost_sheet.saving.SheetSaving`)."""

    #: a write of the sheet is under way on a worker
    writing: bool

    def set_status(self, status: str) -> bool: ...

    def save_as_new_version(self) -> bool: ...

    def copy_sheet(self) -> bool: ...


class StandingHost(Protocol):
    """What the standing uses of its window."""

    document: dict[str, Any] | None
    save_button: QPushButton

    @property
    def saving(self) -> StandingWrites: ...


class SheetStanding:
    """The status line of one cost sheet window, laid out in `row`."""

    def __init__(self, host: StandingHost) -> None:
        self.host = host
        self.row = QHBoxLayout()
        #: the sheet's status and version: "Draft · version 1"
        self.status_label = QLabel()
        self.status_label.setObjectName("sheetStatus")
        self.row.addWidget(self.status_label, 1)
        #: the status steps the sheet may take now (Submit for approval, Approve, …)
        self.step_buttons: dict[str, QPushButton] = {}
        for status, words in dict(step for steps in NEXT.values() for step in steps).items():
            button = QPushButton(words)
            button.clicked.connect(lambda _checked=False, s=status: host.saving.set_status(s))
            self.step_buttons[status] = button
            self.row.addWidget(button)
        self.new_version_button = QPushButton("Save as new version")
        self.new_version_button.clicked.connect(lambda: host.saving.save_as_new_version())
        self.copy_button = QPushButton("Copy sheet")
        self.copy_button.setToolTip("A new sheet of its own, a draft, holding what is shown")
        self.copy_button.clicked.connect(lambda: host.saving.copy_sheet())
        self.row.addWidget(self.new_version_button)
        self.row.addWidget(self.copy_button)

    @property
    def status(self) -> str:
        """The saved sheet's status ("draft" for a sheet not saved yet)."""
        return str((self.host.document or {}).get("status") or "draft")

    @property
    def is_draft(self) -> bool:
        """Only a draft is changed in place; a submitted or approved sheet is kept as it was
        submitted or approved, and a change to it is saved as a new version."""
        return self.status == "draft"

    def show_standing(self) -> None:
        """Say the status and version, and offer what the sheet may do now."""
        host = self.host
        revision = (host.document or {}).get("revision") or 1
        saved = host.document is not None
        writing = host.saving.writing
        self.status_label.setText(
            f"<b>{self.status.capitalize()}</b> · version {revision}"
            + ("" if saved else " · not saved yet")
        )
        allowed = {to for to, _words in NEXT.get(self.status, ())} if saved else set()
        for status, button in self.step_buttons.items():
            button.setVisible(status in allowed)
        self.new_version_button.setEnabled(saved and not writing)
        self.copy_button.setEnabled(saved and not writing)
        for button in self.step_buttons.values():
            button.setEnabled(not writing)
        host.save_button.setEnabled(self.is_draft)
        host.save_button.setToolTip(
            "" if self.is_draft else f"A {self.status} sheet is not changed: save as new version"
        )
