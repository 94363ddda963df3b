"""Shortcuts that hold on every desktop: a standard key's bindings where the platform has
them, and the keys users of this app expect where it has none (Windows binds no Quit key,
and only Ctrl+Y to Redo)."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence


def bindings(standard: QKeySequence.StandardKey, *expected: str) -> list[QKeySequence]:
    """The platform's keys for ``standard``, then each of ``expected`` it lacks."""
    keys = list(QKeySequence.keyBindings(standard))
    for text in expected:
        if QKeySequence(text) not in keys:
            keys.append(QKeySequence(text))
    return keys
