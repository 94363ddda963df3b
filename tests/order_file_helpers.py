"""What the order file's tests share: a replica filled with orders, opening its dashboards'
data, reopening it, reading the history fresh from the table, and rewriting an order file's
table or stamp as damage or another replica would leave it."""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from tests.analytics_examples import CURSOR, _reference_data, insert
from workbench.analytics import Analytics, order_history, store_file
from workbench.analytics.reading import OrderStore
from workbench.replica import Replica, open_replica

MILL_UNICODE = "Kōngu Ünit 3, Tiruppur"


def _fill(replica: Replica) -> None:
    """The hand-made orders of `analytics_examples` (one of them a tombstone), and one more that
    exercises what the file must keep: no material, promised or delivered date, a mill with
    letters beyond ASCII, a currency in lower case."""
    with replica.transaction() as conn:
        _reference_data(conn)
        insert(
            conn,
            "orders",
            id="o-bare",
            order_no="PO-20",
            brand_id="b-cstl",
            style_code="X-1",
            season="SS26",
            mill=MILL_UNICODE,
            quantity=40,
            unit_price="2.00",
            currency="usd",
            order_date="2025-05-05",
        )
        replica.set_state("cursor", str(CURSOR), conn)


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    replica = open_replica(tmp_path / "one" / "replica.sqlite")
    _fill(replica)
    return replica


def _opened(replica: Replica) -> Analytics:
    """A workspace used once: the first dashboard read the orders and the file was written."""
    analytics = Analytics(replica)
    analytics.order_history()
    assert analytics.wait_saved(30)
    return analytics


def _reopen(replica: Replica) -> Replica:
    replica.close()
    return open_replica(replica.path)


def _history(replica: Replica) -> pd.DataFrame:
    return order_history(replica.conn, by=["brand", "season", "mill"])


def _fresh_raw(replica: Replica) -> pd.DataFrame:
    return OrderStore.load(replica.conn, replica.cursor).raw


def _arrow(path: Path) -> pa.Table:
    """The Arrow table inside a plain order file, read by pyarrow alone (after the header and
    the CRC-32 the app puts before it)."""
    data = path.read_bytes()
    assert data.startswith(store_file.PLAIN_HEADER)
    body = data[len(store_file.PLAIN_HEADER) + 4 :]
    assert zlib.crc32(body).to_bytes(4, "big") == data[len(store_file.PLAIN_HEADER) :][:4]
    return pa.ipc.open_file(pa.py_buffer(body)).read_all()


def _put(path: Path, table: pa.Table) -> None:
    """``table`` written as a plain order file, its CRC-32 right: only what it holds is wrong."""
    sink = pa.BufferOutputStream()
    with pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    body = sink.getvalue().to_pybytes()
    path.write_bytes(store_file.PLAIN_HEADER + zlib.crc32(body).to_bytes(4, "big") + body)


def _rewrite(
    path: Path,
    *,
    drop: str | None = None,
    stamp: dict[str, Any] | None = None,
    put: dict[str, pa.Array] | None = None,
) -> None:
    """The file with a column left out or replaced, or its stamp changed, written as the app
    writes it."""
    table = _arrow(path)
    metadata = dict(table.schema.metadata)
    if drop not in (None, "stamp"):
        table = table.drop_columns([drop])
    for name, column in (put or {}).items():
        table = table.set_column(table.column_names.index(name), name, column)
    key = store_file.STAMP_KEY.encode()
    if stamp is not None:
        metadata[key] = json.dumps({**json.loads(metadata[key]), **stamp}).encode()
    if drop == "stamp":
        del metadata[key]
    _put(path, table.replace_schema_metadata(metadata))


def _used_table_and_rewrote(replica: Replica, expected: pd.DataFrame) -> store_file.Stamp:
    """A reopened workspace read the table, gave the right numbers and wrote a good file."""
    analytics = Analytics(replica)
    pd.testing.assert_frame_equal(analytics.order_history(by=["brand", "season", "mill"]), expected)
    assert analytics.last_refresh["source"] == "table"
    assert analytics.wait_saved(30) and "error" not in analytics.last_save
    stamp, store = store_file.read(store_file.path_for(replica.path))
    pd.testing.assert_frame_equal(store.raw, _fresh_raw(replica))
    assert stamp.replica == replica.get_state("replica_id")
    return stamp
