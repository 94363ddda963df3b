"""Small dialogs: signing in to a server, choosing a workspace, resolving sync conflicts."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ui.ops import OpContext, OpRunner
from ui.table_export import install_export
from workbench.documents import Conflict

SYNC_COLUMNS = {"id", "version", "deleted", "updated_at"}


class LoginDialog(QDialog):
    """Server address, username, password; signing in runs on a worker."""

    #: emitted with what the sign-in function returned, once it succeeded
    signed_in = Signal(object)

    def __init__(
        self,
        ops: OpRunner,
        sign_in: Callable[[str, str, str], Any],
        server_url: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to your company's sync server")
        self.ops, self._sign_in = ops, sign_in
        form = QFormLayout()
        self.server = QLineEdit(server_url)
        self.server.setPlaceholderText("https://sync.example.com")
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Server:", self.server)
        form.addRow("Username:", self.username)
        form.addRow("Password:", self.password)
        self.message = QLabel()
        self.message.setObjectName("dialogMessage")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)

    def submit(self) -> None:
        server, user, password = (
            self.server.text().strip(),
            self.username.text().strip(),
            self.password.text(),
        )
        if not server or not user or not password:
            self.message.setText("Fill in the server, your username and your password.")
            return
        self.message.setText(f"Signing in to {server}…")
        self.buttons.setEnabled(False)

        def done(result: Any) -> None:
            self.buttons.setEnabled(True)
            self.password.clear()
            self.signed_in.emit(result)
            self.accept()

        def failed(exc: BaseException) -> None:
            self.buttons.setEnabled(True)
            self.message.setText(str(exc))

        self.ops.run(
            lambda _ctx: self._sign_in(server, user, password),
            success=done,
            failure=failed,
            label="Signing in",
            background=True,
        )


class WorkspacePicker(QDialog):
    """The workspaces on this laptop; double-click or Open to switch."""

    def __init__(self, folders: Sequence[Path], current: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Switch workspace")
        self.list = QListWidget()
        for folder in folders:
            item = QListWidgetItem(folder.name + ("  (open)" if folder == current else ""))
            item.setData(Qt.ItemDataRole.UserRole, str(folder))
            self.list.addItem(item)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Workspaces on this laptop:"))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        if self.list.count():
            self.list.setCurrentRow(0)

    def chosen(self) -> Path | None:
        item = self.list.currentItem()
        return None if item is None else Path(item.data(Qt.ItemDataRole.UserRole))


class ConflictsDialog(QDialog):
    """Edits the server could not take: the user's version beside the server's, and a choice."""

    #: (conflict id, "mine" or "theirs")
    resolve = Signal(int, str)

    def __init__(self, conflicts: Sequence[Conflict], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync conflicts")
        self.conflicts = list(conflicts)
        self.list = QListWidget()
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Field", "Yours", "On the server"])
        # The field's name as wide as it needs; the two values share the rest alike, so the
        # user's is not cut short beside the server's.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        for column in (1, 2):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        install_export(self.table, "conflict")
        self.keep_mine = QPushButton("Keep mine")
        self.keep_theirs = QPushButton("Keep the server's")
        self.keep_mine.clicked.connect(lambda: self._choose("mine"))
        self.keep_theirs.clicked.connect(lambda: self._choose("theirs"))
        explain = QLabel(
            "Someone changed these on the server while you edited them here. The server's "
            "version is shown in the workspace; yours is kept until you choose."
        )
        explain.setWordWrap(True)
        choice = QHBoxLayout()
        choice.addStretch(1)
        choice.addWidget(self.keep_theirs)
        choice.addWidget(self.keep_mine)
        layout = QVBoxLayout(self)
        layout.addWidget(explain)
        layout.addWidget(self.list)
        layout.addWidget(self.table, 1)
        layout.addLayout(choice)
        self.list.currentRowChanged.connect(self._show)
        self._fill()
        self.resize(640, 460)

    def _fill(self) -> None:
        self.list.clear()
        for c in self.conflicts:
            shown = c.mine or c.theirs or {}
            label = shown.get("style_code") or shown.get("title") or c.row_id
            if c.mine is None:
                label += " (you deleted it)"
            self.list.addItem(f"{c.table.replace('_', ' ')}: {label}")
        has_any = bool(self.conflicts)
        self.keep_mine.setEnabled(has_any)
        self.keep_theirs.setEnabled(has_any)
        if has_any:
            self.list.setCurrentRow(0)
        else:
            self.table.setRowCount(0)

    def _show(self, row: int) -> None:
        if not 0 <= row < len(self.conflicts):
            return
        c = self.conflicts[row]
        theirs, mine = c.theirs or {}, c.mine or {}
        names = list(dict.fromkeys([*mine, *theirs]))
        fields = [k for k in names if k not in SYNC_COLUMNS and mine.get(k) != theirs.get(k)]
        self.table.setRowCount(len(fields))
        for r, name in enumerate(fields):
            yours = "(deleted)" if c.mine is None else mine.get(name)
            for col, value in enumerate((name, yours, theirs.get(name))):
                text = value if isinstance(value, str) else json.dumps(value)
                item = QTableWidgetItem(text)
                item.setToolTip(text)  # a value longer than half the dialog, whole
                self.table.setItem(r, col, item)

    def _choose(self, keep: str) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.conflicts):
            conflict = self.conflicts.pop(row)
            self.resolve.emit(conflict.id, keep)
            self._fill()


__all__ = ["ConflictsDialog", "LoginDialog", "OpContext", "WorkspacePicker"]


def ask_save_first(parent: QWidget, title: str, text: str) -> QMessageBox.StandardButton:
    """Save, Discard or Cancel, Save the default: what every window holding unsaved work asks
    before it closes, raised above the others so the question is seen."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        text,
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    parent.raise_()
    return QMessageBox.StandardButton(box.exec())
