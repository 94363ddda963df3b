"""Dates and numbers written one way everywhere, from the user's locale (the locale Qt was
given: the system's, or a test's ``QLocale.setDefault``).

A date is the locale's short date with a four-digit year (07/12/2026 in Britain, 12/7/2026 in
the United States, 07.12.2026 in Germany); a number has the locale's decimal mark and
grouping. The bare "C" locale (a server or a container with no language set) has no grouping
and writes dates as "7 12 2026", so there dates are ISO (2026-12-07) and numbers are grouped
as in English. A date picker takes the same format, so what is typed is read as it is shown.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import QDate, QLocale

ISO_DATE = "yyyy-MM-dd"


def _plain(locale: QLocale) -> bool:
    return locale.language() == QLocale.Language.C


def number_locale() -> QLocale:
    """The locale numbers are written in (English grouping where the locale is "C")."""
    locale = QLocale()
    if _plain(locale):
        return QLocale(QLocale.Language.English, QLocale.Country.UnitedStates)
    return locale


def date_format() -> str:
    """The Qt date format of the user's locale, with a four-digit year (ISO under "C")."""
    locale = QLocale()
    if _plain(locale):
        return ISO_DATE
    short = locale.dateFormat(QLocale.FormatType.ShortFormat)
    return re.sub(r"(?<!y)yy(?!y)", "yyyy", short)


def format_date(value: date | datetime | Any) -> str:
    """``value`` (a date, a datetime or a pandas Timestamp) in `date_format`; "" for none."""
    if value is None:
        return ""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, datetime):
        text = QLocale().toString(QDate(value.year, value.month, value.day), date_format())
        return f"{text} {value:%H:%M}" if (value.hour, value.minute) != (0, 0) else text
    if isinstance(value, date):
        return QLocale().toString(QDate(value.year, value.month, value.day), date_format())
    return str(value)


_ISO_DAY = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def dates_in(text: str) -> str:
    """``text`` from the core (a planner's warning: "… from 2026-12-13") with each ISO date
    written as the app writes dates."""

    def local(match: re.Match[str]) -> str:
        try:
            return format_date(date(*(int(part) for part in match.groups())))
        except ValueError:
            return match.group()

    return _ISO_DAY.sub(local, text)


def format_month(value: date | datetime | Any) -> str:
    """A month as words in the user's language: "December 2026"."""
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    return QLocale().toString(QDate(value.year, value.month, 1), "MMMM yyyy")


def format_number(value: float | int, places: int = 2) -> str:
    """``value`` with ``places`` decimals, the locale's decimal mark and grouping."""
    number = float(value)
    if math.isnan(number):
        return ""
    if round(number, places) == 0:
        number = 0.0  # never "-0.00"
    return number_locale().toString(number, "f", places)


def format_integer(value: float | int) -> str:
    return format_number(value, 0)


def format_money(value: float | int, currency: str = "", places: int = 2) -> str:
    """An amount with its ISO currency code after it: "1,234.50 USD"."""
    text = format_number(value, places)
    return f"{text} {currency}" if text and currency else text


def format_percent(share: float, places: int = 1) -> str:
    """A share (0.25) as a percentage: "25.0 %"."""
    text = format_number(float(share) * 100, places)
    return f"{text} %" if text else text


def sample() -> str:
    """How a date and a number look here, for a settings page to show."""
    return f"{format_date(date(2026, 12, 31))} · {format_number(1234567.5)}"
