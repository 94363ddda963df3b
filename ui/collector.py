"""Python's cycle collector, run on the Qt main thread only.

Qt objects must be destroyed on the thread that owns them, the main thread for every window
and widget. Python's automatic collector runs on whichever thread happens to allocate when a
threshold is crossed, often a worker loading a rate book or applying a sync page. When that
collection frees a window caught in a reference cycle, Qt tears the window down on the wrong
thread and the process crashes. So the automatic collector is switched off, and a timer on the
main thread collects instead, each generation when its count has passed the threshold the
automatic collector would have used.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: how often the main thread looks at the collector's counts
INTERVAL_MS = 1000


def collect_due(thresholds: tuple[int, int, int] | None = None) -> int:
    """Collect the oldest generation whose count passed its threshold; returns what was freed
    (0 when nothing was due). Call it on the main thread."""
    first, second, third = thresholds or gc.get_threshold()
    young, middle, old = gc.get_count()
    if young <= first:
        return 0
    generation = 0
    if middle > second:
        generation = 2 if old > third else 1
    return gc.collect(generation)


class MainThreadCollector(QObject):
    """Switches the automatic collector off and collects from a timer on this object's thread
    (create it on the main thread, parented to the application)."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start(interval_ms)

    def collect_due(self) -> int:
        return collect_due(self.thresholds)

    def stop(self) -> None:
        """Hand collection back to Python's automatic collector."""
        self._timer.stop()
        gc.enable()
