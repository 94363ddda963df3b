"""Shown amounts that add up to the shown total: the rounding difference allocated by largest
remainder.

Why: a breakdown rounded line by line can show ₹235.09 of lines under a ₹235.10 total, and a
buyer who adds the column asks where the paisa went. Each line is floored to the cent, and the
cents still missing to the total rounded half up (`money.to_cents`) go one each to the lines
with the largest remainders (Hamilton's method), so no line moves by more than one cent and
the figures a person adds are the figures they are shown. The sheet says how much was moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from workbench.costing.errors import CostingError
from workbench.costing.money import ZERO, to_cents


def allocate_cents(
    amounts: Sequence[Decimal], total: Decimal | None = None, places: int = 2
) -> tuple[tuple[Decimal, ...], Decimal]:
    """``amounts`` shown to ``places`` decimals so that they sum to ``total`` (default: their
    sum rounded half up), and the rounding difference allocated: ``total`` minus the amounts
    rounded one by one (0 when plain rounding already added up).

    A ``total`` given from outside (a subtotal already shown above) must be within one step
    per line of the amounts' sum, or no allocation of single steps can reach it.
    """
    step = Decimal(1).scaleb(-places)
    exact = sum(amounts, ZERO)
    target = to_cents(exact, places) if total is None else total
    floored = [a.quantize(step, rounding=ROUND_FLOOR) for a in amounts]
    missing = int((target - sum(floored, ZERO)) / step)
    if not 0 <= missing <= len(amounts):
        raise CostingError(
            f"{target} cannot be shown as the sum of {len(amounts)} lines adding up to {exact}"
        )
    order = sorted(range(len(amounts)), key=lambda i: amounts[i] - floored[i], reverse=True)
    for i in order[:missing]:
        floored[i] += step
    plain = sum((to_cents(a, places) for a in amounts), ZERO)
    return tuple(floored), (target - plain).quantize(step)
