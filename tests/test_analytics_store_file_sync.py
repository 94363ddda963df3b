"""The order file after a sync and across releases: a reopened workspace after a sync reads
the file brought up to date from the changed rows and equals a fresh read; a file far behind is
rewritten; one that cannot be written costs nothing but the file; threads opening at once share
one read; after a sync the file is prepared once; and a file of the format before Arrow is
rebuilt, never read, and removed."""

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

from tests import order_file_helpers as helpers
from tests.analytics_examples import CURSOR, KONGU, _client, _order_row
from tests.order_file_helpers import (
    _fill,
    _fresh_raw,
    _history,
    _opened,
    _reopen,
    _used_table_and_rewrote,
)
from workbench.analytics import Analytics, cache, order_frame, order_rows, store_file
from workbench.analytics.reading import ORDER_COLUMNS, OrderStore
from workbench.replica import Replica, open_replica

replica = helpers.replica  # fixture


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
