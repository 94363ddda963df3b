"""How the cost sheet editor reads the numbers a merchandiser types and writes the amounts it
shows.

Shared by the inputs form, the breakdown and the comparison, so a number typed means the same
in each of them: read in the user's locale (`workbench.numbers`), never guessed.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale

from ui.formats import format_number
from workbench.costing.money import to_cents
from workbench.numbers import NumberFormat


def locale_format() -> NumberFormat:
    """The user's decimal mark and grouping, from the locale Qt was given."""
    locale = QLocale()
    return NumberFormat(locale.decimalPoint() or ".", locale.groupSeparator() or ",")


def write_number(value: Decimal) -> str:
    """``value`` as a field shows it: the locale's decimal mark, no trailing zeros."""
    return locale_format().write(value.normalize() if value else Decimal(0))


def money(value: Decimal, places: int = 2) -> str:
    """``value`` rounded half up, as every amount is shown (`workbench.costing.money`), so
    that a total shown here is the one its lines were allocated to add up to, written with
    the locale's decimal mark and grouping as the fields are typed."""
    return format_number(float(to_cents(value, places)), places)


def money_in(value: Decimal, currency: str, places: int = 2) -> str:
    """``value`` as `money` writes it, with its ISO currency code after it: "1,234.50 USD"."""
    text = money(value, places)
    return f"{text} {currency}" if currency else text
