"""What checking a file gives: every row read column by column, the rows without a problem,
the problems of the others, and the lines that are not rows.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from workbench.ingest.problems import Problem


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
