"""Costing by size: a 1:2:2:1 ratio of S–XL with each size's own measurements, costed on the
ratio's weighted consumption, worked by hand below; each size's own cost, whose weighted mean
is the sheet's cost; and the ratio kept through the saved sheet."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

import pytest

from tests.costing_examples import BOOK, ON, TSHIRT
from workbench.costing import BodyMeasurements, CostingError, MarkerConsumption, cost_style
from workbench.costing.garment import size_costs
from workbench.costing.sheet import CostSheet, sheet_from_dict, sheet_to_dict
from workbench.costing.sizes import SizeLine, SizeRatio, marker_figures, read_size_ratio


def _body(length: int, sleeve: int, chest: int) -> BodyMeasurements:
    return BodyMeasurements(D(length), D(sleeve), D(chest))  # allowances 9 cm and 3 cm


RATIO = SizeRatio(
    (
        SizeLine("S", 1, _body(70, 21, 52)),
        SizeLine("M", 2, _body(73, 22, 55)),
        SizeLine("L", 2, _body(76, 23, 58)),
        SizeLine("XL", 1, _body(79, 24, 61)),
    )
)
TEE_BY_SIZE = replace(TSHIRT, consumption=RATIO)


def test_the_ratio_is_costed_on_its_weighted_consumption() -> None:
    # by hand, (body + sleeve + 9) × (½ chest + 3) × 2 × 180 g/m² / 10,000,000 kg:
    # S 100 × 55 → 0.198; M 104 × 58 → 0.217152; L 108 × 61 → 0.237168; XL 112 × 64 → 0.258048
    # (0.198 + 2 × 0.217152 + 2 × 0.237168 + 0.258048) / 6 = 1.364688 / 6 = 0.227448 kg
    cost = cost_style(TEE_BY_SIZE, BOOK, ON)
    assert cost.consumption_kg == D("0.227448") * D("1.08")
    assert RATIO.pieces == 6 and RATIO.text() == "S:M:L:XL = 1:2:2:1"


def test_each_sizes_cost_and_their_weighted_mean() -> None:
    cost = cost_style(TEE_BY_SIZE, BOOK, ON)
    by_size = size_costs(TEE_BY_SIZE, BOOK, ON)
    assert [line.size for line, _ in by_size] == ["S", "M", "L", "XL"]
    totals = [total for _, total in by_size]
    assert totals == sorted(totals)  # bigger sizes use more fabric
    mean = sum((line.ratio * total for line, total in by_size), D(0)) / 6
    assert abs(mean - cost.total) < D("1e-20")
    m_alone = cost_style(replace(TSHIRT, consumption=RATIO.sizes[1].consumption), BOOK, ON)
    assert by_size[1][1] == m_alone.total


def test_the_ratio_is_kept_through_the_sheet() -> None:
    read = sheet_from_dict(sheet_to_dict(CostSheet(TEE_BY_SIZE, "NORDV", 3000)))
    assert read.style.consumption == RATIO


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: SizeRatio(()), "at least one size"),
        (lambda: SizeLine("M", 0, _body(70, 20, 50)), "ratio of 0"),
        (
            lambda: SizeRatio(
                (
                    SizeLine("M", 1, _body(70, 20, 50)),
                    SizeLine("M", 2, MarkerConsumption(D("0.3"), "kg")),
                )
            ),
            "M is in the",
        ),
    ],
)
def test_a_ratio_that_cannot_be_is_refused(build: object, message: str) -> None:
    with pytest.raises(CostingError, match=message):
        build()  # type: ignore[operator]


def test_a_size_inside_a_size_is_refused_by_the_sheet() -> None:
    data = sheet_to_dict(CostSheet(TEE_BY_SIZE, "NORDV", 3000))
    data["style"]["consumption"]["sizes"][0]["consumption"] = {"type": "size_ratio", "sizes": []}
    with pytest.raises(CostingError, match=r"sizes\[0\]\.consumption\.type must be"):
        sheet_from_dict(data)


def test_a_ratio_as_the_trade_writes_it() -> None:
    ratio = read_size_ratio("S:M:L:XL = 1:2:2:1", "1.55 : 1.6 : 1.65 : 1.7 m", D)
    assert ratio.text() == "S:M:L:XL = 1:2:2:1"
    assert [line.consumption for line in ratio.sizes][1] == MarkerConsumption(D("1.6"), "m")
    assert marker_figures(ratio) == ((D("1.55"), D("1.6"), D("1.65"), D("1.7")), "m")
    assert marker_figures(RATIO) is None  # body measurements: kept as saved


@pytest.mark.parametrize(
    "ratio, per_size, message",
    [
        ("S M L", "1 2 3 kg", "sizes = pieces"),
        ("S:M = 1:x", "1:2 kg", "'x' in the ratio"),
        ("S:M = 1:2:3", "1:2 kg", "2 sizes but 3 numbers"),
        ("S:M = 1:2", "0.2 : 0.3", "with its unit"),
        ("S:M = 1:2", "0.2 kg", "2 sizes but 1 consumptions"),
    ],
)
def test_a_ratio_that_cannot_be_read_says_which_part(
    ratio: str, per_size: str, message: str
) -> None:
    with pytest.raises(CostingError, match=message):
        read_size_ratio(ratio, per_size, D)


def test_the_costing_page_states_the_ratio_example() -> None:
    from pathlib import Path

    from tests.doc_tables import sections

    page = (Path(__file__).resolve().parents[1] / "docs" / "costing.md").read_text("utf-8")
    text = " ".join(sections(page)["Costing by size"].split())
    cost = cost_style(TEE_BY_SIZE, BOOK, ON)
    net = cost.consumption_kg / D("1.08")
    assert f"= 1.364688 ÷ 6 = {net} kg, {cost.consumption_kg} kg with 8 % wastage" in text
