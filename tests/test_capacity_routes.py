"""The standard route of a costed style: knitting, weaving and dyeing loaded with the grey
fabric the costing chain says they handle, and the route constants as docs/capacity.md derives
them. Figures by hand in the comments."""

from __future__ import annotations

import dataclasses
from decimal import Decimal as D

from tests.test_costing import JERSEY, ON, book, tee
from workbench.capacity.routes import (
    DYE_MIN_PER_KG,
    KNIT_MIN_PER_KG,
    WEAVE_MIN_PER_M,
    style_route,
)
from workbench.costing import MarkerConsumption, cost_style


def _loads(style: object, quantity: int) -> dict[str, int]:
    cost = cost_style(style, book(), ON)  # type: ignore[arg-type]
    route = style_route(style, cost)  # type: ignore[arg-type]
    return {step.process: step.load_minutes(D(quantity)) for step in route}


def test_the_route_constants_follow_from_their_stated_machine_figures() -> None:
    # an air-jet loom at 600 picks a minute weaving 50 picks per cm: 12 cm a minute,
    # so 100 / 12 = 8.33 loom-minutes per metre (not 12)
    assert round(WEAVE_MIN_PER_M, 2) == D("8.33")
    assert WEAVE_MIN_PER_M * 600 / 50 == 100
    assert KNIT_MIN_PER_KG * 20 == 60  # 20 kg of jersey an hour
    assert DYE_MIN_PER_KG == 1


def test_knitting_and_dyeing_load_the_grey_kilograms_of_the_costing_chain() -> None:
    # the tee: 0.21 kg of finished fabric a piece; the dark reactive rate states a 10 % loss,
    # so 0.231 kg of grey a piece is knitted and goes into the dye machine
    loads = _loads(tee(), 1000)
    assert loads["knitting"] == 693  # 1000 × 0.231 kg × 3 min
    assert loads["dyeing"] == 231  # 1000 × 0.231 kg × 1 min
    # a style's own dyeing loss wins over the rate's, as in the costing
    own = dataclasses.replace(tee().fabric, dyeing_loss=D("0.12"))
    loads = _loads(tee(fabric=own), 1000)
    assert loads["knitting"] == 706  # 1000 × 0.21 × 1.12 = 235.2 kg × 3 = 705.6 -> 706
    assert loads["dyeing"] == 236  # 235.2 -> 236


def test_undyed_fabric_is_knitted_at_its_finished_weight() -> None:
    greige = dataclasses.replace(tee().fabric, dye_class=None, shade_depth="")
    loads = _loads(tee(fabric=greige), 1000)
    assert loads["knitting"] == 630  # 1000 × 0.21 kg × 3 min, no dyeing loss
    assert "dyeing" not in loads


def test_weaving_loads_the_grey_metres_at_the_derived_loom_minutes() -> None:
    poplin = dataclasses.replace(
        JERSEY,
        kind="woven",
        gsm=120,
        width_cm=150,
        finish="",
        construction="1/1 plain 133x72",
        shade_depth="light",
    )
    shirt = tee(fabric=poplin, consumption=MarkerConsumption(D("1.5"), "m"), wastage=D(0))
    loads = _loads(shirt, 1000)
    # 1.5 m finished; the light rate states no loss, so the default 10 %: 1.65 m of grey cloth
    # a piece, 1650 m × 25/3 min = 13,750 loom-minutes; dyeing 1.5 m × 0.18 kg × 1.10 = 0.297 kg
    assert loads["weaving"] == 13_750
    assert loads["dyeing"] == 297
