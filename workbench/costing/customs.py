"""Which value a destination's customs charge duty on: FOB (the transaction value without
international freight and insurance) or CIF (with them, to the border).

Why reference data and not one rule: the WTO Customs Valuation Agreement (Art. 8.2) leaves it
to each member, and the two camps differ by the freight and insurance times the duty rate on
every piece (the United States, Canada and Australia on FOB; the EU, the UK and India on CIF).
The table is ``resources/costing/customs_valuation.json``, keyed by the brand's ISO country
code, each entry with the provision it follows, so the sheet can say why its duty is what it
is and a reviewer can check it. A destination not on file is refused by name rather than
guessed.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from typing import Literal

from workbench.costing.errors import CostingError
from workbench.paths import resources_dir

ValuationBasis = Literal["FOB", "CIF"]


@dataclass(frozen=True)
class CustomsValuation:
    """A destination's valuation basis for duty and the law that sets it."""

    country: str
    market: str
    name: str
    basis: ValuationBasis
    source: str


@functools.cache
def _table() -> dict[str, CustomsValuation]:
    data = json.loads((resources_dir() / "costing" / "customs_valuation.json").read_text("utf-8"))
    markets = data["markets"]
    members: dict[str, str] = {c: m for m, codes in data.get("members", {}).items() for c in codes}
    table = {}
    for country in {*markets, *members}:
        market = members.get(country, country)
        spec = markets[market]
        if spec["basis"] not in ("FOB", "CIF"):
            raise CostingError(
                f"customs valuation of {market}: basis must be FOB or CIF, not {spec['basis']!r}"
            )
        table[country] = CustomsValuation(
            country, market, spec["name"], spec["basis"], spec["source"]
        )
    return table


def customs_valuation(country: str) -> CustomsValuation:
    """The valuation basis of the destination ``country`` (ISO 3166 alpha-2, as brands hold
    it); a `CostingError` naming the country when it is not on file."""
    code = country.strip().upper()
    found = _table().get(code)
    if found is None:
        known = ", ".join(sorted(_table()))
        raise CostingError(
            f"no customs valuation basis on file for destination {country!r} "
            f"(known: {known}); add it to resources/costing/"
            f"customs_valuation.json with its source"
        )
    return found
