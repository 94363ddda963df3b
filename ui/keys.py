"""Shortcuts that hold on every desktop: a standard key's bindings where the platform has
them, and the keys users of this app expect where it has none (Windows binds no Quit key,
and only Ctrl+Y to Redo); and a window's shortcuts working whatever has the focus, a text
field included (`window_keys_first`)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)


def shortcut(key: QKeySequence, parent: QWidget, slot: Callable[[], object]) -> QShortcut:
    """A shortcut of ``parent`` calling ``slot``; ``parent`` owns it (it lives as long)."""
    made = QShortcut(key, parent)
    made.activated.connect(slot)
    return made


def first_key(sequence: QKeySequence) -> QKeyCombination:
    """The first key combination of ``sequence`` (a binding's only one, for most)."""
    # QKeySequence is indexable (Qt's operator[]); PySide6's stubs omit __getitem__
    key: QKeyCombination = sequence[0]  # type: ignore[index]
    return key


def bindings(standard: QKeySequence.StandardKey, *expected: str) -> list[QKeySequence]:
    """The platform's keys for ``standard``, then each of ``expected`` it lacks."""
    keys = list(QKeySequence.keyBindings(standard))
    for text in expected:
        if QKeySequence(text) not in keys:
            keys.append(QKeySequence(text))
    return keys


#: The fields that claim editing keys for themselves (on X11 desktops a line edit takes
#: Ctrl+E for "end of line", Ctrl+D for "delete", Ctrl+K for "delete to the end").
TEXT_FIELDS = (QLineEdit, QAbstractSpinBox, QComboBox, QTextEdit, QPlainTextEdit)


class WindowKeysFirst(QObject):
    """An event filter giving ``window``'s own shortcuts (its actions' and `QShortcut`\\ s')
    priority over a text field's editing keys, so Ctrl+E exports with the cursor in the
    search box as it does from the table. Keys the window does not bind stay the field's."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self._window = window

    def keys(self) -> set[QKeyCombination]:
        """Every key combination the window binds now (read each time: menus change)."""
        bound: set[QKeyCombination] = set()
        own = Qt.FindChildOption.FindDirectChildrenOnly  # not a child window's (a cost sheet's)
        sequences = [
            s
            for a in self._window.findChildren(QAction, options=own)
            if a.isEnabled() and a.isVisible()
            for s in a.shortcuts()
        ]
        sequences += [
            s.key() for s in self._window.findChildren(QShortcut, options=own) if s.isEnabled()
        ]
        for sequence in sequences:
            if sequence.count() == 1:
                bound.add(first_key(sequence))
        return bound

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.ShortcutOverride:
            return False
        assert isinstance(event, QKeyEvent)
        if event.keyCombination() not in self.keys():
            return False
        event.ignore()  # not the field's to take: the window's shortcut runs
        return True


def window_keys_first(window: QWidget) -> WindowKeysFirst:
    """Give ``window``'s shortcuts priority in each text field it holds now; returns the
    filter, for fields added later."""
    keys_first = WindowKeysFirst(window)
    for kind in TEXT_FIELDS:
        for field in window.findChildren(kind):
            field.installEventFilter(keys_first)
    return keys_first
