"""Money arithmetic: `Decimal` only, full precision inside, rounded where a person sees it.

Why: binary floats cannot hold 0.1 exactly, and a cost sheet is summed, multiplied by order
quantities and compared with quotes, so every amount is a `Decimal` from the replica's decimal
text to the quoted price. Amounts keep full precision through the chain and are rounded in only
two places: for display (`to_cents`) and when a selling price is set on a price point
(`round_up_to`), which rounds *up* so that rounding can never eat into the margin.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal, InvalidOperation

from workbench.costing.errors import CostingError

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
#: Arithmetic noise below this is ignored before rounding up to a price point, so that a price
#: that is exactly 3.05 but computed as 3.0500…01 (a repeating FX quotient) stays 3.05.
_NOISE = Decimal("1e-9")

DecimalLike = Decimal | int | str


def to_decimal(value: DecimalLike, what: str = "amount") -> Decimal:
    """A finite `Decimal` from a `Decimal`, an int or decimal text (as the replica stores it).

    Floats are refused on purpose: accepting one would let binary rounding into the sheet.
    """
    if isinstance(value, bool | float):
        raise TypeError(
            f"{what} must be a Decimal, int or decimal text, not {type(value).__name__}"
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise CostingError(f"{what} {value!r} is not a number") from None
    if not result.is_finite():
        raise CostingError(f"{what} {value!r} is not a finite number")
    return result


def to_cents(amount: Decimal, places: int = 2) -> Decimal:
    """``amount`` rounded half-up to ``places`` decimals: how money is shown and exported."""
    return amount.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def round_up_to(amount: Decimal, step: Decimal) -> Decimal:
    """The smallest multiple of ``step`` that is ≥ ``amount`` (price points: 0.05, 0.10 …).

    Rounding up, never to nearest, because the price must still carry at least the margin the
    rule asked for.
    """
    if step <= 0:
        raise CostingError(f"price rounding must be positive, not {step}")
    steady = amount.quantize(_NOISE, rounding=ROUND_HALF_EVEN)
    return (steady / step).to_integral_value(rounding=ROUND_CEILING) * step


def percent_text(fraction: Decimal) -> str:
    """A fraction as a short percentage for component names: 0.10 → "10 %", 0.125 → "12.5 %"."""
    value = (fraction * HUNDRED).normalize()
    text = f"{value:f}"
    return f"{text} %"
