"""Reading values the way ERP exports and spreadsheets write them.

SAP writes ``1.234,56`` (German user format) and puts the minus sign last (``0,120-``);
spreadsheets write ``1,234.56``; Indian ledgers ``12,34,567.50``; Swiss ones ``1'234.5``.
Dates come as ``DD.MM.YYYY`` or ISO. Material numbers keep their leading zeros: they are
text, never numbers.

The decimal mark is decided from evidence, never from how many digits follow it. A number
tells its mark when only one reading is well formed: ``0,180`` (no thousands group starts with
a zero), ``2,5``, ``1.234,5``, ``1.234.567``. ``1,234`` alone does not: it is 1.234 in a
German export (where weights carry three decimals all the time) and 1234 in an English one.
Such a number is read by the mark its column's other numbers tell, else the file's, else the
one the admin gives; failing all three it is rejected as ambiguous, never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, Literal, cast

import numpy as np

from workbench.errors import WorkbenchError

Mark = Literal[",", "."]
MARKS: tuple[Mark, Mark] = (",", ".")
MARK_NAMES = {",": "a comma", ".": "a point"}

#: what `evidence` says of a number: the decimal mark it can only be read with, that it has
#: none to tell (``180``, ``1 234``), or that it reads both ways (``1,234``)
NONE = "none"
EITHER = "either"

_BODY = re.compile(r"^[\d.,' ]*\d[\d.,' ]*$")
#: thousands groups: western (1,234,567) or Indian (12,34,567), after a head without a zero
_GROUPS = {
    m: re.compile(rf"^[1-9]\d{{0,2}}(\{m}\d{{3}})+$|^[1-9]\d?(\{m}\d{{2}})+\{m}\d{{3}}$")
    for m in MARKS
}
_SPACED = re.compile(r"^[1-9]\d{0,2}([ ']\d{3})+$|^\d+$")


class NumberError(WorkbenchError, ValueError):
    """A cell is not a number this column can take; the message is the rule, in words."""


class AmbiguousNumber(NumberError):
    """A number that reads two ways and nothing in its file says which."""

    def __init__(self, text: str, why: str = "") -> None:
        negative, body = _split(text)
        as_comma, as_point = (-_digits(body, m) if negative else _digits(body, m) for m in MARKS)
        why = why or (
            "and no other number in the file says which mark it uses (give the "
            "file's decimal mark: --decimal-mark, or decimal_mark in the mapping)"
        )
        super().__init__(
            f"ambiguous: {text!r} is {as_comma} with a comma for the decimal "
            f"mark or {as_point} with a point, {why}"
        )


def _other(mark: Mark) -> Mark:
    return "." if mark == "," else ","


def _split(text: str) -> tuple[bool, str]:
    """(negative, the digits and marks): a minus first or, as SAP writes it, last."""
    raw = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    negative = False
    if raw.endswith("-"):
        negative, raw = True, raw[:-1].rstrip()
    if raw[:1] in ("-", "+"):
        if negative and raw[0] == "-":
            raise NumberError(f"{text!r} is not a number (a minus at both ends)")
        negative, raw = negative or raw[0] == "-", raw[1:].lstrip()
    if not _BODY.match(raw):
        raise NumberError(f"{text!r} is not a number")
    return negative, raw


def evidence(body: str) -> str:
    """The decimal mark ``body`` (unsigned) can only be read with, `NONE` or `EITHER`.

    Raises `NumberError` when no reading is well formed (``1.23.4``, ``1,2,3``).
    """
    commas, points = body.count(","), body.count(".")
    if not commas and not points:
        if not _SPACED.match(body):
            raise NumberError(f"{body!r} is not a number")
        return NONE
    if commas and points:
        mark: Mark = "," if body.rfind(",") > body.rfind(".") else "."
        whole, _, fraction = body.rpartition(mark)
        if body.count(mark) > 1 or not fraction.isdigit() or not _GROUPS[_other(mark)].match(whole):
            raise NumberError(f"{body!r} is not a number")
        return mark
    mark = "," if commas else "."
    if commas + points > 1:  # 1.234.567: the mark groups thousands, so the other is decimal
        if not _GROUPS[mark].match(body):
            raise NumberError(f"{body!r} is not a number")
        return _other(mark)
    whole, _, fraction = body.partition(mark)
    if not fraction.isdigit() or not _SPACED.match(whole or "0"):
        raise NumberError(f"{body!r} is not a number")
    if len(fraction) != 3 or not whole or whole[0] == "0" or not whole.isdigit() or len(whole) > 3:
        return mark  # 2,5 · 0,180 · ,5 · 1234,567 · 1 234,567: only a decimal mark fits
    return EITHER


def _digits(body: str, mark: Mark) -> Decimal:
    """``body`` read with ``mark`` for the decimal mark (grouping marks dropped)."""
    text = body.replace(" ", "").replace("'", "").replace(_other(mark), "").replace(mark, ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise NumberError(f"{body!r} is not a number") from None


def parse_decimal(text: str, mark: Mark | None = None, *, strict: bool = False) -> Decimal:
    """``1.234,56`` · ``1,234.56`` · ``0,120-`` · ``-12.5`` · ``1 234,5`` → Decimal.

    ``mark`` is the decimal mark of the file (given, or told by its other numbers); it reads
    the numbers that read both ways. With ``strict`` (a mark the admin gave), a number that
    can only be read with the other mark is refused; otherwise such a number is read the only
    way it can be. Raises `AmbiguousNumber` for a number that reads both ways and no ``mark``.
    """
    negative, body = _split(text)
    told = evidence(body)
    if told == EITHER:
        if mark is None:
            raise AmbiguousNumber(text)
        told = mark
    elif told != NONE and strict and mark is not None and told != mark:
        raise NumberError(
            f"{text!r} is written with {MARK_NAMES[told]} for the decimal mark, "
            f"but this file's numbers have {MARK_NAMES[mark]}"
        )
    value = _digits(body, cast(Mark, told) if told != NONE else ".")
    return -value if negative else value


def parse_int(text: str, mark: Mark | None = None, *, strict: bool = False) -> int:
    """Like `parse_decimal`, for a whole number: ``12.000`` is twelve with SAP's three
    decimals in an English export and twelve thousand in a German one, so it too needs the
    file's mark."""
    value = parse_decimal(text, mark, strict=strict)
    if value != value.to_integral_value():
        raise NumberError(f"{text!r} is not a whole number")
    return int(value)


#: distinct numbers written plainly with one mark (``12.5``, ``0,180``), one to a line: their
#: evidence needs no parsing (`plain_evidence`)
_PLAIN = {m: re.compile(rf"(?:[0-9]*\{m}[0-9]+\n)*[0-9]*\{m}[0-9]+") for m in MARKS}
#: the first of those lines that tells its mark: any but ``1,234`` (one to three digits, not
#: starting with a zero, then three)
_TELLS = {m: re.compile(rf"(?m)^(?![1-9][0-9]{{0,2}}\{m}[0-9]{{3}}$).+$") for m in MARKS}


def plain_evidence(texts: Sequence[str]) -> dict[Mark, str] | None:
    """What `tally` says of ``texts`` when each is digits with one mark of the same kind in
    it, decided over all of them at once; None when they are not all written so."""
    joined = "\n".join(texts)
    for mark in MARKS:
        if _PLAIN[mark].fullmatch(joined):
            first = _TELLS[mark].search(joined)
            return {mark: first.group()} if first else {}
    return None


def tally(texts: Sequence[str] | np.ndarray) -> dict[Mark, str]:
    """The marks a column's numbers tell: mark -> the first number that told it (unreadable
    cells tell nothing; they are reported when read)."""
    if len(texts) > 64:
        import pandas as pd  # each distinct text once, in the file's order, hashed in bulk

        distinct: Any = pd.unique(np.asarray(texts, dtype=object))
    else:
        distinct = list(dict.fromkeys(texts))
    # a spreadsheet's typed numbers say nothing of how its text is written, nor do digits
    marked = [t for t in distinct if type(t) is str and t and not t.isdigit()]
    plain = plain_evidence(marked) if marked else {}
    if plain is not None:
        return plain
    told: dict[Mark, str] = {}
    for text in marked:
        try:
            found = evidence(_split(text.rstrip("%").rstrip())[1])
        except NumberError:
            continue
        if found in MARKS:
            told.setdefault(found, text)
            if len(told) == 2:
                break
    return told


def decide_mark(column: dict[Mark, str], file: dict[Mark, str]) -> tuple[Mark | None, str]:
    """The mark a column's ambiguous numbers are read with, and why none when there is none:
    the column's own numbers decide, else the file's other numeric columns."""
    if len(column) == 2:
        return None, (
            f"and this column writes numbers both ways ({column[',']!r} and {column['.']!r})"
        )
    if len(column) == 1:
        return next(iter(column)), ""
    if len(file) == 1:
        return next(iter(file)), ""
    if len(file) == 2:
        return None, (
            f"and this file's numbers are written both ways ({file[',']!r} and {file['.']!r})"
        )
    return None, ""


def read_column(texts: Sequence[str], given: Mark | None = None) -> list[Decimal | NumberError]:
    """Every number of one column, each a Decimal or the reason it cannot be read (empty cells
    are not numbers: callers skip them). ``given`` is the admin's mark for the file."""
    mark: Mark | None
    if given is not None:
        mark, why = given, ""
    else:
        mark, why = decide_mark(tally(texts), {})
    found: list[Decimal | NumberError] = []
    for text in texts:
        try:
            found.append(parse_decimal(text, mark, strict=given is not None))
        except AmbiguousNumber:
            found.append(AmbiguousNumber(text, why))
        except NumberError as exc:
            found.append(exc)
    return found


def parse_date(text: str) -> date:
    """``24.11.2026`` · ``2026-11-24`` · ``24/11/2026`` → date (day first, as in SAP)."""
    raw = text.strip()
    for pattern in ("%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y%m%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a date (use DD.MM.YYYY or YYYY-MM-DD)")
