"""Checking every row of a file against a mapping, reporting all problems at once.

Each problem names the file, the line a person sees in it, the column, the value and the rule
it breaks. A row with any problem is rejected as a whole; the importer then writes all the
valid rows or none of them (``--accept-partial`` writes the valid ones).

The checking goes column by column: each column's distinct values are read once (a material
list repeats its types, units, groups and widths thousands of times), so a 200,000-row file
costs about what its distinct values cost. Lines that are not rows are left out and said so:
blank lines, the rules and repeated headings of SAP's lists, and the totals rows of ALV grids
and SE16N.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from workbench.ingest.mapping import FieldRule, Mapping
from workbench.ingest.readers import RawTable, TypedNumber
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

HEADER_SEARCH_ROWS = 15


@dataclass(frozen=True)
class Problem:
    file: str
    #: the line of the file the row starts on
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, {line_word(self.file)} {self.row}" + (
            f", column {self.column!r}" if self.column else ""
        )
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"

    @property
    def rule(self) -> str:
        """The rule broken, in a word or two (``ambiguous``, ``negative``, ``duplicate``…)."""
        head = self.message.split(":", 1)[0]
        return head if ":" in self.message and len(head) <= 40 else _rule_of(self.message)


def line_word(file: str) -> str:
    """A spreadsheet has rows, a text export lines."""
    return "row" if file.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) else "line"


def _rule_of(message: str) -> str:
    for words, rule in (
        ("is not a number", "not a number"),
        ("not a whole number", "not a whole number"),
        ("is not a date", "not a date"),
        ("a value is required", "required"),
        ("not one of", "not a choice"),
        ("below the minimum", "below the minimum"),
        ("above the maximum", "above the maximum"),
        ("longer than", "too long"),
        ("in this workspace", "unknown reference"),
        ("no header row found", "no header"),
        ("required column is missing", "missing column"),
    ):
        if words in message:
            return rule
    return "declared rule"


@dataclass
class ValidatedTable:
    file: str
    #: the line of the file that holds the column headings
    header_row: int
    #: our field -> the file's column heading it was read from
    columns: dict[str, str] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    #: lines that are not rows, and why: (line, "totals row") …
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: the index in the raw table of the heading row (-1: none found)
    header_index: int = -1
    #: fields read from another field where the file has no column for them (GSM from a
    #: description): written like the file's own columns
    derived: tuple[str, ...] = ()
    #: every row read, column by column: the stored fields' values (object arrays, rejected
    #: rows included) and the line each row starts on
    values: dict[str, np.ndarray] = field(default_factory=dict)
    lines: list[int] = field(default_factory=list)
    #: which of those rows have no problem (indexes into ``values`` and ``lines``)
    valid: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    #: columns whose values were read a distinct value at a time and left so: field -> each
    #: row's code and the values the codes stand for, so the table's declared rules can be
    #: held to each distinct value without hashing the column again
    factorized: dict[str, tuple[np.ndarray, list[Any]]] = field(default_factory=dict)
    _rows: list[tuple[int, dict[str, Any]]] | None = field(default=None, repr=False)

    @property
    def rows(self) -> list[tuple[int, dict[str, Any]]]:
        """(line in the file, values by our field names) for every row without a problem."""
        if self._rows is None:
            names = list(self.values)
            picked = [self.values[f][self.valid].tolist() for f in names]
            cells = zip(*picked, strict=True) if names else ((),) * len(self.valid)
            self._rows = [
                (self.lines[i], dict(zip(names, row, strict=True)))
                for i, row in zip(self.valid.tolist(), cells, strict=True)
            ]
        return self._rows

    def reject(self, indexes: Collection[int], problems: Sequence[Problem]) -> None:
        """Rows found wrong after the checking (by the table's declared rules): their problems
        join the others and the rows are no longer valid."""
        self.problems.extend(problems)
        self.valid = self.valid[~np.isin(self.valid, np.fromiter(indexes, np.int64, len(indexes)))]
        self._rows = None

    @property
    def rejected_rows(self) -> set[int]:
        return {p.row for p in self.problems}


def _norm(text: str) -> str:
    """Lower case, whitespace runs as one space: how headings and choices are compared."""
    return " ".join(text.lower().split())


@functools.cache
def _spellings(choices: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, str]:
    """Every accepted spelling of a choice field, normalised -> our value (built once)."""
    found: dict[str, str] = {}
    for value, spellings in choices:
        for spelling in (value, *spellings):
            found.setdefault(_norm(spelling), value)
    return found


def is_none(values: np.ndarray) -> Any:
    """Where an object column holds None, element by element (numpy compares with None so;
    its type stubs do not say it)."""
    return np.equal(values, None)  # type: ignore[call-overload]


def is_set(values: np.ndarray) -> Any:
    """Where an object column holds a value (not None), element by element."""
    return np.not_equal(values, None)  # type: ignore[call-overload]


def find_header(raw: RawTable, mapping: Mapping) -> tuple[int, dict[str, int]]:
    """The row (0-based) that names the most mapped columns, and field -> column index."""
    aliases = {_norm(a): rule.name for rule in mapping.fields for a in rule.aliases}
    best_row, best = -1, dict[str, int]()
    for index in range(min(HEADER_SEARCH_ROWS, len(raw))):
        row = raw.row(index)
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = aliases.get(_norm(cell))
            if name is not None and name not in found:
                found[name] = col
        if len(found) > len(best):
            best_row, best = index, found
    return best_row, best


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


def _converter(rule: FieldRule, column: ColumnMark | None) -> Callable[[str], Any]:
    """Reads one non-empty cell of ``rule``'s column; raises ValueError with the rule broken."""
    if rule.type in ("text", "reference"):
        longest = rule.max_length

        def text(value: str) -> str:
            if longest and len(value) > longest:
                raise ValueError(f"longer than {longest} characters")
            return str(value)

        return text
    if rule.type == "choice":
        spellings = _spellings(tuple(rule.choices.items()))
        refused = {_norm(k): v for k, v in rule.refused.items()}
        deferred = rule.by_field.when if rule.by_field else frozenset()

        def choice(value: str) -> Any:
            key = _norm(value)
            if key in deferred:
                return _Deferred(value)
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
class _Deferred:
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


#: looks up business keys in a table: (table, key column, values) -> {value: row id}
Resolver = Callable[[str, str, Collection[str]], dict[str, str]]

#: how a message names one row of a table
NOUNS = {
    "materials": "material",
    "brands": "brand",
    "work_centres": "work centre",
    "cost_rates": "cost rate",
    "orders": "order",
}

#: what marks an ALV grid's or SE16N's totals and subtotals rows
_TOTALS = frozenset(
    {
        "*",
        "**",
        "***",
        "****",
        "σ",
        "total",
        "totals",
        "subtotal",
        "sum",
        "grand total",
        "summe",
        "gesamt",
        "gesamtsumme",
        "zwischensumme",
    }
)


def validate(
    raw: RawTable,
    mapping: Mapping,
    resolve: Resolver | None = None,
    decimal_mark: Mark | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ValidatedTable:
    """Check every row; references (a rate's material code) are looked up with ``resolve``,
    all at once after the rows are read, so an unknown code is one more problem of its row.

    ``decimal_mark`` is the file's decimal mark where the admin knows it; otherwise the
    file's numbers tell it (`decide_marks`). ``progress`` hears (columns checked, columns)
    after each of the mapping's fields is read; it may raise to stop the checking.

    The collector is paused meanwhile: a large file makes a few hundred thousand small
    objects that all live to the end, and scanning them again and again for cycles (there
    are none) costs more than the checking itself.
    """
    with collector_paused():
        return _validate(raw, mapping, resolve, decimal_mark, progress or (lambda *_: None))


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cycle collector paused while a file is read, checked and written: its few million
    cells and values all live to the end, and there are no cycles among them to find."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


class _Problems:
    """Each row's problems, in the order they were found (most rows have none)."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[Problem]] = {}

    def add(self, index: int, problem: Problem) -> None:
        self.by_row.setdefault(index, []).append(problem)

    def of(self, index: int) -> list[Problem]:
        return self.by_row.get(index, [])


def _body(
    raw: RawTable, header: int, key_columns: list[int], result: ValidatedTable
) -> tuple[np.ndarray, list[int]]:
    """The data rows after the heading (their indexes in ``raw``) with their lines; the lines
    that are not rows go to ``result.skipped`` (blank lines are simply not rows).

    Whole columns are compared at once; only a row that may be a heading again or a totals
    row (its key empty, or spelt like the heading or a totals word) is looked at on its own."""
    heading_cells = raw.row(header)
    heading = [_norm(c) for c in heading_cells]
    width = len(heading)
    columns = raw.column_arrays()
    start = header + 1
    count = len(raw) - start
    if count <= 0 or not columns:
        return np.empty(0, dtype=np.int64), []
    blank = np.flatnonzero(columns[0][start:] == "")
    for column in columns[1:]:
        if not len(blank):
            break
        blank = blank[column[start:][blank] == ""]
    drop = np.zeros(count, dtype=bool)
    drop[blank] = True
    suspects = np.zeros(count, dtype=bool)
    for c in key_columns:
        suspects |= columns[c][start:] == ""
    if key_columns:
        suspects |= _spelt_as(columns[key_columns[0]][start:], [heading[key_columns[0]], *_TOTALS])
    suspects &= ~drop
    for offset in np.flatnonzero(suspects).tolist():
        index = start + offset
        row = raw.row(index)
        if len(row) < width:
            row = row + ("",) * (width - len(row))
        line = raw.line(index)
        first = row[key_columns[0]] if key_columns else ""
        if first and _norm(first) == heading[key_columns[0]] and [_norm(c) for c in row] == heading:
            result.skipped.append((line, "the column headings again (a new page of the list)"))
            drop[offset] = True
        elif (_norm(first) in _TOTALS or not all(row[c] for c in key_columns)) and any(
            _norm(c) in _TOTALS for c in row if c
        ):
            result.skipped.append((line, "a totals row"))
            drop[offset] = True
    kept = np.flatnonzero(~drop) + start
    if raw.lines is None:
        lines = (kept + 1).tolist()
    else:
        lines = np.asarray(raw.lines, dtype=np.int64)[kept].tolist()
    return kept, lines


def _spelt_as(cells: np.ndarray, spellings: Collection[str]) -> np.ndarray:
    """Which cells may read as one of ``spellings`` (normalised, `_norm`): every one that does,
    and perhaps a few more. One pattern over the column's cells joined by NUL; a column with
    letters beyond ASCII is compared cell by cell."""
    joined = "\x00" + "\x00".join(cells) + "\x00"
    if not joined.isascii():
        wanted = set(spellings)
        return np.fromiter((_norm(c) in wanted for c in cells), dtype=bool, count=len(cells))
    words = "|".join(r"\s+".join(re.escape(w) for w in s.split()) for s in spellings if s)
    pattern = re.compile(rf"\x00(?=(?:{words})\x00)", re.IGNORECASE)
    found = np.zeros(len(cells), dtype=bool)
    at = [m.start() for m in pattern.finditer(joined)]
    if at:
        ends = np.cumsum(np.fromiter(map(len, cells), np.int64, len(cells)) + 1)
        found[np.searchsorted(ends, np.asarray(at), side="right")] = True
    return found


def _validate(
    raw: RawTable,
    mapping: Mapping,
    resolve: Resolver | None,
    decimal_mark: Mark | None,
    progress: Callable[[int, int], None],
) -> ValidatedTable:
    if mapping.reference_fields and resolve is None:
        raise TypeError(f"{mapping.source} refers to other tables: validate() needs a resolver")
    name = raw.path.name
    header, columns = find_header(raw, mapping)
    result = ValidatedTable(
        file=name, header_row=raw.line(header) if header >= 0 else 0, header_index=header
    )
    if header < 0 or len(columns) < 2:
        expected = ", ".join(r.aliases[0] for r in mapping.fields if r.required)
        result.problems.append(
            Problem(
                name,
                1,
                "",
                "",
                f"no header row found in the first "
                f"{HEADER_SEARCH_ROWS} rows; expected columns such as "
                f"{expected}",
            )
        )
        return result
    heading = raw.row(header)
    result.columns = {f: heading[c] for f, c in columns.items()}
    derived = {r.name for r in mapping.fields if r.from_text and r.name not in columns}
    missing = [
        r for r in mapping.fields if r.required and r.name not in columns and r.name not in derived
    ]
    for rule in missing:
        result.problems.append(
            Problem(
                name,
                result.header_row,
                rule.name,
                "",
                f"required column is missing (looked for: {', '.join(rule.aliases)})",
            )
        )
    if missing:
        return result
    keys = [columns[k] for k in mapping.keys if k in columns]
    kept, lines = _body(raw, header, keys, result)
    count = len(kept)
    result.rows_read = count
    raw_columns = raw.column_arrays()
    texts: dict[str, np.ndarray] = {}
    for rule in mapping.fields:
        col = columns.get(rule.name)
        texts[rule.name] = (
            raw_columns[col][kept] if col is not None else np.full(count, "", dtype=object)
        )
    marks = decide_marks({f: t for f, t in texts.items() if f in columns}, mapping, decimal_mark)
    problems = _Problems()
    values: dict[str, np.ndarray] = {}
    deferred: dict[str, np.ndarray] = {}
    factorized: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for done, rule in enumerate(mapping.fields, 1):
        column = heading[columns[rule.name]] if rule.name in columns else rule.name
        typed = columns.get(rule.name) in raw.typed
        values[rule.name] = _read_column(
            rule,
            texts[rule.name],
            marks.get(rule.name),
            name,
            column,
            lines,
            problems,
            typed,
            deferred,
            absent=rule.name not in columns,
            factorized=factorized,
        )
        progress(done, len(mapping.fields))
    for rule in mapping.fields:
        if rule.unit is not None:
            _convert_units(rule, values, texts, result, lines, problems)
        if rule.from_text is not None:
            _from_text(rule, values, marks.get(rule.name), result, lines, problems)
        if rule.by_field is not None:
            _by_field(rule, values, deferred.get(rule.name), result, lines, problems)
    for rule in mapping.fields:
        if rule.unit is not None and rule.type in ("decimal", "fraction"):
            column_values = values[rule.name]
            for index in np.flatnonzero(is_set(column_values)).tolist():
                column_values[index] = str(column_values[index])
    result.derived = tuple(sorted(derived))
    texts_by_ref: dict[str, np.ndarray] = {}
    for rule in mapping.reference_fields:
        texts_by_ref[rule.name] = values[rule.name].copy()
        _resolve_references(
            rule,
            values[rule.name],
            result.columns.get(rule.name, rule.name),
            name,
            lines,
            problems,
            resolve,  # type: ignore[arg-type]
        )
    _duplicates(mapping, values, texts_by_ref, result, lines, problems)
    result.values = {r.name: values[r.name] for r in mapping.fields if r.store}
    result.factorized = {
        r.name: factorized[r.name]
        for r in mapping.fields
        if r.store
        and r.name in factorized
        and not (r.unit or r.from_text or r.by_field or r.references)  # changed since
    }
    result.lines = lines
    for index in sorted(problems.by_row):
        result.problems.extend(problems.by_row[index])
    good = np.ones(count, dtype=bool)
    good[np.fromiter(problems.by_row, dtype=np.int64, count=len(problems.by_row))] = False
    result.valid = np.flatnonzero(good)
    return result


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


def _read_column(
    rule: FieldRule,
    texts: np.ndarray,
    column_mark: ColumnMark | None,
    file: str,
    column: str,
    lines: list[int],
    problems: _Problems,
    typed: bool = False,
    deferred: dict[str, np.ndarray] | None = None,
    absent: bool = False,
    factorized: dict[str, tuple[np.ndarray, list[Any]]] | None = None,
) -> np.ndarray:
    """Every cell of one column read, problems to their rows: each distinct text once (the
    column is hashed in bulk), and a column of many distinct plainly written numbers checked
    as a whole; a value that is not plain, or near a bound, is read on its own."""
    convert = _converter(rule, column_mark)
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
    broken = kinds == _Broken
    if broken.any():
        for at in np.flatnonzero(broken[codes]).tolist():
            index = int(filled[at])
            message = read[codes[at]].message
            problems.add(index, Problem(file, lines[index], column, cells[at], message))
            found[index] = None
    if deferred is not None and rule.by_field is not None:
        deferred[rule.name] = filled[(kinds == _Deferred)[codes]]
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
    """Each distinct text of a column read (a `_Broken` where it breaks a rule)."""
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
            read[at] = _Broken(str(exc))
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


@dataclass(frozen=True)
class _Broken:
    message: str


def _convert_units(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    texts: dict[str, np.ndarray],
    result: ValidatedTable,
    lines: list[int],
    problems: _Problems,
) -> None:
    """Numbers in the unit their row names (SAP's GEWEI beside BRGEW), or their heading names
    (``Gross weight (kg)``), in this field's unit. Zero with no unit is SAP's "not kept":
    nothing is stored."""
    assert rule.unit is not None
    unit = rule.unit
    heading = result.columns.get(rule.name, "")
    in_heading = next(
        (u for u in unit.factors if re.search(rf"\b{re.escape(u)}\b", heading, re.IGNORECASE)), None
    )
    units = texts.get(unit.field)
    unit_column = result.columns.get(unit.field, unit.field)
    column = result.columns.get(rule.name, rule.name)
    converted = values[rule.name]
    for index in np.flatnonzero(is_set(converted)).tolist():
        value = converted[index]
        named = (units[index] if units is not None else "").strip().upper() or in_heading
        if not named:
            if value == 0:
                converted[index] = None
                continue
            problems.add(
                index,
                Problem(
                    result.file,
                    lines[index],
                    unit_column,
                    "",
                    f"required: the unit of {column} ({', '.join(unit.factors)})",
                ),
            )
            converted[index] = None
            continue
        factor = unit.factors.get(named.upper())
        if factor is None:
            problems.add(
                index,
                Problem(
                    result.file,
                    lines[index],
                    unit_column,
                    named,
                    f"not a unit of {column}: use one of {', '.join(unit.factors)}",
                ),
            )
            converted[index] = None
        elif factor != 1:
            product = Decimal(value) * factor
            converted[index] = format(product.quantize(Decimal("0.000001")).normalize(), "f")


def _from_text(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    column_mark: ColumnMark | None,
    result: ValidatedTable,
    lines: list[int],
    problems: _Problems,
) -> None:
    """Where the field's own cell is empty, the number its row's text gives ('180 g/m²' in a
    description), held to the field's rules like a cell of its own. Each distinct text is
    searched once (a material list repeats its trims' descriptions)."""
    assert rule.from_text is not None
    convert = _converter(rule, column_mark or ColumnMark(None))
    as_text = rule.type in ("decimal", "fraction") and rule.unit is None
    own = values[rule.name]
    column = result.columns.get(rule.from_text.fields[0], rule.from_text.fields[0])
    own_column = result.columns.get(rule.name)
    search = rule.from_text.pattern.search
    # a row whose own cell is wrong keeps that problem: its text does not stand in
    wrong = [
        i for i, found in problems.by_row.items() if any(p.column == own_column for p in found)
    ]
    empty = is_none(own)
    empty[wrong] = False
    remaining = np.flatnonzero(empty)
    for field_name in rule.from_text.fields:
        if not len(remaining):
            break
        texts = values[field_name][remaining]
        codes, distinct = pd.factorize(texts)  # None (no text) is -1
        read = np.empty(len(distinct) + 1, dtype=object)  # the last: no number in the text
        for at, text in enumerate(distinct.tolist()):
            found = search(text) if isinstance(text, str) else None
            if found:
                try:
                    value = convert(found.group("value"))
                    read[at] = str(value) if as_text else value
                except ValueError as exc:
                    read[at] = _Broken(f"{rule.name} from the text: {exc}")
            else:
                read[at] = _NOT_FOUND
        read[-1] = _NOT_FOUND
        outcome = read[codes]
        kinds = np.fromiter(map(type, outcome), dtype=object, count=len(outcome))
        told = kinds != _NotFound
        broken = kinds == _Broken
        for at in np.flatnonzero(broken).tolist():
            index = int(remaining[at])
            problems.add(
                index, Problem(result.file, lines[index], column, texts[at], outcome[at].message)
            )
        fine = told & ~broken
        own[remaining[fine]] = outcome[fine]
        remaining = remaining[~told]
    if rule.required:
        for index in remaining.tolist():
            problems.add(
                index, Problem(result.file, lines[index], rule.name, "", "a value is required")
            )


class _NotFound:
    """No number in a text (`_from_text`)."""


_NOT_FOUND = _NotFound()


def _by_field(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    deferred: np.ndarray | None,
    result: ValidatedTable,
    lines: list[int],
    problems: _Problems,
) -> None:
    """The choices another field decides: an SAP material type such as HALB is yarn or
    fabric as its material group says."""
    assert rule.by_field is not None
    if deferred is None or not len(deferred):
        return
    by = rule.by_field
    spellings = _spellings(tuple(by.choices.items()))
    own = values[rule.name]
    other = values[by.field]
    column = result.columns.get(rule.name, rule.name)
    other_column = result.columns.get(by.field, by.field)
    for index in deferred.tolist():
        value = own[index]
        group = other[index]
        found = spellings.get(_norm(group)) if isinstance(group, str) and group else None
        if found is None:
            problems.add(
                index,
                Problem(
                    result.file,
                    lines[index],
                    other_column,
                    group or "",
                    f"not one of the groups that tell the kind of a {value.text} material "
                    f"(mapping {column}: by_field)",
                ),
            )
            own[index] = None
        else:
            own[index] = found


def _duplicates(
    mapping: Mapping,
    values: dict[str, np.ndarray],
    texts_by_ref: dict[str, np.ndarray],
    result: ValidatedTable,
    lines: list[int],
    problems: _Problems,
) -> None:
    """A key that appears on more than one line rejects every one of them, each naming all:
    which line is right is for the person who wrote the file to say. The keys are hashed a
    column at a time; only the rows whose key is not alone are grouped one by one."""
    count = len(lines)
    if count < 2:
        return
    shown_values = [texts_by_ref.get(k, values[k]) for k in mapping.keys]
    key_arrays = [values[k] for k in mapping.keys]
    present = np.ones(count, dtype=bool)
    for keys in key_arrays:
        present &= is_set(keys) & np.not_equal(keys, "")
    candidates = np.flatnonzero(present)
    combined = np.zeros(len(candidates), dtype=np.int64)
    for keys in key_arrays:  # each row's key as one number: equal keys, equal numbers
        codes, distinct = pd.factorize(keys[candidates])
        combined = pd.factorize(combined * (len(distinct) + 1) + codes)[0]
    repeated = candidates[np.bincount(combined)[combined] > 1] if len(combined) else candidates
    where: dict[tuple[Any, ...], list[int]] = {}
    for index in repeated.tolist():
        where.setdefault(tuple(keys[index] for keys in key_arrays), []).append(index)
    column = result.columns.get(mapping.keys[0], mapping.keys[0])
    names = " + ".join(mapping.keys)
    for indexes in where.values():
        if len(indexes) < 2:
            continue
        at = [lines[i] for i in indexes]
        said = ", ".join(str(n) for n in at[:-1]) + f" and {at[-1]}"
        for i in indexes:
            shown = " / ".join(str(v[i]) for v in shown_values)
            problems.add(
                i,
                Problem(
                    result.file,
                    lines[i],
                    column,
                    shown,
                    f"duplicate: the same {names} is on {line_word(result.file)}s {said}",
                ),
            )


def _resolve_references(
    rule: FieldRule,
    codes: np.ndarray,
    column: str,
    file: str,
    lines: list[int],
    problems: _Problems,
    resolve: Resolver,
) -> None:
    """Replace each code with the id of the row it names; an unknown code is a problem."""
    assert rule.references is not None
    table, by = rule.references
    wanted = {str(c) for c in codes if c not in (None, "")}
    found = resolve(table, by, wanted) if wanted else {}
    noun = NOUNS.get(table, table)
    for index, code in enumerate(codes.tolist()):
        if code in (None, ""):
            codes[index] = None
        elif str(code) in found:
            codes[index] = found[str(code)]
        else:
            unknown = f"no {noun} with {by} {code!r} in this workspace"
            problems.add(index, Problem(file, lines[index], column, str(code), unknown))
            codes[index] = None
