"""Checking every row of a file against a mapping, reporting all problems at once.

Each problem names the file, the row a person sees in it, the column, the value and what is
wrong. A row with any problem is rejected as a whole; the importer then writes all the valid
rows or none of them (``--accept-partial`` writes the valid ones).
"""

from __future__ import annotations

import functools
import gc
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from workbench.ingest.mapping import FieldRule, Mapping
from workbench.ingest.readers import RawTable
from workbench.ingest.values import (
    AmbiguousNumber,
    Mark,
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
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" + (
            f", column {self.column!r}" if self.column else ""
        )
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"


@dataclass
class ValidatedTable:
    file: str
    header_row: int
    #: our field -> the file's column heading it was read from
    columns: dict[str, str] = field(default_factory=dict)
    #: (row number in the file, values by our field names) for every row without a problem
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0

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


def find_header(raw: RawTable, mapping: Mapping) -> tuple[int, dict[str, int]]:
    """The row (0-based) that names the most mapped columns, and field -> column index."""
    aliases = {_norm(a): rule.name for rule in mapping.fields for a in rule.aliases}
    best_row, best = -1, {}
    for index, row in enumerate(raw.rows[:HEADER_SEARCH_ROWS]):
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


def _convert(rule: FieldRule, text: str, marks: dict[str, ColumnMark]) -> Any:
    if rule.type in ("text", "reference"):
        if rule.max_length and len(text) > rule.max_length:
            raise ValueError(f"longer than {rule.max_length} characters")
        return text
    if rule.type == "choice":
        found = _spellings(tuple(rule.choices.items())).get(_norm(text))
        if found is None:
            raise ValueError(f"not one of {', '.join(rule.choices)}")
        return found
    if rule.type == "date":
        return parse_date(text).isoformat()
    column = marks[rule.name]
    try:
        if rule.type == "fraction":
            number: Decimal | int = _fraction(text, column)
        elif rule.type == "int":
            number = parse_int(text, column.mark, strict=column.given)
        else:
            number = parse_decimal(text, column.mark, strict=column.given)
    except AmbiguousNumber:
        raise AmbiguousNumber(text, column.why) from None
    if rule.minimum is not None and number < rule.minimum:
        if number < 0 <= rule.minimum:
            raise ValueError("negative: this column takes no numbers below zero")
        raise ValueError(f"below the minimum of {rule.minimum}")
    if rule.maximum is not None and number > rule.maximum:
        raise ValueError(f"above the maximum of {rule.maximum}")
    return number if rule.type == "int" else str(number)


_NUMERIC = ("int", "decimal", "fraction")


def decide_marks(
    raw: RawTable, header: int, columns: dict[str, int], mapping: Mapping,
    given: Mark | None = None,
) -> dict[str, ColumnMark]:  # fmt: skip
    """Each numeric column's decimal mark: the admin's (``given``, else the mapping's), else
    what the column's own numbers tell, else what the file's other numbers tell (one file
    keeps one convention). Never the number of digits after a mark."""
    given = given or mapping.decimal_mark
    numeric = {f: c for f, c in columns.items() if mapping.rule(f).type in _NUMERIC}
    if given is not None:
        return {rule.name: ColumnMark(given, given=True) for rule in mapping.fields
                if rule.type in _NUMERIC}  # fmt: skip
    body = raw.rows[header + 1 :]
    told = {f: tally([row[c] if c < len(row) else "" for row in body])
            for f, c in numeric.items()}  # fmt: skip
    in_file: dict[str, str] = {}
    for marks in told.values():
        for mark, text in marks.items():
            in_file.setdefault(mark, text)
    return {rule.name: ColumnMark(*decide_mark(told.get(rule.name, {}), in_file))
            for rule in mapping.fields if rule.type in _NUMERIC}  # fmt: skip


def _fraction(text: str, column: ColumnMark) -> Decimal:
    """``28%`` or ``0.28`` -> 0.28; a bare ``28`` is refused rather than read as 2,800 %."""
    if text.rstrip().endswith("%"):
        return parse_decimal(text.rstrip()[:-1], column.mark, strict=column.given) / 100
    value = parse_decimal(text, column.mark, strict=column.given)
    if abs(value) > 1:
        raise ValueError(f"write a share as a fraction or a percentage ({value / 100} or "
                         f"{value}%)")  # fmt: skip
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


def validate(
    raw: RawTable,
    mapping: Mapping,
    resolve: Resolver | None = None,
    decimal_mark: Mark | None = None,
) -> ValidatedTable:
    """Check every row; references (a rate's material code) are looked up with ``resolve``,
    all at once after the rows are read, so an unknown code is one more problem of its row.

    The collector is paused meanwhile: a large file makes a few hundred thousand small dicts
    that all live to the end, and scanning them again and again for cycles (there are none)
    made a 200,000-row import take twice as long as the checking itself.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _validate(raw, mapping, resolve, decimal_mark)
    finally:
        if paused:
            gc.enable()


def _validate(
    raw: RawTable, mapping: Mapping, resolve: Resolver | None, decimal_mark: Mark | None
) -> ValidatedTable:
    if mapping.reference_fields and resolve is None:
        raise TypeError(f"{mapping.source} refers to other tables: validate() needs a resolver")
    name = raw.path.name
    header, columns = find_header(raw, mapping)
    result = ValidatedTable(file=name, header_row=header + 1)
    if header < 0 or len(columns) < 2:
        expected = ", ".join(r.aliases[0] for r in mapping.fields if r.required)
        result.problems.append(Problem(name, 1, "", "", f"no header row found in the first "
                                       f"{HEADER_SEARCH_ROWS} rows; expected columns such as "
                                       f"{expected}"))  # fmt: skip
        return result
    heading = raw.rows[header]
    result.columns = {f: heading[c] for f, c in columns.items()}
    missing = [r for r in mapping.fields if r.required and r.name not in columns]
    for rule in missing:
        result.problems.append(Problem(name, header + 1, rule.name, "",
                                       "required column is missing (looked for: "
                                       f"{', '.join(rule.aliases)})"))  # fmt: skip
    if missing:
        return result
    marks = decide_marks(raw, header, columns, mapping, decimal_mark)
    checked: list[tuple[int, dict[str, Any], list[Problem]]] = []
    for index in range(header + 1, len(raw.rows)):
        row = raw.rows[index]
        number = index + 1
        if not any(cell.strip() for cell in row):
            continue  # blank lines are not rows
        result.rows_read += 1
        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for rule in mapping.fields:
            col = columns.get(rule.name)
            text = row[col].strip() if col is not None and col < len(row) else ""
            column = heading[col] if col is not None else rule.name
            if not text:
                if rule.required:
                    problems.append(Problem(name, number, column, "", "a value is required"))
                empty = "" if rule.type == "text" else None
                values[rule.name] = rule.default if rule.default is not None else empty
                continue
            try:
                values[rule.name] = _convert(rule, text, marks)
            except ValueError as exc:
                problems.append(Problem(name, number, column, text, str(exc)))
        checked.append((number, values, problems))
    for rule in mapping.reference_fields:
        _resolve_references(rule, checked, result.columns.get(rule.name, rule.name), name,
                            resolve)  # type: ignore[arg-type]  # fmt: skip
    seen_keys: dict[tuple[Any, ...], int] = {}
    key_column = result.columns.get(mapping.keys[0], mapping.keys[0])
    for number, values, problems in checked:
        key = mapping.key_of(values)
        if all(k is not None and k != "" for k in key):
            # a repeated key is reported even when its first row is invalid
            if key in seen_keys:
                shown = " / ".join(str(values.get(f"{k}:text", v)) for k, v in
                                   zip(mapping.keys, key, strict=True))  # fmt: skip
                problems.append(Problem(name, number, key_column, shown,
                                        f"duplicate: the same {' + '.join(mapping.keys)} is in "
                                        f"row {seen_keys[key]}"))  # fmt: skip
            else:
                seen_keys[key] = number
        if mapping.reference_fields:
            for rule in mapping.reference_fields:
                values.pop(f"{rule.name}:text", None)
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append((number, values))
    return result


def _resolve_references(
    rule: FieldRule,
    checked: list[tuple[int, dict[str, Any], list[Problem]]],
    column: str,
    file: str,
    resolve: Resolver,
) -> None:
    """Replace each code with the id of the row it names; an unknown code is a problem."""
    assert rule.references is not None
    table, by = rule.references
    wanted = {str(v[rule.name]) for _, v, _ in checked if v.get(rule.name) not in (None, "")}
    found = resolve(table, by, wanted) if wanted else {}
    noun = NOUNS.get(table, table)
    for number, values, problems in checked:
        code = values.get(rule.name)
        if code in (None, ""):
            values[rule.name] = None
            continue
        values[f"{rule.name}:text"] = code  # the code a person wrote, for messages
        if str(code) in found:
            values[rule.name] = found[str(code)]
        else:
            problems.append(Problem(file, number, column, str(code),
                                    f"no {noun} with {by} {code!r} in this workspace"))  # fmt: skip
