"""Reading a whole column of a file: each distinct text once (a material list repeats its
types, units, groups and widths thousands of times, so a 200,000-row file costs about what its
distinct values cost), and a column of many plainly written numbers read in bulk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.ingest.cells import Broken, ColumnMark, Deferred, converter
from workbench.ingest.mapping import FieldRule
from workbench.ingest.problems import Problem, RowProblems
from workbench.ingest.readers import TypedNumber


def is_none(values: np.ndarray) -> Any:
    """Where an object column holds None, element by element (numpy compares with None so;
    its type stubs do not say it)."""
    return np.equal(values, None)  # type: ignore[call-overload]


def is_set(values: np.ndarray) -> Any:
    """Where an object column holds a value (not None), element by element."""
    return np.not_equal(values, None)  # type: ignore[call-overload]


#: above this many distinct numbers in a column, plainly written ones are read in bulk
_FEW = 64
#: plainly written numbers, one to a line: digits (no leading zero) and one decimal mark
_PLAIN_NUMBERS = {
    m: re.compile(
        rf"(?:(?:0|[1-9][0-9]*)(?:\{m}[0-9]+)?\n)*"
        rf"(?:0|[1-9][0-9]*)(?:\{m}[0-9]+)?"
    )
    for m in ",."
}
#: a number whose Decimal is written with an exponent (1E-7): not plain
_TINY = re.compile(r"(?m)^0[.,]000000")
#: numbers that read both ways (1,234 / 1.234)
_EITHER = {m: re.compile(rf"(?m)^[1-9][0-9]{{0,2}}\{m}[0-9]{{3}}$") for m in ",."}


def read_field_column(
    rule: FieldRule,
    texts: np.ndarray,
    column_mark: ColumnMark | None,
    file: str,
    column: str,
    lines: list[int],
    problems: RowProblems,
    typed: bool = False,
    deferred: dict[str, np.ndarray] | None = None,
    absent: bool = False,
    factorized: dict[str, tuple[np.ndarray, list[Any]]] | None = None,
) -> np.ndarray:
    """Every cell of one column read, problems to their rows: each distinct text once (the
    column is hashed in bulk), and a column of many distinct plainly written numbers checked
    as a whole; a value that is not plain, or near a bound, is read on its own."""
    convert = converter(rule, column_mark)
    empty = rule.default if rule.default is not None else ("" if rule.type == "text" else None)
    if rule.type in ("decimal", "fraction") and empty is not None:
        empty = str(empty)
    count = len(texts)
    found = np.empty(count, dtype=object)
    if not count:
        return found
    blank = np.ones(count, dtype=bool) if absent else texts == ""
    empties = np.flatnonzero(blank)
    if len(empties):
        found[empties] = empty
        if rule.required and not rule.from_text:
            for index in empties.tolist():
                problems.add(index, Problem(file, lines[index], column, "", "a value is required"))
    filled = np.flatnonzero(~blank)
    if not len(filled):
        return found
    cells = texts[filled]
    if rule.type in ("text", "reference") and not typed:
        # text is itself (each cell its own value: a code, a name); only its length can be wrong
        found[filled] = cells
        if rule.max_length:
            lengths = np.fromiter(map(len, cells), np.int64, len(cells))
            message = f"longer than {rule.max_length} characters"
            for at in np.flatnonzero(lengths > rule.max_length).tolist():
                index = int(filled[at])
                problems.add(index, Problem(file, lines[index], column, cells[at], message))
                found[index] = None
        return found
    if typed and len(set(map(type, cells))) > 1:
        # typed numbers beside text: 12 and '12' are read apart (one is a number, one text)
        keys = np.fromiter(
            (c if type(c) is str else (type(c), c) for c in cells), dtype=object, count=len(cells)
        )
        codes, firsts = pd.factorize(keys)
        distinct = np.fromiter(
            (k if type(k) is str else k[1] for k in firsts), dtype=object, count=len(firsts)
        )
    else:
        codes, distinct = pd.factorize(cells)
    read = _read_distinct(rule, convert, distinct, column_mark, typed)
    found[filled] = read[codes]
    kinds = np.fromiter(map(type, read), dtype=object, count=len(read))
    broken = kinds == Broken
    if broken.any():
        for at in np.flatnonzero(broken[codes]).tolist():
            index = int(filled[at])
            message = read[codes[at]].message
            problems.add(index, Problem(file, lines[index], column, cells[at], message))
            found[index] = None
    if deferred is not None and rule.by_field is not None:
        deferred[rule.name] = filled[(kinds == Deferred)[codes]]
    if factorized is not None and not (codes < 0).any():
        every = np.full(count, len(read), dtype=np.intp)  # an empty cell: the last value
        every[filled] = codes
        told = read.tolist()
        for at in np.flatnonzero(broken).tolist():
            told[at] = None  # its rows are rejected: never held to the declared rules
        factorized[rule.name] = (every, [*told, empty])
    return found


def _read_distinct(
    rule: FieldRule,
    convert: Callable[[str], Any],
    distinct: np.ndarray,
    column_mark: ColumnMark | None,
    typed: bool,
) -> np.ndarray:
    """Each distinct text of a column read (a `Broken` where it breaks a rule)."""
    read = np.empty(len(distinct), dtype=object)
    todo: Sequence[int] = range(len(distinct))
    if rule.type == "decimal" and len(distinct) > _FEW and column_mark is not None:
        plain = _plain_decimals(rule, distinct, column_mark, typed)
        if plain is not None:
            exact, todo = plain
            read[:] = exact
    for at in todo:
        try:
            value = convert(distinct[at])
        except ValueError as exc:
            read[at] = Broken(str(exc))
            continue
        read[at] = (
            str(value)
            if rule.type in ("decimal", "fraction") and rule.unit is None and type(value) is Decimal
            else value
        )
    return read


def _plain_decimals(
    rule: FieldRule, distinct: np.ndarray, column_mark: ColumnMark, typed: bool
) -> tuple[list[str], list[int]] | None:
    """A column of plainly written numbers (``1234.5``, or ``1234,5`` where the comma is the
    mark) read at once: the decimal text each is stored as, and the ones to read on their own
    (those near the column's bounds, where a float cannot tell). None: not such a column."""
    joined = "\n".join(distinct)
    if _TINY.search(joined):
        return None
    for mark in ",.":
        if _PLAIN_NUMBERS[mark].fullmatch(joined):
            break
    else:
        return None
    typed = typed and all(type(t) is TypedNumber for t in distinct)  # typed beside text: no
    if mark in joined and not typed:
        told = column_mark.mark
        if told != mark and (column_mark.given or _EITHER[mark].search(joined)):
            return None  # some of them are read with the other mark, or refused
    exact = joined.replace(",", ".").split("\n") if mark == "," else [str(t) for t in distinct]
    numbers = np.fromiter(map(float, exact), np.float64, len(exact))
    near = np.zeros(len(exact), dtype=bool)
    for bound in (rule.minimum, rule.maximum):
        if bound is not None:
            margin = 1e-9 * max(1.0, abs(float(bound)))
            if bound is rule.minimum:
                near |= numbers <= float(bound) + margin
            else:
                near |= numbers >= float(bound) - margin
    return exact, np.flatnonzero(near).tolist()
