"""A small hand-made replica for the dashboards' tests: orders, FX rates, capacity, cost rates and
two cost sheets from the costing document's worked examples, with every figure the tests expect
worked out by hand from the rows inserted here. A test module takes the replica by importing
`dashboards_replica`, the fixture named ``replica``."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from sync.client import SyncClient
from tests.costing_examples import ON, RATES, SHIRT, TSHIRT
from workbench import documents
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.replica import Replica, open_replica

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


@pytest.fixture(name="replica")
def dashboards_replica(tmp_path: Path) -> Replica:
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


def _client(replica: Replica) -> SyncClient:
    return SyncClient(replica, "http://127.0.0.1:9", "no-token")  # used offline: apply_page


def _order_row(replica: Replica, order_no: str) -> dict[str, Any]:
    found = replica.conn.execute("SELECT * FROM orders WHERE order_no = ?", (order_no,))
    return dict(found.fetchone())
