"""The order frame's fast reader: values holding its separators fall back to the row reader, clean
data takes the fast path only, and reading in chunks equals one read."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from tests.analytics_examples import (
    PADMA,
    dashboards_replica,  # noqa: F401 (the fixture "replica")
)
from workbench.analytics import (
    order_frame,
)
from workbench.analytics.reading import ORDER_COLUMNS, read_table
from workbench.replica import Replica

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
