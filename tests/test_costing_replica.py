"""The costing engine's replica adapter: rates, rules and FX read from a replica (deleted
rows ignored, every version kept), and the demo workspace costed and priced."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.test_costing import ON
from workbench.costing import (
    BodyMeasurements,
    CostingError,
    Embroidery,
    FxRate,
    Making,
    PrintSpec,
    Style,
    cost_fabric,
    cost_style,
    fabric_spec,
    find_yarn,
    load_rate_book,
    price_style,
    trim_line,
)
from workbench.demo import generate_demo
from workbench.replica import Replica, open_replica
from workbench.replica.store import utc_now

# -- the replica adapter ----------------------------------------------------------------------


def _insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    row = {"version": 1, "deleted": 0, "updated_at": utc_now(), **values}
    columns, marks = ", ".join(row), ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def test_rates_ignore_deleted_rows_and_keep_every_version(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    conn = replica.conn
    knit = {"process": "knitting", "basis": "per kg", "technique": "24G single knit"}
    _insert(
        conn,
        "cost_rates",
        id="r1",
        rate_code="KNT-SINGLE",
        rate="51.15",
        valid_from="2025-09-01",
        source="old",
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r2",
        rate_code="KNT-SINGLE",
        rate="55.00",
        valid_from="2026-10-01",
        source="new",
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r3",
        rate_code="KNT-SINGLE",
        rate="99.00",
        valid_from="2026-10-15",
        source="withdrawn",
        deleted=1,
        **knit,
    )
    _insert(
        conn,
        "cost_rates",
        id="r4",
        rate_code="DYE-REA-D",
        process="dyeing",
        basis="per kg",
        dye_class="reactive",
        shade_depth="dark",
        rate="185",
        description="Dyeing, reactive dyes, dark shade (process loss 8 %)",
        valid_from="2026-10-01",
    )
    _insert(conn, "brands", id="b1", code="CSTL", name="Coastline Basics", currency="USD")
    _insert(conn, "brands", id="b2", code="GONE", name="Gone", currency="USD", deleted=1)
    _insert(
        conn,
        "margin_rules",
        id="m1",
        brand_id="b1",
        method="margin",
        rate="0.28",
        min_margin="0.15",
        moq_from=0,
        price_rounding="0.05",
        valid_from="2025-01-01",
    )
    _insert(
        conn,
        "materials",
        id="fab",
        code="FAB-1",
        name="Single Jersey 160 Navy",
        material_type="fabric",
        category="single jersey",
        construction="24G single knit, tubular",
        gsm=160,
        width_cm=90,
        dye_class="reactive",
        shade_depth="dark",
        finish="",
        uom="kg",
        price="400",
    )
    _insert(
        conn,
        "materials",
        id="yrn",
        code="YRN-1",
        name="Ne 30/1 Yarn",
        material_type="yarn",
        category="combed yarn",
        yarn_count="Ne 30/1",
        uom="kg",
        price="300",
    )

    rates = load_rate_book(conn)
    assert rates.find("knitting", ON, technique="24G single knit").rate == D("55.00")
    assert rates.find("knitting", date(2026, 1, 1), technique="24G single knit").source == "old"
    assert rates.find("dyeing", ON, dye_class="reactive", shade_depth="dark").process_loss == D(
        "0.08"
    )
    assert [b.code for b in rates.brands] == ["CSTL"]
    assert rates.margin_rules[0].price_rounding == D("0.05")

    spec = fabric_spec(conn, "fab", yarn_material_id="yrn")
    assert (spec.kind, spec.gsm, spec.yarn_count) == ("knit", 160, "Ne 30/1")
    assert spec.width_cm == 180  # a 90 cm tube opens to 180 cm
    with pytest.raises(CostingError, match="no priced Ne 30/1 yarn"):
        find_yarn(conn, "Ne 30/1")  # the yarn has no yarn rate


TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Replica:
    replica = open_replica(tmp_path_factory.mktemp("costing") / "r.sqlite")
    generate_demo(replica, materials=300, seed=11, today=TODAY)
    return replica


def test_demo_replica_costs_and_prices_a_real_style(demo: Replica) -> None:
    conn = demo.conn
    fabric_id, construction = conn.execute(
        "SELECT id, construction FROM materials WHERE material_type = 'fabric' AND uom = 'kg' "
        "AND finish != '' AND deleted = 0 ORDER BY code LIMIT 1"
    ).fetchone()
    count = conn.execute(
        "SELECT yarn_count FROM materials WHERE material_type = 'yarn' ORDER BY code LIMIT 1"
    ).fetchone()[0]
    trim_ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM materials WHERE material_type = 'trim' ORDER BY code LIMIT 3"
        )
    ]
    mill = conn.execute("SELECT technique FROM cost_rates WHERE process = 'making'").fetchone()[0]
    brand_id, currency = conn.execute("SELECT id, currency FROM brands ORDER BY code").fetchone()
    fx = [
        FxRate("INR", c, D("0.011"), TODAY - timedelta(days=3))
        for c in ("EUR", "GBP", "USD", "AUD")
    ]

    book_ = load_rate_book(conn, fx_rates=fx)
    spec = fabric_spec(conn, fabric_id, yarn_material_id=find_yarn(conn, count))
    assert spec.kind == "knit" and spec.construction == construction
    style = Style(
        style_code="DEMO-TEE",
        category="knit tops",
        fabric=spec,
        consumption=BodyMeasurements(D(72), D(21), D(52)),
        making=Making(D("11.5"), mill, D("0.65")),
        wastage=D("0.03"),
        printing=PrintSpec("plastisol placement"),
        embroidery=(Embroidery(4000, "EMB-FLAT"),),
        trims=tuple(trim_line(conn, t, D(1)) for t in trim_ids),
    )
    cost = cost_style(style, book_, TODAY)
    assert cost.total > 0 and sum(line.share for line in cost.lines) == 1
    assert any(line.component == "Grey fabric lost in dyeing 10 %" for line in cost.lines)
    assert len([line for line in cost.lines if line.process == "trim"]) == 3
    for line in cost.lines:
        assert line.source and line.rate_code and line.valid_from <= TODAY, line

    price = price_style(style, book_, TODAY, brand=brand_id, quantity=5000)
    assert price.currency == currency and price.price_per_piece > price.cost_per_piece
    assert price.price_per_dozen == 12 * price.price_per_piece

    # a woven fabric of the demo costs per metre too
    woven_id = conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' AND uom = 'm' ORDER BY code"
    ).fetchone()[0]
    woven = cost_fabric(
        fabric_spec(conn, woven_id, yarn_material_id=spec.yarn_material_id), book_, TODAY
    )
    assert woven.spec.kind == "woven" and woven.per_m == woven.per_kg * woven.kg_per_m > 0
