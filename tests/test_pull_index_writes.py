"""A pulled page's update leaves out the indexed columns whose value the replica already holds
(`sync.client.rows._by_columns_to_set`), so SQLite does not rewrite their index entries.

What must hold: the replica ends exactly as if every column had been set, value and storage
type alike, whatever the page holds (new rows, changed and unchanged indexed columns, values
of another type than the one stored, an id twice); its indexes agree with its rows; and fewer
pages are written, which is the point.
"""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.client import rows
from sync.client.rows import replica_columns
from workbench.replica import Replica, cipher, open_replica

ORDER_COLUMNS = (
    "id",
    "order_no",
    "brand_id",
    "style_code",
    "material_id",
    "quantity",
    "unit_price",
    "order_date",
    "version",
    "deleted",
    "updated_at",
)
STORED_IDS = [f"order-{n}" for n in range(8)]


def order(order_id: str, version: int, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": order_id,
        "order_no": f"PO-{order_id}",
        "brand_id": "brand-a",
        "style_code": "TEE",
        "material_id": "mat-1",
        "quantity": 100,
        "unit_price": "4.15",
        "order_date": "2026-11-01",
        "version": version,
        "deleted": 0,
        "updated_at": "2026-11-01T00:00:00Z",
    }
    row.update(values)
    return row


def _pulled(replica: Replica, changes: list[dict[str, Any]], cursor: int) -> None:
    rows.apply_page(replica, replica_columns(replica), changes, cursor)


def _set_every_column(replica: Replica, changes: list[dict[str, Any]]) -> None:
    """The reference: each row written on its own, every column set, in the page's order."""
    columns = replica_columns(replica)
    with replica.transaction() as conn:
        for change in changes:
            rows.write_row(conn, columns, change["table"], change["row"])


def _contents(replica: Replica, table: str) -> list[tuple[Any, ...]]:
    """Every row of ``table`` with each value's storage type, by id."""
    columns = [r[1] for r in replica.conn.execute(f"PRAGMA table_info({table})")]
    listed = ", ".join(f"{c}, typeof({c})" for c in columns)
    return [tuple(r) for r in replica.conn.execute(f"SELECT {listed} FROM {table} ORDER BY id")]


def _through_indexes(replica: Replica) -> list[tuple[Any, ...]]:
    """The orders as each index finds them, to catch an index entry left stale."""
    conn = replica.conn
    found = []
    for index, column in (("orders_brand", "brand_id"), ("orders_material", "material_id")):
        for (value,) in conn.execute(f"SELECT DISTINCT {column} FROM orders").fetchall():
            ids = conn.execute(
                f"SELECT id FROM orders INDEXED BY {index} WHERE {column} IS ? ORDER BY id",
                (value,),
            ).fetchall()
            found.append((index, value, tuple(i[0] for i in ids)))
    return sorted(found, key=repr)


#: values an indexed column may be sent as: the stored text, other text, another type
#: holding the same digits, and nothing
INDEXED_VALUES = st.sampled_from(["brand-a", "brand-b", "7", 7, 7.0, None])
MATERIAL_VALUES = st.sampled_from(["mat-1", "mat-2", "7", 7, 7.0, None])


@st.composite
def pages(draw: st.DrawFn) -> list[dict[str, Any]]:
    ids = draw(
        st.lists(st.sampled_from([*STORED_IDS, "new-1", "new-2", "new-3"]), min_size=2, max_size=14)
    )
    page = []
    for n, order_id in enumerate(ids):
        values: dict[str, Any] = {"quantity": draw(st.integers(0, 9000))}
        if draw(st.booleans()):
            values["brand_id"] = draw(INDEXED_VALUES.filter(lambda v: v is not None))
        if draw(st.booleans()):
            values["material_id"] = draw(MATERIAL_VALUES)
        page.append({"table": "orders", "row": order(order_id, 100 + n, **values)})
    return page


def _twins(folder: Path) -> tuple[Replica, Replica]:
    twins = []
    for name in ("pulled", "reference"):
        replica = open_replica(folder / f"{name}.sqlite")
        with replica.transaction() as conn:
            for n, order_id in enumerate(STORED_IDS):
                rows.write_row(
                    conn,
                    replica_columns(replica),
                    "orders",
                    order(order_id, n + 1, brand_id="brand-a" if n % 2 else "7"),
                )
        twins.append(replica)
    return twins[0], twins[1]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(page=pages())
def test_a_pulled_page_leaves_the_replica_as_setting_every_column_would(
    tmp_path_factory: Any, page: list[dict[str, Any]]
) -> None:
    folder = tmp_path_factory.mktemp("twins")
    pulled, reference = _twins(folder)
    try:
        _pulled(pulled, page, 500)
        _set_every_column(reference, page)
        assert _contents(pulled, "orders") == _contents(reference, "orders")
        assert _through_indexes(pulled) == _through_indexes(reference)
        assert [tuple(r) for r in pulled.conn.execute("PRAGMA integrity_check")] == [("ok",)]
        assert pulled.cursor == 500
    finally:
        pulled.close()
        reference.close()


def test_an_id_twice_in_a_page_ends_as_its_last_row(tmp_path: Path) -> None:
    """Stored under brand A, sent as B then A again: A, as the page says last."""
    pulled, reference = _twins(tmp_path)
    page = [
        {"table": "orders", "row": order("order-1", 200, brand_id="brand-b", quantity=5)},
        {"table": "orders", "row": order("order-1", 201, brand_id="brand-a", quantity=6)},
    ]
    _pulled(pulled, page, 201)
    _set_every_column(reference, page)
    row = pulled.conn.execute("SELECT brand_id, quantity FROM orders WHERE id = 'order-1'")
    assert tuple(row.fetchone()) == ("brand-a", 6)
    assert _contents(pulled, "orders") == _contents(reference, "orders")
    pulled.close()
    reference.close()


def _log_frames_of_a_pull(path: Path, key: bytes | None, leave_out: bool) -> int:
    """Pages written to the log by a pull of 1,000 orders whose quantity changed (one
    brand's, say), their brands and materials as stored: with the indexed columns left out
    when unchanged, or every column set."""
    replica = open_replica(path, key)
    columns = replica_columns(replica)
    stored = [
        order(f"order-{n:05d}", n + 1, brand_id=f"brand-{n % 40}", material_id=f"mat-{n % 400}")
        for n in range(20_000)
    ]
    with replica.transaction() as conn:
        for row in stored:
            rows.write_row(conn, columns, "orders", row)
    with replica.writing():
        replica.conn.execute("PRAGMA wal_autocheckpoint = 0")
        replica.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    changed = [
        {"table": "orders", "row": {**row, "quantity": 7, "version": 30_000 + n}}
        for n, row in enumerate(stored[:1000])
    ]
    if leave_out:
        _pulled(replica, changed, 40_000)
    else:
        _set_every_column(replica, changed)
    with replica.writing():
        _busy, frames, _done = replica.conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    replica.close()
    return int(frames)


def test_a_pull_that_changes_no_indexed_value_writes_fewer_pages(tmp_path: Path) -> None:
    """Counted, not timed: the log frames of the same pull written both ways, on a plain and
    an encrypted replica (where each page written is encrypted first)."""
    for key in (None, cipher.new_key()):
        name = uuid.uuid4().hex
        lean = _log_frames_of_a_pull(tmp_path / f"{name}-lean.sqlite", key, leave_out=True)
        full = _log_frames_of_a_pull(tmp_path / f"{name}-full.sqlite", key, leave_out=False)
        assert lean < 0.5 * full, (key is not None, lean, full)


def test_an_index_on_an_expression_has_every_column_set(tmp_path: Path) -> None:
    """Which columns such an index reads is not told: nothing is left out."""
    replica = open_replica(tmp_path / "r.sqlite")
    with replica.writing():
        replica.conn.execute("CREATE INDEX orders_lower_style ON orders (lower(style_code))")
        assert rows._indexed(replica.conn, "orders") >= set(ORDER_COLUMNS)
    replica.close()
    conn = sqlite3.connect(tmp_path / "r.sqlite")
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
