"""The question a laptop asks before it carries out a remote wipe its administrator allowed an
export for: save the edits it had not sent, sealed with a passphrase, or let them go.

The wipe itself runs on a sync worker (`sync.session`), which waits for the answer; the
dialog only gathers where to save and the passphrase, and checks them before it closes so the
wipe never stops half-way over a mistyped passphrase or a file inside the folder it deletes.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from workbench.wipe import MIN_PASSPHRASE

#: the file name offered, in the user's home folder
SUGGESTED_NAME = "{workspace}-unsent-edits.mwunsent"


class UnsentExportDialog(QDialog):
    """Accepted: `answer` is (file, passphrase). Rejected: the edits are let go."""

    def __init__(
        self, workspace: str, folder: Path, unsent: int, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.folder = folder.resolve()
        self.answer: tuple[Path, str] | None = None
        self.setWindowTitle("Workspace to be deleted")
        edits = "edit" if unsent == 1 else "edits"
        self.intro = intro = QLabel(
            f"Your administrator ordered the workspace “{workspace}” deleted from this laptop. "
            f"{unsent} {edits} made here were not sent to the server yet.\n\n"
            "You may save them first, sealed with a passphrase of your choosing, to bring "
            "them back on another laptop. Without it they are deleted with the workspace."
        )
        intro.setWordWrap(True)
        self.path = QLineEdit(str(Path.home() / SUGGESTED_NAME.format(workspace=workspace)))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("Save to", where)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Passphrase again", self.repeat)
        self.problem = QLabel("")
        self.problem.setObjectName("problem")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton(
            "Save and delete", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.discard_button = buttons.addButton(
            "Delete without saving", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.setDefault(True)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.passphrase.setFocus()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(self, "Save unsent edits", self.path.text())
        if chosen:
            self.path.setText(chosen)

    def _mistake(self) -> str:
        """What keeps the export from being written, in words (empty: nothing)."""
        text = self.path.text().strip()
        if not text:
            return "Choose where to save the edits."
        target = Path(text).expanduser().resolve()
        if target.is_relative_to(self.folder):
            return "Save them outside the workspace's folder: it is deleted."
        if not target.parent.is_dir():
            return f"The folder {target.parent} does not exist."
        if len(self.passphrase.text()) < MIN_PASSPHRASE:
            return f"The passphrase needs at least {MIN_PASSPHRASE} characters."
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases differ."
        return ""

    def _save(self) -> None:
        mistake = self._mistake()
        if mistake:
            self.problem.setText(mistake)
            return
        self.answer = (Path(self.path.text().strip()).expanduser(), self.passphrase.text())
        self.accept()
