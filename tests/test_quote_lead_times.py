"""A firm quote states the lead time the laptop plans for the same sheet, from the server's
capacity and work-centre calendars: a mill holiday on the day knitting would start moves the
quote's date as it moves the cost sheet's."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from sync.session import client_for, sign_in, sync_workspace
from tests.cost_sheet_helpers import open_sheet
from tests.costing_examples import TSHIRT
from tests.sync_fixtures import PASSWORD, Server, write_rows
from tests.test_pricing_service import priced, sheet  # noqa: F401  (fixture)
from ui.formats import format_date
from workbench.capacity import lead_time, load_capacity
from workbench.capacity.routes import style_route
from workbench.costing import cost_style, load_rate_book
from workbench.costing.sheet import CostSheet

STAMP = "2026-11-01T00:00:00Z"


def _row(**values: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "deleted": 0, "updated_at": STAMP, **values}


def test_a_quote_states_the_lead_time_the_laptop_plans(
    priced: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    today = date.today()
    publish_capacity(priced, tmp_path, today)
    workspace_id = priced.workspaces["alpha"]

    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "m")
    client = client_for(workspace)
    try:
        before = client.request_quote(sheet(TSHIRT, "NORDV", 3000), "sheet-1")["lead_time"]
        # the mill closes for the week from today: every working day of it a holiday
        write_rows(
            priced.engine,
            workspace_id,
            "calendar_days",
            [
                _row(
                    work_centre_id=None,
                    day=(today + timedelta(days=n)).isoformat(),
                    kind="holiday",
                    name="Mill closed",
                )
                for n in range(7)
            ],
        )
        after = client.request_quote(sheet(TSHIRT, "NORDV", 3000), "sheet-1")["lead_time"]
    finally:
        client.close()
    sync_workspace(workspace)
    conn = workspace.replica.conn
    local = lead_time(
        load_capacity(conn, start=today),
        style_route(TSHIRT, cost_style(TSHIRT, load_rate_book(conn), today)),
        3000,
        today,
    )
    workspace.close()
    assert after["completion"] == local.completion.isoformat() and after["days"] == local.days
    # a closed week (Sunday was closed anyway) moves every step, and the date, by a week
    delay = date.fromisoformat(after["completion"]) - date.fromisoformat(before["completion"])
    assert delay == timedelta(days=7)
    assert after["bottleneck"] == local.bottleneck.process


def publish_capacity(server: Server, tmp_path: Path, today: date) -> None:
    """A centre for each step of the tee's route, each with 100,000 free minutes Monday to
    Saturday for 60 days: enough for a step a day."""
    cost = cost_style(TSHIRT, load_rate_book_of(server, tmp_path), today)
    processes = [step.process for step in style_route(TSHIRT, cost)]
    centres = [
        _row(code=f"C-{n:02d}", name=p, process=p, mill="Tiruppur") for n, p in enumerate(processes)
    ]
    capacity = [
        _row(
            work_centre_id=c["id"],
            day=(today + timedelta(days=n)).isoformat(),
            minutes_available=100_000,
            minutes_booked=0,
        )
        for c in centres
        for n in range(60)
        if (today + timedelta(days=n)).weekday() != 6
    ]
    write_rows(server.engine, server.workspaces["alpha"], "work_centres", centres)
    write_rows(server.engine, server.workspaces["alpha"], "capacity", capacity)


def test_the_cost_sheet_shows_the_quotes_lead_time(
    qtbot: Any,
    priced: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    from ui.main_window import MainWindow
    from ui.ops import OpRunner

    publish_capacity(priced, tmp_path, date.today())
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "m")
    sync_workspace(workspace)
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win)
    sheet = open_sheet(qtbot, win, None)
    try:
        sheet.show_sheet(CostSheet(TSHIRT, "NORDV", 3000))
        qtbot.waitUntil(lambda: sheet.price is not None and sheet.plan is not None, timeout=5_000)
        with qtbot.waitSignal(sheet.quoted, timeout=15_000) as blocker:
            qtbot.mouseClick(sheet.quote_button, Qt.MouseButton.LeftButton)
        lead = blocker.args[0]["lead_time"]
        assert lead["completion"] == sheet.plan.completion.isoformat()  # the sheet's own plan
        shown = date.fromisoformat(lead["completion"])
        assert f"ready by {format_date(shown)} ({lead['days']} days)" in sheet.quote_label.text()
    finally:
        win.close()
        workspace.close()


def load_rate_book_of(server: Server, tmp_path: Path) -> Any:
    """The rate book a merchandiser's laptop holds after a sync."""
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "b")
    sync_workspace(workspace)
    book = load_rate_book(workspace.replica.conn)
    workspace.close()
    return book


def test_without_capacity_the_quote_says_why_it_has_no_date(
    priced: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    client = client_for(workspace)
    try:
        quote = client.request_quote(sheet(TSHIRT, "NORDV", 3000), "sheet-1")
    finally:
        client.close()
        workspace.close()
    assert quote["price_per_piece"]
    assert quote["lead_time"] == {
        "unavailable": "step 1 (knitting): no work centre does knitting (known: none)"
    }
