"""Reading a number someone typed, in their locale, without guessing.

A `NumberFormat` is the locale's decimal mark and grouping separator (the desktop takes them
from the system locale). `read_number` accepts what that locale writes (``1,200.5`` in
English, ``1.200,5`` in German), and has one explicit rule for the *other* mark (a comma in
English, a full stop in German): written once and followed by anything but exactly three
digits, it is a decimal mark (``12,5`` is 12.5 everywhere), because it cannot be grouping.
Followed by exactly three digits it could be either (``1,200``: twelve hundred, or 1.2), and
that is refused with both readings named rather than guessed, unless the field only takes
whole numbers. Exponents, several decimal marks and grouping in the wrong places are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from workbench.errors import WorkbenchError


class NumberError(WorkbenchError, ValueError):
    """The text is not a number in this locale, or could be more than one; the message says
    which in the user's words."""


@dataclass(frozen=True)
class NumberFormat:
    """A locale's decimal mark ("." or ",") and grouping separator ("," "." "'" or a space)."""

    decimal: str = "."
    group: str = ","

    @property
    def other(self) -> str:
        """The mark this locale does not use for decimals: "," or "."."""
        return "," if self.decimal == "." else "."

    def write(self, value: Decimal) -> str:
        """``value`` in this locale's decimal mark, without grouping (as a field shows it)."""
        text = f"{value:f}"
        return text.replace(".", self.decimal) if self.decimal != "." else text


ENGLISH = NumberFormat(".", ",")

_SPACES = " \u00a0\u202f\u2009"
_MINUS = "-\u2212"
# digits, then optionally marks each followed by digits; a leading mark (".5") is allowed
_SHAPE = re.compile(r"^\d*(?:[.,]\d+)*$")


def _grouped(parts: list[str]) -> bool:
    """Whether ``parts`` (split on a grouping mark) are groups: the first 1 to 3 digits, the
    last three, those between two or three (Indian lakh grouping writes 1,00,000)."""
    first, *middle, last = parts
    return 1 <= len(first) <= 3 and len(last) == 3 and all(len(p) in (2, 3) for p in middle)


def read_number(text: str, fmt: NumberFormat = ENGLISH, *, whole: bool = False) -> Decimal:
    """``text`` as a Decimal under ``fmt``; NumberError says why it is not one. ``whole``: the
    field takes whole numbers only, so a mark before three digits can only be grouping."""
    raw = text.strip()
    body = raw
    for space in _SPACES:
        body = body.replace(space, "")
    if fmt.group not in ".,":
        body = body.replace(fmt.group, "")
    if not body:
        raise NumberError("type a number")
    sign = ""
    if body[0] in _MINUS + "+":
        sign, body = ("-" if body[0] in _MINUS else ""), body[1:]
    if not body or not _SHAPE.match(body) or not any(c.isdigit() for c in body):
        raise NumberError(f"{raw!r} is not a number")
    value = _digits(raw, body, fmt, whole)
    try:
        number = Decimal(sign + value)
    except InvalidOperation:
        raise NumberError(f"{raw!r} is not a number") from None
    if whole and number != number.to_integral_value():
        raise NumberError(f"{raw!r}: type a whole number")
    return number


def _digits(raw: str, body: str, fmt: NumberFormat, whole: bool) -> str:
    """``body`` (no sign, no spaces) as plain digits with "." for the decimal mark."""
    dec, other = fmt.decimal, fmt.other
    group_is_other = fmt.group == other
    n_dec, n_other = body.count(dec), body.count(other)
    if n_dec and n_other:  # both marks: the locale's grouping, then its decimal mark
        whole_part, _, fraction = body.rpartition(dec)
        if (
            n_dec > 1
            or other in fraction
            or not group_is_other
            or not _grouped(whole_part.split(other))
        ):
            raise NumberError(f"{raw!r} is not a number here: the decimal mark is {dec!r}")
        return whole_part.replace(other, "") + "." + fraction
    if n_dec:
        if n_dec == 1:
            return body.replace(dec, ".")
        raise NumberError(f"{raw!r} has more than one decimal mark ({dec!r})")
    if n_other:
        parts = body.split(other)
        if n_other > 1:
            if group_is_other and _grouped(parts):
                return "".join(parts)
            raise NumberError(f"{raw!r} is not a number here: {other!r} in the wrong places")
        if len(parts[1]) == 3 and parts[0] and len(parts[0]) <= 3:
            grouped = "".join(parts)
            if whole:
                return grouped
            as_decimal = parts[0] + dec + parts[1]
            raise NumberError(
                f"{raw!r} could be {int(grouped)} or {as_decimal.rstrip('0')}: "
                f"type {int(grouped)} or {as_decimal.rstrip('0')}"
            )
        return parts[0] + "." + parts[1]  # the explicit rule: the other mark as decimal
    return body
