"""Rows for PostgreSQL's ``COPY … FROM STDIN`` in its text format, made a column at a time.

An import writes hundreds of thousands of rows; adapting each row's values one by one
(psycopg's ``write_row``) costs more of the importing process's time than the database
takes to store them. Here each column becomes text at once (whole numbers by ``str``, text
escaped only where it holds a character the format reserves), and the rows are joined
by C loops (``map`` over ``zip``), so no Python line runs per row for the usual columns.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

#: what COPY's text format stands for NULL
NULL = "\\N"
#: the characters the text format reserves, and how a value writes them
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_RESERVED = ("\\", "\t", "\n", "\r")


def copy_value(value: Any) -> str:
    """One value as COPY's text format writes it."""
    if value is None:
        return NULL
    if type(value) is bool:
        return "1" if value else "0"
    text = value if type(value) is str else str(value)
    return text.translate(_ESCAPES) if any(c in text for c in _RESERVED) else text


def copy_column(values: Sequence[Any]) -> list[str]:
    """A column's values as COPY's text format writes them: a column of text or of whole
    numbers, NULLs among them or not, in C loops; anything else value by value."""
    kinds = set(map(type, values))
    column = np.empty(len(values), dtype=object)
    column[:] = values
    nulls = np.equal(column, None) if type(None) in kinds else None  # type: ignore[call-overload]
    kinds.discard(type(None))
    present = column if nulls is None else column[~nulls]
    texts: Any
    if kinds <= {str}:
        reserved = any(c in "".join(present.tolist()) for c in _RESERVED)
        texts = list(map(copy_value, present)) if reserved else present
    elif kinds <= {int}:
        texts = list(map(str, present))
    else:
        texts = list(map(copy_value, present))
    if nulls is None:
        return texts.tolist() if isinstance(texts, np.ndarray) else list(texts)
    column[~nulls] = texts
    column[nulls] = NULL
    return column.tolist()


def copy_chunks(
    columns: Sequence[Sequence[Any] | Any], count: int, chunk: int
) -> Iterator[tuple[int, bytes]]:
    """The text COPY reads for ``count`` rows, ``chunk`` rows at a time: (rows so far, the
    chunk's bytes). Each of ``columns`` is either a sequence of ``count`` values or a
    `Shared` value every row holds."""
    texts: list[Sequence[str] | Iterator[str]] = []
    for column in columns:
        if isinstance(column, Shared):
            texts.append(itertools.repeat(copy_value(column.value)))
        else:
            texts.append(copy_column(column))
    lines = map("\t".join, zip(*texts, strict=False))  # shared values repeat without end
    for start in range(0, count, chunk):
        end = min(start + chunk, count)
        block = "\n".join(itertools.islice(lines, end - start))
        yield end, (block + "\n").encode()


class Shared:
    """A value every row of a `copy_chunks` holds (a workspace id, a default)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
