"""Dashboards over a small hand-made replica: every figure below is worked out by hand from the
rows inserted here (orders, FX rates, capacity, cost rates, two cost sheets from the costing
document's worked examples), then filters, drill-downs, the fast reader's fallbacks, and the
cache: the same object while nothing changed, a fresh one after a sync or a local edit."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sync.client import SyncClient
from tests.costing_examples import BOOK, MILL, ON, RATES, SHIRT, SHIRT_MILL, TSHIRT
from workbench import documents
from workbench.analytics import (
    Analytics,
    Filters,
    capacity_days,
    capacity_heatmap,
    capacity_weeks,
    cost_by_process,
    cost_lines,
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
from workbench.analytics.reading import ORDER_COLUMNS, OrderStore, read_table
from workbench.costing import cost_style
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.replica import Replica, open_replica
from workbench.replica.store import utc_now

STAMP = "2026-01-01T00:00:00Z"
KONGU, PADMA = "Kongu Unit 1, Tiruppur", "Padma Works 2, Bengaluru"


def insert(conn: Any, table: str, **values: object) -> None:
    values = {"version": 1, "deleted": 0, "updated_at": STAMP, **values}
    conn.execute(
        f"INSERT INTO {table} ({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
        list(values.values()),
    )


# (order_no, brand, season, material, mill, quantity, unit price, currency, ordered, promised,
#  delivered). Values in USD at the rates below:
#  PO-1 2,500 EUR on 10 Feb 2025 (0.0110 / 0.0120): 2,500 / 0.011 × 0.012 = 2,727.2727…
#  PO-2 2,000 EUR on 5 Aug 2025 (0.0100 / 0.0125): 2,500.00
#  PO-3 2,000 EUR on 15 Dec 2024, before any rate: at the earliest, 2,181.8181…
#  PO-4 1,500 USD, PO-5 500 USD: as they are
#  PO-7 300 EUR on 1 Jul 2025, the day new rates start: 300 / 0.01 × 0.0125 = 375.00
ORDERS = [
    (
        "PO-1",
        "b-nordv",
        "SS25",
        "m-jersey",
        KONGU,
        1000,
        "2.50",
        "EUR",
        "2025-02-10",
        "2025-04-10",
        "2025-04-08",
    ),
    (
        "PO-2",
        "b-nordv",
        "SS25",
        "m-denim",
        PADMA,
        500,
        "4.00",
        "EUR",
        "2025-08-05",
        "2025-10-01",
        "2025-10-11",
    ),
    (
        "PO-3",
        "b-nordv",
        "AW25",
        "m-yarn",
        KONGU,
        200,
        "10.00",
        "EUR",
        "2024-12-15",
        "2025-02-01",
        None,
    ),
    (
        "PO-4",
        "b-cstl",
        "SS25",
        "m-jersey",
        KONGU,
        300,
        "5.00",
        "USD",
        "2025-03-01",
        "2025-05-01",
        "2025-05-04",
    ),
    (
        "PO-5",
        "b-cstl",
        "AW25",
        "m-trim",
        PADMA,
        1000,
        "0.50",
        "USD",
        "2025-07-01",
        "2025-09-01",
        "2025-09-01",
    ),
    (
        "PO-7",
        "b-nordv",
        "SS25",
        "m-jersey",
        KONGU,
        100,
        "3.00",
        "EUR",
        "2025-07-01",
        "2025-09-01",
        "2025-09-03",
    ),
]
PO1, PO2, PO3, PO7 = 2500 / 0.011 * 0.012, 2500.0, 2000 / 0.011 * 0.012, 375.0
CURSOR = 50


def _rate_row(
    conn: Any,
    rate: Any,
    n: int,
    valid_from: str | None = None,
    amount: str | None = None,
    deleted: int = 0,
) -> None:
    """``rate`` (a costing-engine `Rate`) as a cost-master row, optionally another version."""
    description = rate.description
    if rate.process_loss is not None:  # how the master states a dyeing loss
        description = f"Dyeing (process loss {rate.process_loss * 100:g} %)"
    insert(
        conn,
        "cost_rates",
        id=f"rate-{n}",
        rate_code=rate.rate_code,
        process=rate.process,
        description=description,
        material_id=rate.material_id,
        dye_class=rate.dye_class,
        shade_depth=rate.shade_depth,
        technique=rate.technique,
        basis=rate.basis,
        rate=amount or str(rate.rate),
        currency="INR",
        valid_from=valid_from or rate.valid_from.isoformat(),
        source=rate.source,
        deleted=deleted,
    )


def _sheet(replica: Replica, style: Any, brand_id: str, **extra: object) -> str:
    body = sheet_to_dict(CostSheet(style, brand="", costed_on=ON))
    saved = documents.save_document(
        replica,
        "cost_sheets",
        {"style_code": style.style_code, "brand_id": brand_id, "body": json.dumps(body), **extra},
    )
    return str(saved["id"])


MATERIALS = (
    ("m-jersey", "fabric", "single jersey"),
    ("m-denim", "fabric", "denim"),
    ("m-yarn", "yarn", "combed ring yarn"),
    ("m-trim", "trim", "button"),
    ("yarn-ne30", "yarn", "combed compact yarn"),
)
FX = (  # currency, as of, 1 INR =, deleted
    ("EUR", "2025-01-01", "0.0110", 0),
    ("EUR", "2025-07-01", "0.0100", 0),
    ("USD", "2025-01-01", "0.0120", 0),
    ("USD", "2025-07-01", "0.0125", 0),
    ("EUR", "2025-02-01", "0.5", 1),  # a tombstone: must not count
)
CENTRES = (
    ("c-knt", "KNT-01", "knitting", KONGU, 0),
    ("c-sew", "SEW-01", "sewing", PADMA, 0),
    ("c-old", "OLD-01", "dyeing", "", 1),
)
CAPACITY = (  # the week of Monday 2 March 2026 (2026-W10) and the next
    ("c-knt", "2026-03-02", 600, 300, 1, 0),
    ("c-knt", "2026-03-03", 600, 0, 1, 0),  # superseded by version 2
    ("c-knt", "2026-03-03", 600, 600, 2, 0),
    ("c-knt", "2026-03-04", 600, 600, 1, 1),  # a tombstone
    ("c-knt", "2026-03-09", 600, 660, 1, 0),  # over-demand shows
    ("c-knt", "2026-03-16", 600, 100, 1, 0),  # past the two weeks asked for
    ("c-sew", "2026-03-02", 480, 240, 1, 0),
    ("c-old", "2026-03-02", 480, 480, 1, 0),  # a deleted centre's row
)


def _reference_data(conn: Any) -> None:
    insert(conn, "brands", id="b-nordv", code="NORDV", name="Nordvik", currency="EUR")
    insert(conn, "brands", id="b-cstl", code="CSTL", name="Coastline", currency="USD")
    for mid, kind, category in MATERIALS:
        insert(
            conn,
            "materials",
            id=mid,
            code=mid.upper(),
            name=mid,
            material_type=kind,
            category=category,
            uom="kg",
        )
    for n, (cur, as_of, rate, deleted) in enumerate(FX):
        insert(
            conn,
            "fx_rates",
            id=f"fx-{n}",
            from_currency="INR",
            to_currency=cur,
            rate=rate,
            as_of=as_of,
            deleted=deleted,
        )
    for n, o in enumerate(ORDERS):
        insert(
            conn,
            "orders",
            id=f"o-{n}",
            order_no=o[0],
            brand_id=o[1],
            style_code=f"TEE-{n:03d}",
            material_id=o[3],
            season=o[2],
            mill=o[4],
            quantity=o[5],
            unit_price=o[6],
            currency=o[7],
            order_date=o[8],
            promised_date=o[9],
            delivered_date=o[10],
        )
    insert(
        conn,
        "orders",
        id="o-dead",
        order_no="PO-6",
        brand_id="b-cstl",
        style_code="X",
        season="SS25",
        quantity=999,
        unit_price="1.00",
        currency="USD",
        order_date="2025-03-01",
        deleted=1,
    )
    for cid, code, process, mill, deleted in CENTRES:
        insert(
            conn,
            "work_centres",
            id=cid,
            code=code,
            name=code,
            process=process,
            mill=mill,
            deleted=deleted,
        )
    for n, (centre, day, available, booked, version, deleted) in enumerate(CAPACITY):
        insert(
            conn,
            "capacity",
            id=f"cap-{n}",
            work_centre_id=centre,
            day=day,
            minutes_available=available,
            minutes_booked=booked,
            version=version,
            deleted=deleted,
        )
    # the costing document's rates, older versions of two of them and a deleted one
    for n, rate in enumerate(RATES):
        _rate_row(conn, rate, n)
    _rate_row(conn, RATES[0], 100, "2025-10-01", "250")  # yarn Ne 30/1: 250 → 290
    _rate_row(conn, RATES[2], 101, "2025-10-01", "50")  # knitting: 50 → 55
    _rate_row(conn, RATES[0], 102, "2026-06-01", "999", deleted=1)


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    replica = open_replica(tmp_path / "r.sqlite")
    with replica.transaction() as conn:
        _reference_data(conn)
        replica.set_state("cursor", str(CURSOR), conn)
    # cost sheets, saved as the editor saves them: the two worked examples, one whose mill
    # has no cost per minute, one deleted and one whose body is no sheet
    _sheet(replica, TSHIRT, "b-nordv")
    _sheet(replica, SHIRT, "b-cstl")
    nowhere = replace(SHIRT, making=replace(SHIRT.making, mill="Nowhere Mill"))
    _sheet(replica, nowhere, "b-cstl", style_code="NO-RATE-01")
    gone = _sheet(replica, TSHIRT, "b-nordv", style_code="DELETED-01")
    documents.delete_document(replica, "cost_sheets", gone)
    no_sheet = {"style_code": "BROKEN", "body": '{"not": "a sheet"}'}  # JSON, but no sheet
    documents.save_document(replica, "cost_sheets", no_sheet)
    return replica


def by(frame: pd.DataFrame, key: str) -> dict[str, dict[str, Any]]:
    return {str(k): row for k, row in frame.set_index(key).to_dict("index").items()}


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


# -- rates ---------------------------------------------------------------------------------------


def test_rate_history_and_change_between_versions(replica: Replica) -> None:
    history = rate_history(replica.conn)
    assert len(history) == len(RATES) + 2  # the deleted version is not there
    yarn = history[history["rate_code"] == "YRN-NE30"]
    assert yarn["rate"].tolist() == [250.0, 290.0]
    assert yarn["valid_from"].dt.strftime("%Y-%m-%d").tolist() == ["2025-10-01", "2026-10-01"]
    assert yarn["valid_to"].iloc[0] == pd.Timestamp("2026-09-30") and pd.isna(
        yarn["valid_to"].iloc[1]
    )
    assert math.isnan(yarn["change_pct"].iloc[0])
    assert yarn["change_pct"].iloc[1] == pytest.approx(16.0)
    assert yarn["material_code"].tolist() == ["YARN-NE30"] * 2
    trims = history[history["process"] == "trim"]  # one series per material, one code
    assert len(trims) == 6 and trims["change_pct"].isna().all()


def test_rate_trends_by_process_and_the_rows_behind_them(replica: Replica) -> None:
    trends = rate_trends(replica.conn)
    yarn = trends[(trends["process"] == "yarn") & (trends["valid_from"] == "2026-10-01")]
    assert yarn[["rates", "changed"]].values.tolist() == [[2, 1]]
    assert yarn["mean_change_pct"].iloc[0] == pytest.approx(16.0)
    knit = trends[(trends["process"] == "knitting") & (trends["valid_from"] == "2026-10-01")]
    assert knit["mean_change_pct"].iloc[0] == pytest.approx(10.0)
    behind = rate_rows(replica.conn, process="yarn", valid_from="2026-10-01")
    assert sorted(behind["rate_code"]) == ["YRN-NE30", "YRN-NE40"]


def test_rate_filters_take_the_versions_in_force_in_the_range_and_the_mills(
    replica: Replica,
) -> None:
    conn = replica.conn
    early = rate_history(conn, Filters(date_to="2026-01-01"))
    assert sorted(early["rate"].tolist()) == [50.0, 250.0]
    late = rate_history(conn, Filters(date_from="2026-10-15"))
    assert 250.0 not in late["rate"].tolist() and len(late) == len(RATES)
    making = rate_history(conn, Filters(mills=[MILL]))
    assert making.loc[making["process"] == "making", "rate_code"].tolist() == ["CPM-01"]
    assert len(making) == len(RATES) + 1


# -- capacity ------------------------------------------------------------------------------------


def test_utilisation_per_centre_and_week(replica: Replica) -> None:
    weeks = capacity_weeks(replica.conn, start=date(2026, 3, 4), weeks=2)  # a Wednesday
    assert weeks["iso_week"].tolist() == ["2026-W10", "2026-W11"] * 2
    assert weeks["centre"].tolist() == ["KNT-01", "KNT-01", "SEW-01", "SEW-01"]
    assert weeks["available"].tolist() == [1200, 600, 480, 0]
    assert weeks["booked"].tolist() == [900, 660, 240, 0]
    assert weeks["free"].tolist() == [300, -60, 240, 0]
    assert weeks["utilisation"].tolist()[:3] == [0.75, 1.1, 0.5]
    assert math.isnan(weeks["utilisation"].iloc[3])  # nothing published: unknown, not idle
    heat = capacity_heatmap(replica.conn, start=date(2026, 3, 4), weeks=2)
    assert heat.index.tolist() == ["KNT-01", "SEW-01"]
    assert heat.columns.tolist() == ["2026-W10", "2026-W11"]
    assert heat.loc["KNT-01", "2026-W11"] == pytest.approx(1.1)
    padma = capacity_weeks(replica.conn, Filters(mills=[PADMA]), start=date(2026, 3, 2), weeks=2)
    assert padma["centre"].unique().tolist() == ["SEW-01"]
    days = capacity_days(replica.conn, start="2026-W10", centre="KNT-01")
    assert days["day"].dt.day.tolist() == [2, 3] and days["booked"].tolist() == [300, 600]
    assert days["available"].sum() == 1200  # the cell's figures, day by day


# -- cost structure ------------------------------------------------------------------------------


def test_cost_structure_of_the_saved_sheets(replica: Replica) -> None:
    table = cost_structure(replica.conn, today=date(2027, 1, 1))
    assert sorted(table["style_code"].unique()) == ["CB-SHIRT-07", "NV-TEE-01"]
    tee = table[table["style_code"] == "NV-TEE-01"]
    expected = cost_style(TSHIRT, BOOK, ON)  # the book built by hand, not from the replica
    assert tee["component"].tolist() == [line.component for line in expected.lines]
    assert tee["amount"].tolist() == pytest.approx([float(x.amount) for x in expected.lines])
    assert tee["share"].sum() == pytest.approx(1.0)
    assert set(tee["brand"]) == {"NORDV"} and set(tee["costed_on"]) == {pd.Timestamp(ON)}
    making = tee.set_index("component").loc["Making"]
    assert making["amount"] == pytest.approx(12 / 0.65 * 3.00)  # SAM ÷ efficiency × ₹3.00
    assert making["process"] == "making"
    skipped = {s["style_code"]: s["reason"] for s in table.attrs["skipped"]}
    assert set(skipped) == {"NO-RATE-01", "BROKEN"}
    assert "no making rate for mill 'Nowhere Mill'" in skipped["NO-RATE-01"]
    assert "style must be an object" in skipped["BROKEN"]


def test_cost_by_process_shares_and_the_lines_behind_them(replica: Replica) -> None:
    tee, shirt = cost_style(TSHIRT, BOOK, ON), cost_style(SHIRT, BOOK, ON)
    total = float(tee.total + shirt.total)
    processes = by(cost_by_process(replica.conn), "process")
    making = float(tee.line("Making").amount + shirt.line("Making").amount)
    assert processes["making"]["amount"] == pytest.approx(making)
    assert processes["making"]["share"] == pytest.approx(making / total)
    assert processes["making"]["sheets"] == 2 and processes["embroidery"]["sheets"] == 1
    assert sum(p["share"] for p in processes.values()) == pytest.approx(1.0)
    per_brand = cost_by_process(replica.conn, by=["brand", "process"])
    nordv = per_brand[per_brand["brand"] == "NORDV"]
    assert nordv["share"].sum() == pytest.approx(1.0)
    assert nordv.set_index("process").loc["making", "share"] == pytest.approx(
        float(tee.line("Making").amount / tee.total)
    )
    dyeing = cost_lines(replica.conn, process="dyeing", brand="CSTL")
    assert dyeing["component"].tolist() == [
        "Dyeing reactive light",
        "Grey fabric lost in dyeing 8 %",
    ]


def test_cost_filters_by_brand_mill_and_costing_date(replica: Replica) -> None:
    conn = replica.conn
    assert set(cost_structure(conn, Filters(brands=["NORDV"]))["style_code"]) == {"NV-TEE-01"}
    assert set(cost_structure(conn, Filters(mills=[SHIRT_MILL]))["style_code"]) == {"CB-SHIRT-07"}
    assert cost_structure(conn, Filters(date_to="2026-11-01")).empty


# -- the fast reader -----------------------------------------------------------------------------


def test_values_holding_the_separators_fall_back_to_the_row_reader(replica: Replica) -> None:
    with replica.transaction() as conn:
        conn.execute("UPDATE orders SET mill = ? WHERE order_no = 'PO-1'", ("A\x1eB",))
        conn.execute("UPDATE orders SET season = ? WHERE order_no = 'PO-2'", ("S\x1fS",))
    frame = order_frame(replica.conn)
    assert frame["mill"].tolist()[:2] == ["A\x1eB", PADMA]
    assert frame["season"].tolist()[:2] == ["SS25", "S\x1fS"]
    assert len(frame) == 6


def test_clean_data_takes_the_fast_path_only(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.analytics import reading

    calls: list[int] = []
    slow = reading._convert

    def counted(values: list[object], kind: Any) -> object:
        calls.append(len(values))
        return slow(values, kind)

    monkeypatch.setattr(reading, "_convert", counted)
    assert len(read_table(replica.conn, "orders", ORDER_COLUMNS, "deleted = 0")) == 6
    assert calls == []  # no column was read row by row
    replica.conn.execute("UPDATE orders SET mill = 'A' || char(30) || 'B'")
    assert len(read_table(replica.conn, "orders", ORDER_COLUMNS, "deleted = 0")) == 6
    assert calls and set(calls) == {6}


def test_chunked_reading_equals_one_read(replica: Replica) -> None:
    whole = read_table(replica.conn, "orders", ORDER_COLUMNS, "deleted = 0")
    chunks = read_table(replica.conn, "orders", ORDER_COLUMNS, "deleted = 0", chunk_rows=2)
    pd.testing.assert_frame_equal(whole, chunks, check_categorical=False)  # same values
    assert whole["promised_date"].isna().sum() == 0 and whole["delivered_date"].isna().sum() == 1


# -- the cache -----------------------------------------------------------------------------------


def _client(replica: Replica) -> SyncClient:
    return SyncClient(replica, "http://127.0.0.1:9", "no-token")  # used offline: apply_page


def _order_row(replica: Replica, order_no: str) -> dict[str, Any]:
    found = replica.conn.execute("SELECT * FROM orders WHERE order_no = ?", (order_no,))
    return dict(found.fetchone())


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
