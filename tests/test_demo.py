"""Demo data: deterministic, consistent, all-or-nothing."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest

from workbench.demo import generate_demo
from workbench.errors import Cancelled
from workbench.replica import REPLICATED_TABLES, Replica, open_replica

TODAY = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Replica:
    replica = open_replica(tmp_path_factory.mktemp("demo") / "r.sqlite")
    generate_demo(replica, materials=2_000, seed=11, today=TODAY)
    return replica


def test_the_same_seed_gives_the_same_workspace(tmp_path: Path) -> None:
    dumps = []
    for name in ("a", "b"):
        replica = open_replica(tmp_path / f"{name}.sqlite")
        generate_demo(replica, materials=300, seed=5, today=TODAY)
        dumps.append(
            replica.conn.execute(
                "SELECT id, code, name, price FROM materials ORDER BY code"
            ).fetchall()
        )
    assert [tuple(r) for r in dumps[0]] == [tuple(r) for r in dumps[1]]
    other = open_replica(tmp_path / "c.sqlite")
    generate_demo(other, materials=300, seed=6, today=TODAY)
    names = {r[0] for r in other.conn.execute("SELECT name FROM materials")}
    assert names != {r[2] for r in dumps[0]}


def test_counts_and_mix(demo: Replica) -> None:
    counts = dict(
        demo.conn.execute("SELECT material_type, count(*) FROM materials GROUP BY material_type")
    )
    assert sum(counts.values()) == 2_000
    assert 0.12 < counts["yarn"] / 2_000 < 0.28
    assert 0.55 < counts["fabric"] / 2_000 < 0.75
    assert 0.08 < counts["trim"] / 2_000 < 0.22
    orders = demo.conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    assert orders == 500
    assert demo.conn.execute("SELECT count(*) FROM brands").fetchone()[0] == 10
    assert (
        demo.conn.execute("SELECT count(DISTINCT brand_id) FROM margin_rules").fetchone()[0] == 10
    )


def test_material_fields_fit_their_type(demo: Replica) -> None:
    conn = demo.conn
    bad_fabrics = conn.execute(
        "SELECT code FROM materials WHERE material_type = 'fabric' AND "
        "(gsm IS NULL OR width_cm IS NULL OR uom NOT IN ('kg', 'm') OR gsm < 60 OR gsm > 500)"
    ).fetchall()
    bad_yarns = conn.execute(
        "SELECT code FROM materials WHERE material_type = 'yarn' AND "
        "(yarn_count IS NULL OR uom != 'kg' OR gsm IS NOT NULL)"
    ).fetchall()
    bad_trims = conn.execute(
        "SELECT code FROM materials WHERE material_type = 'trim' AND uom NOT IN ('pc', 'm')"
    ).fetchall()
    assert bad_fabrics == bad_yarns == bad_trims == []
    knits = conn.execute(
        "SELECT category, min(gsm), max(gsm) FROM materials WHERE category IN "
        "('single jersey', 'fleece', 'denim') GROUP BY category"
    ).fetchall()
    ranges = {r[0]: (r[1], r[2]) for r in knits}
    assert ranges["single jersey"][0] >= 140 and ranges["single jersey"][1] <= 200
    assert ranges["fleece"][0] >= 260 and ranges["fleece"][1] <= 340
    assert ranges["denim"][0] >= 340 and ranges["denim"][1] <= 475
    prices = [float(r[0]) for r in conn.execute("SELECT price FROM materials")]
    assert min(prices) > 0
    assert len({r[0] for r in conn.execute("SELECT code FROM materials")}) == 2_000


def test_certifications_are_honest_about_the_fibre(demo: Replica) -> None:
    rows = demo.conn.execute(
        "SELECT composition, certifications FROM materials WHERE certifications != ''"
    ).fetchall()
    assert rows
    for composition, certs in rows:
        held = set(certs.split(","))
        if "GOTS" in held or "OCS" in held:
            assert "Organic" in composition, (composition, certs)
        if "GRS" in held:
            assert "Recycled" in composition, (composition, certs)


def test_versions_are_unique_and_the_cursor_is_the_last(demo: Replica) -> None:
    versions: list[int] = []
    for table in REPLICATED_TABLES:
        versions += [r[0] for r in demo.conn.execute(f"SELECT version FROM {table}")]
    assert len(versions) == len(set(versions))
    assert sorted(versions) == list(range(1, len(versions) + 1))
    assert demo.cursor == max(versions)


def test_capacity_has_no_sundays_and_is_never_overbooked(demo: Replica) -> None:
    days = [
        date.fromisoformat(r[0]) for r in demo.conn.execute("SELECT DISTINCT day FROM capacity")
    ]
    assert days and all(d.weekday() != 6 for d in days)
    assert min(days) < TODAY < max(days)
    over = demo.conn.execute(
        "SELECT count(*) FROM capacity WHERE minutes_booked > minutes_available"
    ).fetchone()[0]
    full = demo.conn.execute(
        "SELECT count(*) FROM capacity WHERE minutes_booked = minutes_available"
    ).fetchone()[0]
    assert over == 0 and full > 0


def test_orders_reference_real_materials_and_brands(demo: Replica) -> None:
    orphans = demo.conn.execute(
        "SELECT count(*) FROM orders o LEFT JOIN materials m ON m.id = o.material_id "
        "LEFT JOIN brands b ON b.id = o.brand_id WHERE m.id IS NULL OR b.id IS NULL"
    ).fetchone()[0]
    assert orphans == 0
    late = demo.conn.execute(
        "SELECT count(*) FROM orders WHERE delivered_date > promised_date"
    ).fetchone()[0]
    open_ = demo.conn.execute(
        "SELECT count(*) FROM orders WHERE delivered_date IS NULL"
    ).fetchone()[0]
    assert late > 0 and open_ > 0


def test_cancel_writes_nothing(tmp_path: Path) -> None:
    replica = open_replica(tmp_path / "r.sqlite")
    cancel = threading.Event()

    def stop_on_materials(stage: str, done: int, total: int) -> None:
        if stage == "materials":
            cancel.set()

    with pytest.raises(Cancelled):
        generate_demo(replica, materials=50_000, progress=stop_on_materials, cancel=cancel)
    for table in REPLICATED_TABLES:
        assert replica.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert replica.cursor == 0


def test_a_workspace_with_materials_is_refused(demo: Replica) -> None:
    with pytest.raises(ValueError, match="already holds materials"):
        generate_demo(demo, materials=10)
