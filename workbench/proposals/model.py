"""What a proposal says, as plain values: the builder fills it from the replica (cost sheets,
quotes, capacity, the AI service or templates), the renderer lays it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class ProposalStyle:
    style_code: str
    title: str
    category: str
    fabric: str
    composition: str
    description: str
    #: "ai" or "template": a proposal never passes template text off as written for the buyer
    description_source: str
    price_per_piece: Decimal
    price_per_dozen: Decimal
    currency: str
    #: "Firm quote Q-2026-000042, valid until 2026-12-24" or "Estimate (not a firm quote)"
    price_basis: str
    quantity: int
    lead_time: date | None = None
    lead_time_days: int | None = None
    image: bytes | None = None
    image_type: str = "image/png"
    image_source: str = ""
    #: a few footprint lines ("Global warming: 2.1 kg CO2e per piece, cradle-to-gate"), if any
    esg: tuple[str, ...] = ()
    certifications: str = ""

    @property
    def amount(self) -> Decimal:
        """The line's value: the quantity at the price per piece, to the cent."""
        return (self.price_per_piece * self.quantity).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Proposal:
    title: str
    brand_name: str
    brand_code: str
    issued_on: date
    prepared_by: str
    styles: tuple[ProposalStyle, ...]
    terms: tuple[str, ...] = field(default_factory=lambda: DEFAULT_TERMS)
    mill: str = ""
    #: "draft" until issued; an issued proposal's PDF is recorded with its SHA-256
    state: str = "draft"

    def order_totals(self) -> dict[str, Decimal]:
        """The order's value per currency (styles may be quoted in different ones)."""
        totals: dict[str, Decimal] = {}
        for s in self.styles:
            totals[s.currency] = totals.get(s.currency, Decimal(0)) + s.amount
        return totals

    def quantity_in(self, currency: str) -> int:
        """The pieces of the styles quoted in ``currency``."""
        return sum(s.quantity for s in self.styles if s.currency == currency)


DEFAULT_TERMS: tuple[str, ...] = (
    "Prices are FOB per piece in the currency shown; per dozen = 12 pieces.",
    "Firm quotes hold until the date shown with each; estimates are indicative until quoted.",
    "Lead times run from the order date and assume fabric and trims approved on order.",
    "Footprints are cradle-to-gate estimates from published factors; sources on request.",
)
