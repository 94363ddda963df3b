"""Order dashboards over the hand-made replica: totals by brand and season at each order's dated
FX rate, month by month, lead times and on-time shares, and drill-downs that return exactly the
rows behind a cell."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.analytics_examples import (
    KONGU,
    ORDERS,
    PADMA,
    PO1,
    PO2,
    PO3,
    PO7,
    by,
    dashboards_replica,  # noqa: F401 (the fixture "replica")
    insert,
)
from workbench.analytics import (
    Analytics,
    Filters,
    lead_times,
    order_frame,
    order_history,
    order_months,
    order_rows,
)
from workbench.replica import Replica

# -- order history -------------------------------------------------------------------------------


def test_totals_by_brand_and_season_with_dated_fx(replica: Replica) -> None:
    brands = by(order_history(replica.conn, by=["brand"]), "brand")
    assert brands["NORDV"]["orders"] == 4 and brands["NORDV"]["pieces"] == 1800
    assert brands["NORDV"]["value"] == pytest.approx(PO1 + PO2 + PO3 + PO7)
    assert brands["CSTL"] == {"orders": 2, "pieces": 1300, "value": pytest.approx(2000.0)}
    seasons = by(order_history(replica.conn, by=["season"]), "season")
    assert (seasons["SS25"]["orders"], seasons["SS25"]["pieces"]) == (4, 1900)
    assert seasons["SS25"]["value"] == pytest.approx(PO1 + PO2 + 1500 + PO7)
    assert (seasons["AW25"]["orders"], seasons["AW25"]["pieces"]) == (2, 1200)


def test_fabric_type_is_the_category_of_fabrics_and_the_type_of_the_rest(
    replica: Replica,
) -> None:
    kinds = by(order_history(replica.conn, by=["fabric_type"]), "fabric_type")
    assert {k: v["orders"] for k, v in kinds.items()} == {
        "single jersey": 3,
        "denim": 1,
        "yarn": 1,
        "trim": 1,
    }
    full = order_history(replica.conn)  # brand × season × fabric type × mill
    assert list(full.columns) == [
        "brand",
        "season",
        "fabric_type",
        "mill",
        "orders",
        "pieces",
        "value",
    ]
    assert full["orders"].sum() == 6 and len(full) == 5  # PO-1 and PO-7 share a cell


def test_each_order_converts_at_the_rate_of_its_own_date(replica: Replica) -> None:
    frame = order_frame(replica.conn, "USD").set_index(pd.Index([o[0] for o in ORDERS]))
    assert frame.loc["PO-1", "value"] == pytest.approx(PO1)
    assert frame.loc["PO-2", "value"] == pytest.approx(PO2)  # the July rates
    assert frame.loc["PO-7", "value"] == pytest.approx(PO7)  # dated the day the rate starts
    assert frame.loc["PO-3", "value"] == pytest.approx(PO3)  # before every rate: the earliest
    assert frame.loc["PO-4", "value"] == 1500.0  # USD stays exactly as it is
    assert list(frame["fx_fallback"]) == [False, False, True, False, False, False]
    in_eur = order_frame(replica.conn, "EUR").set_index(pd.Index([o[0] for o in ORDERS]))
    assert in_eur.loc["PO-1", "value"] == 2500.0
    assert in_eur.loc["PO-4", "value"] == pytest.approx(1500 / 0.012 * 0.011)


def test_notes_say_which_orders_predate_the_rates(replica: Replica) -> None:
    notes = order_history(replica.conn, by=["brand"]).attrs["notes"]
    assert len(notes) == 1 and notes[0].startswith("1 EUR orders predate the first rates")
    assert "INR→EUR from 2025-01-01" in notes[0]
    later = order_history(replica.conn, Filters(date_from="2025-01-01"), by=["brand"])
    assert later.attrs["notes"] == []  # the filtered orders need no note


def test_an_order_in_a_currency_without_rates_has_no_value_and_a_note(
    replica: Replica,
) -> None:
    with replica.transaction() as conn:
        insert(
            conn,
            "orders",
            id="o-gbp",
            order_no="PO-8",
            brand_id="b-cstl",
            style_code="X",
            season="SS25",
            quantity=10,
            unit_price="1.00",
            currency="gbp",
            order_date="2025-03-01",
        )
    table = order_history(replica.conn, by=["currency"])
    gbp = by(table, "currency")["GBP"]
    assert (gbp["orders"], gbp["value"]) == (1, 0.0)
    assert any(n.startswith("1 GBP orders have no value in USD") for n in table.attrs["notes"])


def test_month_by_month_with_empty_months(replica: Replica) -> None:
    months = order_months(replica.conn)
    assert list(months["month"].dt.strftime("%Y-%m")) == [
        "2024-12",
        "2025-01",
        "2025-02",
        "2025-03",
        "2025-04",
        "2025-05",
        "2025-06",
        "2025-07",
        "2025-08",
    ]
    july = months.set_index(months["month"].dt.strftime("%Y-%m")).loc["2025-07"]
    assert (july["orders"], july["pieces"]) == (2, 1100)
    assert july["value"] == pytest.approx(500 + PO7)
    assert months["orders"].tolist() == [1, 0, 1, 1, 0, 0, 0, 2, 1]


def test_filters_change_the_results(replica: Replica) -> None:
    conn = replica.conn
    nordv_ss25 = order_history(conn, Filters(brands=["NORDV"], seasons=["SS25"]), by=["brand"])
    assert nordv_ss25[["orders", "pieces"]].values.tolist() == [[3, 1600]]
    assert nordv_ss25["value"].iloc[0] == pytest.approx(PO1 + PO2 + PO7)
    # both ends of the range are inclusive: PO-4, PO-5 and PO-7
    spring = Filters(date_from="2025-03-01", date_to=date(2025, 7, 1))
    brands = by(order_history(conn, spring, by=["brand"]), "brand")
    assert (brands["CSTL"]["orders"], brands["NORDV"]["orders"]) == (2, 1)
    padma = order_history(conn, Filters(mills=[PADMA]), by=["mill"])
    assert padma["orders"].tolist() == [2] and padma["pieces"].tolist() == [1500]
    assert order_history(conn, Filters(brands=["NOBODY"]), by=["brand"]).empty


# -- lead times ----------------------------------------------------------------------------------


def test_on_time_share_and_days_late_by_brand(replica: Replica) -> None:
    table = by(lead_times(replica.conn, by=["brand"]), "brand")
    # NORDV: PO-1 −2, PO-2 +10, PO-7 +2 (PO-3 is not delivered); CSTL: PO-4 +3, PO-5 0
    nordv, cstl = table["NORDV"], table["CSTL"]
    assert (nordv["orders"], nordv["on_time"]) == (3, 1)
    assert nordv["on_time_share"] == pytest.approx(1 / 3)
    assert nordv["mean_days_late"] == pytest.approx(10 / 3)
    assert nordv["median_days_late"] == 2
    assert nordv["p90_days_late"] == pytest.approx(2 + 0.8 * 8)  # between 2 and 10
    assert (cstl["orders"], cstl["on_time"], cstl["on_time_share"]) == (2, 1, 0.5)
    assert cstl["p90_days_late"] == pytest.approx(2.7)


def test_lead_times_by_due_month_by_mill_and_overall(replica: Replica) -> None:
    months = lead_times(replica.conn, by=["due_month"])
    assert months["due_month"].dt.strftime("%Y-%m").tolist() == [
        "2025-04",
        "2025-05",
        "2025-09",
        "2025-10",
    ]
    assert months["orders"].tolist() == [1, 1, 2, 1]
    assert months["on_time"].tolist() == [1, 0, 1, 0]
    mills = by(lead_times(replica.conn, by=["mill"]), "mill")
    assert mills[KONGU]["orders"] == 3 and mills[KONGU]["mean_days_late"] == pytest.approx(1.0)
    overall = lead_times(replica.conn, by=())
    assert overall[["orders", "on_time"]].values.tolist() == [[5, 2]]
    assert overall["median_days_late"].iloc[0] == 2
    ss25 = lead_times(replica.conn, Filters(seasons=["AW25"]), by=["brand"])
    assert ss25["brand"].tolist() == ["CSTL"]  # PO-3 (AW25, NORDV) was never delivered


# -- drill-down ----------------------------------------------------------------------------------


def test_drill_down_returns_exactly_the_rows_behind_a_cell(replica: Replica) -> None:
    conn = replica.conn
    rows = order_rows(conn, Filters(brands=["NORDV"]), season="SS25")
    assert rows["order_no"].tolist() == ["PO-1", "PO-7", "PO-2"]  # by order date
    cell = by(order_history(conn, Filters(brands=["NORDV"]), by=["season"]), "season")["SS25"]
    assert (len(rows), rows["quantity"].sum()) == (cell["orders"], cell["pieces"])
    assert rows["value"].sum() == pytest.approx(cell["value"])
    first = rows.iloc[0]
    assert (first["style_code"], first["brand"], first["mill"], first["currency"]) == (
        "TEE-000",
        "NORDV",
        KONGU,
        "EUR",
    )
    assert (first["unit_price"], first["order_date"]) == (2.5, pd.Timestamp("2025-02-10"))
    assert first["days_late"] == -2
    july = order_rows(conn, month="2025-07", fabric_type="single jersey")
    assert july["order_no"].tolist() == ["PO-7"]
    late = order_rows(conn, Filters(brands=["NORDV"]), on_time=False)
    assert late["order_no"].tolist() == ["PO-7", "PO-2"]
    measured = order_rows(conn, lead_time=True, brand="NORDV")
    assert sorted(measured["order_no"]) == ["PO-1", "PO-2", "PO-7"]
    assert order_rows(conn, brand="NORDV", limit=2)["order_no"].tolist() == ["PO-3", "PO-1"]
    with pytest.raises(ValueError, match="no 'colour'"):
        order_rows(conn, colour="red")


def test_a_cell_of_one_order_currency_drills_into_that_currency_only(replica: Replica) -> None:
    # ``currency`` names the reporting currency of `order_rows`; a currency cell of a chart
    # (order_history by currency) is a cell like any other and selects those orders
    usd = Analytics(replica, currency="EUR").order_rows(currency="USD")
    assert usd["order_no"].tolist() == ["PO-4", "PO-5"]
    assert set(usd["currency"]) == {"USD"}
