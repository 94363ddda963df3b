"""The reject report: every problem of an import as a spreadsheet and a CSV, next to the file,
so whoever fixes the data sees file, line, column, value, the rule broken and the whole message
side by side. Every rejected row is in it, however many there are."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl
from openpyxl.styles import Font

from workbench.ingest.problems import Problem, line_word

COLUMNS = ("File", "Line", "Column", "Value", "Rule", "Problem")


def write_reject_report(problems: Sequence[Problem], base: Path) -> tuple[Path, Path]:
    """Write ``<base>.xlsx`` and ``<base>.csv``; returns both paths."""
    base.parent.mkdir(parents=True, exist_ok=True)
    rows = [(p.file, p.row, p.column, p.value, p.rule, p.message) for p in problems]
    columns = list(COLUMNS)
    if problems and line_word(problems[0].file) == "row":
        columns[1] = "Row"  # a spreadsheet's rows
    xlsx, csv_path = base.parent / f"{base.name}.xlsx", base.parent / f"{base.name}.csv"
    book = openpyxl.Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Rejected rows"
    sheet.append(columns)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for letter, width in zip("ABCDEF", (28, 8, 22, 28, 20, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    book.save(xlsx)
    with csv_path.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows(rows)
    return xlsx, csv_path
