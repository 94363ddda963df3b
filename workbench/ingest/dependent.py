"""Fields read with another field's help: numbers in the unit another column (or the heading)
names, a number taken from the row's text where its own cell is empty, and a choice another
field decides (an SAP material type whose kind its material group tells).
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pandas as pd

from workbench.ingest.cells import Broken, ColumnMark, converter
from workbench.ingest.columns import is_none, is_set
from workbench.ingest.mapping import FieldRule, choice_spellings, norm
from workbench.ingest.problems import Problem, RowProblems
from workbench.ingest.validated import ValidatedTable


def convert_units(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    texts: dict[str, np.ndarray],
    result: ValidatedTable,
    lines: list[int],
    problems: RowProblems,
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


def read_from_text(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    column_mark: ColumnMark | None,
    result: ValidatedTable,
    lines: list[int],
    problems: RowProblems,
) -> None:
    """Where the field's own cell is empty, the number its row's text gives ('180 g/m²' in a
    description), held to the field's rules like a cell of its own. Each distinct text is
    searched once (a material list repeats its trims' descriptions)."""
    assert rule.from_text is not None
    convert = converter(rule, column_mark or ColumnMark(None))
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
                    read[at] = Broken(f"{rule.name} from the text: {exc}")
            else:
                read[at] = _NOT_FOUND
        read[-1] = _NOT_FOUND
        outcome = read[codes]
        kinds = np.fromiter(map(type, outcome), dtype=object, count=len(outcome))
        told = kinds != _NotFound
        broken = kinds == Broken
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
    """No number in a text (`read_from_text`)."""


_NOT_FOUND = _NotFound()


def decide_by_field(
    rule: FieldRule,
    values: dict[str, np.ndarray],
    deferred: np.ndarray | None,
    result: ValidatedTable,
    lines: list[int],
    problems: RowProblems,
) -> None:
    """The choices another field decides: an SAP material type such as HALB is yarn or
    fabric as its material group says."""
    assert rule.by_field is not None
    if deferred is None or not len(deferred):
        return
    by = rule.by_field
    spellings = choice_spellings(tuple(by.choices.items()))
    own = values[rule.name]
    other = values[by.field]
    column = result.columns.get(rule.name, rule.name)
    other_column = result.columns.get(by.field, by.field)
    for index in deferred.tolist():
        value = own[index]
        group = other[index]
        found = spellings.get(norm(group)) if isinstance(group, str) and group else None
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
