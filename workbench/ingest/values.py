"""Reading values the way ERP exports and spreadsheets write them.

SAP writes ``1.234,56`` (German locale) and puts the minus sign last (``123-``); spreadsheets
write ``1,234.56``; dates come as ``DD.MM.YYYY`` or ISO. Material numbers keep their leading
zeros: they are text, never numbers. Every parser raises ``ValueError`` with the user's words.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

_DIGITS = re.compile(r"^[+-]?[\d.,\s']+-?$")


def parse_decimal(text: str, decimal_comma: bool | None = None) -> Decimal:
    """``1.234,56`` · ``1,234.56`` · ``123-`` · ``-12.5`` · ``1 234,5`` → Decimal.

    ``decimal_comma`` says what a lone comma means when the file's convention is known (SAP's
    German format: True); None guesses from the digits.
    """
    raw = text.strip().replace("\u00a0", " ")
    if not raw or not _DIGITS.match(raw):
        raise ValueError(f"{text!r} is not a number")
    negative = raw.endswith("-") or raw.startswith("-")
    raw = raw.strip("+-").replace(" ", "").replace("'", "")
    if decimal_comma is True:
        raw = raw.replace(".", "").replace(",", ".")
    elif decimal_comma is False:
        raw = raw.replace(",", "")
    elif "," in raw and "." in raw:
        # the separator that comes last is the decimal one
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")
        else:
            raw = raw.replace(",", "")
    elif "," in raw:
        head, _, tail = raw.rpartition(",")
        # one comma with exactly three digits after it and digits before: a thousands mark
        if raw.count(",") == 1 and len(tail) == 3 and head.isdigit() and len(head) <= 3:
            raw = head + tail
        else:
            raw = raw.replace(",", ".") if raw.count(",") == 1 else raw.replace(",", "")
    elif raw.count(".") > 1:
        raw = raw.replace(".", "")  # 1.234.567 (German thousands)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a number") from None
    return -value if negative else value


_THOUSANDS_DOTS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+-?$")


def parse_int(text: str, decimal_comma: bool | None = None) -> int:
    """Like `parse_decimal`, but where the convention is unknown ``12.000`` in a whole-number
    column is twelve thousand: a count has no fraction, so dots before three digits group."""
    if decimal_comma is None and _THOUSANDS_DOTS.match(text.strip()):
        decimal_comma = True
    value = parse_decimal(text, decimal_comma)
    if value != value.to_integral_value():
        raise ValueError(f"{text!r} is not a whole number")
    return int(value)


def parse_date(text: str) -> date:
    """``24.11.2026`` · ``2026-11-24`` · ``24/11/2026`` → date (day first, as in SAP)."""
    raw = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use DD.MM.YYYY or YYYY-MM-DD)")
