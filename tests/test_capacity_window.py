"""The Capacity window shows a centre's calendar ahead (holidays, half days) in hours of its
day, the weeks' available hours with the calendar applied, and the usual week lead times
assume past the published capacity."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.test_dashboards_trust import capacity, english  # noqa: F401  (fixtures)
from ui.capacity_view import CapacityWindow
from workbench.demo import generate_demo
from workbench.workspace import Workspace, open_workspace

TODAY = date.today()
#: the Wednesday and the Saturday of next week
WEDNESDAY = TODAY + timedelta(days=7 - TODAY.weekday() + 2)
SATURDAY = WEDNESDAY + timedelta(days=3)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = open_workspace(tmp_path / "demo")
    generate_demo(opened.replica, materials=40, seed=5, today=TODAY)
    conn = opened.replica.conn
    sewing = conn.execute("SELECT id FROM work_centres WHERE code = 'SEW-01'").fetchone()[0]
    with opened.replica.transaction() as conn:  # the replica's writer, not this thread's reader
        conn.execute("DELETE FROM calendar_days")  # the demo's own dates: not this test's
        conn.executemany(
            "INSERT INTO calendar_days (id, work_centre_id, day, kind, name, version, deleted, "
            "updated_at) VALUES (?, ?, ?, ?, ?, 1, 0, '2026-01-01T00:00:00Z')",
            [
                ("c1", None, WEDNESDAY.isoformat(), "holiday", "Mill holiday"),
                ("c2", sewing, SATURDAY.isoformat(), "half_day", "Saturday half day"),
            ],
        )
    yield opened
    opened.close()


def test_the_capacity_window_shows_the_calendar_the_lead_times_count(
    qtbot: QtBot,
    capacity: CapacityWindow,  # noqa: F811
) -> None:
    view = capacity  # on this module's workspace
    view.centre.setFocus()
    with qtbot.waitSignal(view.shown, timeout=5_000):
        qtbot.keyClicks(view.centre, "SEW-01")  # a closed combo box selects as one types
    assert view.centre.currentData() == "SEW-01"
    rows = [
        [view.calendar.item(r, c).text() for c in range(4)] for r in range(view.calendar.rowCount())
    ]
    # SEW-01's full day is 40 operators × 8 h = 320 h; a half day is 160 h
    assert [row[1:] for row in rows] == [
        ["Holiday", "0", "Mill holiday"],
        ["Half day", "160", "Saturday half day"],
    ]
    assert rows[0][0].startswith("Wed ") and rows[1][0].startswith("Sat ")
    # next week's available hours: Mon, Tue, Thu, Fri full, Wednesday closed, Saturday half
    assert view.table.item(1, 1).text() == f"{4 * 320 + 160:,}"
    usual = view.usual.text()
    assert "Mon, Tue, Wed, Thu, Fri, Sat 320 h" in usual and "Published capacity runs to" in usual
    # a centre the half day is not for has the holiday only
    with qtbot.waitSignal(view.shown, timeout=5_000):
        qtbot.keyClick(view.centre, Qt.Key.Key_Down)
    assert view.centre.currentData() == "SEW-02"
    assert view.calendar.rowCount() == 1
    with qtbot.waitSignal(view.shown, timeout=5_000):
        qtbot.keyClick(view.centre, Qt.Key.Key_Up)
    view.grab().save(str(Path("/tmp") / "capacity_calendar.png"))
