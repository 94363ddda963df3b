"""Reading a file into rows of text cells, whatever its format.

CSV and text exports: the encoding is sniffed (UTF-8 with or without BOM, else Windows-1252,
else Latin-1: never a replacement character) and so is the delimiter (``;``, ``,``, tab,
``|``). SAP's lists come in shapes of their own: the "unconverted" list is ``|``-separated
between rules of dashes, and the ALV grid's "spreadsheet" export is tab-separated text saved
as ``.xls``; both are read as text. Excel: read with python-calamine, numbers that are whole
written without ``.0``, typed numbers marked as such (their decimal mark is no question) and
dates as ISO text. Line numbers are the ones a person sees in the file (1-based, counting
blank and title lines, a quoted cell's line breaks included), so every message points at them.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np

from workbench.errors import WorkbenchError

DELIMITERS = ";,\t|"


class ReadError(WorkbenchError, ValueError):
    """The file cannot be read as a table; the message names the file and why."""


class TypedNumber(str):
    """A spreadsheet cell that held a number, not text: written with a point, read as is."""

    __slots__ = ()


#: a line that only draws: the rules between an SAP list's heading and its rows
_RULE = frozenset("-=_|+ \t")


class RawTable:
    """A file's rows of text cells, with the line each starts on.

    Large files are read a column at a time (`column_arrays`): the checking works on whole
    columns, and the rows as tuples (`rows`) are only made when something asks for them.
    """

    def __init__(
        self,
        path: Path,
        rows: tuple[tuple[str, ...], ...] | None = None,
        encoding: str = "",
        delimiter: str = "",
        lines: tuple[int, ...] | None = None,
        *,
        columns: list[np.ndarray] | None = None,
        exact_row: Callable[[int], tuple[str, ...]] | None = None,
        all_rows: Callable[[], tuple[tuple[str, ...], ...]] | None = None,
        typed: frozenset[int] = frozenset(),
    ) -> None:
        if rows is None and columns is None:
            raise TypeError("a RawTable needs its rows or its columns")
        self.path = path
        self.encoding = encoding
        self.delimiter = delimiter
        #: the line in the file each row starts on; None: rows[i] is line i + 1
        self.lines = lines
        self._rows = rows
        self._columns = columns
        self._exact_row = exact_row
        self._all_rows = all_rows
        #: the columns that may hold a spreadsheet's typed numbers (`TypedNumber`)
        self.typed = typed

    def __repr__(self) -> str:
        return f"RawTable({self.path.name!r}, {len(self)} rows)"

    def __len__(self) -> int:
        if self._rows is not None:
            return len(self._rows)
        assert self._columns is not None
        return len(self._columns[0]) if self._columns else 0

    @property
    def rows(self) -> tuple[tuple[str, ...], ...]:
        """Every row of the file as text cells (made on first use for a file read by column)."""
        if self._rows is None:
            if self._all_rows is not None:
                self._rows = self._all_rows()
            else:
                assert self._columns is not None
                self._rows = tuple(zip(*self._columns, strict=True))
        return self._rows

    def row(self, index: int) -> tuple[str, ...]:
        """One row, exactly as `rows` holds it."""
        if self._rows is not None:
            return self._rows[index]
        if self._exact_row is not None:
            return self._exact_row(index)
        assert self._columns is not None  # the rows are the columns' cells side by side
        return tuple(column[index] for column in self._columns)

    def line(self, index: int) -> int:
        return self.lines[index] if self.lines is not None else index + 1

    def column_arrays(self) -> list[np.ndarray]:
        """The cells column by column (object arrays, rows shorter than the widest padded
        with empty cells; a rule line or a blank line all empty)."""
        if self._columns is None:
            rows = self._rows or ()
            width = max((len(r) for r in rows), default=0)
            columns = []
            for cells in itertools.zip_longest(*rows, fillvalue=""):
                column = np.empty(len(rows), dtype=object)
                column[:] = cells
                columns.append(column)
            self._columns = columns if width else []
        return self._columns


def read_table(path: Path | str) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        with path.open("rb") as head:
            magic = head.read(8)
        # SAP's ALV "spreadsheet" export is tab-separated text named .xls
        if suffix != ".xls" or magic.startswith((b"\xd0\xcf\x11\xe0", b"PK")):
            return _read_excel(path)
        return _read_text(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _read_text(path)
    raise ReadError(f"{path.name}: unsupported file type {suffix!r} (use .xlsx, .csv or .txt)")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # a byte Windows-1252 leaves undefined: ISO 8859-1 has them all
        return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    """The character that splits the most lines into the same number of cells (quotes
    respected), over the file's first lines. Title lines, a list's rules and the commas of
    German decimals do not sway it: they split their lines differently from the rows."""
    sample = [
        line for line in text.splitlines()[:80] if line.strip() and not _RULE.issuperset(line)
    ]
    best, score = ",", (-1, -1)
    for candidate in DELIMITERS:
        widths = Counter(len(row) for row in csv.reader(sample, delimiter=candidate))
        common = [(lines, width) for width, lines in widths.items() if width > 1]
        if common and (found := max(common)) > score:
            best, score = candidate, found
    return best


def _read_text(path: Path) -> RawTable:
    data = path.read_bytes()
    fast = _read_text_by_column(path, data)
    if fast is not None:
        return fast
    text, encoding = _decode(data, path.name)
    delimiter = _delimiter(text)
    rows, lines = _text_rows(text, delimiter)
    if all(n == i + 1 for i, n in enumerate(lines)):
        return RawTable(path, tuple(rows), encoding, delimiter)
    return RawTable(path, tuple(rows), encoding, delimiter, tuple(lines))


def _text_rows(text: str, delimiter: str) -> tuple[list[tuple[str, ...]], list[int]]:
    """The rows of a text export (cells stripped, a rule or blank line an empty row) and the
    line each starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    start = 1
    for row in reader:
        if len(row) == 1 and _RULE.issuperset(row[0]):
            row = []  # a rule drawn between a list's heading and its rows, or a blank line
        elif delimiter == "|" and len(row) > 1 and not row[0].strip() and not row[-1].strip():
            row = row[1:-1]  # |cell|cell|: the outer bars frame the row
        rows.append(tuple(cell.strip() for cell in row))
        lines.append(start)
        start = reader.line_num + 1
    return rows, lines


#: text long enough to hold the first lines the delimiter and the headings are found in
_HEAD_BYTES = 1 << 16
#: a cell that starts or ends with white space, in a column's cells joined by NUL
_UNSTRIPPED = re.compile(r"\x00(?:\s|(?<=\s\x00))")


def _read_text_by_column(path: Path, data: bytes) -> RawTable | None:
    """A plain delimited UTF-8 file (no quoted cells, no bare CR line ends, no ``|`` list)
    read column by column by pandas' C parser: the same cells, lines and rows as
    `_text_rows` gives, at the pace of the raw reader. None: read it the general way."""
    import pandas as pd

    if b'"' in data or data.count(b"\r") != data.count(b"\r\n") or not data.strip():
        return None
    encoding = "utf-8"
    body = data
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, body = "utf-8-sig", data[3:]
    head = body[:_HEAD_BYTES]
    if len(body) > _HEAD_BYTES:
        head = head[: head.rfind(b"\n") + 1]
    try:
        head_text = head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    head_lines = head_text.splitlines()
    if len(body) > _HEAD_BYTES and len(head_lines) <= 80:
        return None  # very long lines: the sample the delimiter is decided on is not here
    delimiter = _delimiter(head_text)
    if delimiter == "|":
        return None
    sampled = csv.reader((line for line in head_lines if line.strip()), delimiter=delimiter)
    width = max((len(r) for r in sampled), default=1)
    if width < 2:
        return None
    try:
        frame = pd.read_csv(
            io.BytesIO(body),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=object,
            na_filter=False,
            skip_blank_lines=False,
            quoting=csv.QUOTE_NONE,
            encoding="utf-8",
            engine="c",
            index_col=False,
        )
    except (ValueError, UnicodeDecodeError):  # a wider line, a byte UTF-8 has no reading of
        return None
    count = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    if len(frame) != count:
        return None
    columns = [frame[c].to_numpy() for c in frame.columns]
    for number, column in enumerate(columns):
        if len(column) and _needs_strip(column):
            stripped = np.empty(len(column), dtype=object)
            stripped[:] = [cell.strip() for cell in column]
            columns[number] = column = stripped
    state: dict[str, list[str]] = {}
    head_rows = _text_rows(head_text, delimiter)[0]

    def exact_row(index: int) -> tuple[str, ...]:
        if index < len(head_rows):
            return head_rows[index]
        if "lines" not in state:
            state["lines"] = body.decode("utf-8").split("\n")
        line = state["lines"][index].removesuffix("\r")
        return _text_rows(line, delimiter)[0][0] if line else ()

    def all_rows() -> tuple[tuple[str, ...], ...]:
        return tuple(_text_rows(body.decode("utf-8"), delimiter)[0])

    if width > 1 and len(columns[0]):
        # a rule drawn under a list's heading is a line of one cell, read as an empty row
        for index in np.flatnonzero(columns[1] == ""):
            first = columns[0][index]
            if first and _RULE.issuperset(first) and not exact_row(int(index)):
                if not columns[0].flags.writeable:
                    columns[0] = columns[0].copy()
                columns[0][index] = ""
    return RawTable(
        path, None, encoding, delimiter, columns=columns, exact_row=exact_row, all_rows=all_rows
    )


def _needs_strip(column: np.ndarray) -> bool:
    return _joined_needs_strip("\x00".join(column))


def _joined_needs_strip(joined: str) -> bool:
    """Whether a cell of a column joined by NUL starts or ends with white space."""
    return joined[:1].isspace() or joined[-1:].isspace() or (_UNSTRIPPED.search(joined) is not None)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if value.is_integer():
            return TypedNumber(int(value))
        text = repr(value)  # the shortest text that reads back the same float
        return TypedNumber(format(Decimal(text), "f") if "e" in text else text)
    if isinstance(value, int):
        return TypedNumber(value)
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _read_excel(path: Path) -> RawTable:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise ReadError(f"{path.name}: not a readable spreadsheet ({exc})") from exc
    if not sheet:
        return RawTable(path, ())
    width = max(len(row) for row in sheet)
    grid = np.full((len(sheet), width), "", dtype=object)
    try:
        grid[:] = sheet  # the rows are as wide as the sheet's used range
    except ValueError:
        for number, row in enumerate(sheet):
            grid[number, : len(row)] = row
    columns, typed = [], set()
    for number in range(grid.shape[1]):
        column, has_numbers = _excel_column(grid[:, number].copy())
        columns.append(column)
        if has_numbers:
            typed.add(number)
    return RawTable(path, None, columns=columns, typed=frozenset(typed))


def _excel_column(column: np.ndarray) -> tuple[np.ndarray, bool]:
    """One column's cells as `_cell` reads them (text stripped, numbers as `TypedNumber`),
    each kind of cell converted in bulk; whether it holds numbers."""
    import pandas as pd

    if pd.api.types.infer_dtype(column, skipna=False) == "string":  # all text, seen in C
        head = column[:2000]
        if len(pd.unique(head)) <= len(head) // 2:
            # a column of few values (types, units, groups): one text object for each value,
            # as pandas' reader makes them, so comparing and hashing them later is cheap
            codes, distinct = pd.factorize(column)
            if len(distinct) and _needs_strip(distinct):
                distinct = np.asarray([cell.strip() for cell in distinct], dtype=object)
            return np.asarray(distinct, dtype=object)[codes], False
        joined = "\x00".join(column)
        if joined.count("\x00") != len(column) - 1:  # a cell holds a NUL
            if _needs_strip(column):
                column[:] = [cell.strip() for cell in column]
            return column, False
        # the cells made again, one after the other in memory as pandas' reader makes a
        # column, not a row apart as the sheet gave them: every later pass over the column
        # (checks, hashing, writing) then reads memory in order (0.2 s less for two such
        # columns of 200,000 cells)
        cells = joined.split("\x00")
        column[:] = [cell.strip() for cell in cells] if _joined_needs_strip(joined) else cells
        return column, False
    kinds = np.fromiter(map(type, column), dtype=object, count=len(column))
    text = kinds == str  # noqa: E721 (a column of types, compared at once)
    numbers = kinds == float  # noqa: E721
    if not (text | numbers).all():
        column[:] = [_cell(v) for v in column]
        return column, bool(np.isin(kinds, np.array([int, float], dtype=object)).any())
    at = np.flatnonzero(numbers)
    codes, distinct = pd.factorize(column[at].astype(np.float64))
    read = np.empty(len(distinct), dtype=object)
    read[:] = [_cell(float(v)) for v in distinct]
    column[at] = read[codes]
    texts = np.flatnonzero(text)
    if len(texts) and _needs_strip(column[texts]):
        column[texts] = [v.strip() for v in column[texts]]
    return column, True
