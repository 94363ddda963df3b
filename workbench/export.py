"""Writing what a table shows to a spreadsheet or a CSV file, for people who take data on.

The file type follows the name: ``.xlsx`` (bold, frozen header; numbers stay numbers) or
``.csv`` (UTF-8 with BOM, so Excel opens accents correctly).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Font


class ExportError(ValueError):
    """The file cannot be written as asked."""


def export_table(path: Path | str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Write ``rows`` under ``headers``; returns the number of rows written."""
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
                writer.writerow(["" if v is None else v for v in row])
                count += 1
        return count
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.freeze_panes = "A2"
    header_cells = []
    for title in headers:
        cell = openpyxl.cell.WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(list(row))
        count += 1
    book.save(path)
    return count
