"""Checking every row of a file against a mapping, reporting all problems at once.

Each problem names the file, the row a person sees in it, the column, the value and what is
wrong. A row with any problem is rejected as a whole; the importer then writes all the valid
rows or none of them (``--accept-partial`` writes the valid ones).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from workbench.ingest.mapping import FieldRule, Mapping
from workbench.ingest.readers import RawTable
from workbench.ingest.values import parse_date, parse_decimal, parse_int

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
    return re.sub(r"\s+", " ", text.strip().lower())


def _find_header(raw: RawTable, mapping: Mapping) -> tuple[int, dict[str, int]]:
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


def _convert(rule: FieldRule, text: str, mapping: Mapping) -> Any:
    if rule.type == "text":
        if rule.max_length and len(text) > rule.max_length:
            raise ValueError(f"longer than {rule.max_length} characters")
        return text
    if rule.type == "choice":
        wanted = _norm(text)
        for value, spellings in rule.choices.items():
            if wanted == _norm(value) or wanted in {_norm(s) for s in spellings}:
                return value
        raise ValueError(f"not one of {', '.join(rule.choices)}")
    if rule.type == "date":
        return parse_date(text).isoformat()
    number = (parse_int if rule.type == "int" else parse_decimal)(text, mapping.decimal_comma)
    if rule.minimum is not None and number < rule.minimum:
        raise ValueError(f"below the minimum of {rule.minimum}")
    if rule.maximum is not None and number > rule.maximum:
        raise ValueError(f"above the maximum of {rule.maximum}")
    return str(number) if rule.type == "decimal" else number


def validate(raw: RawTable, mapping: Mapping) -> ValidatedTable:
    name = raw.path.name
    header, columns = _find_header(raw, mapping)
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
    seen_keys: dict[str, int] = {}
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
                values[rule.name] = _convert(rule, text, mapping)
            except ValueError as exc:
                problems.append(Problem(name, number, column, text, str(exc)))
        key = values.get(mapping.key)
        if key is not None:  # a repeated key is reported even when its first row is invalid
            if key in seen_keys:
                problems.append(Problem(name, number, result.columns[mapping.key], str(key),
                                        f"duplicate: the same {mapping.key} is in row "
                                        f"{seen_keys[key]}"))  # fmt: skip
            else:
                seen_keys[key] = number
        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append((number, values))
    return result
