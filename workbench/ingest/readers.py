"""Reading a file into rows of text cells, whatever its format.

CSV and text exports: the encoding is sniffed (UTF-8 with or without BOM, else Windows-1252)
and so is the delimiter (``;``, ``,``, tab, ``|``). Excel: read with python-calamine, numbers
that are whole written without ``.0`` and dates as ISO text. Row numbers are the ones a person
sees in the file (1-based, counting blank and title rows), so every message can point at them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

DELIMITERS = ";,\t|"


class ReadError(ValueError):
    """The file cannot be read as a table; the message names the file and why."""


@dataclass(frozen=True)
class RawTable:
    path: Path
    #: every row of the file as text cells; rows[i] is row i + 1 of the file
    rows: tuple[tuple[str, ...], ...]
    encoding: str = ""
    delimiter: str = ""


def read_table(path: Path | str) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise ReadError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        return _read_excel(path)
    if suffix in (".csv", ".txt", ".tsv", ""):
        return _read_text(path)
    raise ReadError(f"{path.name}: unsupported file type {suffix!r} (use .xlsx, .csv or .txt)")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        # the character that splits the most lines into the same number of cells
        best, score = ",", -1
        for candidate in DELIMITERS:
            counts = [line.count(candidate) for line in sample.splitlines() if line.strip()]
            if counts and min(counts) > 0 and (hits := sum(counts)) > score:
                best, score = candidate, hits
        return best


def _read_text(path: Path) -> RawTable:
    text, encoding = _decode(path.read_bytes(), path.name)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = tuple(tuple(cell.strip() for cell in row) for row in reader)
    return RawTable(path, rows, encoding, delimiter)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
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
