"""Rate dashboards over the hand-made replica: a rate's history and change between versions,
trends by process, and filters that take the versions in force in the range."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from tests.analytics_examples import dashboards_replica  # noqa: F401 (the fixture "replica")
from tests.costing_examples import MILL, RATES
from workbench.analytics import (
    Filters,
    rate_history,
    rate_rows,
    rate_trends,
)
from workbench.replica import Replica

# -- rates ---------------------------------------------------------------------------------------


def test_rate_history_and_change_between_versions(replica: Replica) -> None:
    history = rate_history(replica.conn)
    assert len(history) == len(RATES) + 2  # the deleted version is not there
    yarn = history[history["rate_code"] == "YRN-NE30"]
    assert yarn["rate"].tolist() == [250.0, 290.0]
    assert yarn["valid_from"].dt.strftime("%Y-%m-%d").tolist() == ["2025-10-01", "2026-10-01"]
    assert yarn["valid_to"].iloc[0] == pd.Timestamp("2026-09-30") and pd.isna(
        yarn["valid_to"].iloc[1]
    )
    assert math.isnan(yarn["change_pct"].iloc[0])
    assert yarn["change_pct"].iloc[1] == pytest.approx(16.0)
    assert yarn["material_code"].tolist() == ["YARN-NE30"] * 2
    trims = history[history["process"] == "trim"]  # one series per material, one code
    assert len(trims) == 6 and trims["change_pct"].isna().all()


def test_rate_trends_by_process_and_the_rows_behind_them(replica: Replica) -> None:
    trends = rate_trends(replica.conn)
    yarn = trends[(trends["process"] == "yarn") & (trends["valid_from"] == "2026-10-01")]
    assert yarn[["rates", "changed"]].values.tolist() == [[2, 1]]
    assert yarn["mean_change_pct"].iloc[0] == pytest.approx(16.0)
    knit = trends[(trends["process"] == "knitting") & (trends["valid_from"] == "2026-10-01")]
    assert knit["mean_change_pct"].iloc[0] == pytest.approx(10.0)
    behind = rate_rows(replica.conn, process="yarn", valid_from="2026-10-01")
    assert sorted(behind["rate_code"]) == ["YRN-NE30", "YRN-NE40"]


def test_rate_filters_take_the_versions_in_force_in_the_range_and_the_mills(
    replica: Replica,
) -> None:
    conn = replica.conn
    early = rate_history(conn, Filters(date_to="2026-01-01"))
    assert sorted(early["rate"].tolist()) == [50.0, 250.0]
    late = rate_history(conn, Filters(date_from="2026-10-15"))
    assert 250.0 not in late["rate"].tolist() and len(late) == len(RATES)
    making = rate_history(conn, Filters(mills=[MILL]))
    assert making.loc[making["process"] == "making", "rate_code"].tolist() == ["CPM-01"]
    assert len(making) == len(RATES) + 1
