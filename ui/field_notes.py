"""The line under a form's field where what is wrong with its value is said, and the field
marked with it: refused (red), warned (amber) or fine (green, for a note such as a currency's
name). Shared by the cost sheet's inputs and Settings, so a refusal looks the same in both."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout, QWidget

#: the look of a marked field and its note (the form applies it to itself)
NOTE_STYLE = """
QLineEdit[state="refused"] { border: 2px solid #c0392b; background: #fdecea; }
QLineEdit[state="warned"] { border: 2px solid #d68910; background: #fef5e7; }
QLabel#fieldNote[state="refused"] { color: #b3261e; }
QLabel#fieldNote[state="warned"] { color: #8a5a00; }
QLabel#fieldNote[state="ok"] { color: #3f7f4c; }
"""


class FieldNotes:
    """The notes of one form's fields, by field."""

    def __init__(self) -> None:
        self.notes: dict[QLineEdit, QLabel] = {}
        #: each field with its note under it, as `noted` made it (the form's row)
        self.rows: dict[QLineEdit, QWidget] = {}

    def noted(self, edit: QLineEdit) -> QWidget:
        """``edit`` with the line under it where what is wrong with its value is said."""
        host = QWidget()
        column = QVBoxLayout(host)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(1)
        note = QLabel()
        note.setObjectName("fieldNote")
        note.setWordWrap(True)
        note.setVisible(False)
        column.addWidget(edit)
        column.addWidget(note)
        self.notes[edit] = note
        self.rows[edit] = host
        return host

    def note_for(self, edit: QLineEdit) -> QLabel:
        """The line under ``edit`` saying why its value is refused or unusual."""
        return self.notes[edit]

    def row_for(self, edit: QLineEdit) -> QWidget:
        """``edit`` with its note under it (what `noted` made): the form's row to show or
        hide."""
        return self.rows[edit]

    def mark(self, edit: QLineEdit, text: str, state: str) -> None:
        """Say ``text`` under ``edit``; ``state`` "refused", "warned", "ok" or "" (all well,
        nothing to say). A refusal or a warning is the field's tooltip too."""
        note = self.notes[edit]
        note.setText(text)
        note.setVisible(bool(text))
        for widget in (edit, note):
            if widget.property("state") != state:
                widget.setProperty("state", state)
                widget.style().unpolish(widget)
                widget.style().polish(widget)
        edit.setToolTip(text if state in ("refused", "warned") else "")
