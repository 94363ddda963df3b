"""Reading one cell by its field's rule: text no longer than allowed, a choice among its
spellings, a date, or a number read with its column's decimal mark and held to its bounds.

A column's decimal mark is decided once for the column (`decide_marks`), from the admin, the
mapping or the file's own numbers, never from the number of digits after a mark.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from workbench.ingest.mapping import FieldRule, Mapping, choice_spellings, norm
from workbench.ingest.readers import TypedNumber
from workbench.ingest.values import (
    AmbiguousNumber,
    Mark,
    NumberError,
    decide_mark,
    parse_date,
    parse_decimal,
    parse_int,
    tally,
)


@dataclass(frozen=True)
class ColumnMark:
    """How one numeric column's numbers are read: the decimal mark for those that read both
    ways (None: they are rejected as ambiguous, for ``why``), and whether the admin gave it
    (then a number written with the other mark is refused)."""

    mark: Mark | None
    why: str = ""
    given: bool = False


_NUMERIC = ("int", "decimal", "fraction")


def decide_marks(
    columns: dict[str, Sequence[str] | np.ndarray], mapping: Mapping, given: Mark | None = None
) -> dict[str, ColumnMark]:
    """Each numeric column's decimal mark: the admin's (``given``, else the mapping's), else
    what the column's own numbers tell, else what the file's other numbers tell (one file
    keeps one convention). Never the number of digits after a mark."""
    given = given or mapping.decimal_mark
    numeric = [r.name for r in mapping.fields if r.type in _NUMERIC]
    if given is not None:
        return {name: ColumnMark(given, given=True) for name in numeric}
    told = {name: tally(texts) for name, texts in columns.items() if name in numeric}
    in_file: dict[Mark, str] = {}
    for marks in told.values():
        for mark, text in marks.items():
            in_file.setdefault(mark, text)
    return {name: ColumnMark(*decide_mark(told.get(name, {}), in_file)) for name in numeric}


def converter(rule: FieldRule, column: ColumnMark | None) -> Callable[[str], Any]:
    """Reads one non-empty cell of ``rule``'s column; raises ValueError with the rule broken."""
    if rule.type in ("text", "reference"):
        longest = rule.max_length

        def text(value: str) -> str:
            if longest and len(value) > longest:
                raise ValueError(f"longer than {longest} characters")
            return str(value)

        return text
    if rule.type == "choice":
        spellings = choice_spellings(tuple(rule.choices.items()))
        refused = {norm(k): v for k, v in rule.refused.items()}
        deferred = rule.by_field.when if rule.by_field else frozenset()

        def choice(value: str) -> Any:
            key = norm(value)
            if key in deferred:
                return Deferred(value)
            if key in refused:
                raise ValueError(f"not imported: {refused[key]}")
            found = spellings.get(key)
            if found is None:
                raise ValueError(f"not one of {', '.join(rule.choices)}")
            return found

        return choice
    if rule.type == "date":
        return lambda value: parse_date(value).isoformat()
    assert column is not None
    mark, strict = column.mark, column.given

    def number(value: str) -> Any:
        found: Decimal | int
        try:
            if type(value) is TypedNumber:  # a spreadsheet's number: no mark to decide
                typed = Decimal(value)
                if rule.type == "int" and typed != typed.to_integral_value():
                    raise NumberError(f"{value!r} is not a whole number")
                found = typed
            elif rule.type == "fraction":
                found = _fraction(value, mark, strict)
            elif rule.type == "int":
                found = parse_int(value, mark, strict=strict)
            else:
                found = parse_decimal(value, mark, strict=strict)
        except AmbiguousNumber:
            raise AmbiguousNumber(value, column.why) from None
        if rule.type == "fraction" and type(value) is TypedNumber and abs(Decimal(found)) > 1:
            raise ValueError(
                f"write a share as a fraction or a percentage ({found / 100} or {found}%)"
            )
        if rule.minimum is not None and found < rule.minimum:
            if found < 0 <= rule.minimum:
                raise ValueError("negative: this column takes no numbers below zero")
            raise ValueError(f"below the minimum of {rule.minimum}")
        if rule.maximum is not None and found > rule.maximum:
            raise ValueError(f"above the maximum of {rule.maximum}")
        return int(found) if rule.type == "int" else found

    return number


@dataclass(frozen=True)
class Deferred:
    """A choice another field decides (an SAP material type whose kind its group tells)."""

    text: str


def _fraction(text: str, mark: Mark | None, strict: bool) -> Decimal:
    """``28%`` or ``0.28`` -> 0.28; a bare ``28`` is refused rather than read as 2,800 %."""
    if text.rstrip().endswith("%"):
        return parse_decimal(text.rstrip()[:-1], mark, strict=strict) / 100
    value = parse_decimal(text, mark, strict=strict)
    if abs(value) > 1:
        raise ValueError(f"write a share as a fraction or a percentage ({value / 100} or {value}%)")
    return value


@dataclass(frozen=True)
class Broken:
    """A cell read against its rule and found to break it: the ``message`` its problem says."""

    message: str
