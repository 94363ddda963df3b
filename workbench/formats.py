"""Dates and numbers in a named locale, without Qt: what a buyer's PDF (a proposal, an ESG
sheet) is written in, since the core makes those documents and a server or a headless command
has no desktop locale to ask.

The rules are the desk's (`ui/formats.py`), so a proposal reads as the cost sheet it came
from: a date is the locale's short date with a four-digit year (07.12.2026 in Germany,
12/7/2026 in the United States, 07/12/2026 in Britain), a number has the locale's decimal mark
and grouping, money is the amount with its ISO currency code after it ("1.234,50 EUR"). The
bare "C" locale (or none) writes dates as ISO (2026-12-07) and numbers grouped as in English.
Both read the same CLDR data: Qt's on the desk, Babel's here (tests/test_document_locale.py
holds the two to the same text).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as babel_date
from babel.dates import get_date_format
from babel.numbers import format_decimal

from workbench.errors import WorkbenchError

#: the locale whose number marks stand in for "C" (English grouping, a full stop for decimals)
PLAIN_NUMBERS = "en_US"


class LocaleError(WorkbenchError, ValueError):
    """The name is not a locale the formatting data knows."""


def locale_problem(name: str) -> str | None:
    """What is wrong with ``name`` as a document locale (None: "" or a known locale)."""
    text = name.strip()
    if not text or text == "C":
        return None
    try:
        Locale.parse(text.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return f"{text!r} is not a locale (such as en_GB, en_US or de_DE)"
    return None


def locale_label(name: str) -> str:
    """The locale's own name for itself and its country ("Deutsch (Deutschland)")."""
    if locale_problem(name) or not name.strip() or name.strip() == "C":
        return name
    return Locale.parse(name.strip().replace("-", "_")).get_display_name() or name


@functools.cache
def _date_pattern(name: str) -> str:
    short = get_date_format("short", locale=name).pattern
    return re.sub(r"(?<!y)yy(?!y)", "yyyy", short)


@functools.cache
def _number_pattern(name: str, places: int) -> str:
    pattern = Locale.parse(name).decimal_formats[None].pattern.split(";")[0]
    whole = re.sub(r"\.[#0]*", "", pattern)
    return f"{whole}.{'0' * places}" if places > 0 else whole


@dataclass(frozen=True)
class DocumentFormat:
    """How one document writes dates and numbers: ``locale`` as "de_DE" (or "de-DE"), "" or
    "C" for ISO dates and English numbers."""

    locale: str = ""

    @property
    def _name(self) -> str:
        return self.locale.strip().replace("-", "_")

    @property
    def plain(self) -> bool:
        return self._name in ("", "C")

    def date(self, value: date | datetime | None) -> str:
        """``value`` as the locale's short date with a four-digit year; "" for none."""
        if value is None:
            return ""
        day = value.date() if isinstance(value, datetime) else value
        if self.plain:
            return day.isoformat()
        return babel_date(day, _date_pattern(self._name), locale=self._name)

    def number(self, value: float | int | Decimal, places: int = 2) -> str:
        """``value`` with ``places`` decimals, the locale's decimal mark and grouping."""
        number = Decimal(value) if not isinstance(value, Decimal) else value
        if isinstance(value, float) and math.isnan(value):
            return ""
        rounded = round(number, places)
        if rounded == 0:
            rounded = abs(rounded)  # never "-0.00"
        name = PLAIN_NUMBERS if self.plain else self._name
        return format_decimal(rounded, _number_pattern(name, places), locale=name)

    def exact(self, value: Decimal) -> str:
        """``value`` with as many decimals as it holds (a published factor: 0.0253), in the
        locale's marks."""
        exponent = value.normalize().as_tuple().exponent
        return self.number(value, max(0, -exponent) if isinstance(exponent, int) else 0)

    def significant(self, value: float | int | Decimal, digits: int = 3) -> str:
        """``value`` to ``digits`` significant figures, never fewer decimals than a small
        figure needs (a footprint of 0.00608 kg is "0.00608", never "0.01" or "0.00"), and
        no decimals once the whole part holds them (1,584 L)."""
        number = Decimal(value) if not isinstance(value, Decimal) else value
        if number == 0 or not number.is_finite():
            return self.number(number, 0) if number == 0 else ""
        magnitude = number.copy_abs().adjusted()  # the power of ten of the first digit
        return self.number(number, max(0, digits - 1 - magnitude))

    def integer(self, value: float | int | Decimal) -> str:
        return self.number(value, 0)

    def money(self, value: float | int | Decimal, currency: str = "", places: int = 2) -> str:
        """An amount with its ISO currency code after it: "1.234,50 EUR"."""
        text = self.number(value, places)
        return f"{text} {currency}" if text and currency else text

    def dates_in(self, text: str) -> str:
        """``text`` (a quote's basis: "… valid until 2026-12-24") with each ISO date written
        in this locale."""

        def local(match: re.Match[str]) -> str:
            try:
                return self.date(date(*(int(part) for part in match.groups())))
            except ValueError:
                return match.group()

        return _ISO_DAY.sub(local, text)


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def document_format(locale: str) -> DocumentFormat:
    """The format for ``locale``; LocaleError if the formatting data does not know it."""
    problem = locale_problem(locale)
    if problem:
        raise LocaleError(problem)
    return DocumentFormat(locale)
