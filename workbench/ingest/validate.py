"""Checking every row of a file against a mapping, reporting all problems at once.

Each problem names the file, the line a person sees in it, the column, the value and the rule
it breaks. A row with any problem is rejected as a whole; the importer then writes all the
valid rows or none of them (``--accept-partial`` writes the valid ones).

The checking goes column by column: each column's distinct values are read once (a material
list repeats its types, units, groups and widths thousands of times), so a 200,000-row file
costs about what its distinct values cost. Lines that are not rows are left out and said so:
blank lines, the rules and repeated headings of SAP's lists, and the totals rows of ALV grids
and SE16N.

The checking is in modules named after what they hold: where the rows are (`layout`), a cell
and a column read (`cells`, `columns`), fields read with another's help (`dependent`), keys
repeated and references looked up (`keys`), the problems (`problems`) and the outcome
(`validated`). This module runs them in order over one file.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from workbench.ingest.cells import decide_marks
from workbench.ingest.columns import is_set, read_field_column
from workbench.ingest.dependent import convert_units, decide_by_field, read_from_text
from workbench.ingest.keys import Resolver, reject_duplicates, resolve_references
from workbench.ingest.layout import HEADER_SEARCH_ROWS, data_rows, find_header
from workbench.ingest.mapping import Mapping
from workbench.ingest.problems import Problem, RowProblems
from workbench.ingest.readers import RawTable
from workbench.ingest.validated import ValidatedTable
from workbench.ingest.values import Mark


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
    kept, lines = data_rows(raw, header, keys, result)
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
    problems = RowProblems()
    values: dict[str, np.ndarray] = {}
    deferred: dict[str, np.ndarray] = {}
    factorized: dict[str, tuple[np.ndarray, list[Any]]] = {}
    for done, rule in enumerate(mapping.fields, 1):
        column = heading[columns[rule.name]] if rule.name in columns else rule.name
        typed = columns.get(rule.name) in raw.typed
        values[rule.name] = read_field_column(
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
            convert_units(rule, values, texts, result, lines, problems)
        if rule.from_text is not None:
            read_from_text(rule, values, marks.get(rule.name), result, lines, problems)
        if rule.by_field is not None:
            decide_by_field(rule, values, deferred.get(rule.name), result, lines, problems)
    for rule in mapping.fields:
        if rule.unit is not None and rule.type in ("decimal", "fraction"):
            column_values = values[rule.name]
            for index in np.flatnonzero(is_set(column_values)).tolist():
                column_values[index] = str(column_values[index])
    result.derived = tuple(sorted(derived))
    texts_by_ref: dict[str, np.ndarray] = {}
    for rule in mapping.reference_fields:
        texts_by_ref[rule.name] = values[rule.name].copy()
        resolve_references(
            rule,
            values[rule.name],
            result.columns.get(rule.name, rule.name),
            name,
            lines,
            problems,
            resolve,  # type: ignore[arg-type]
        )
    reject_duplicates(mapping, values, texts_by_ref, result, lines, problems)
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
