"""Exporting a table to .xlsx and .csv (the core function the views call)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbench.export import ExportError, export_table


def test_xlsx_keeps_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    assert export_table(path, ["Code", "GSM", "Name"], [["FAB-1", 180, "Jersey"],
                                                        ["FAB-2", None, "Piqué"]]) == 2  # fmt: skip
    rows = list(openpyxl.load_workbook(path).active.iter_rows(values_only=True))
    assert rows == [("Code", "GSM", "Name"), ("FAB-1", 180, "Jersey"), ("FAB-2", None, "Piqué")]


def test_csv_has_a_bom_for_excel(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    export_table(path, ["Name"], [["Piqué"]])
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert path.read_text("utf-8-sig").splitlines() == ["Name", "Piqué"]


def test_other_file_types_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match=r"out\.pdf: export to \.xlsx or \.csv"):
        export_table(tmp_path / "out.pdf", ["A"], [])
