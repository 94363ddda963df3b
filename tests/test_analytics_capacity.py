"""Capacity dashboard over the hand-made replica: utilisation per centre and week."""

from __future__ import annotations

import math
from datetime import date

import pytest

from tests.analytics_examples import (
    PADMA,
    dashboards_replica,  # noqa: F401 (the fixture "replica")
)
from workbench.analytics import (
    Filters,
    capacity_days,
    capacity_heatmap,
    capacity_weeks,
)
from workbench.replica import Replica

# -- capacity ------------------------------------------------------------------------------------


def test_utilisation_per_centre_and_week(replica: Replica) -> None:
    weeks = capacity_weeks(replica.conn, start=date(2026, 3, 4), weeks=2)  # a Wednesday
    assert weeks["iso_week"].tolist() == ["2026-W10", "2026-W11"] * 2
    assert weeks["centre"].tolist() == ["KNT-01", "KNT-01", "SEW-01", "SEW-01"]
    assert weeks["available"].tolist() == [1200, 600, 480, 0]
    assert weeks["booked"].tolist() == [900, 660, 240, 0]
    assert weeks["free"].tolist() == [300, -60, 240, 0]
    assert weeks["utilisation"].tolist()[:3] == [0.75, 1.1, 0.5]
    assert math.isnan(weeks["utilisation"].iloc[3])  # nothing published: unknown, not idle
    heat = capacity_heatmap(replica.conn, start=date(2026, 3, 4), weeks=2)
    assert heat.index.tolist() == ["KNT-01", "SEW-01"]
    assert heat.columns.tolist() == ["2026-W10", "2026-W11"]
    assert heat.loc["KNT-01", "2026-W11"] == pytest.approx(1.1)
    padma = capacity_weeks(replica.conn, Filters(mills=[PADMA]), start=date(2026, 3, 2), weeks=2)
    assert padma["centre"].unique().tolist() == ["SEW-01"]
    days = capacity_days(replica.conn, start="2026-W10", centre="KNT-01")
    assert days["day"].dt.day.tolist() == [2, 3] and days["booked"].tolist() == [300, 600]
    assert days["available"].sum() == 1200  # the cell's figures, day by day
