"""Exporting a table to .xlsx and .csv (the core function the views call)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbench.export import ExportError, export_table


def test_xlsx_keeps_numbers_as_numbers(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    assert (
        export_table(
            path, ["Code", "GSM", "Name"], [["FAB-1", 180, "Jersey"], ["FAB-2", None, "Piqué"]]
        )
        == 2
    )
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


def test_xlsx_cells_are_typed_with_formats_a_header_block_and_a_named_sheet(
    tmp_path: Path,
) -> None:
    from datetime import date
    from decimal import Decimal

    path = tmp_path / "typed.xlsx"
    written = export_table(
        path,
        ["Component", "Amount (₹)", "Share", "Valid from"],
        [["Yarn", Decimal("138.12"), Decimal("0.14"), date(2026, 12, 1)]],
        sheet_name="Cost sheet TS-01",
        header=[("Style", "TS-01"), ("Quantity (pcs)", 3000)],
        formats=[None, "#,##0.00", "0.00%", "yyyy-mm-dd"],
    )
    assert written == 1
    sheet = openpyxl.load_workbook(path)["Cost sheet TS-01"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Style", "TS-01") and rows[1][:2] == ("Quantity (pcs)", 3000)
    assert rows[3] == ("Component", "Amount (₹)", "Share", "Valid from")
    amount, share, valid = sheet.cell(5, 2), sheet.cell(5, 3), sheet.cell(5, 4)
    assert amount.value == 138.12 and amount.number_format == "#,##0.00"
    assert share.value == 0.14 and share.number_format == "0.00%"
    assert valid.is_date and valid.number_format == "yyyy-mm-dd"
    assert sheet.freeze_panes == "A5"


def test_a_sheet_name_excel_refuses_is_made_one_it_takes(tmp_path: Path) -> None:
    path = tmp_path / "odd.xlsx"
    export_table(path, ["A"], [[1]], sheet_name="Materials: cotton/linen [SS27] and a long tail")
    [name] = openpyxl.load_workbook(path).sheetnames
    assert len(name) <= 31 and not set(name) & set(":/\\?*[]")
