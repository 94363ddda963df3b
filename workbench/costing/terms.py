"""FOB, CIF and landed prices: what the same piece costs the buyer at the port of loading, at
the port of destination, and in their warehouse.

    FOB     = the price per piece (goods loaded on the vessel: the engine's quote)
    CIF     = FOB + freight + insurance,  insurance = (FOB + freight) × insurance rate
    landed  = CIF + duty + local freight, duty = CIF × duty rate

Duty is charged on the CIF value because customs in the EU, the UK and India value imports
that way; freight and insurance are per piece in the price's currency, as forwarders quote
them per carton and merchandisers spread them over its pieces.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workbench.costing.errors import CostingError
from workbench.costing.money import ZERO


@dataclass(frozen=True)
class Shipping:
    """Per-piece freight to the destination port, the insurance rate (0.005 = 0.5 %), the
    destination's duty rate (0.12 = 12 %) and local freight from port to warehouse."""

    freight: Decimal = ZERO
    insurance_rate: Decimal = ZERO
    duty_rate: Decimal = ZERO
    local_freight: Decimal = ZERO

    def __post_init__(self) -> None:
        for name in ("freight", "insurance_rate", "duty_rate", "local_freight"):
            if getattr(self, name) < 0:
                raise CostingError(f"shipping {name.replace('_', ' ')} cannot be negative")


@dataclass(frozen=True)
class Terms:
    fob: Decimal
    freight: Decimal
    insurance: Decimal
    cif: Decimal
    duty: Decimal
    local_freight: Decimal
    landed: Decimal


def delivery_terms(fob: Decimal, shipping: Shipping) -> Terms:
    insurance = (fob + shipping.freight) * shipping.insurance_rate
    cif = fob + shipping.freight + insurance
    duty = cif * shipping.duty_rate
    landed = cif + duty + shipping.local_freight
    return Terms(fob, shipping.freight, insurance, cif, duty, shipping.local_freight, landed)
