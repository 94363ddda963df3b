"""FOB, CFR, CIF and landed prices: what the same piece costs the buyer at the port of loading,
at the port of destination, and in their warehouse, with the lines each Incoterm adds.

    FOB        = the price per piece (goods loaded on the vessel: the engine's quote)
    CFR        = FOB + freight
    CIF        = CFR + insurance,  insurance = cover × rate × CIF, so CIF = CFR / (1 − cover × rate)
    commission = FOB × commission rate      (a selling agent's, paid by the buyer: dutiable)
    agent fee  = FOB × buying-agent rate    (the buyer's own agent: never dutiable)
    duty       = customs value × duty rate, customs value = (FOB or CIF) + commission
    landed     = CIF + commission + agent fee + duty + local freight

Why the insurance formula: Incoterms 2020 (ICC Publication 723E), CIF A5, requires cover of at
least the price in the contract plus 10 %, and the contract price of a CIF sale is the CIF
price, premium included; so the premium is charged on 110 % of a value that contains it
(the cover is configurable, for buyers who ask for more). Why the valuation basis: the
destination's customs decide whether duty is charged on FOB or on CIF
(`workbench.costing.customs`). Freight and insurance are per piece in the price's currency,
as forwarders quote them per carton and merchandisers spread them over its pieces.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from workbench.costing.customs import ValuationBasis, customs_valuation
from workbench.costing.errors import CostingError
from workbench.costing.money import ONE, ZERO, to_cents
from workbench.costing.rounding import allocate_cents

#: Incoterms 2020 CIF A5 and CIP A5: "the price provided in the contract plus 10 %"
CIF_COVER = Decimal("1.10")
#: what a cost sheet holds of its delivery: the `Shipping` fields other than the valuation
#: basis, which comes from the brand's country when the sheet is costed
DELIVERY_FIELDS = (
    "freight",
    "insurance_rate",
    "insurance_cover",
    "duty_rate",
    "local_freight",
    "commission_rate",
    "buying_agent_rate",
)


@dataclass(frozen=True, kw_only=True)
class Shipping:
    """Per-piece freight to the destination port, the insurance rate (0.005 = 0.5 %) on
    ``insurance_cover`` times the CIF value, the destination's duty rate (0.12 = 12 %) charged
    on its ``valuation`` basis, local freight from port to warehouse, and the commissions as
    fractions of FOB. ``valuation`` has no default: the wrong basis is a wrong duty."""

    valuation: ValuationBasis
    freight: Decimal = ZERO
    insurance_rate: Decimal = ZERO
    insurance_cover: Decimal = CIF_COVER
    duty_rate: Decimal = ZERO
    local_freight: Decimal = ZERO
    commission_rate: Decimal = ZERO
    buying_agent_rate: Decimal = ZERO
    #: why this basis (the destination's law), shown on the sheet
    valuation_source: str = ""

    def __post_init__(self) -> None:
        if self.valuation not in ("FOB", "CIF"):
            raise CostingError(
                f"customs valuation basis must be FOB or CIF, not {self.valuation!r}"
            )
        for name in (
            "freight",
            "insurance_rate",
            "duty_rate",
            "local_freight",
            "commission_rate",
            "buying_agent_rate",
        ):
            if getattr(self, name) < 0:
                raise CostingError(f"shipping {name.replace('_', ' ')} cannot be negative")
        if self.insurance_cover < ONE:
            raise CostingError(
                f"insurance must cover at least the CIF value, not {self.insurance_cover} × CIF"
            )
        if self.insurance_cover * self.insurance_rate >= ONE:
            raise CostingError(
                f"an insurance rate of {self.insurance_rate} on "
                f"{self.insurance_cover} × CIF costs more than the goods"
            )

    @classmethod
    def for_country(cls, country: str, **values: Decimal) -> Shipping:
        """Shipping to ``country`` (ISO code), valued for duty as its customs value imports."""
        found = customs_valuation(country)
        return cls(valuation=found.basis, valuation_source=found.source, **values)


@dataclass(frozen=True)
class Incoterm:
    """One rung of the ladder: the lines the buyer pays at that point, shown to the cent and
    adding up to ``total`` (its price rounded half up); ``rounding`` is what allocating the
    rounding difference moved (0: plain rounding already added up)."""

    incoterm: str
    lines: tuple[tuple[str, Decimal], ...]
    total: Decimal
    rounding: Decimal
    #: the lines this rung added that are shown a cent off their own rounding, and by how much
    moved: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Terms:
    """One piece's prices and charges from FOB to the buyer's warehouse, in full precision
    (see the module docstring for each formula); `incoterms` gives them as shown."""

    fob: Decimal
    freight: Decimal
    insurance: Decimal
    cif: Decimal
    commission: Decimal
    buying_agent: Decimal
    valuation: ValuationBasis
    customs_value: Decimal
    duty: Decimal
    local_freight: Decimal
    landed: Decimal
    #: why duty is charged on ``valuation`` (the destination's law), when known
    valuation_source: str = ""

    def incoterms(self) -> tuple[Incoterm, ...]:
        """FOB, CFR, CIF and landed (the buyer's warehouse), each with its lines shown to the
        cent so that they add up to its price shown.

        Each rung keeps the lines already shown on the rung below and allocates only its own
        new lines (largest remainder) to reach its own total, so FOB, CFR, CIF and landed are
        each their exact price rounded half up, and no shown line changes between rungs.
        """
        rungs = (
            ("FOB", (("FOB price", self.fob),)),
            ("CFR", (("Freight", self.freight),)),
            ("CIF", (("Insurance", self.insurance),)),
            (
                "Landed",
                tuple(
                    (name, amount)
                    for name, amount in (
                        ("Commission", self.commission),
                        ("Buying agent", self.buying_agent),
                        ("Duty", self.duty),
                        ("Local freight", self.local_freight),
                    )
                    if amount
                ),
            ),
        )
        shown: list[tuple[str, Decimal]] = []
        running, ladder = ZERO, []
        for incoterm, new in rungs:
            running += sum((amount for _, amount in new), ZERO)
            total = to_cents(running)
            before = sum((amount for _, amount in shown), ZERO)
            cents, moved = allocate_cents([a for _, a in new], total - before)
            shown.extend((name, c) for (name, _), c in zip(new, cents, strict=True))
            off = tuple(
                (name, c - to_cents(a))
                for (name, a), c in zip(new, cents, strict=True)
                if c != to_cents(a)
            )
            ladder.append(Incoterm(incoterm, tuple(shown), total, moved, off))
        return tuple(ladder)


def delivery_terms(fob: Decimal, shipping: Shipping) -> Terms:
    cfr = fob + shipping.freight
    cif = cfr / (ONE - shipping.insurance_cover * shipping.insurance_rate)
    insurance = cif - cfr
    commission = fob * shipping.commission_rate
    agent = fob * shipping.buying_agent_rate
    customs_value = (fob if shipping.valuation == "FOB" else cif) + commission
    duty = customs_value * shipping.duty_rate
    landed = cif + commission + agent + duty + shipping.local_freight
    return Terms(
        fob,
        shipping.freight,
        insurance,
        cif,
        commission,
        agent,
        shipping.valuation,
        customs_value,
        duty,
        shipping.local_freight,
        landed,
        shipping.valuation_source,
    )


def landed_terms(fob: Decimal, country: str, delivery: Mapping[str, Decimal]) -> Terms:
    """A sheet's delivery (`DELIVERY_FIELDS`) to the brand's ``country``, from its FOB price:
    the valuation basis is the country's, looked up now; a country with none on file is a
    `CostingError` naming it."""
    unknown = set(delivery) - set(DELIVERY_FIELDS)
    if unknown:
        raise CostingError(f"not a delivery term: {', '.join(sorted(unknown))}")
    if not country.strip():
        raise CostingError("the brand has no country: its customs valuation basis is unknown")
    return delivery_terms(fob, Shipping.for_country(country, **delivery))
