"""Cost dashboards over the hand-made replica: the cost structure of the saved sheets, cost by
process with the lines behind it, and the filters by brand, mill and costing date."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from tests.analytics_examples import (
    by,
    dashboards_replica,  # noqa: F401 (the fixture "replica")
)
from tests.costing_examples import BOOK, ON, SHIRT, SHIRT_MILL, TSHIRT
from workbench.analytics import (
    Filters,
    cost_by_process,
    cost_lines,
    cost_structure,
)
from workbench.costing import cost_style
from workbench.replica import Replica

# -- cost structure ------------------------------------------------------------------------------


def test_cost_structure_of_the_saved_sheets(replica: Replica) -> None:
    table = cost_structure(replica.conn, today=date(2027, 1, 1))
    assert sorted(table["style_code"].unique()) == ["CB-SHIRT-07", "NV-TEE-01"]
    tee = table[table["style_code"] == "NV-TEE-01"]
    expected = cost_style(TSHIRT, BOOK, ON)  # the book built by hand, not from the replica
    assert tee["component"].tolist() == [line.component for line in expected.lines]
    assert tee["amount"].tolist() == pytest.approx([float(x.amount) for x in expected.lines])
    assert tee["share"].sum() == pytest.approx(1.0)
    assert set(tee["brand"]) == {"NORDV"} and set(tee["costed_on"]) == {pd.Timestamp(ON)}
    making = tee.set_index("component").loc["Making"]
    assert making["amount"] == pytest.approx(12 / 0.65 * 3.00)  # SAM ÷ efficiency × ₹3.00
    assert making["process"] == "making"
    skipped = {s["style_code"]: s["reason"] for s in table.attrs["skipped"]}
    assert set(skipped) == {"NO-RATE-01", "BROKEN"}
    assert "no making rate for mill 'Nowhere Mill'" in skipped["NO-RATE-01"]
    assert "style must be an object" in skipped["BROKEN"]


def test_cost_by_process_shares_and_the_lines_behind_them(replica: Replica) -> None:
    tee, shirt = cost_style(TSHIRT, BOOK, ON), cost_style(SHIRT, BOOK, ON)
    total = float(tee.total + shirt.total)
    processes = by(cost_by_process(replica.conn), "process")
    making = float(tee.line("Making").amount + shirt.line("Making").amount)
    assert processes["making"]["amount"] == pytest.approx(making)
    assert processes["making"]["share"] == pytest.approx(making / total)
    assert processes["making"]["sheets"] == 2 and processes["embroidery"]["sheets"] == 1
    assert sum(p["share"] for p in processes.values()) == pytest.approx(1.0)
    per_brand = cost_by_process(replica.conn, by=["brand", "process"])
    nordv = per_brand[per_brand["brand"] == "NORDV"]
    assert nordv["share"].sum() == pytest.approx(1.0)
    assert nordv.set_index("process").loc["making", "share"] == pytest.approx(
        float(tee.line("Making").amount / tee.total)
    )
    dyeing = cost_lines(replica.conn, process="dyeing", brand="CSTL")
    assert dyeing["component"].tolist() == [
        "Dyeing reactive light",
        "Grey fabric lost in dyeing 8 %",
    ]


def test_cost_filters_by_brand_mill_and_costing_date(replica: Replica) -> None:
    conn = replica.conn
    assert set(cost_structure(conn, Filters(brands=["NORDV"]))["style_code"]) == {"NV-TEE-01"}
    assert set(cost_structure(conn, Filters(mills=[SHIRT_MILL]))["style_code"]) == {"CB-SHIRT-07"}
    assert cost_structure(conn, Filters(date_to="2026-11-01")).empty
