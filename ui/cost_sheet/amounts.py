"""How the cost sheet editor reads the numbers a merchandiser types and writes the amounts it
shows.

Shared by the inputs form, the breakdown and the comparison, so a comma typed as the decimal
mark, or an amount with its thousands separators, means the same in each of them.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from workbench.costing import CostingError


def read_decimal(text: str, what: str) -> Decimal:
    """``text`` as a number; a CostingError names the field (``what``) when it is none."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except InvalidOperation:
        raise CostingError(f"{what}: {text!r} is not a number") from None
    if not value.is_finite():
        raise CostingError(f"{what}: {text!r} is not a number")
    return value


def money(value: Decimal, places: int = 2) -> str:
    return f"{value:,.{places}f}"
