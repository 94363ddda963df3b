"""The order store kept in a file beside the replica: it round-trips exactly, a reopened
workspace reads it instead of the table and brings it up to date from the changed rows, and a
file that is not this replica's current orders (another replica, format or column set, a
truncated or damaged file, rows changed outside a sync) is ignored and rewritten, with the
dashboards as correct as when read from the table."""

from __future__ import annotations

import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.analytics_examples import CURSOR, KONGU, _client, _order_row, _reference_data, insert
from workbench.analytics import Analytics, cache, order_frame, order_history, order_rows, store_file
from workbench.analytics.reading import OrderStore
from workbench.replica import Replica, declaration, open_replica

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


def _rewrite(
    path: Path,
    *,
    drop: str | None = None,
    stamp: dict[str, Any] | None = None,
    put: dict[str, bytes] | None = None,
) -> None:
    """The file with a member left out or replaced, or its stamp changed, written as the app
    writes it."""
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist() if name != drop}
    members.update(put or {})
    if stamp is not None:
        members["stamp.json"] = json.dumps({**json.loads(members["stamp.json"]), **stamp}).encode()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


# -- the file ------------------------------------------------------------------------------------


def test_the_file_round_trips_exactly_without_pickle(replica: Replica) -> None:
    _opened(replica)
    path = replica.path.with_name("replica.orders.npz")
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
    with np.load(path, allow_pickle=False) as npz:  # every member loads without pickle
        arrays = {name: npz[name] for name in npz.files if name != "stamp.json"}
    assert arrays and all(a.dtype != object for a in arrays.values())
    assert arrays["mill.categories"].dtype.kind == "U"
    assert arrays["order_date"].dtype == np.dtype("datetime64[ns]")


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


def test_text_that_fixed_width_unicode_would_change_is_not_written(
    replica: Replica, tmp_path: Path
) -> None:
    raw = _fresh_raw(replica)
    raw = raw.assign(mill=pd.Categorical(["Mill\x00"] * len(raw)))  # numpy drops the NUL
    path = tmp_path / "never.orders.npz"
    with pytest.raises(store_file.Unusable, match="mill"):
        store_file.write(path, OrderStore(raw, CURSOR, 8, 8), "id")
    assert list(tmp_path.glob("never.*")) == []


# -- files that are not trusted --------------------------------------------------------------


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


def _npy(array: np.ndarray) -> bytes:
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    return out.getvalue()


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
    elif damage == "flipped":  # the last byte of one column's values
        with zipfile.ZipFile(path) as zf:
            info = zf.getinfo("quantity.npy")
        header = info.header_offset  # a local header: 30 bytes, the name, its own extra field
        extra = int.from_bytes(data[header + 28 : header + 30], "little")
        start = header + 30 + len(info.filename.encode()) + extra
        spot = start + info.compress_size - 1
        path.write_bytes(data[:spot] + bytes([data[spot] ^ 0x01]) + data[spot + 1 :])
    elif damage == "no column":
        _rewrite(path, drop="mill.codes.npy")
    elif damage == "no stamp":
        _rewrite(path, drop="stamp.json")
    elif damage == "wrong type":  # the right length, not the dtype `reading` gives
        _rewrite(path, put={"quantity.npy": _npy(np.arange(7, dtype=np.int32))})
    elif damage == "stray code":  # a code past the end of its categories
        _rewrite(path, put={"season.codes.npy": _npy(np.full(7, 9, dtype=np.int8))})
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


# -- after a sync -------------------------------------------------------------------------------


def _sync_page(replica: Replica) -> None:
    """What a pull writes when others changed orders: PO-4 grows to 400 pieces, PO-5 is
    deleted (a tombstone), a new order arrives; one page, the cursor moves by three."""
    client = _client(replica)
    changed = {**_order_row(replica, "PO-4"), "quantity": 400, "version": CURSOR + 1}
    gone = {**_order_row(replica, "PO-5"), "deleted": 1, "version": CURSOR + 2}
    new = {
        **_order_row(replica, "PO-1"),
        "id": "o-new",
        "order_no": "PO-9",
        "quantity": 5,
        "mill": "New Mill",
        "version": CURSOR + 3,
    }
    client.apply_page([{"table": "orders", "row": r} for r in (changed, gone, new)], CURSOR + 3)
    client.close()


def _pieces_by_mill(analytics: Analytics) -> dict[str, int]:
    table = analytics.order_history(by=["mill"])
    return dict(zip(table["mill"], table["pieces"], strict=True))


def test_a_reopened_workspace_after_a_sync_equals_a_fresh_read(replica: Replica) -> None:
    _opened(replica)
    _sync_page(replica)
    replica = _reopen(replica)
    expected, frame = _history(replica), order_frame(replica.conn)
    analytics = Analytics(replica)
    got = analytics.order_history(by=["brand", "season", "mill"])
    assert analytics.last_refresh["source"] == "file" and analytics.last_refresh["how"] == "delta"
    pd.testing.assert_frame_equal(got, expected)
    # the same values; a refresh keeps categories no order uses any more (PO-5's "trim")
    pd.testing.assert_frame_equal(analytics.orders(), frame, check_categorical=False)
    cstl = got[got["brand"] == "CSTL"]
    assert cstl["orders"].sum() == 2 and cstl["pieces"].sum() == 440  # PO-4 400, PO-20 40
    assert set(cstl["season"]) == {"SS25", "SS26"}
    rows = analytics.order_rows()
    assert "PO-5" not in rows["order_no"].tolist() and "PO-9" in rows["order_no"].tolist()
    assert rows.set_index("order_no").loc["PO-4", "quantity"] == 400
    assert _pieces_by_mill(analytics)["New Mill"] == 5 and KONGU in _pieces_by_mill(analytics)
    # the file stays at the older cursor: a sync page does not rewrite a million rows
    assert analytics.wait_saved(30) and analytics.last_save == {}
    assert store_file.read(store_file.path_for(replica.path))[0].cursor == CURSOR
    drill = order_rows(replica.conn)
    assert rows["order_no"].tolist() == drill["order_no"].tolist()


def test_the_file_is_rewritten_once_it_lags_far_behind(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    analytics = _opened(replica)
    monkeypatch.setattr(cache, "SAVE_AFTER_CHANGES", 3)
    _sync_page(replica)  # the cursor moves by three
    analytics.orders()
    assert analytics.last_refresh["how"] == "delta"
    assert analytics.wait_saved(30) and analytics.last_save["cursor"] == CURSOR + 3
    stamp, store = store_file.read(store_file.path_for(replica.path))
    assert (stamp.cursor, stamp.live) == (CURSOR + 3, 7)  # PO-5 gone, PO-9 new
    fresh = _fresh_raw(replica)
    pd.testing.assert_frame_equal(store.raw, fresh, check_categorical=False)  # same values
    assert store.raw["mill"].tolist()[-1] == "New Mill"


def test_a_file_that_cannot_be_written_costs_nothing_but_the_file(
    replica: Replica, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    analytics = Analytics(replica)
    analytics.order_file = blocker / "replica.orders.npz"  # its folder cannot be made
    got = analytics.order_history(by=["brand", "season", "mill"])
    pd.testing.assert_frame_equal(got, _history(replica))
    assert analytics.wait_saved(30) and "error" in analytics.last_save
    assert analytics.order_history(by=["brand", "season", "mill"]) is got


def test_threads_opening_at_once_share_one_read_of_the_file(replica: Replica) -> None:
    expected = _history(replica)
    _opened(replica)
    replica = _reopen(replica)
    analytics = Analytics(replica)
    with ThreadPoolExecutor(max_workers=4) as pool:
        tables = list(
            pool.map(lambda _: analytics.order_history(by=["brand", "season", "mill"]), range(8))
        )
    assert all(t is tables[0] for t in tables)
    pd.testing.assert_frame_equal(tables[0], expected)
    assert analytics.computed == 1 and analytics.last_refresh["source"] == "file"


def test_after_a_sync_the_file_is_prepared_once_and_then_opens_the_dashboards(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _history(replica)
    path = store_file.path_for(replica.path)
    assert cache.prepare_order_file(replica.path) and path.exists()
    assert not cache.prepare_order_file(replica.path)  # current: left as it is
    stamp = store_file.read_stamp(path)
    assert (stamp.cursor, stamp.live) == (CURSOR, len(_fresh_raw(replica)))
    replica = _reopen(replica)

    def no_table(*args: object) -> OrderStore:
        raise AssertionError("the orders table was read")

    monkeypatch.setattr(OrderStore, "load", classmethod(no_table))
    analytics = Analytics(replica)
    pd.testing.assert_frame_equal(analytics.order_history(by=["brand", "season", "mill"]), expected)
    assert analytics.last_refresh["source"] == "file"


def test_a_file_far_behind_or_of_another_replica_is_prepared_again(
    replica: Replica, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = store_file.path_for(replica.path)
    assert cache.prepare_order_file(replica.path)
    with replica.transaction() as conn:
        replica.set_state("cursor", str(CURSOR + 10), conn)
    assert not cache.prepare_order_file(replica.path)  # ten changes behind: near enough
    monkeypatch.setattr(cache, "SAVE_AFTER_CHANGES", 10)
    assert cache.prepare_order_file(replica.path)
    assert store_file.read_stamp(path).cursor == CURSOR + 10
    other = open_replica(tmp_path / "two" / "replica.sqlite")
    _fill(other)
    other.close()
    other_file = store_file.path_for(other.path)
    other_file.write_bytes(path.read_bytes())  # a copy of another replica's file
    assert cache.prepare_order_file(other.path)
    assert store_file.read_stamp(other_file).replica != store_file.read_stamp(path).replica
