"""A row's keys: its own business key, which no other line of the file may repeat, and the
codes it names rows of other tables by, looked up in the workspace all at once.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np
import pandas as pd

from workbench.ingest.columns import is_set
from workbench.ingest.mapping import FieldRule, Mapping
from workbench.ingest.problems import Problem, RowProblems, line_word
from workbench.ingest.validated import ValidatedTable

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


def reject_duplicates(
    mapping: Mapping,
    values: dict[str, np.ndarray],
    texts_by_ref: dict[str, np.ndarray],
    result: ValidatedTable,
    lines: list[int],
    problems: RowProblems,
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


def resolve_references(
    rule: FieldRule,
    codes: np.ndarray,
    column: str,
    file: str,
    lines: list[int],
    problems: RowProblems,
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
