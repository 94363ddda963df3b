"""The dashboards' capacity tab on the work-centre calendars: a holiday for every centre and a
half-day Saturday for one take their minutes out of the weeks' available hours, as the
Capacity window and the lead times count them, and the week and its days name them. Figures
by hand; the cell is hovered and clicked with the mouse."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QToolTip
from pytestqt.qtbot import QtBot

from tests import test_dashboards as dashboards
from tests.analytics_examples import insert
from tests.test_dashboards import open_tab, widget_point
from ui.dashboards import DashboardsWindow
from ui.dashboards.widgets import DrillDialog
from workbench.capacity import load_capacity, utilisation
from workbench.workspace import Workspace, open_workspace

MONDAY = date.today() - timedelta(days=date.today().weekday())
NEXT = MONDAY + timedelta(weeks=1)


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    """SEW-01 (480 minutes a day) and KNT-01 (1,440) published Monday to Saturday for this
    week and the next, half of each day booked; next week's Wednesday is Holi for every centre
    and its Saturday a half day at SEW-01."""
    opened = open_workspace(tmp_path / "ws")
    with opened.replica.transaction() as conn:
        for cid, code, process in (("c-sew", "SEW-01", "sewing"), ("c-knt", "KNT-01", "knitting")):
            insert(conn, "work_centres", id=cid, code=code, name=code, process=process, mill="")
            full = 480 if code == "SEW-01" else 1440
            for n in range(14):
                day = MONDAY + timedelta(days=n)
                if day.weekday() == 6 or (code == "KNT-01" and day.weekday() == 5):
                    continue
                insert(
                    conn,
                    "capacity",
                    id=f"{cid}-{n}",
                    work_centre_id=cid,
                    day=day.isoformat(),
                    minutes_available=full,
                    minutes_booked=full // 2,
                )
        insert(
            conn,
            "calendar_days",
            id="holi",
            day=(NEXT + timedelta(days=2)).isoformat(),
            kind="holiday",
            name="Holi",
        )
        insert(
            conn,
            "calendar_days",
            id="sat",
            work_centre_id="c-sew",
            day=(NEXT + timedelta(days=5)).isoformat(),
            kind="half_day",
            name="Saturday half day",
        )
    yield opened
    opened.close()


window = dashboards.window  # the dashboards' window fixture, over this module's workspace


def test_a_holiday_and_a_half_day_saturday_on_the_capacity_tab(
    qtbot: QtBot, window: DashboardsWindow, workspace: Workspace
) -> None:
    open_tab(qtbot, window, "capacity")
    weeks = window.frames["capacity"]["weeks"]
    shown = {
        (r.centre, r.week.date()): (r.available, r.booked, r.calendar)
        for r in weeks.itertuples(index=False)
    }
    # by hand, in minutes. This week: SEW-01 6 × 480 = 2,880 with 6 × 240 booked; KNT-01
    # 5 × 1,440 = 7,200 with 5 × 720. Next week: SEW-01 Mon, Tue, Thu, Fri 4 × 480, Wednesday
    # closed, Saturday half of its 480 day: 1,920 + 240 = 2,160; KNT-01 4 × 1,440 = 5,760. The
    # holiday's bookings stand (it became a holiday after they were made).
    assert shown[("SEW-01", MONDAY)] == (2880, 1440, "")
    assert shown[("KNT-01", MONDAY)] == (7200, 3600, "")
    assert shown[("SEW-01", NEXT)] == (
        2160,
        1440,
        "Wed Holiday: Holi; Sat Half day: Saturday half day",
    )
    assert shown[("KNT-01", NEXT)] == (5760, 3600, "Wed Holiday: Holi")
    heat = window.frames["capacity"]["heatmap"]
    assert heat.loc["SEW-01"].iloc[1] == pytest.approx(1440 / 2160)
    assert heat.loc["KNT-01"].iloc[1] == pytest.approx(3600 / 5760)
    # the Capacity window's chart reads the same weeks
    book = load_capacity(workspace.replica.conn, start=MONDAY)
    for code in ("SEW-01", "KNT-01"):
        chart = utilisation(book, code, MONDAY, weeks=2)
        assert [(w.available, w.booked) for w in chart] == [
            shown[(code, MONDAY)][:2],
            shown[(code, NEXT)][:2],
        ]

    # hover SEW-01's next week: its hours and its calendar days; a click opens its days
    tab = window.tab["capacity"]
    row = list(heat.index).index("SEW-01")
    where = widget_point(window, "capacity", "heat", 1.5, row + 0.5)
    qtbot.mouseMove(tab.chart.viewport(), where)
    qtbot.waitUntil(lambda: tab.pointer.last_text.startswith("SEW-01"), timeout=3_000)
    assert "67% booked: 24 h of 36 h" in tab.pointer.last_text
    assert "Calendar: Wed Holiday: Holi; Sat Half day: Saturday half day" in tab.pointer.last_text
    qtbot.waitUntil(lambda: QToolTip.text() == tab.pointer.last_text, timeout=3_000)
    with qtbot.waitSignal(window.drilled, timeout=5_000) as opened:
        qtbot.mouseClick(tab.chart.viewport(), Qt.MouseButton.LeftButton, pos=where)
    dialog: DrillDialog = opened.args[0]
    qtbot.waitUntil(lambda: dialog.frame is not None, timeout=10_000)
    days = {
        r.day.date(): (r.available, r.booked, r.calendar)
        for r in dialog.frame.itertuples(index=False)
    }
    assert days[NEXT + timedelta(days=2)] == (0, 240, "Holiday: Holi")
    assert days[NEXT + timedelta(days=5)] == (240, 240, "Half day: Saturday half day")
    assert days[NEXT] == (480, 240, "")
    assert sum(a for a, _, _ in days.values()) == 2160
