"""Writes the corpus's Excel files (run once; the files are kept beside it).

Excel keeps a formula's last result beside the formula, and an import reads that result;
openpyxl writes formulas without one, so the results are put in as Excel would have them.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent


def _with_results(path: Path, results: dict[str, str]) -> None:
    """Give each formula cell (by reference) its cached result."""
    work = Path(tempfile.mkdtemp())
    with zipfile.ZipFile(path) as book:
        book.extractall(work)
    sheet = work / "xl" / "worksheets" / "sheet1.xml"
    xml = sheet.read_text("utf-8")
    for ref, value in results.items():
        xml, found = re.subn(
            rf'(<c r="{ref}"[^>]*>)<f>([^<]*)</f><v\s*/?>(</v>)?',
            rf"\1<f>\2</f><v>{value}</v>",
            xml,
        )
        assert found == 1, ref
    sheet.write_text(xml, "utf-8")
    path.unlink()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for file in sorted(work.rglob("*")):
            if file.is_file():
                book.write(file, file.relative_to(work).as_posix())
    shutil.rmtree(work)


def german_merged_headings() -> None:
    """A buyer's sheet: a merged title, merged group headings over the real ones, numbers
    typed as German text, and the price in INR worked out by a formula from EUR."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Stoffliste Sommer 2027 — Werk Tirupur"])
    sheet.merge_cells("A1:H1")
    sheet.append(["Material", None, None, "Eigenschaften", None, "Preis", None, None])
    sheet.merge_cells("A2:C2")
    sheet.merge_cells("D2:E2")
    sheet.merge_cells("F2:H2")
    sheet.append(
        [
            "Materialnummer",
            "Materialkurztext",
            "Materialart",
            "Warengruppe",
            "Flächengewicht",
            "EUR",
            "Kurs",
            "Standardpreis",
        ]
    )
    sheet.append(["Basismengeneinheit"])  # a stray cell under the headings: not a row
    sheet.delete_rows(4)
    rows = [
        ("000000000000600100", "Jersey Modal 170 Sand", "FERT", "Stoffe", "170", "4,50", "90,125"),
        ("000000000000600101", "Piqué Bio 210 Weiß", "FERT", "Stoffe", "210", "5,10", "90,125"),
        ("000000000000600102", "Rippe 1x1 Elastan", "HALB", "Gewirke", "1.250", "3,95", "90,125"),
    ]
    for r, row in enumerate(rows, start=4):
        sheet.append([*row[:5], row[5], row[6], f"=F{r}*G{r}"])
    for r in range(4, 7):
        sheet[f"F{r}"].number_format = "@"
        sheet[f"G{r}"].number_format = "@"
    # the unit is not on the sheet: the admin adds it as a column beside the prices
    sheet["I3"] = "BME"
    for r in range(4, 7):
        sheet[f"I{r}"] = "KG"
    path = HERE / "materials_de_merged_headings.xlsx"
    book.save(path)
    # what Excel shows for =F*G when F and G are text: it converts them (German locale)
    _with_results(path, {"H4": "405.5625", "H5": "459.6375", "H6": "355.99375"})


def english_formulas() -> None:
    """A costing sheet: typed numbers, a total row, a price worked out by a formula."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Trims price list", None, None, None, None, None, None])
    sheet.append([])
    sheet.append(["Code", "Name", "Type", "Category", "Unit", "Cost", "Price"])
    rows = [
        ("TRM-8001", "Metal zipper 18 cm", "trim", "zipper", "pcs", 12.4, "=F4*1.1"),
        ("TRM-8002", "Drawcord 120 cm", "trim", "drawcord", "pcs", 3.125, "=F5*1.1"),
        ("TRM-8003", "Hangtag 2-ply", "trim", "hangtag", "pcs", 1.234, "=F6*1.1"),
        ("YRN-8004", "Ne 20/1 Slub", "yarn", "slub yarn", "kg", 1234, "=F7*1.1"),
    ]
    for row in rows:
        sheet.append(list(row))
    sheet.append(["Total", None, None, None, None, "=SUM(F4:F7)", "=SUM(G4:G7)"])
    path = HERE / "materials_costing_en.xlsx"
    book.save(path)
    _with_results(
        path,
        {
            "G4": "13.64",
            "G5": "3.4375",
            "G6": "1.3574",
            "G7": "1357.4",
            "F8": "1250.759",
            "G8": "1375.8349",
        },
    )


if __name__ == "__main__":
    german_merged_headings()
    english_formulas()
