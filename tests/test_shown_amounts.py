"""The breakdown as a person reads it: lines shown to the paisa add up to the total shown."""

from __future__ import annotations

from decimal import Decimal as D

from tests.costing_examples import BOOK, ON, SHIRT, TSHIRT
from workbench.costing import cost_style


def test_the_tee_shows_lines_that_add_up_to_its_total() -> None:
    # rounded one by one the lines made ₹235.09 under a ₹235.10 total
    cost = cost_style(TSHIRT, BOOK, ON)
    assert cost.total_shown == D("235.10")
    assert sum(line.amount_shown for line in cost.lines) == D("235.10")
    assert cost.rounding == D("0.01")
    moved = [line for line in cost.lines if line.amount_shown != line.amount.quantize(D("0.01"))]
    assert len(moved) == 1


def test_a_sheet_that_already_adds_up_moves_nothing() -> None:
    cost = cost_style(SHIRT, BOOK, ON)
    assert sum(line.amount_shown for line in cost.lines) == cost.total_shown == D("423.63")
    assert cost.rounding == 0
