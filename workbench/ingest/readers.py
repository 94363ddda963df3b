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
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

DELIMITERS = ";,\t|"


class ReadError(ValueError):
    """The file cannot be read as a table; the message names the file and why."""


class TypedNumber(str):
    """A spreadsheet cell that held a number, not text: written with a point, read as is."""

    __slots__ = ()


#: a line that only draws: the rules between an SAP list's heading and its rows
_RULE = frozenset("-=_|+ \t")


@dataclass(frozen=True)
class RawTable:
    path: Path
    #: every row of the file as text cells
    rows: tuple[tuple[str, ...], ...]
    encoding: str = ""
    delimiter: str = ""
    #: the line in the file each row starts on; None: rows[i] is line i + 1
    lines: tuple[int, ...] | None = None

    def line(self, index: int) -> int:
        return self.lines[index] if self.lines is not None else index + 1


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
    sample = [line for line in text.splitlines()[:80] if line.strip() and
              not _RULE.issuperset(line)]  # fmt: skip
    best, score = ",", (-1, -1)
    for candidate in DELIMITERS:
        widths = Counter(len(row) for row in csv.reader(sample, delimiter=candidate))
        common = [(lines, width) for width, lines in widths.items() if width > 1]
        if common and (found := max(common)) > score:
            best, score = candidate, found
    return best


def _read_text(path: Path) -> RawTable:
    text, encoding = _decode(path.read_bytes(), path.name)
    delimiter = _delimiter(text)
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
    if all(n == i + 1 for i, n in enumerate(lines)):
        return RawTable(path, tuple(rows), encoding, delimiter)
    return RawTable(path, tuple(rows), encoding, delimiter, tuple(lines))


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
    return RawTable(path, tuple(tuple(_cell(v) for v in row) for row in sheet))
