"""A mouse wheel that scrolls the form under it instead of changing a box the pointer passes.

Qt lets a closed combo box, a spin box or a date field take a wheel turn without focus, so
scrolling down a long form changes whatever value slides under the pointer. `guard_wheel`
gives those fields click-or-tab focus and passes a wheel turn on unless the field has focus:
the turn then reaches the scroll area holding the form, as if the field were not there.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)

GUARDED = (QComboBox, QAbstractSpinBox)


class WheelGuard(QObject):
    """An event filter passing a wheel turn on to the scroll area around a field that lacks
    focus (or, outside one, to the parent widgets)."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            event.type() != QEvent.Type.Wheel
            or not isinstance(watched, QWidget)
            or watched.hasFocus()
        ):
            return False
        assert isinstance(event, QWheelEvent)
        area = _scroll_area(watched)
        if area is None:
            event.ignore()  # not accepted: Qt offers the turn to the parent widgets
            return True
        viewport = area.viewport()
        local = QPointF(viewport.mapFromGlobal(event.globalPosition().toPoint()))
        turned = QWheelEvent(
            local,
            event.globalPosition(),
            event.pixelDelta(),
            event.angleDelta(),
            event.buttons(),
            event.modifiers(),
            event.phase(),
            event.inverted(),
        )
        QApplication.sendEvent(viewport, turned)
        event.accept()  # the scroll area had it: no one else turns
        return True


def _scroll_area(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea):
            return parent
        parent = parent.parentWidget()
    return None


def guard_wheel(root: QWidget, guard: WheelGuard | None = None) -> WheelGuard:
    """Guard every combo box and spin box in ``root`` (and ``root`` itself if it is one);
    returns the filter (owned by ``root``) so fields added later can be guarded with it."""
    guard = guard or WheelGuard(root)
    fields = [root] if isinstance(root, GUARDED) else []
    for kind in GUARDED:
        fields += root.findChildren(kind)
    for field in fields:
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(guard)
    return guard
