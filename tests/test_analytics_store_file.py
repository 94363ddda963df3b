"""The order store kept in an Arrow file beside the replica: it round-trips exactly, a reopened
workspace reads it instead of the table and brings it up to date from the changed rows, and a
file that is not this replica's current orders (another replica, format or column set, a
truncated or damaged file, rows changed outside a sync) is ignored and rewritten, with the
dashboards as correct as when read from the table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests import order_file_helpers as helpers
from tests.analytics_examples import CURSOR
from tests.order_file_helpers import (
    MILL_UNICODE,
    _arrow,
    _fill,
    _fresh_raw,
    _history,
    _opened,
    _reopen,
    _rewrite,
    _used_table_and_rewrote,
)
from workbench.analytics import Analytics, order_frame, store_file
from workbench.analytics.reading import ORDER_COLUMNS, OrderStore, categorical
from workbench.replica import Replica, declaration, open_replica

replica = helpers.replica  # fixture


# -- the file ------------------------------------------------------------------------------------


def test_the_file_round_trips_exactly_as_an_arrow_file(replica: Replica) -> None:
    _opened(replica)
    path = replica.path.with_name("replica.orders.arrow")
    assert store_file.path_for(replica.path) == path and path.exists()
    stamp, store = store_file.read(path)
    assert (stamp.format, stamp.cursor, stamp.rows, stamp.max_rowid, stamp.live) == (
        store_file.FORMAT,
        CURSOR,
        8,
        8,
        7,  # six orders, the tombstone, PO-20
    )
    assert stamp.replica == replica.get_state("replica_id") and len(stamp.replica) == 32
    fresh = _fresh_raw(replica)
    pd.testing.assert_frame_equal(store.raw, fresh)  # values, dtypes and categories
    assert [str(t) for t in store.raw.dtypes] == [str(t) for t in fresh.dtypes]
    bare = store.raw.iloc[-1]  # PO-20
    assert bare["mill"] == MILL_UNICODE and pd.isna(bare["material_id"])
    assert pd.isna(bare["promised_date"]) and pd.isna(bare["delivered_date"])
    assert store.raw["delivered_date"].isna().sum() == 2  # PO-3 and PO-20
    assert store.raw["rowid"].tolist() == [1, 2, 3, 4, 5, 6, 8]  # 7 is the tombstone
    table = _arrow(path)  # pyarrow alone reads it: an Arrow file of the raw columns
    assert table.column_names == [n for n, _ in ORDER_COLUMNS]
    assert pa.types.is_dictionary(table.schema.field("mill").type)
    assert table.schema.field("order_date").type == pa.timestamp("ns")
    assert table.column("quantity").to_pylist() == fresh["quantity"].tolist()


def test_the_largest_quantity_a_replica_holds_round_trips_exactly(replica: Replica) -> None:
    """Quantities are whole numbers up to the declared maximum (a replica refuses anything
    else), and the file keeps the largest one to the piece."""
    largest = declaration.table("orders").field("quantity").high
    replica.conn.execute("UPDATE orders SET quantity = ? WHERE order_no = 'PO-20'", (largest,))
    _opened(replica)
    _, store = store_file.read(store_file.path_for(replica.path))
    assert store.raw["quantity"].dtype == np.int64
    assert store.raw["quantity"].tolist()[-1] == largest
    pd.testing.assert_frame_equal(store.raw, _fresh_raw(replica))


def test_a_reopened_workspace_reads_the_file_not_the_table(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected_frame = order_frame(replica.conn)
    expected = _history(replica)
    _opened(replica)
    replica = _reopen(replica)

    def no_table(*args: object) -> OrderStore:
        raise AssertionError("the orders table was read")

    monkeypatch.setattr(OrderStore, "load", classmethod(no_table))
    analytics = Analytics(replica)
    pd.testing.assert_frame_equal(analytics.orders(), expected_frame)
    assert analytics.last_refresh["source"] == "file" and analytics.last_refresh["how"] == "file"
    got = analytics.order_history(by=["brand", "season", "mill"])
    pd.testing.assert_frame_equal(got, expected)
    cstl = got[got["brand"] == "CSTL"]
    assert cstl["orders"].sum() == 3 and cstl["pieces"].sum() == 1340
    assert analytics.wait_saved(30) and analytics.last_save == {}  # current: not written again


def test_without_keeping_no_file_is_written(replica: Replica) -> None:
    analytics = Analytics(replica, keep_orders=False)
    assert len(analytics.orders()) == 7 and analytics.order_file is None
    assert analytics.wait_saved(30)
    assert not store_file.path_for(replica.path).exists()


def test_text_with_any_character_round_trips(replica: Replica, tmp_path: Path) -> None:
    """Arrow keeps text as UTF-8 of any length: a NUL, which the fixed-width unicode of the
    ``.npz`` file dropped, comes back as written."""
    raw = _fresh_raw(replica)
    raw = raw.assign(mill=categorical(["Mill\x00"] * len(raw)))
    path = tmp_path / "any.orders.arrow"
    store_file.write(path, OrderStore(raw, CURSOR, 8, 8), "id")
    _, store = store_file.read(path)
    assert store.raw["mill"].tolist() == ["Mill\x00"] * len(raw)
    pd.testing.assert_frame_equal(store.raw, raw)


# -- files that are not trusted --------------------------------------------------------------


def test_the_file_of_another_replica_is_ignored(replica: Replica, tmp_path: Path) -> None:
    _opened(replica)
    other = open_replica(tmp_path / "two" / "replica.sqlite")
    _fill(other)  # as many orders, the same rowids and cursor, one of them different
    other.conn.execute("UPDATE orders SET quantity = 7 WHERE order_no = 'PO-1'")
    expected = _history(other)
    theirs = store_file.path_for(other.path)
    theirs.write_bytes(store_file.path_for(replica.path).read_bytes())
    assert other.get_state("replica_id") is None  # a new replica has no id yet
    stamp = _used_table_and_rewrote(other, expected)
    assert stamp.replica != replica.get_state("replica_id")
    # and a replica with an id of its own ignores a file with another id
    theirs.write_bytes(store_file.path_for(replica.path).read_bytes())
    _used_table_and_rewrote(_reopen(other), expected)


@pytest.mark.parametrize(
    "change",
    [
        {"format": store_file.FORMAT + 1},
        {"columns": [["rowid", "int"], ["mill", "text"]]},
        {"replica": "0" * 32},
        {"live": 3},
        {"cursor": CURSOR + 5},  # a file ahead of its replica: the replica went back
    ],
    ids=["format", "columns", "replica", "rows", "cursor"],
)
def test_a_stamp_that_does_not_match_is_ignored(replica: Replica, change: dict[str, Any]) -> None:
    expected = _history(replica)
    _opened(replica)
    path = store_file.path_for(replica.path)
    _rewrite(path, stamp=change)
    with pytest.raises(store_file.Unusable):
        store_file.load(path, replica.conn, CURSOR)
    stamp = _used_table_and_rewrote(_reopen(replica), expected)
    assert (stamp.format, stamp.cursor, stamp.live) == (store_file.FORMAT, CURSOR, 7)


@pytest.mark.parametrize(
    "damage",
    ["truncated", "flipped", "no column", "no stamp", "empty", "wrong type", "stray code"],
)
def test_a_damaged_file_is_ignored(replica: Replica, damage: str) -> None:
    expected = _history(replica)
    _opened(replica)
    path = store_file.path_for(replica.path)
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "flipped":  # a bit in the columns' bytes: a wrong value if it were read
        spot = len(data) // 2
        path.write_bytes(data[:spot] + bytes([data[spot] ^ 0x01]) + data[spot + 1 :])
    elif damage == "no column":
        _rewrite(path, drop="mill")
    elif damage == "no stamp":
        _rewrite(path, drop="stamp")
    elif damage == "wrong type":  # the right length, not the type `reading` gives
        _rewrite(path, put={"quantity": pa.array(np.arange(7, dtype=np.int32))})
    elif damage == "stray code":  # an index past the end of its dictionary
        season = _arrow(path).column("season").combine_chunks()
        stray = pa.DictionaryArray.from_arrays(
            pa.array(np.full(7, 9, dtype=np.int8)), season.dictionary, safe=False
        )
        _rewrite(path, put={"season": stray})
    else:
        path.write_bytes(b"")
    with pytest.raises(store_file.Unusable):
        store_file.load(path, replica.conn, CURSOR)
    _used_table_and_rewrote(_reopen(replica), expected)


def test_rows_removed_outside_a_sync_at_the_same_cursor_are_noticed(replica: Replica) -> None:
    _opened(replica)
    with replica.transaction() as conn:  # a repair: rows replaced, the cursor where it was
        conn.execute("DELETE FROM orders WHERE order_no = 'PO-4'")
    expected = _history(replica)
    _used_table_and_rewrote(_reopen(replica), expected)
    assert "CSTL" in expected["brand"].tolist()  # PO-5 and PO-20 are still there


def test_invalidate_removes_the_file(replica: Replica) -> None:
    analytics = _opened(replica)
    path = store_file.path_for(replica.path)
    assert path.exists()
    analytics.invalidate()
    assert not path.exists()
    analytics.orders()
    assert analytics.last_refresh["source"] == "table"
    assert analytics.wait_saved(30) and path.exists()
