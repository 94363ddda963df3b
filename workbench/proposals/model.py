"""What a proposal says, as plain values: the builder fills it from the replica (cost sheets,
quotes, capacity, the AI service or templates), the renderer lays it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True)
class PriceBreak:
    """The price per piece from an order quantity on (the brand's quantity breaks)."""

    quantity: int
    price_per_piece: Decimal
    price_per_dozen: Decimal


@dataclass(frozen=True)
class ColourwayPrice:
    """One colourway of a style: its pieces of the order, its own price and its own price
    from each of the brand's quantity breaks (empty: none stated)."""

    name: str
    pieces: int
    price_per_piece: Decimal
    price_per_dozen: Decimal
    breaks: tuple[PriceBreak, ...] = ()


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
    #: the price from each of the brand's quantity breaks, lowest quantity first (empty or
    #: one: the brand has no breaks)
    breaks: tuple[PriceBreak, ...] = ()
    #: the order's colourways with their prices (empty: one colour); ``price_per_piece`` is
    #: then their average weighted by pieces
    colourways: tuple[ColourwayPrice, ...] = ()

    @property
    def amount(self) -> Decimal:
        """The line's value to the cent: the quantity at the price per piece, or each
        colourway's pieces at its own price."""
        if self.colourways:
            total = sum((c.pieces * c.price_per_piece for c in self.colourways), Decimal(0))
            return total.quantize(Decimal("0.01"))
        return (self.price_per_piece * self.quantity).quantize(Decimal("0.01"))

    @property
    def break_rows(self) -> tuple[tuple[str, tuple[PriceBreak, ...]], ...]:
        """The price-break lines to show, each (colourway name or "", its breaks): the
        style's own; for colourways, one line when every colourway breaks alike, else one per
        colourway. A single price is no break and shows nothing."""
        if not self.colourways:
            return (("", self.breaks),) if len(self.breaks) > 1 else ()
        if len({c.breaks for c in self.colourways}) == 1:
            first = self.colourways[0].breaks
            return (("", first),) if len(first) > 1 else ()
        return tuple((c.name, c.breaks) for c in self.colourways if len(c.breaks) > 1)

    @property
    def priced_by_colourway(self) -> bool:
        """Whether the colourways' prices differ, so the proposal shows one per colourway."""
        return len({c.price_per_piece for c in self.colourways}) > 1


@dataclass(frozen=True)
class Sender:
    """Who the proposal comes from and on what trade terms (the app's settings): the
    company's name and logo on the cover, the Incoterm and its named place in the terms."""

    company: str = ""
    logo: bytes | None = None
    logo_type: str = "image/png"
    incoterm: str = "FOB"
    named_place: str = ""
    #: the locale the buyer's documents write dates and numbers in ("de_DE"); "" or "C" for
    #: ISO dates and English numbers (`workbench.formats`)
    locale: str = ""


@dataclass(frozen=True)
class Proposal:
    title: str
    brand_name: str
    brand_code: str
    issued_on: date
    prepared_by: str
    styles: tuple[ProposalStyle, ...]
    terms: tuple[str, ...] = field(default_factory=lambda: DEFAULT_TERMS)
    #: the company the proposal comes from, and its logo (from the settings): the cover's
    mill: str = ""
    logo: bytes | None = None
    logo_type: str = "image/png"
    #: the Incoterms 2020 rule the prices are quoted on, and its named place (the port)
    incoterm: str = "FOB"
    named_place: str = ""
    #: "draft" until issued; an issued proposal's PDF is recorded with its SHA-256
    state: str = "draft"
    #: the locale every date and number of the PDF is written in (`Sender.locale`)
    locale: str = ""

    def order_totals(self) -> dict[str, Decimal]:
        """The order's value per currency (styles may be quoted in different ones)."""
        totals: dict[str, Decimal] = {}
        for s in self.styles:
            totals[s.currency] = totals.get(s.currency, Decimal(0)) + s.amount
        return totals

    def quantity_in(self, currency: str) -> int:
        """The pieces of the styles quoted in ``currency``."""
        return sum(s.quantity for s in self.styles if s.currency == currency)


#: the Incoterms 2020 rules, by code
INCOTERMS: dict[str, str] = {
    "EXW": "Ex Works",
    "FCA": "Free Carrier",
    "CPT": "Carriage Paid To",
    "CIP": "Carriage and Insurance Paid To",
    "DAP": "Delivered at Place",
    "DPU": "Delivered at Place Unloaded",
    "DDP": "Delivered Duty Paid",
    "FAS": "Free Alongside Ship",
    "FOB": "Free On Board",
    "CFR": "Cost and Freight",
    "CIF": "Cost, Insurance and Freight",
}


def price_term(incoterm: str, named_place: str) -> str:
    """The first term: the rule and its named place, as a buyer's contract states it
    ("FOB Tuticorin (Incoterms 2020)"); with no place named it says the place is to agree."""
    place = named_place.strip() or "named place to be agreed"
    return (
        f"Prices are {incoterm} {place} (Incoterms 2020) per piece in the currency "
        "shown; per dozen = 12 pieces."
    )


def terms_for(incoterm: str = "FOB", named_place: str = "") -> tuple[str, ...]:
    """The proposal's terms, the price term first."""
    return (price_term(incoterm, named_place), *DEFAULT_TERMS[1:])


DEFAULT_TERMS: tuple[str, ...] = (
    "Prices are FOB per piece in the currency shown; per dozen = 12 pieces.",
    "Firm quotes hold until the date shown with each; estimates are indicative until quoted.",
    "Lead times run from the order date and assume fabric and trims approved on order.",
    "Footprints are cradle-to-gate estimates from published factors; sources on request.",
)
