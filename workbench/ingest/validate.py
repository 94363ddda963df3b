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

import functools
import gc
import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

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
    for words, rule in (("is not a number", "not a number"), ("not a whole number",
                        "not a whole number"), ("is not a date", "not a date"),
                        ("a value is required", "required"), ("not one of", "not a choice"),
                        ("below the minimum", "below the minimum"),
                        ("above the maximum", "above the maximum"), ("longer than", "too long"),
                        ("in this workspace", "unknown reference"),
                        ("no header row found", "no header"),
                        ("required column is missing", "missing column")):  # fmt: skip
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
    #: (line in the file, values by our field names) for every row without a problem
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_read: int = 0
    #: lines that are not rows, and why: (line, "totals row") …
    skipped: list[tuple[int, str]] = field(default_factory=list)
    #: the index in the raw table of the heading row (-1: none found)
    header_index: int = -1
    #: fields read from another field where the file has no column for them (GSM from a
    #: description): written like the file's own columns
    derived: tuple[str, ...] = ()

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


_NUMERIC = ("int", "decimal", "fraction")


def decide_marks(
    columns: dict[str, Sequence[str]], mapping: Mapping, given: Mark | None = None
) -> dict[str, ColumnMark]:
    """Each numeric column's decimal mark: the admin's (``given``, else the mapping's), else
    what the column's own numbers tell, else what the file's other numbers tell (one file
    keeps one convention). Never the number of digits after a mark."""
    given = given or mapping.decimal_mark
    numeric = [r.name for r in mapping.fields if r.type in _NUMERIC]
    if given is not None:
        return {name: ColumnMark(given, given=True) for name in numeric}
    told = {name: tally(texts) for name, texts in columns.items() if name in numeric}
    in_file: dict[str, str] = {}
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
        try:
            if type(value) is TypedNumber:  # a spreadsheet's number: no mark to decide
                found: Decimal | int = Decimal(value)
                if rule.type == "int" and found != found.to_integral_value():
                    raise NumberError(f"{value!r} is not a whole number")
            elif rule.type == "fraction":
                found = _fraction(value, mark, strict)
            elif rule.type == "int":
                found = parse_int(value, mark, strict=strict)
            else:
                found = parse_decimal(value, mark, strict=strict)
        except AmbiguousNumber:
            raise AmbiguousNumber(value, column.why) from None
        if rule.type == "fraction" and type(value) is TypedNumber and abs(found) > 1:
            raise ValueError(f"write a share as a fraction or a percentage ({found / 100} or "
                             f"{found}%)")  # fmt: skip
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

#: what marks an ALV grid's or SE16N's totals and subtotals rows
_TOTALS = frozenset({"*", "**", "***", "****", "σ", "total", "totals", "subtotal", "sum",
                     "grand total", "summe", "gesamt", "gesamtsumme", "zwischensumme"})  # fmt: skip


def validate(
    raw: RawTable,
    mapping: Mapping,
    resolve: Resolver | None = None,
    decimal_mark: Mark | None = None,
) -> ValidatedTable:
    """Check every row; references (a rate's material code) are looked up with ``resolve``,
    all at once after the rows are read, so an unknown code is one more problem of its row.

    ``decimal_mark`` is the file's decimal mark where the admin knows it; otherwise the
    file's numbers tell it (`decide_marks`).

    The collector is paused meanwhile: a large file makes a few hundred thousand small
    objects that all live to the end, and scanning them again and again for cycles (there
    are none) costs more than the checking itself.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        return _validate(raw, mapping, resolve, decimal_mark)
    finally:
        if paused:
            gc.enable()


def _body(
    raw: RawTable, header: int, key_columns: list[int], result: ValidatedTable
) -> tuple[list[int], list[tuple[str, ...]]]:
    """The data rows after the heading with their lines; the lines that are not rows go to
    ``result.skipped`` (blank lines are simply not rows)."""
    heading = [_norm(c) for c in raw.rows[header]]
    lines: list[int] = []
    rows: list[tuple[str, ...]] = []
    width = len(heading)
    for index in range(header + 1, len(raw.rows)):
        row = raw.rows[index]
        if not any(row):
            continue
        if len(row) < width:
            row = row + ("",) * (width - len(row))
        line = raw.line(index)
        first = row[key_columns[0]] if key_columns else ""
        if first and _norm(first) == heading[key_columns[0]] and [_norm(c) for c in row] == heading:
            result.skipped.append((line, "the column headings again (a new page of the list)"))
            continue
        if (_norm(first) in _TOTALS or not all(row[c] for c in key_columns)) and any(
            _norm(c) in _TOTALS for c in row if c
        ):
            result.skipped.append((line, "a totals row"))
            continue
        lines.append(line)
        rows.append(row)
    return lines, rows


def _validate(
    raw: RawTable, mapping: Mapping, resolve: Resolver | None, decimal_mark: Mark | None
) -> ValidatedTable:
    if mapping.reference_fields and resolve is None:
        raise TypeError(f"{mapping.source} refers to other tables: validate() needs a resolver")
    name = raw.path.name
    header, columns = find_header(raw, mapping)
    result = ValidatedTable(file=name, header_row=raw.line(header) if header >= 0 else 0,
                            header_index=header)  # fmt: skip
    if header < 0 or len(columns) < 2:
        expected = ", ".join(r.aliases[0] for r in mapping.fields if r.required)
        result.problems.append(Problem(name, 1, "", "", f"no header row found in the first "
                                       f"{HEADER_SEARCH_ROWS} rows; expected columns such as "
                                       f"{expected}"))  # fmt: skip
        return result
    heading = raw.rows[header]
    result.columns = {f: heading[c] for f, c in columns.items()}
    derived = {r.name for r in mapping.fields if r.from_text and r.name not in columns}
    missing = [r for r in mapping.fields
               if r.required and r.name not in columns and r.name not in derived]  # fmt: skip
    for rule in missing:
        result.problems.append(Problem(name, result.header_row, rule.name, "",
                                       "required column is missing (looked for: "
                                       f"{', '.join(rule.aliases)})"))  # fmt: skip
    if missing:
        return result
    keys = [columns[k] for k in mapping.keys if k in columns]
    lines, rows = _body(raw, header, keys, result)
    count = len(rows)
    result.rows_read = count
    texts: dict[str, Sequence[str]] = {}
    for rule in mapping.fields:
        col = columns.get(rule.name)
        texts[rule.name] = [row[col] for row in rows] if col is not None else [""] * count
    marks = decide_marks({f: t for f, t in texts.items() if f in columns}, mapping, decimal_mark)
    problems: list[list[Problem]] = [[] for _ in range(count)]
    values: dict[str, list[Any]] = {}
    for rule in mapping.fields:
        column = heading[columns[rule.name]] if rule.name in columns else rule.name
        values[rule.name] = _read_column(rule, texts[rule.name], marks.get(rule.name), name,
                                         column, lines, problems)  # fmt: skip
    for rule in mapping.fields:
        if rule.unit is not None:
            _convert_units(rule, values, texts, result, lines, problems)
        if rule.from_text is not None:
            _from_text(rule, values, marks.get(rule.name), result, lines, problems)
        if rule.by_field is not None:
            _by_field(rule, values, result, lines, problems)
    for rule in mapping.fields:
        if rule.type == "decimal" or rule.type == "fraction":
            values[rule.name] = [None if v is None else str(v) for v in values[rule.name]]
    result.derived = tuple(sorted(derived))
    texts_by_ref: dict[str, list[Any]] = {}
    for rule in mapping.reference_fields:
        texts_by_ref[rule.name] = list(values[rule.name])
        _resolve_references(rule, values[rule.name], result.columns.get(rule.name, rule.name),
                            name, lines, problems, resolve)  # type: ignore[arg-type]  # fmt: skip
    _duplicates(mapping, values, texts_by_ref, result, lines, problems)
    stored = [r.name for r in mapping.fields if r.store]
    for index in range(count):
        if problems[index]:
            result.problems.extend(problems[index])
        else:
            result.rows.append((lines[index], {f: values[f][index] for f in stored}))
    return result


def _read_column(
    rule: FieldRule,
    texts: Sequence[str],
    column_mark: ColumnMark | None,
    file: str,
    column: str,
    lines: list[int],
    problems: list[list[Problem]],
) -> list[Any]:
    """Every cell of one column read (each distinct text once), problems to their rows."""
    convert = _converter(rule, column_mark)
    empty = rule.default if rule.default is not None else ("" if rule.type == "text" else None)
    seen: dict[str, Any] = {}
    found: list[Any] = []
    append = found.append
    for index, text in enumerate(texts):
        if not text:
            if rule.required and not rule.from_text:
                problems[index].append(Problem(file, lines[index], column, "",
                                               "a value is required"))  # fmt: skip
            append(empty)
            continue
        key = text if type(text) is str else (type(text), text)
        try:
            value = seen[key]  # type: ignore[index]
        except KeyError:
            try:
                value = convert(text)
            except ValueError as exc:
                value = _Broken(str(exc))
            seen[key] = value  # type: ignore[index]
        if type(value) is _Broken:
            problems[index].append(Problem(file, lines[index], column, text, value.message))
            append(None)
        else:
            append(value)
    return found


@dataclass(frozen=True)
class _Broken:
    message: str


def _convert_units(
    rule: FieldRule,
    values: dict[str, list[Any]],
    texts: dict[str, Sequence[str]],
    result: ValidatedTable,
    lines: list[int],
    problems: list[list[Problem]],
) -> None:
    """Numbers in the unit their row names (SAP's GEWEI beside BRGEW), or their heading names
    (``Gross weight (kg)``), in this field's unit. Zero with no unit is SAP's "not kept":
    nothing is stored."""
    assert rule.unit is not None
    unit = rule.unit
    heading = result.columns.get(rule.name, "")
    in_heading = next((u for u in unit.factors if re.search(rf"\b{re.escape(u)}\b", heading,
                                                             re.IGNORECASE)), None)  # fmt: skip
    units = texts.get(unit.field, ())
    unit_column = result.columns.get(unit.field, unit.field)
    column = result.columns.get(rule.name, rule.name)
    converted = values[rule.name]
    for index, value in enumerate(converted):
        if value is None:
            continue
        named = (units[index] if units else "").strip().upper() or in_heading
        if not named:
            if value == 0:
                converted[index] = None
                continue
            problems[index].append(Problem(result.file, lines[index], unit_column, "",
                                           f"required: the unit of {column} "
                                           f"({', '.join(unit.factors)})"))  # fmt: skip
            converted[index] = None
            continue
        factor = unit.factors.get(named.upper())
        if factor is None:
            problems[index].append(Problem(result.file, lines[index], unit_column, named,
                                           f"not a unit of {column}: use one of "
                                           f"{', '.join(unit.factors)}"))  # fmt: skip
            converted[index] = None
        elif factor != 1:
            product = Decimal(value) * factor
            converted[index] = format(product.quantize(Decimal("0.000001")).normalize(), "f")


def _from_text(
    rule: FieldRule,
    values: dict[str, list[Any]],
    column_mark: ColumnMark | None,
    result: ValidatedTable,
    lines: list[int],
    problems: list[list[Problem]],
) -> None:
    """Where the field's own cell is empty, the number its row's text gives ('180 g/m²' in a
    description), held to the field's rules like a cell of its own."""
    assert rule.from_text is not None
    convert = _converter(rule, column_mark or ColumnMark(None))
    own = values[rule.name]
    sources = [values[f] for f in rule.from_text.fields]
    column = result.columns.get(rule.from_text.fields[0], rule.from_text.fields[0])
    for index in range(len(own)):
        if own[index] is not None or any(p.column == result.columns.get(rule.name)
                                         for p in problems[index]):  # fmt: skip
            continue
        for source in sources:
            text = source[index]
            found = rule.from_text.pattern.search(text) if isinstance(text, str) else None
            if found:
                try:
                    own[index] = convert(found.group("value"))
                except ValueError as exc:
                    problem = Problem(result.file, lines[index], column, text,
                                      f"{rule.name} from the text: {exc}")
                    problems[index].append(problem)
                break
        else:
            if rule.required:
                problems[index].append(Problem(result.file, lines[index], rule.name, "",
                                               "a value is required"))  # fmt: skip


def _by_field(
    rule: FieldRule,
    values: dict[str, list[Any]],
    result: ValidatedTable,
    lines: list[int],
    problems: list[list[Problem]],
) -> None:
    """The choices another field decides: an SAP material type such as HALB is yarn or
    fabric as its material group says."""
    assert rule.by_field is not None
    by = rule.by_field
    spellings = _spellings(tuple(by.choices.items()))
    own = values[rule.name]
    other = values[by.field]
    column = result.columns.get(rule.name, rule.name)
    other_column = result.columns.get(by.field, by.field)
    for index, value in enumerate(own):
        if type(value) is not _Deferred:
            continue
        group = other[index]
        found = spellings.get(_norm(group)) if isinstance(group, str) and group else None
        if found is None:
            problems[index].append(Problem(
                result.file, lines[index], other_column, group or "",
                f"not one of the groups that tell the kind of a {value.text} material "
                f"(mapping {column}: by_field)"))  # fmt: skip
            own[index] = None
        else:
            own[index] = found


def _duplicates(
    mapping: Mapping,
    values: dict[str, list[Any]],
    texts_by_ref: dict[str, list[Any]],
    result: ValidatedTable,
    lines: list[int],
    problems: list[list[Problem]],
) -> None:
    """A key that appears on more than one line rejects every one of them, each naming all:
    which line is right is for the person who wrote the file to say."""
    shown_values = [texts_by_ref.get(k, values[k]) for k in mapping.keys]
    key_lists = [values[k] for k in mapping.keys]
    where: dict[tuple[Any, ...], list[int]] = {}
    for index, key in enumerate(zip(*key_lists, strict=True)):
        if all(k is not None and k != "" for k in key):
            where.setdefault(key, []).append(index)
    column = result.columns.get(mapping.keys[0], mapping.keys[0])
    names = " + ".join(mapping.keys)
    for indexes in where.values():
        if len(indexes) < 2:
            continue
        at = [lines[i] for i in indexes]
        said = ", ".join(str(n) for n in at[:-1]) + f" and {at[-1]}"
        for i in indexes:
            shown = " / ".join(str(v[i]) for v in shown_values)
            problems[i].append(Problem(result.file, lines[i], column, shown,
                                       f"duplicate: the same {names} is on "
                                       f"{line_word(result.file)}s {said}"))  # fmt: skip


def _resolve_references(
    rule: FieldRule,
    codes: list[Any],
    column: str,
    file: str,
    lines: list[int],
    problems: list[list[Problem]],
    resolve: Resolver,
) -> None:
    """Replace each code with the id of the row it names; an unknown code is a problem."""
    assert rule.references is not None
    table, by = rule.references
    wanted = {str(c) for c in codes if c not in (None, "")}
    found = resolve(table, by, wanted) if wanted else {}
    noun = NOUNS.get(table, table)
    for index, code in enumerate(codes):
        if code in (None, ""):
            codes[index] = None
        elif str(code) in found:
            codes[index] = found[str(code)]
        else:
            unknown = f"no {noun} with {by} {code!r} in this workspace"
            problems[index].append(Problem(file, lines[index], column, str(code), unknown))
            codes[index] = None
