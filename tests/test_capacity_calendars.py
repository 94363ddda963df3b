"""Work-centre calendars: holidays, half days and shifts change the days a centre works, inside
its published capacity and past it; past the horizon each weekday keeps its own usual minutes;
calendars imported on the server reach the laptop and its lead times. Schedules by hand."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server
from tests.test_capacity import MON, d
from workbench.capacity import CapacityBook, lead_time, load_capacity, utilisation
from workbench.capacity.model import CalendarDay, CapacityError, CapacityRow, RouteStep, WorkCentre

SEWING = [RouteStep("sewing", 1)]  # one minute a piece: quantity = minutes


def sewing_book(
    saturday: int, booked: int = 0, calendar: tuple[CalendarDay, ...] = ()
) -> CapacityBook:
    """SEW-01 published Mon 2 – Sat 14 March: 480 minutes Monday to Friday, ``saturday`` on
    Saturdays, ``booked`` booked every day; Sundays off."""
    rows = [
        CapacityRow("SEW-01", d(n), saturday if d(n).weekday() == 5 else 480, booked)
        for n in range(13)
        if d(n).weekday() != 6
    ]
    return CapacityBook([WorkCentre("SEW-01", "sewing")], rows, calendar)


def test_a_holiday_and_a_half_day_saturday_hand_computed() -> None:
    plain = lead_time(sewing_book(saturday=480), SEWING, quantity=2000, start=MON)
    # Mon 480, Tue 960, Wed 1440, Thu 1920, Fri 80 of 480
    assert (plain.steps[0].finish, plain.steps[0].working_days_used) == (d(4), 5)

    calendar = (
        CalendarDay(None, d(2), "holiday", name="Holi"),  # Wednesday 4 March, every centre
        CalendarDay("SEW-01", d(5), "half_day", name="Saturday half day"),  # Saturday 7
    )
    plan = lead_time(sewing_book(saturday=480, calendar=calendar), SEWING, 2000, start=MON)
    step = plan.steps[0]
    # Mon 480, Tue 960, Wed closed, Thu 1440, Fri 1920, Sat half of a 480 day: 80 of 240
    assert (step.start, step.finish) == (d(0), d(5))
    assert (step.working_days_used, step.queue_days) == (5, 0)
    assert step.utilisation == pytest.approx(2000 / (4 * 480 + 240))
    assert (plan.completion, plan.days) == (d(5), 5)
    # the weekly chart shows what the calendar leaves: 4 × 480 + 240, then 5 × 480 + 480
    weeks = utilisation(sewing_book(480, calendar=calendar), "SEW-01", MON, weeks=2)
    assert [w.available for w in weeks] == [2160, 2880]


def test_past_the_horizon_a_half_day_saturday_stays_half_a_day() -> None:
    # every published day is fully booked; Saturdays are published as half days (240)
    book = sewing_book(saturday=240, booked=999)
    assert book.centre_days("SEW-01").weekday_free == (480, 480, 480, 480, 480, 240, 0)
    plan = lead_time(book, SEWING, quantity=2500, start=MON)
    step = plan.steps[0]
    # horizon Sat 14; Mon 16 … Fri 20: 5 × 480 = 2400, Sat 21: 100 of 240 (not of 480)
    assert (step.start, step.finish) == (d(14), d(19))
    assert step.beyond_horizon and step.queue_days == 12
    more = lead_time(book, SEWING, quantity=2700, start=MON).steps[0]
    # 2400 + 240 on Saturday leaves 60 for Monday 23; a full Saturday would have finished it
    assert more.finish == d(21)
    assert any("(Mon, Tue, Wed, Thu, Fri: 480; Sat: 240)" in w for w in plan.warnings)


def test_past_the_horizon_the_calendar_names_its_days() -> None:
    calendar = (
        CalendarDay(None, d(15), "holiday"),  # Tuesday 17 March
        CalendarDay(None, d(17), "half_day"),  # Thursday 19: half of a full 480 day
        CalendarDay("SEW-01", d(20), "shifts", Decimal("0.5"), "Sunday overtime"),  # Sun 22
    )
    book = sewing_book(saturday=240, booked=999, calendar=calendar)
    step = lead_time(book, SEWING, quantity=2000, start=MON).steps[0]
    # Mon 16: 480, Tue closed, Wed 18: 960, Thu 19: 1200, Fri 20: 1680, Sat 21: 1920,
    # Sun 22 (240 overtime): 80
    assert step.finish == d(20)
    assert step.working_days_used == 6


def test_a_centres_own_day_wins_over_the_day_for_every_centre() -> None:
    calendar = (
        CalendarDay(None, d(0), "holiday"),
        CalendarDay("SEW-01", d(0), "shifts", Decimal(2), "second shift for the rush"),
    )
    days = sewing_book(480, calendar=calendar).centre_days("SEW-01")
    assert days.free[0] == 960 and days.days[0] == d(0).toordinal()
    assert [c.name for c in days.calendar] == ["second shift for the rush"]


def test_calendar_mistakes_are_named() -> None:
    with pytest.raises(CapacityError, match="kind 'bank holiday' is not one of"):
        CalendarDay(None, d(0), "bank holiday")
    with pytest.raises(CapacityError, match="a share of 5 of a working day"):
        CalendarDay(None, d(0), "shifts", Decimal(5))
    with pytest.raises(CapacityError, match="2026-03-02 of every centre appears twice"):
        sewing_book(480, calendar=(CalendarDay(None, d(0)), CalendarDay(None, d(0))))
    with pytest.raises(CapacityError, match="names unknown centre KNT-09"):
        sewing_book(480, calendar=(CalendarDay("KNT-09", d(0)),))


CALENDAR_ROWS = [
    ("Work centre", "Date", "Type", "Share", "Name"),
    ("", "04.03.2026", "Holiday", None, "Holi"),
    ("SEW-01", "07.03.2026", "half day", None, "Saturday half day"),
    ("SEW-09", "08.03.2026", "holiday", None, "a centre no one has"),
]


def test_calendars_imported_on_the_server_reach_the_laptop_and_its_lead_times(
    server: Server, tmp_path: Path
) -> None:
    db = server.engine.url.render_as_string(hide_password=False)
    db = db if not db.startswith("sqlite") else str(server.engine.url.database)
    centres = tmp_path / "centres.csv"
    centres.write_text("Code,Name,Process\nSEW-01,Sewing line 1,sewing\n")
    capacity = tmp_path / "capacity.csv"
    capacity.write_text(
        "Work centre,Date,Available\n"
        + "".join(f"SEW-01,{d(n).isoformat()},480\n" for n in range(13) if d(n).weekday() != 6)
    )
    book = openpyxl.Workbook()
    for row in CALENDAR_ROWS:
        book.active.append(row)
    calendars = tmp_path / "calendars.xlsx"
    book.save(calendars)

    def run(*args: str) -> str:
        result = CliRunner().invoke(sync_cli, ["--db", db, "import", *args, "--workspace", "alpha"])
        return result.output

    run("work_centres", str(centres))
    run("capacity", str(capacity))
    refused = run("calendars", str(calendars))
    assert (
        "calendars.xlsx, row 4, column 'Work centre' ('SEW-09'): no work centre with code "
        "'SEW-09' in this workspace" in refused
    )
    assert "nothing was imported" in refused
    summary = json.loads(run("calendars", str(calendars), "--accept-partial").splitlines()[-1])
    assert summary["inserted"] == 2
    # the same file again changes nothing, the day for every centre included
    again = json.loads(run("calendars", str(calendars), "--accept-partial").splitlines()[-1])
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)

    for role in ("merchandiser", "floor"):
        workspace, _, _ = sign_in(server.url, f"{role}@alpha", PASSWORD, base=tmp_path / role)
        sync_workspace(workspace)
        capacity_book = load_capacity(workspace.replica.conn)
        plan = lead_time(capacity_book, SEWING, quantity=2000, start=MON)
        assert plan.steps[0].finish == d(5), role  # as hand-computed above
        names = [c.name for c in capacity_book.centre_days("SEW-01").calendar]
        assert names == ["Holi", "Saturday half day"], role
        workspace.close()
