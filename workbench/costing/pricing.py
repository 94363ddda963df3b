"""From cost to a brand's FOB price: the margin rule in force, the FX rate of the day, the
minimum margin, and the price point.

Order of operations, and why:
1. Convert the cost to the brand's currency with the latest FX rate dated on or before the
   costing date: the price point and the minimum margin are the buyer's, in the buyer's money.
2. Apply the rule: "margin" = margin on selling price, price = cost / (1 − rate); "markup" =
   markup on cost, price = cost × (1 + rate).
3. If the margin on selling price, (price − cost) / price, is below the rule's minimum, raise
   the price to cost / (1 − min_margin) and say so in the result's notes.
4. Round *up* to the rule's price point (to the cent without one): rounding up keeps the
   margin at or above what steps 2–3 asked for.
The rule is chosen by brand, then category (the exact category beats "*"), then the highest
``moq_from`` ≤ the order quantity (MOQ breaks), then the latest ``valid_from`` ≤ the costing
date.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.costing.breakdown import BreakdownLine
from workbench.costing.errors import CostingError
from workbench.costing.garment import CostResult
from workbench.costing.inputs import Brand, FxRate, MarginRule
from workbench.costing.money import CENT, ONE, round_up_to

DOZEN = Decimal(12)


@dataclass(frozen=True)
class PriceResult:
    """A style's FOB price for one brand and order quantity.

    ``cost_per_piece`` is the cost in the brand's ``currency`` (full precision);
    ``price_per_piece`` the quoted price on its price point; ``margin`` the margin on selling
    price that price achieves and ``markup`` the markup on cost. ``fx`` is the rate used (None
    when cost and price share a currency). ``notes`` explain adjustments, e.g. the minimum
    margin.
    """

    cost: CostResult
    brand: Brand
    quantity: int
    rule: MarginRule
    fx: FxRate | None
    currency: str
    cost_per_piece: Decimal
    price_before_rounding: Decimal
    price_per_piece: Decimal
    price_per_dozen: Decimal
    margin: Decimal
    markup: Decimal
    min_margin_applied: bool
    notes: tuple[str, ...] = ()

    @property
    def lines(self) -> tuple[BreakdownLine, ...]:
        """The cost breakdown the price rests on (in the cost currency)."""
        return self.cost.lines


def _is(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def choose_margin_rule(
    rules: Iterable[MarginRule], brand: Brand, category: str, quantity: int, on: date
) -> MarginRule:
    """The brand's rule for ``category`` at ``quantity`` pieces in force on ``on``: the one
    for the category itself before a "*" rule, then the highest first quantity, then the
    latest date. Two rules alike in all three are told apart by their ids, so the laptop and
    the server, which read the rules in different orders, always choose the same one."""
    fitting = [
        r
        for r in rules
        if r.brand_id == brand.id
        and r.valid_from <= on
        and r.moq_from <= quantity
        and (_is(r.category, category) or r.category.strip() == "*")
    ]
    if not fitting:
        raise CostingError(
            f"no margin rule for brand {brand.code}, category {category!r} at {quantity:,} pcs "
            f"on or before {on}"
        )
    return max(fitting, key=lambda r: (_is(r.category, category), r.moq_from, r.valid_from, r.id))


def choose_fx_rate(
    fx_rates: Iterable[FxRate], from_currency: str, to_currency: str, on: date
) -> FxRate:
    """The latest rate dated on or before ``on`` converting ``from_currency`` to
    ``to_currency``; a rate quoted the other way round (EUR→INR for INR→EUR) counts too, and
    on the same date the direct quote wins."""
    pairs = {
        (from_currency.upper(), to_currency.upper()),
        (to_currency.upper(), from_currency.upper()),
    }
    quoted = [f for f in fx_rates if (f.from_currency.upper(), f.to_currency.upper()) in pairs]
    in_force = [f for f in quoted if f.as_of <= on]
    if not in_force:
        message = f"no FX rate from {from_currency} to {to_currency} on or before {on}"
        if quoted:
            message += f" (the earliest is dated {min(f.as_of for f in quoted)})"
        raise CostingError(message)
    return max(in_force, key=lambda f: (f.as_of, f.from_currency.upper() == from_currency.upper()))


def convert(amount: Decimal, fx: FxRate, from_currency: str) -> Decimal:
    """``amount`` in ``from_currency`` converted with ``fx`` (quoted either way round)."""
    if fx.from_currency.upper() == from_currency.upper():
        return amount * fx.rate
    return amount / fx.rate


def price_cost(
    cost: CostResult,
    *,
    brand: Brand,
    category: str,
    quantity: int,
    rules: Iterable[MarginRule],
    fx_rates: Iterable[FxRate],
) -> PriceResult:
    """Price a costed style for ``brand`` at ``quantity`` pieces (see the module docstring)."""
    if quantity <= 0:
        raise CostingError(f"order quantity must be positive, not {quantity}")
    on = cost.on
    rule = choose_margin_rule(rules, brand, category, quantity, on)
    fx: FxRate | None = None
    unit_cost = cost.total
    if cost.currency.upper() != brand.currency.upper():
        fx = choose_fx_rate(fx_rates, cost.currency, brand.currency, on)
        unit_cost = convert(cost.total, fx, cost.currency)

    if rule.method == "margin":
        price = unit_cost / (ONE - rule.rate)
    else:
        price = unit_cost * (ONE + rule.rate)
    notes: list[str] = []
    applied = False
    if rule.min_margin is not None and price > 0 and (price - unit_cost) / price < rule.min_margin:
        achieved = (price - unit_cost) / price
        price = unit_cost / (ONE - rule.min_margin)
        applied = True
        notes.append(
            f"the {rule.method} rule gives a margin of {achieved:.1%}, below {brand.code}'s "
            f"minimum of {rule.min_margin:.1%}: price raised to meet the minimum"
        )
    quoted = round_up_to(price, rule.price_rounding or CENT)
    return PriceResult(
        cost=cost,
        brand=brand,
        quantity=quantity,
        rule=rule,
        fx=fx,
        currency=brand.currency,
        cost_per_piece=unit_cost,
        price_before_rounding=price,
        price_per_piece=quoted,
        price_per_dozen=quoted * DOZEN,
        margin=(quoted - unit_cost) / quoted if quoted else Decimal(0),
        markup=(quoted - unit_cost) / unit_cost if unit_cost else Decimal(0),
        min_margin_applied=applied,
        notes=tuple(notes),
    )
