"""Breakdown lines: where every rupee of a cost comes from, and how old its rate is.

Why each line carries its rate's code, source and valid-from: a merchandiser defending a quote
must be able to say "dyeing is DYE-REA-D from the Mill quotation of 2026-11", and the UI flags
lines whose rates are older than the buyer will accept (`stale_lines`).

Invariant: ``amount = quantity × rate`` (÷ 100 when ``basis`` is "percent"), and a result's
total is the sum of its lines' amounts, so the sheet always adds up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Protocol

from workbench.costing.inputs import Rate
from workbench.costing.money import HUNDRED, ONE, ZERO, to_cents
from workbench.costing.rounding import allocate_cents

#: Shares are shown to 0.01 %: four decimals of a fraction.
SHARE_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class BreakdownLine:
    """One component of a cost: ``quantity`` ``unit`` at ``rate`` per ``basis`` = ``amount``.

    ``share`` is the fraction of the result's total (set by `with_shares`). Amounts keep full
    precision; `amount_shown` is the two-decimal figure for display, which `with_shares` sets
    so that the lines shown add up to the total shown (``shown``; None: plain rounding).
    """

    component: str
    process: str
    quantity: Decimal
    unit: str
    basis: str
    rate: Decimal
    amount: Decimal
    rate_code: str
    source: str
    valid_from: date
    share: Decimal = ZERO
    shown: Decimal | None = None

    @classmethod
    def from_rate(
        cls, component: str, rate: Rate, quantity: Decimal, unit: str | None = None
    ) -> BreakdownLine:
        """A line charging ``quantity`` at ``rate`` (a percent rate charges a percentage of
        ``quantity``, which is then the base amount)."""
        rate_unit = rate.unit
        amount = quantity * rate.rate
        if rate_unit == "percent":
            amount /= HUNDRED
        line = object.__new__(cls)  # as in `_with`: a repricing makes thousands of lines
        line.__dict__.update(
            component=component,
            process=rate.process,
            quantity=quantity,
            unit=unit or rate_unit,
            basis=rate.basis,
            rate=rate.rate,
            amount=amount,
            rate_code=rate.rate_code,
            source=rate.source,
            valid_from=rate.valid_from,
            share=ZERO,
            shown=None,
        )
        return line

    def scaled(self, factor: Decimal) -> BreakdownLine:
        """The same line for ``factor`` times as much (per kg of fabric → per piece)."""
        return self._with(quantity=self.quantity * factor, amount=self.amount * factor, shown=None)

    def _with(self, **changes: object) -> BreakdownLine:
        """A copy with some fields changed: `dataclasses.replace` without its per-call
        introspection, which is most of a repricing's time (lines are plain frozen values)."""
        line = object.__new__(BreakdownLine)
        line.__dict__.update(self.__dict__)
        line.__dict__.update(changes)
        return line

    @property
    def amount_shown(self) -> Decimal:
        return to_cents(self.amount) if self.shown is None else self.shown


class HasBreakdown(Protocol):
    @property
    def lines(self) -> tuple[BreakdownLine, ...]: ...


def total_of(lines: Sequence[BreakdownLine]) -> Decimal:
    return sum((line.amount for line in lines), ZERO)


def with_shares(lines: Sequence[BreakdownLine]) -> tuple[BreakdownLine, ...]:
    """The lines with ``share`` set to amount ÷ total, to four decimals, summing to exactly 1,
    and ``shown`` set to amounts in cents that sum to the total shown (`rounding`).

    Why largest remainder instead of plain rounding: shares rounded one by one can add up to
    0.9999 or 1.0001, and a pie chart or a "% of FOB" column that does not make 100 % invites
    the question of where the rest went. Each share is floored to 0.0001 and the missing
    ten-thousandths go to the lines with the largest remainders. All zero when the total is.
    """
    total = total_of(lines)
    cents, _ = allocate_cents([line.amount for line in lines])
    if total == 0:
        return tuple(line._with(share=ZERO, shown=c) for line, c in zip(lines, cents, strict=True))
    raw = [line.amount / total for line in lines]
    floored = [r.quantize(SHARE_STEP, rounding=ROUND_FLOOR) for r in raw]
    missing = int((ONE - sum(floored, ZERO)) / SHARE_STEP)
    by_remainder = sorted(range(len(lines)), key=lambda i: raw[i] - floored[i], reverse=True)
    for i in by_remainder[:missing]:
        floored[i] += SHARE_STEP
    return tuple(
        line._with(share=share, shown=c)
        for line, share, c in zip(lines, floored, cents, strict=True)
    )


def stale_lines(
    result: HasBreakdown | Sequence[BreakdownLine], as_of: date, max_age_days: int
) -> tuple[BreakdownLine, ...]:
    """The lines whose rate was valid from more than ``max_age_days`` days before ``as_of``:
    the rates a buyer may challenge as out of date, for the UI to flag."""
    lines = result if isinstance(result, Sequence) else result.lines
    oldest_fresh = as_of - timedelta(days=max_age_days)
    return tuple(line for line in lines if line.valid_from < oldest_fresh)
