"""Where a file's rows are: the heading row that names the most mapped columns, and the lines
after it that are not rows, said so — blank lines, the rules and repeated headings of SAP's
lists, and the totals rows of ALV grids and SE16N.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import numpy as np

from workbench.ingest.mapping import Mapping, norm
from workbench.ingest.readers import RawTable
from workbench.ingest.validated import ValidatedTable

#: how many of a file's first rows may hold its column headings
HEADER_SEARCH_ROWS = 15

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


def find_header(raw: RawTable, mapping: Mapping) -> tuple[int, dict[str, int]]:
    """The row (0-based) that names the most mapped columns, and field -> column index."""
    aliases = {norm(a): rule.name for rule in mapping.fields for a in rule.aliases}
    best_row, best = -1, dict[str, int]()
    for index in range(min(HEADER_SEARCH_ROWS, len(raw))):
        row = raw.row(index)
        found: dict[str, int] = {}
        for col, cell in enumerate(row):
            name = aliases.get(norm(cell))
            if name is not None and name not in found:
                found[name] = col
        if len(found) > len(best):
            best_row, best = index, found
    return best_row, best


def data_rows(
    raw: RawTable, header: int, key_columns: list[int], result: ValidatedTable
) -> tuple[np.ndarray, list[int]]:
    """The data rows after the heading (their indexes in ``raw``) with their lines; the lines
    that are not rows go to ``result.skipped`` (blank lines are simply not rows).

    Whole columns are compared at once; only a row that may be a heading again or a totals
    row (its key empty, or spelt like the heading or a totals word) is looked at on its own."""
    heading_cells = raw.row(header)
    heading = [norm(c) for c in heading_cells]
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
        if first and norm(first) == heading[key_columns[0]] and [norm(c) for c in row] == heading:
            result.skipped.append((line, "the column headings again (a new page of the list)"))
            drop[offset] = True
        elif (norm(first) in _TOTALS or not all(row[c] for c in key_columns)) and any(
            norm(c) in _TOTALS for c in row if c
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
    """Which cells may read as one of ``spellings`` (normalised, `norm`): every one that does,
    and perhaps a few more. One pattern over the column's cells joined by NUL; a column with
    letters beyond ASCII is compared cell by cell."""
    joined = "\x00" + "\x00".join(cells) + "\x00"
    if not joined.isascii():
        wanted = set(spellings)
        return np.fromiter((norm(c) in wanted for c in cells), dtype=bool, count=len(cells))
    words = "|".join(r"\s+".join(re.escape(w) for w in s.split()) for s in spellings if s)
    pattern = re.compile(rf"\x00(?=(?:{words})\x00)", re.IGNORECASE)
    found = np.zeros(len(cells), dtype=bool)
    at = [m.start() for m in pattern.finditer(joined)]
    if at:
        ends = np.cumsum(np.fromiter(map(len, cells), np.int64, len(cells)) + 1)
        found[np.searchsorted(ends, np.asarray(at), side="right")] = True
    return found
