"""The order store kept in an Arrow file beside the replica: it round-trips exactly, a reopened
workspace reads it instead of the table and brings it up to date from the changed rows, and a
file that is not this replica's current orders (another replica, format or column set, a
truncated or damaged file, rows changed outside a sync) is ignored and rewritten, with the
dashboards as correct as when read from the table."""

from __future__ import annotations

import io
import json
import zipfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from tests.analytics_examples import CURSOR, KONGU, _client, _order_row, _reference_data, insert
from workbench.analytics import Analytics, cache, order_frame, order_history, order_rows, store_file
from workbench.analytics.reading import ORDER_COLUMNS, OrderStore, categorical
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
    analytics.order_file = blocker / "replica.orders.arrow"  # its folder cannot be made
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


# -- files the releases before Arrow wrote ---------------------------------------------------------


def _write_npz_file(path: Path, raw: pd.DataFrame, stamp: dict[str, Any]) -> None:
    """An order file as the releases before Arrow wrote it: an uncompressed zip of one ``.npy``
    array per raw column (text as codes and fixed-width categories) and ``stamp.json``."""

    def put(zf: zipfile.ZipFile, name: str, array: np.ndarray) -> None:
        out = io.BytesIO()
        np.lib.format.write_array(out, array, allow_pickle=False)
        zf.writestr(f"{name}.npy", out.getvalue())

    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, kind in ORDER_COLUMNS:
            if kind == "text":
                cat = raw[name].array
                put(zf, f"{name}.codes", np.asarray(cat.codes))
                put(zf, f"{name}.categories", np.array([str(c) for c in cat.categories], dtype=str))
            else:
                put(zf, name, raw[name].to_numpy())
        zf.writestr("stamp.json", json.dumps(stamp))


@pytest.mark.parametrize("name", ["replica.orders.npz", "current name"])
def test_a_file_of_the_format_before_arrow_is_rebuilt_never_read(
    replica: Replica, name: str
) -> None:
    """A laptop updated from a release that kept the orders in numpy's ``.npz`` finds that file
    beside its replica, current in every other way (this replica's id, cursor and rows) but for
    its stale values: it is never read, the dashboards read the table, and the file is written
    again in this release's format, the old one removed."""
    _opened(replica)
    store_file.path_for(replica.path).unlink()
    raw = _fresh_raw(replica)
    stale = raw.assign(quantity=raw["quantity"] * 1000)  # a misread would show these
    stamp = {
        "format": 1,
        "replica": replica.get_state("replica_id"),
        "cursor": CURSOR,
        "rows": 8,
        "max_rowid": 8,
        "live": len(raw),
        "columns": [[n, k] for n, k in ORDER_COLUMNS],
    }
    old = (
        replica.path.with_name(name) if name.endswith(".npz") else store_file.path_for(replica.path)
    )
    _write_npz_file(old, stale, stamp)
    expected = _history(replica)
    replica = _reopen(replica)
    stamp_now = _used_table_and_rewrote(replica, expected)
    assert stamp_now.format == store_file.FORMAT and stamp_now.format > 1
    assert not replica.path.with_name("replica.orders.npz").exists()
    assert store_file.path_for(replica.path).name == "replica.orders.arrow"


def test_preparing_the_file_after_a_sync_removes_the_file_before_arrow(replica: Replica) -> None:
    """The derived-data owner's path (`cache.prepare_order_file`, run after a sync) writes the
    Arrow file and deletes the ``.npz`` one, which it never reads."""
    raw = _fresh_raw(replica)
    old = replica.path.with_name("replica.orders.npz")
    stamp = {"format": 1, "replica": "0" * 32, "cursor": CURSOR, "rows": 8, "max_rowid": 8}
    _write_npz_file(old, raw, {**stamp, "live": len(raw), "columns": []})
    assert cache.prepare_order_file(replica.path)
    assert not old.exists()
    _, store = store_file.read(store_file.path_for(replica.path))
    pd.testing.assert_frame_equal(store.raw, raw)
