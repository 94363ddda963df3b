"""The trade's units of length, converted exactly.

Why exact constants: fabric is sold in widths of 58″, 60″ or 72″ and markers are laid in yards,
and 72″ must be 182.88 cm, not a whole centimetre near it. The inch (25.4 mm) and the yard
(0.9144 m) are exact by the international yard and pound agreement of 1959 (NIST Handbook 44,
Appendix C), so the conversions are exact decimal multiplications.
"""

from __future__ import annotations

from decimal import Decimal

CM_PER_INCH = Decimal("2.54")
M_PER_YARD = Decimal("0.9144")


def inches_to_cm(inches: Decimal) -> Decimal:
    return inches * CM_PER_INCH


def yards_to_m(yards: Decimal) -> Decimal:
    return yards * M_PER_YARD
