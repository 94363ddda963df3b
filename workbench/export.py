"""Writing what a table shows to a spreadsheet or a CSV file, for people who take data on.

The file type follows the name: ``.xlsx`` or ``.csv`` (UTF-8 with BOM, so Excel opens
accents correctly). A workbook is one Excel users keep: numbers, money, percentages and dates
are typed cells (give `Decimal`, `int`, `date`, never their text) with the number format
asked for per column; a header block above the table says what it is (style, brand,
quantity, currency, date…); the sheet is named after its content; the table's header row is
bold and frozen.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font

from workbench.errors import WorkbenchError


class ExportError(WorkbenchError, ValueError):
    """The file cannot be written as asked."""


#: number formats for the kinds of values a workbench table holds
MONEY = "#,##0.00"
PERCENT = "0.00%"
DATE = "yyyy-mm-dd"
INTEGER = "#,##0"


@dataclass(frozen=True)
class Cell:
    """A value with its own number format, where a column mixes kinds (a rate in ₹ on one
    line, in % on the next)."""

    value: Any
    number_format: str | None = None


def sheet_title(text: str) -> str:
    """``text`` as an Excel sheet name: without : / \\ ? * [ ], at most 31 characters."""
    cleaned = " ".join(re.sub(r"[:/\\?*\[\]]", " ", text).split()) or "Sheet"
    return cleaned[:31].rstrip()


def export_table(
    path: Path | str,
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet_name: str = "",
    header: Sequence[tuple[str, Any]] = (),
    formats: Sequence[str | None] = (),
) -> int:
    """Write ``rows`` under ``headers``; returns the number of rows written.

    In a workbook: the sheet is called ``sheet_name`` (by default after the file), the
    ``header`` block (label, value) comes first, and column *i* of the table takes number
    format ``formats[i]`` (dates get `DATE` by default). A CSV file holds the table only."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ExportError(f"{path.name}: export to .xlsx or .csv")
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    if suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as out:
            writer = csv.writer(out)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(
                    ["" if v is None else v.value if isinstance(v, Cell) else v for v in row]
                )
                count += 1
        return count
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title(sheet_name or path.stem))
    first = len(header) + 2 if header else 1  # the table's header row
    sheet.freeze_panes = f"A{first + 1}"
    for label, value in header:
        sheet.append([_bold(sheet, label), _typed(sheet, value, None)])
    if header:
        sheet.append([])
    sheet.append([_bold(sheet, title) for title in headers])
    for row in rows:
        sheet.append(
            [
                _typed(sheet, value, formats[i] if i < len(formats) else None)
                for i, value in enumerate(row)
            ]
        )
        count += 1
    book.save(path)
    return count


def _bold(sheet: Any, text: str) -> SheetCell:
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=text)
    cell.font = Font(bold=True)
    return cell


def _typed(sheet: Any, value: Any, number_format: str | None) -> Any:
    """A cell for ``value`` with its number format (dates get one by default)."""
    if isinstance(value, Cell):
        value, number_format = value.value, value.number_format or number_format
    if isinstance(value, date) and not isinstance(value, datetime):
        number_format = number_format or DATE
    elif isinstance(value, datetime):
        number_format = number_format or "yyyy-mm-dd hh:mm"
    if number_format is None or value is None or isinstance(value, str):
        return value
    cell = openpyxl.cell.WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell
