"""Capacity-aware lead times: hand-computed schedules, the calendar, centre choice, errors, the
replica loader and (with hypothesis) monotonicity of the plan."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from workbench.capacity import (
    Calendar,
    CapacityBook,
    CapacityError,
    CapacityRow,
    LeadTime,
    RouteStep,
    WorkCentre,
    lead_time,
    load_capacity,
    utilisation,
)
from workbench.demo import generate_demo
from workbench.replica import open_replica

MON = date(2026, 3, 2)  # a Monday


def d(offset: int) -> date:
    """The day ``offset`` days after Monday 2 March 2026."""
    return MON + timedelta(days=offset)


def weekdays(first: int, last: int) -> list[date]:
    """Monday-to-Friday days from offset ``first`` to ``last`` inclusive."""
    return [d(n) for n in range(first, last + 1) if d(n).weekday() < 5]


def book_of(
    centres: dict[str, str], rows: dict[str, Iterable[tuple[date, int, int]]]
) -> CapacityBook:
    """A book from {code: process} and {code: [(day, available, booked), …]}."""
    return CapacityBook(
        [WorkCentre(code, process) for code, process in centres.items()],
        [CapacityRow(code, day, a, b) for code, days in rows.items() for day, a, b in days],
    )


# -- a hand-computed schedule ---------------------------------------------------------------------


def three_step_book() -> CapacityBook:
    two_weeks = weekdays(0, 11)  # Mon 2 – Fri 13 March
    return book_of(
        {"KNT-01": "knitting", "DYE-01": "dyeing", "SEW-01": "sewing"},
        {
            "KNT-01": [(day, 600, 400) for day in two_weeks],  # 200 free a day
            # dyeing: fully booked Monday 9, 300 free on Tuesday 10
            "DYE-01": [(day, 1000, 1000 if day == d(7) else 700) for day in two_weeks],
            "SEW-01": [(day, 480, 0) for day in two_weeks],
        },
    )


THREE_STEPS = [
    RouteStep("knitting", 2, transit_days_after=2),
    RouteStep("dyeing", Decimal("1"), min_days=2),
    RouteStep("sewing", 3.0),
]


def test_a_hand_computed_three_step_schedule() -> None:
    plan = lead_time(three_step_book(), THREE_STEPS, quantity=250, start=MON)
    knit, dye, sew = plan.steps
    # knitting: 500 min at 200 free a day -> Mon, Tue, Wed (100 of 200)
    assert (knit.centre_code, knit.ready, knit.start, knit.finish) == ("KNT-01", d(0), d(0), d(2))
    assert (knit.load_minutes, knit.working_days_used, knit.queue_days) == (500, 3, 0)
    assert knit.utilisation == pytest.approx(500 / 600)
    # 2 transit days (Thu, Fri) -> ready Saturday; Monday is fully booked; 250 min fit on
    # Tuesday but the dyeing takes at least 2 working days -> finishes Wednesday
    assert (dye.ready, dye.start, dye.finish) == (d(5), d(8), d(9))
    assert (dye.load_minutes, dye.working_days_used, dye.queue_days) == (250, 2, 1)
    assert dye.utilisation == pytest.approx(250 / 300)
    # sewing: 750 min at 480 a day from Thursday -> Thu, Fri
    assert (sew.ready, sew.start, sew.finish, sew.load_minutes) == (d(10), d(10), d(11), 750)
    assert plan.completion == d(11) == date(2026, 3, 13)
    assert plan.days == 11
    assert not any(s.beyond_horizon for s in plan.steps)
    assert any("dyeing at DYE-01: no free capacity on 1 working day" in w for w in plan.warnings)


def test_transit_after_the_last_step_delays_completion() -> None:
    route = [*THREE_STEPS[:2], RouteStep("sewing", 3, transit_days_after=4)]
    plan = lead_time(three_step_book(), route, quantity=250, start=MON)
    assert plan.steps[-1].finish == d(11)
    assert plan.completion == d(15)


# -- the bottleneck -------------------------------------------------------------------------------


def test_the_bottleneck_is_where_the_order_spends_most_working_days() -> None:
    # In the hand-computed plan knitting (3 days in process) and dyeing (1 queued + 2) tie at
    # three working days; knitting carries more load.
    plan = lead_time(three_step_book(), THREE_STEPS, quantity=250, start=MON)
    assert plan.bottleneck.process == "knitting"
    # Four times the quantity: knitting needs 2000 min = 10 working days, the longest.
    big = lead_time(three_step_book(), THREE_STEPS, quantity=1000, start=MON)
    assert big.bottleneck.process == "knitting"
    assert big.bottleneck.working_days_used == 10


def test_a_fully_booked_short_step_is_the_bottleneck() -> None:
    # Sewing needs one day of work but is booked solid for two weeks: the order waits there.
    book = book_of(
        {"KNT-01": "knitting", "SEW-01": "sewing"},
        {
            "KNT-01": [(day, 600, 0) for day in weekdays(0, 25)],
            "SEW-01": [(day, 480, 480 if day < d(14) else 0) for day in weekdays(0, 25)],
        },
    )
    route = [RouteStep("knitting", 1), RouteStep("sewing", Decimal("0.2"))]
    plan = lead_time(book, route, quantity=1500, start=MON)  # knitting 3 days, sewing 300 min
    assert plan.steps[0].working_days_used == 3
    assert plan.steps[1].working_days_used == 1
    assert plan.bottleneck.process == "sewing"
    assert plan.bottleneck.queue_days == 7  # Thu 5 March .. Fri 13 March


# -- fully booked centres and the horizon ---------------------------------------------------------


def test_a_fully_booked_centre_pushes_the_step_to_free_days() -> None:
    rows = [(day, 480, 480 if day < d(7) else 380) for day in weekdays(0, 20)]
    book = book_of({"SEW-01": "sewing"}, {"SEW-01": rows})
    plan = lead_time(book, [RouteStep("sewing", 1)], quantity=250, start=MON)
    step = plan.steps[0]
    assert (step.start, step.finish) == (d(7), d(9))  # 100 + 100 + 50 from Monday 9
    assert step.queue_days == 5


def test_past_the_horizon_the_centre_works_its_usual_weekdays_at_median_capacity() -> None:
    # Fully booked on every published day (Mon-Fri, 2 weeks; available 400, 480, 480, …).
    rows = [(day, 400 if day == MON else 480, 999) for day in weekdays(0, 11)]
    book = book_of({"SEW-01": "sewing"}, {"SEW-01": rows})
    plan = lead_time(book, [RouteStep("sewing", 1)], quantity=1000, start=MON)
    step = plan.steps[0]
    # Horizon ends Fri 13; Sat/Sun are not its weekdays; each weekday its own median (Mondays
    # 400 and 480: the lower, 400): 400 + 480 + 120 from Mon 16 -> Wed 18
    assert (step.start, step.finish) == (d(14), d(16))
    assert step.beyond_horizon
    assert step.queue_days == 10
    assert any(
        "after its published capacity ends (2026-03-13)" in w
        and "(Mon: 400; Tue, Wed, Thu, Fri: 480)" in w
        for w in plan.warnings
    )


def test_a_centre_without_working_days_cannot_be_scheduled() -> None:
    book = book_of({"SEW-01": "sewing"}, {"SEW-01": [(d(0), 0, 0)]})
    with pytest.raises(CapacityError, match="no capacity at SEW-01"):
        lead_time(book, [RouteStep("sewing", 1)], quantity=10, start=MON)


# -- the calendar ---------------------------------------------------------------------------------


def test_holidays_and_a_weekly_off_day_skip_days() -> None:
    every_day = [(d(n), 100, 0) for n in range(21)]  # rows on all seven weekdays
    book = book_of({"FIN-01": "finishing"}, {"FIN-01": every_day})
    route = [RouteStep("finishing", 1)]
    plain = lead_time(book, route, quantity=700, start=MON)
    assert plain.steps[0].finish == d(6)  # 7 days in a row
    calendar = Calendar(holidays={d(1), d(9)}, weekly_off={6})  # Tue 3, Wed 11; Sundays
    plan = lead_time(book, route, quantity=800, start=MON, calendar=calendar)
    step = plan.steps[0]
    # Mon 2, Wed 4, Thu 5, Fri 6, Sat 7, (Sun 8 off) Mon 9, Tue 10, (Wed 11 holiday) Thu 12
    assert (step.start, step.finish, step.working_days_used) == (d(0), d(10), 8)
    # a holiday on the ready day moves the start
    later = lead_time(book, route, quantity=100, start=d(1), calendar=calendar)
    assert later.steps[0].start == d(2)


def test_the_calendar_also_applies_past_the_horizon() -> None:
    book = book_of({"SEW-01": "sewing"}, {"SEW-01": [(day, 480, 480) for day in weekdays(0, 4)]})
    calendar = Calendar(holidays={d(8)}, weekly_off={0})  # Tue 10 holiday, Mondays off
    plan = lead_time(book, [RouteStep("sewing", 1)], 960, start=MON, calendar=calendar)
    assert (plan.steps[0].start, plan.steps[0].finish) == (d(9), d(10))  # Wed 11, Thu 12


# -- choosing a centre ----------------------------------------------------------------------------


def test_the_centre_finishing_earliest_wins_over_the_one_starting_earliest() -> None:
    days = weekdays(0, 20)
    book = book_of(
        {"SEW-01": "sewing", "SEW-02": "sewing"},
        {
            "SEW-01": [(day, 480, 430) for day in days],  # 50 free a day from Monday
            "SEW-02": [(day, 480, 480 if day == MON else 0) for day in days],  # full Monday
        },
    )
    plan = lead_time(book, [RouteStep("sewing", 1)], quantity=400, start=MON)
    assert plan.steps[0].centre_code == "SEW-02"
    assert (plan.steps[0].start, plan.steps[0].finish) == (d(1), d(1))
    pinned = lead_time(book, [RouteStep("sewing", 1, work_centre="sew-01")], 400, start=MON)
    assert pinned.steps[0].centre_code == "SEW-01"
    assert pinned.steps[0].finish == d(9)  # 8 working days at 50


def test_equal_finishes_go_to_the_lower_code() -> None:
    rows = [(day, 480, 0) for day in weekdays(0, 4)]
    book = book_of({"SEW-02": "sewing", "SEW-01": "sewing"}, {"SEW-02": rows, "SEW-01": rows})
    plan = lead_time(book, [RouteStep("sewing", 1)], quantity=100, start=MON)
    assert plan.steps[0].centre_code == "SEW-01"


# -- errors ---------------------------------------------------------------------------------------


def test_errors_name_the_problem() -> None:
    book = three_step_book()
    with pytest.raises(CapacityError, match=r"step 2 \(weaving\): no work centre does weaving"):
        lead_time(book, [RouteStep("knitting", 1), RouteStep("weaving", 1)], 10, start=MON)
    with pytest.raises(CapacityError, match="cannot be negative"):
        RouteStep("sewing", -0.5)
    with pytest.raises(CapacityError, match="cannot be negative"):
        RouteStep("sewing", 1, units_per_piece=Decimal("-1"))
    with pytest.raises(CapacityError, match="finite"):
        RouteStep("sewing", float("nan"))
    with pytest.raises(CapacityError, match="transit days"):
        RouteStep("sewing", 1, transit_days_after=-1)
    with pytest.raises(CapacityError, match="quantity must be more than 0"):
        lead_time(book, THREE_STEPS, 0, start=MON)
    with pytest.raises(CapacityError, match="at least one step"):
        lead_time(book, [], 10, start=MON)
    with pytest.raises(CapacityError, match="no work centre 'SEW-09'"):
        lead_time(book, [RouteStep("sewing", 1, work_centre="SEW-09")], 10, start=MON)
    with pytest.raises(CapacityError, match="DYE-01 does dyeing, not sewing"):
        lead_time(book, [RouteStep("sewing", 1, work_centre="DYE-01")], 10, start=MON)
    with pytest.raises(CapacityError, match="minutes booked must be whole and ≥ 0"):
        book_of({"SEW-01": "sewing"}, {"SEW-01": [(MON, 480, -5)]})
    with pytest.raises(CapacityError, match="appears twice"):
        book_of({"SEW-01": "sewing"}, {"SEW-01": [(MON, 480, 0), (MON, 400, 0)]})
    with pytest.raises(CapacityError, match="weekly off"):
        Calendar(weekly_off={7})


def test_load_is_rounded_up_to_whole_minutes_in_the_step_unit() -> None:
    step = RouteStep("knitting", 0.1, units_per_piece=Decimal("0.32"))  # min per kg, kg per pc
    assert step.load_minutes(Decimal(1000)) == 32
    assert step.load_minutes(Decimal(1001)) == 33  # 32.032


def test_weekly_utilisation() -> None:
    book = three_step_book()
    weeks = utilisation(book, "DYE-01", d(2), weeks=3)
    assert [w.week_start for w in weeks] == [d(0), d(7), d(14)]
    assert [(w.available, w.booked) for w in weeks] == [(5000, 3500), (5000, 3800), (0, 0)]


# -- the replica ----------------------------------------------------------------------------------

TODAY = date(2026, 11, 24)  # a Tuesday


def test_lead_time_from_a_generated_demo_replica(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    generate_demo(replica, materials=40, seed=3, today=TODAY)
    conn = replica.conn
    book = load_capacity(conn)
    assert {c.code for c in book.centres} >= {"KNT-01", "DYE-01", "SEW-04", "FIN-01"}
    sew = book.centre_days("SEW-01")
    assert 6 not in sew.weekdays  # Sundays off in the demo mills
    assert sew.default_free == 40 * 8 * 60

    # the chart sums agree with SQL; a tombstoned row is ignored
    sew_id = sew.centre.id
    conn.execute(
        "UPDATE capacity SET deleted = 1, minutes_available = 999999 "
        "WHERE work_centre_id = ? AND day = ?",
        (sew_id, TODAY.isoformat()),
    )
    book = load_capacity(conn)
    week = TODAY - timedelta(days=TODAY.weekday())
    available, booked = conn.execute(
        "SELECT sum(minutes_available), sum(minutes_booked) FROM capacity WHERE deleted = 0 "
        "AND work_centre_id = ? AND day >= ? AND day < ?",
        (sew_id, week.isoformat(), (week + timedelta(days=7)).isoformat()),
    ).fetchone()
    assert utilisation(book, "SEW-01", TODAY, weeks=1)[0][1:] == (available, booked)
    assert available == 5 * 40 * 8 * 60  # Mon-Sat less the deleted Tuesday

    kg = Decimal("0.25")  # fabric per piece; knitting and dyeing are rated per kg
    route = [
        RouteStep("knitting", Decimal("3.5"), units_per_piece=kg, transit_days_after=1),
        RouteStep("dyeing", 6, units_per_piece=kg, min_days=1, transit_days_after=2),
        RouteStep("printing", Decimal("0.8"), transit_days_after=1),
        RouteStep("sewing", 11),
        RouteStep("finishing", 2, transit_days_after=3),
    ]
    plan = lead_time(book, route, quantity=20_000, start=TODAY)
    assert [s.process for s in plan.steps] == [
        "knitting",
        "dyeing",
        "printing",
        "sewing",
        "finishing",
    ]
    assert plan.steps[3].centre_code.startswith("SEW-")
    for before, after, step in zip(plan.steps, plan.steps[1:], route, strict=False):
        assert after.ready == before.finish + timedelta(days=1 + step.transit_days_after)
    for s in plan.steps:
        assert s.ready <= s.start <= s.finish and s.start.weekday() != 6
    assert plan.completion == plan.steps[-1].finish + timedelta(days=3)
    assert plan.bottleneck in plan.steps
    assert TODAY < plan.completion < TODAY + timedelta(days=180)  # within the horizon

    # a process filter and a date window load a smaller book that plans the same steps
    window = load_capacity(conn, processes=["Sewing", "dyeing"], start=TODAY)
    assert window.processes == ("dyeing", "sewing")
    same = lead_time(window, route[1:2] + route[3:4], 20_000, start=TODAY)
    assert (
        same.steps[0].finish
        == lead_time(book, route[1:2] + route[3:4], 20_000, start=TODAY).steps[0].finish
    )
    short = load_capacity(conn, processes=["sewing"], start=TODAY, end=TODAY + timedelta(6))
    assert short.centre_days("SEW-01").horizon == (TODAY + timedelta(6)).toordinal()
    conn.execute("UPDATE work_centres SET deleted = 1 WHERE code = 'SEW-01'")
    assert "SEW-01" not in {c.code for c in load_capacity(conn, processes=["sewing"]).centres}


def test_the_loader_reads_the_replica_the_way_sync_leaves_it(tmp_path: Path) -> None:
    conn = open_replica(tmp_path / "r.sqlite").conn
    conn.executemany(
        "INSERT INTO work_centres (id, code, name, process, version, deleted, updated_at) "
        "VALUES (?, ?, '', ?, 1, ?, '2026-01-01T00:00:00Z')",
        [("w1", "SEW-01", "Sewing", 0), ("w2", "DYE-01", "dyeing", 0), ("w3", "OLD", "sewing", 1)],
    )
    conn.executemany(
        "INSERT INTO capacity (id, work_centre_id, day, minutes_available, minutes_booked, "
        "version, deleted, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')",
        [
            ("c1", "w1", "2026-03-02", 480, 100, 1, 0),
            ("c2", "w1", "2026-03-02", 480, 400, 7, 0),  # a later version of the same day
            ("c3", "w1", "2026-03-03", "480", "0", 1, 0),  # numbers stored as text by an import
            ("c4", "w1", "2026-03-04", 480, 0, 1, 1),  # tombstone
            ("c5", "w3", "2026-03-02", 480, 0, 1, 0),  # a deleted centre's row
        ],
    )
    book = load_capacity(conn, processes=["sewing"])
    assert [c.code for c in book.centres] == ["SEW-01"]
    sew = book.centre_days("SEW-01")
    assert (sew.days, sew.free) == ((d(0).toordinal(), d(1).toordinal()), (80, 480))
    with pytest.raises(sqlite3.IntegrityError, match="minutes_booked"):  # a replica holds none
        conn.execute("UPDATE capacity SET minutes_booked = -1 WHERE id = 'c3'")


# -- properties -----------------------------------------------------------------------------------

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ImportError:  # hypothesis is a test extra; the example tests above still run
    given = None

if given is not None:
    _day_rows = st.lists(
        st.tuples(st.integers(1, 600), st.integers(0, 700)), min_size=1, max_size=25
    )

    def _plan_or_none(
        book: CapacityBook, route: list[RouteStep], qty: int, start: date
    ) -> LeadTime | None:
        """The plan, or None when a step cannot finish within the scheduling limit."""
        try:
            return lead_time(book, route, qty, start=start)
        except CapacityError:
            return None

    @st.composite
    def _plans(draw: st.DrawFn) -> tuple[CapacityBook, list[RouteStep], dict]:
        processes = ["knitting", "dyeing", "sewing"]
        centres = {f"C{n}": processes[n % 3] for n in range(draw(st.integers(3, 5)))}
        rows = {
            code: [(d(i), a, b) for i, (a, b) in enumerate(draw(_day_rows)) if d(i).weekday() != 6]
            for code in centres
        }
        route = [
            RouteStep(
                p,
                draw(st.integers(0, 30)) / 10,
                transit_days_after=draw(st.integers(0, 3)),
                min_days=draw(st.integers(0, 2)),
            )
            for p in draw(st.lists(st.sampled_from(processes), min_size=1, max_size=4))
        ]
        return book_of(centres, rows), route, rows

    @settings(max_examples=150, deadline=None)
    @given(_plans(), st.integers(1, 2000), st.integers(0, 2000), st.integers(0, 10))
    def test_more_quantity_never_finishes_earlier(
        plan: tuple[CapacityBook, list[RouteStep], dict], qty: int, extra: int, start: int
    ) -> None:
        book, route, _ = plan
        more = _plan_or_none(book, route, qty + extra, d(start))
        less = _plan_or_none(book, route, qty, d(start))
        if more is None:  # more cannot be scheduled within the limit at all: never earlier
            return
        assert less is not None
        assert more.completion >= less.completion
        for a, b in zip(less.steps, more.steps, strict=True):
            assert b.finish >= a.finish

    @settings(max_examples=150, deadline=None)
    @given(_plans(), st.integers(1, 2000), st.data())
    def test_adding_a_booking_never_finishes_earlier(
        plan: tuple[CapacityBook, list[RouteStep], dict], qty: int, data: st.DataObject
    ) -> None:
        book, route, rows = plan
        code = data.draw(st.sampled_from(sorted(c for c in rows if rows[c])))
        i = data.draw(st.integers(0, len(rows[code]) - 1))
        extra = data.draw(st.integers(1, 500))
        busier = {c: list(r) for c, r in rows.items()}
        day, available, booked = busier[code][i]
        busier[code][i] = (day, available, booked + extra)
        centres = {c.code: c.process for c in book.centres}
        after = _plan_or_none(book_of(centres, busier), route, qty, MON)
        before = _plan_or_none(book, route, qty, MON)
        if after is None:
            return
        assert before is not None
        assert after.completion >= before.completion
