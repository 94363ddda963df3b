"""The dashboards' cache: the same object while nothing changed, a fresh one after a sync, a
tombstone, a hard delete or a local edit, and every dashboard through it equal to the function."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.analytics_examples import (
    CURSOR,
    ORDERS,
    PO1,
    PO2,
    PO3,
    PO7,
    _client,
    _order_row,
    _sheet,
    by,
    dashboards_replica,  # noqa: F401 (the fixture "replica")
)
from tests.costing_examples import ON, TSHIRT
from workbench.analytics import (
    Analytics,
    Filters,
    capacity_days,
    capacity_heatmap,
    capacity_weeks,
    cost_by_process,
    cost_structure,
    lead_times,
    order_frame,
    order_history,
    order_months,
    order_rows,
    rate_history,
    rate_rows,
    rate_trends,
)
from workbench.analytics.reading import OrderStore
from workbench.replica import Replica, open_replica
from workbench.replica.store import utc_now

# -- the cache -----------------------------------------------------------------------------------


def test_the_cache_serves_the_same_object_until_the_cursor_moves(replica: Replica) -> None:
    analytics = Analytics(replica)
    nordv = Filters(brands=["NORDV", "CSTL"])
    first = analytics.order_history(nordv, by=["brand"])
    computed = analytics.computed
    assert analytics.order_history(Filters(brands=("CSTL", "NORDV")), by=("brand",)) is first
    assert analytics.order_months() is analytics.order_months()
    assert analytics.computed == computed + 1
    # writes that are neither a sync nor a document do not throw results away
    replica.conn.execute(
        "INSERT INTO ai_jobs (id, kind, prompt, subject_id, data, created_at) "
        "VALUES ('j', 'text', 'p', 's', '{}', ?)",
        (utc_now(),),
    )
    assert analytics.order_history(nordv, by=["brand"]) is first
    # a sync page: PO-4 grows to 400 pieces, a new order arrives, the cursor moves
    client = _client(replica)
    changed = {**_order_row(replica, "PO-4"), "quantity": 400, "version": CURSOR + 1}
    new = {
        **_order_row(replica, "PO-1"),
        "id": "o-new",
        "order_no": "PO-9",
        "quantity": 5,
        "version": CURSOR + 2,
    }
    client.apply_page(
        [{"table": "orders", "row": changed}, {"table": "orders", "row": new}], CURSOR + 2
    )
    client.close()
    again = analytics.order_history(nordv, by=["brand"])
    assert again is not first
    assert analytics.last_refresh["how"] == "delta"  # only the changed rows were read
    assert by(again, "brand")["CSTL"]["pieces"] == 1400
    assert by(again, "brand")["NORDV"]["orders"] == 5
    assert by(again, "brand")["NORDV"]["value"] == pytest.approx(
        PO1 + PO2 + PO3 + PO7 + 5 * 2.5 / 0.011 * 0.012
    )
    pd.testing.assert_frame_equal(analytics.orders(), order_frame(replica.conn))


def test_a_synced_tombstone_and_a_hard_delete_both_reach_the_frame(replica: Replica) -> None:
    analytics = Analytics(replica)
    assert len(analytics.orders()) == 6
    client = _client(replica)
    gone = {**_order_row(replica, "PO-5"), "deleted": 1, "version": CURSOR + 1}
    client.apply_page([{"table": "orders", "row": gone}], CURSOR + 1)
    client.close()
    assert "PO-5" not in analytics.order_rows()["order_no"].tolist()
    assert analytics.last_refresh["how"] == "delta" and len(analytics.orders()) == 5
    with replica.transaction() as conn:  # rows removed outright, as a snapshot repair does
        conn.execute("DELETE FROM orders WHERE order_no = 'PO-4'")
        replica.set_state("cursor", str(CURSOR + 2), conn)
    assert analytics.order_rows()["order_no"].tolist() == ["PO-3", "PO-1", "PO-7", "PO-2"]
    assert analytics.last_refresh["how"] == "full"


def test_a_local_edit_refreshes_the_cost_dashboards_only(replica: Replica) -> None:
    analytics = Analytics(replica)
    costs_before = analytics.cost_by_process(today=ON)
    orders_before = analytics.order_history()
    assert analytics.cost_by_process(today=ON) is costs_before
    _sheet(replica, TSHIRT, "b-nordv", style_code="NV-TEE-02")  # saved on this laptop
    costs_after = analytics.cost_by_process(today=ON)
    assert costs_after is not costs_before
    assert by(costs_after, "process")["making"]["sheets"] == 3
    assert analytics.order_history() is orders_before  # the orders did not change
    # a push settles the edit: the outbox row goes, the server's merged row is written
    with replica.transaction() as conn:
        seq = conn.execute("SELECT max(seq) FROM outbox").fetchone()[0]
        conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
        conn.execute("UPDATE cost_sheets SET deleted = 1 WHERE style_code = 'NV-TEE-01'")
    settled = analytics.cost_by_process(today=ON)
    assert settled is not costs_after
    assert by(settled, "process")["making"]["sheets"] == 2
    assert analytics.cost_lines(today=ON, style_code="NV-TEE-02")["sheet_id"].nunique() == 1


def test_the_cache_keeps_the_results_used_last_up_to_its_bound(replica: Replica) -> None:
    analytics = Analytics(replica, max_results=2)
    months = analytics.order_months()
    history = analytics.order_history()
    assert analytics.order_months() is months  # used last now: history is the oldest
    analytics.lead_times()  # a third result: history goes
    assert analytics.order_months() is months
    computed = analytics.computed
    assert analytics.order_history() is not history
    assert analytics.computed == computed + 1
    assert len(analytics._results) == 2


def test_results_of_a_cursor_left_behind_are_not_served_when_it_comes_back(
    replica: Replica,
) -> None:
    analytics = Analytics(replica)
    first = analytics.order_months()
    replica.set_state("cursor", str(CURSOR + 1))
    assert analytics.order_months() is not first
    # a repair puts the cursor back where it was: the rows under it may differ, recompute
    replica.set_state("cursor", str(CURSOR))
    computed = analytics.computed
    assert analytics.order_months() is not first
    assert analytics.computed == computed + 1


def test_every_dashboard_through_the_cache_matches_the_function(replica: Replica) -> None:
    analytics = Analytics(replica, currency="EUR")
    conn = replica.conn
    start = date(2026, 3, 2)
    pairs = [
        (analytics.order_history(by=["mill"]), order_history(conn, by=["mill"], currency="EUR")),
        (analytics.order_months(), order_months(conn, currency="EUR")),
        (analytics.lead_times(by=["month"]), lead_times(conn, by=["month"])),
        (analytics.order_rows(season="AW25"), order_rows(conn, season="AW25", currency="EUR")),
        (analytics.rate_history(), rate_history(conn)),
        (analytics.rate_trends(), rate_trends(conn)),
        (analytics.rate_rows(process="knitting"), rate_rows(conn, process="knitting")),
        (analytics.capacity(start=start, weeks=2), capacity_weeks(conn, start=start, weeks=2)),
        (
            analytics.capacity_heatmap(start=start, weeks=2),
            capacity_heatmap(conn, start=start, weeks=2),
        ),
        (
            analytics.capacity_days(centre="SEW-01", week=start),
            capacity_days(conn, start=start, centre="SEW-01"),
        ),
        (analytics.cost_structure(today=ON), cost_structure(conn, today=ON)),
        (analytics.cost_by_process(today=ON), cost_by_process(conn, today=ON)),
    ]
    for cached, direct in pairs:
        pd.testing.assert_frame_equal(cached, direct)
    assert analytics.order_history(by=["mill"]).attrs["currency"] == "EUR"


def test_filters_are_normalised_and_checked() -> None:
    assert Filters(brands="NORDV") == Filters(brands=["NORDV", "NORDV"])
    assert hash(Filters(seasons=["AW25", "SS25"])) == hash(Filters(seasons=("SS25", "AW25")))
    assert Filters(date_from="2025-01-31").date_from == date(2025, 1, 31)
    with pytest.raises(ValueError, match="after"):
        Filters(date_from="2025-02-01", date_to="2025-01-01")


def test_an_empty_replica_gives_empty_dashboards(tmp_path: Path) -> None:
    analytics = Analytics(open_replica(tmp_path / "empty.sqlite"))
    assert analytics.order_history().empty and analytics.order_months().empty
    assert analytics.lead_times().empty and analytics.order_rows().empty
    assert analytics.rate_history().empty and analytics.cost_structure().empty
    assert analytics.capacity(start=date(2026, 3, 2)).empty


def test_a_refresh_equals_a_fresh_read_after_many_changes(replica: Replica) -> None:
    store = OrderStore.load(replica.conn, CURSOR)
    client = _client(replica)
    rows = [
        {**_order_row(replica, o[0]), "quantity": 7, "version": CURSOR + n + 1}
        for n, o in enumerate(ORDERS[:3])
    ]
    rows.append(
        {
            **rows[0],
            "id": "o-x",
            "order_no": "PO-X",
            "version": CURSOR + 9,
            "season": "NEW",
            "currency": "CHF",
        }
    )
    client.apply_page([{"table": "orders", "row": r} for r in rows], CURSOR + 9)
    client.close()
    refreshed, how = store.refreshed(replica.conn, CURSOR + 9)
    assert how == "delta"
    fresh = OrderStore.load(replica.conn, CURSOR + 9)
    pd.testing.assert_frame_equal(
        refreshed.raw.astype({"season": str, "currency": str}),
        fresh.raw.astype({"season": str, "currency": str}),
    )
    assert np.array_equal(refreshed.raw["quantity"].to_numpy()[:3], [7, 7, 7])
