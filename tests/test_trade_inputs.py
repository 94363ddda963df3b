"""Inputs as the trade gives them: decimal widths (72″ = 182.88 cm), marker consumption in
yards, and consumption worked out from a marker's length, width and efficiency. Expected
figures are worked by hand from exact unit definitions (1 in = 2.54 cm, 1 yd = 0.9144 m)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from tests.costing_examples import BOOK, JERSEY, ON, SHIRT, TSHIRT
from workbench.costing import CostingError, MarkerConsumption, cost_style
from workbench.costing.marker import MarkerPlan
from workbench.costing.sheet import CostSheet, sheet_from_dict, sheet_to_dict
from workbench.costing.units import inches_to_cm, yards_to_m


def test_seventy_two_inches_is_182_88_cm() -> None:
    assert inches_to_cm(D(72)) == D("182.88")
    assert yards_to_m(D("1.5")) == D("1.3716")


def test_a_decimal_width_is_costed_and_kept_through_the_sheet() -> None:
    style = replace(TSHIRT, fabric=replace(JERSEY, width_cm=D("182.88")))
    cost = cost_style(style, BOOK, ON)
    assert cost.fabric.kg_per_m == D(180) * D("182.88") / 100 / 1000  # 0.329184 kg/m
    read = sheet_from_dict(sheet_to_dict(CostSheet(style, "NORDV", 3000)))
    assert read.style.fabric.width_cm == D("182.88")
    assert cost_style(read.style, BOOK, ON).total == cost.total


def test_a_whole_width_saved_before_still_reads() -> None:
    data = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000))
    data["style"]["fabric"]["width_cm"] = 180  # as sheets were saved: a JSON integer
    assert sheet_from_dict(data).style.fabric.width_cm == D(180)


def test_marker_consumption_in_yards() -> None:
    style = replace(SHIRT, consumption=MarkerConsumption(D("1.8"), "yd"))
    cost = cost_style(style, BOOK, ON)
    metres = D("1.8") * D("0.9144")  # 1.64592 m
    assert cost.consumption_kg == metres * D(120) * D(147) / 100 / 1000 * D("1.03")
    read = sheet_from_dict(sheet_to_dict(CostSheet(style, "CSTL", 2400)))
    assert read.style.consumption == MarkerConsumption(D("1.8"), "yd")


def test_consumption_from_a_marker_of_known_length() -> None:
    # 8 shirts in a 12.5 m marker at 147 cm: 1.5625 m each; their patterns 1.60 m² each
    plan = MarkerPlan(width_cm=D(147), garments=8, length=D("12.5"), pattern_area_m2=D("1.60"))
    assert plan.metres_per_piece == D("1.5625")
    assert plan.efficiency_reached == D("12.8") / (D("12.5") * D("1.47"))
    cost = cost_style(replace(SHIRT, consumption=plan), BOOK, ON)
    assert cost.consumption_kg == D("1.5625") * D("0.1764") * D("1.03")


def test_consumption_from_a_planned_efficiency() -> None:
    # 8 shirts of 1.60 m² at 80 % efficiency on a 147 cm marker:
    # length = 8 × 1.60 / (0.80 × 1.47) = 12.8 / 1.176 m
    plan = MarkerPlan(width_cm=D(147), garments=8, efficiency=D("0.80"), pattern_area_m2=D("1.60"))
    assert plan.marker_length_m == D("12.8") / D("1.176")
    assert plan.metres_per_piece == D("12.8") / D("1.176") / 8


def test_a_marker_length_in_yards() -> None:
    plan = MarkerPlan(width_cm=D("182.88"), garments=12, length=D(15), length_uom="yd")
    assert plan.marker_length_m == D("13.7160")
    assert plan.metres_per_piece == D("1.143")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"width_cm": D(147), "garments": 8}, "marker length or a planned efficiency"),
        ({"width_cm": D(147), "garments": 0, "length": D(10)}, "garments"),
        ({"width_cm": D(147), "garments": 8, "efficiency": D("0.8")}, "pattern area"),
        (
            {"width_cm": D(147), "garments": 8, "efficiency": D("1.2"), "pattern_area_m2": D(1)},
            "efficiency",
        ),
        (
            {"width_cm": D(147), "garments": 8, "length": D(5), "pattern_area_m2": D(1)},
            "more than the marker",
        ),
        (
            {
                "width_cm": D(147),
                "garments": 8,
                "length": D(5),
                "efficiency": D("0.8"),
                "pattern_area_m2": D(1),
            },
            "not both",
        ),
        ({"width_cm": D(147), "garments": 8, "length": D(5), "length_uom": "ft"}, "m or yd"),
    ],
)
def test_a_marker_plan_that_cannot_be_is_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(CostingError, match=message):
        MarkerPlan(**kwargs)  # type: ignore[arg-type]


def test_a_marker_wider_than_the_fabric_is_refused() -> None:
    plan = MarkerPlan(width_cm=D(150), garments=8, length=D("12.5"))
    with pytest.raises(CostingError, match=r"150 cm.*wider than.*147 cm"):
        cost_style(replace(SHIRT, consumption=plan), BOOK, ON)


def test_a_marker_plan_is_kept_through_the_sheet() -> None:
    plan = MarkerPlan(
        width_cm=D("182.88"),
        garments=12,
        efficiency=D("0.82"),
        pattern_area_m2=D("0.95"),
        length_uom="yd",
    )
    style = replace(TSHIRT, fabric=replace(JERSEY, width_cm=D("182.88")), consumption=plan)
    read = sheet_from_dict(sheet_to_dict(CostSheet(style, "NORDV", 3000)))
    assert read.style.consumption == plan


def test_the_marker_plan_example_of_the_costing_page() -> None:
    plan = MarkerPlan(width_cm=D(180), garments=12, efficiency=D("0.80"), pattern_area_m2=D("0.9"))
    assert plan.marker_length_m == D("7.5") and plan.metres_per_piece == D("0.625")
