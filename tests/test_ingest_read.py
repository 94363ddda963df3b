"""Reading and validating master data files: real files in each format, and messy ones."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from workbench.ingest import load_mapping, read_table, validate
from workbench.ingest.mapping import MappingError
from workbench.ingest.readers import ReadError
from workbench.ingest.values import parse_date

HEADER = [
    "Code",
    "Name",
    "Type",
    "Category",
    "Composition",
    "GSM",
    "Width (cm)",
    "Unit",
    "Price",
    "Supplier",
]
ROWS = [
    [
        "FAB-001",
        "Single Jersey 180 Navy",
        "fabric",
        "single jersey",
        "100% Cotton",
        "180",
        "180",
        "kg",
        "412.50",
        "Kongu Knit Fabrics",
    ],
    [
        "YRN-002",
        "Ne 30/1 Combed Cotton Yarn",
        "yarn",
        "combed yarn",
        "100% Cotton",
        "",
        "",
        "kg",
        "305",
        "Amaravathi Spinning",
    ],
    [
        "TRM-003",
        "Polyester button 18L — Schwarz",
        "trim",
        "button",
        "",
        "",
        "",
        "pc",
        "0.6",
        "Lotus Trims",
    ],
]


def test_dates_day_first() -> None:
    assert parse_date("24.11.2026").isoformat() == "2026-11-24"
    assert parse_date("2026-11-24").isoformat() == "2026-11-24"
    with pytest.raises(ValueError, match=r"DD\.MM\.YYYY"):
        parse_date("11/24/2026")


@pytest.mark.parametrize("delimiter", [";", ",", "\t", "|"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252"])
def test_csv_in_each_encoding_and_delimiter(tmp_path: Path, delimiter: str, encoding: str) -> None:
    path = tmp_path / "materials.csv"
    lines = [delimiter.join(HEADER)] + [delimiter.join(row) for row in ROWS]
    path.write_bytes("\r\n".join(lines).replace("—", "-").encode(encoding))
    raw = read_table(path)
    assert raw.delimiter == delimiter
    table = validate(raw, load_mapping("materials"))
    assert table.problems == []
    assert [values["code"] for _, values in table.rows] == ["FAB-001", "YRN-002", "TRM-003"]
    assert table.rows[2][1]["name"] == "Polyester button 18L - Schwarz"
    assert table.rows[0][1]["price"] == "412.50" and table.rows[0][1]["gsm"] == 180


def test_xlsx_with_a_title_row_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "materials.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Material master export — Tiruppur plant"])
    sheet.merge_cells("A1:J1")
    sheet.append([])
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(
            [
                float(c)
                if c.replace(".", "").isdigit() and "." in c
                else (int(c) if c.isdigit() else c)
                for c in row
            ]
        )
        sheet.append([])
    book.save(path)
    table = validate(read_table(path), load_mapping("materials"))
    assert table.header_row == 3
    assert table.problems == []
    assert [(n, v["code"]) for n, v in table.rows] == [
        (4, "FAB-001"),
        (6, "YRN-002"),
        (8, "TRM-003"),
    ]
    assert table.rows[0][1]["gsm"] == 180 and table.rows[0][1]["price"] == "412.5"


def test_sap_extract_with_german_numbers_and_leading_zeros(tmp_path: Path) -> None:
    path = tmp_path / "MARA_export.txt"
    path.write_bytes(
        "MATNR\tMAKTX\tMTART\tMATKL\tMEINS\tBRGEW\tGEWEI\tSTPRS\tWERKS\r\n"
        "000000000000012345\tSingle Jersey Baumwolle\tZFAB\tsingle jersey\tKG\t0,180\tKG"
        "\t1.412,50\t1000\r\n"
        "000000000000012346\tGarn Ne 30/1\tZYRN\tcombed yarn\tKG\t\t\t305,00\t1000\r\n"
        "000000000000012347\tKnopf 18L\tHIBE\tbutton\tST\t\t\t0,60-\t1000\r\n".encode("cp1252")
    )
    mapping = load_mapping("materials")
    table = validate(read_table(path), mapping)
    assert [p.message for p in table.problems] == [
        "negative: this column takes no numbers below zero"
    ]  # the 0,60-
    [(_, first), (_, second)] = table.rows
    assert first["code"] == "000000000000012345"  # leading zeros kept: codes are text
    assert (first["material_type"], first["uom"], first["price"]) == ("fabric", "kg", "1412.50")
    assert second["material_type"] == "yarn" and second["price"] == "305.00"
    assert first["mill"] == "1000" and first["gross_weight_kg"] == "0.180"


def test_messy_rows_are_all_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "messy.csv"
    path.write_text(
        ";".join(HEADER) + "\n"
        "FAB-001;Jersey;fabric;single jersey;100% Cotton;heavy;180;kg;412,50;S1\n"
        "FAB-002;Pique;fabric;pique;100% Cotton;220;180;yards;398,00;S1\n"
        "\n"
        "FAB-001;Jersey again;fabric;single jersey;;180;180;kg;400;S1\n"
        ";No code;fabric;rib;;240;170;kg;10;S2\n"
        "FAB-005;Fleece;fabric;fleece;;5000;180;kg;-3;S2\n"
        "FAB-006;Good;fabric;fleece;;300;180;kg;450;S2\n",
        encoding="utf-8",
    )
    table = validate(read_table(path), load_mapping("materials"))
    found = {(p.row, p.column, p.value, p.message) for p in table.problems}
    assert found == {
        (2, "GSM", "heavy", "'heavy' is not a number"),
        (3, "Unit", "yards", "not one of kg, m, pc"),
        (2, "Code", "FAB-001", "duplicate: the same code is on lines 2 and 5"),
        (5, "Code", "FAB-001", "duplicate: the same code is on lines 2 and 5"),
        (6, "Code", "", "a value is required"),
        (7, "GSM", "5000", "above the maximum of 1500"),
        (7, "Price", "-3", "negative: this column takes no numbers below zero"),
    }
    assert [n for n, _ in table.rows] == [8]
    assert table.rows_read == 6
    assert "messy.csv, line 2, column 'GSM' ('heavy')" in str(table.problems[0])


def test_a_missing_required_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "no_unit.csv"
    path.write_text("Code,Name,Type,Category\nFAB-1,Jersey,fabric,single jersey\n")
    table = validate(read_table(path), load_mapping("materials"))
    assert table.rows == []
    [problem] = table.problems
    assert (problem.row, problem.column) == (1, "uom")
    assert "required column is missing" in problem.message and "MEINS" in problem.message


def test_a_file_without_a_header_says_so(tmp_path: Path) -> None:
    path = tmp_path / "numbers.csv"
    path.write_text("1,2,3\n4,5,6\n")
    [problem] = validate(read_table(path), load_mapping("materials")).problems
    assert "no header row found" in problem.message


def test_unreadable_files_and_bad_mappings_are_named(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match="no such file"):
        read_table(tmp_path / "missing.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(ReadError, match=r"broken\.xlsx: not a readable spreadsheet"):
        read_table(broken)
    with pytest.raises(ReadError, match="unsupported file type"):
        read_table(tmp_path.joinpath("x.pdf")) if tmp_path.joinpath("x.pdf").write_text(
            ""
        ) is None else read_table(tmp_path / "x.pdf")
    with pytest.raises(MappingError, match="no mapping"):
        load_mapping("nothing")
    bad = tmp_path / "bad.json"
    bad.write_text('{"key": "code", "fields": {"code": {"type": "money"}}}')
    with pytest.raises(MappingError, match=r"bad\.json: field 'code' has type 'money'"):
        load_mapping(bad)


def test_sap_material_types_weights_and_gsm_from_the_description(tmp_path: Path) -> None:
    """A German SAP extract as a sync admin gets it: FERT, ROH and HIBE are fabric, yarn and
    trim; HALB takes its kind from the material group; weights in GEWEI's unit are stored in
    kg; GSM and width come from the description where the file has no column for them."""
    path = tmp_path / "MARA.csv"
    path.write_bytes(
        "MATNR;MAKTX;MTART;MATKL;MEINS;BRGEW;NTGEW;GEWEI;WERKS\r\n"
        "\r\n"
        "000000000000012345;Single Jersey 180 g/m² 150 cm;FERT;Stoffe;KG;0,180;0,175;KG;1000\r\n"
        "000000000000012346;Garn Ne 30/1;ROH;Garne;KG;1,250;1,2;KG;1000\r\n"
        "000000000000012347;Knopf 18L;HIBE;Zutaten;ST;2,5;2;G;1000\r\n"
        "000000000000012348;Rohware Interlock;HALB;Gewirke;KG;;;;1000\r\n"
        "000000000000012349;Färben Lohn;DIEN;Dienste;ST;0;0;;1000\r\n"
        "000000000000012350;Halbfabrikat;HALB;Sonstiges;KG;0,120-;;KG;1000\r\n".encode("cp1252")
    )
    table = validate(read_table(path), load_mapping("materials"))
    got = {
        v["code"][-5:]: (
            v["material_type"],
            v["gross_weight_kg"],
            v["net_weight_kg"],
            v["gsm"],
            v["width_cm"],
        )
        for _, v in table.rows
    }
    assert got == {
        "12345": ("fabric", "0.180", "0.175", 180, 150),
        "12346": ("yarn", "1.250", "1.2", None, None),
        "12347": ("trim", "0.0025", "0.002", None, None),
        "12348": ("fabric", None, None, None, None),
    }
    assert "weight_unit" not in table.rows[0][1]
    found = {(p.row, p.column, p.value, p.rule) for p in table.problems}
    assert found == {
        (7, "MTART", "DIEN", "not imported"),
        (8, "MATKL", "Sonstiges", "not a choice"),
        (8, "BRGEW", "0,120-", "negative"),
    }


@pytest.mark.parametrize(
    "text",
    [
        "Materialliste\r\n\r\nCode;Name;Type\r\nA1; spaced ;fabric\r\n\r\n-----\r\nB2;b;yarn;\r\n",
        "\ufeffCode\tName\nA\tb\n\n  \nC\t d\n",
        "Code,Name,Type\nA,b,c\n----,\nCode,Name,Type\nTotal,,\n" + "X,y,z\n" * 3000,
        "Code;Name\n" + "".join(f"C{n};Name {n}\n" for n in range(5000)) + "Summe;\n*;1\nlast;x",
    ],
)
def test_a_plain_text_export_is_read_by_column_as_by_line(tmp_path: Path, text: str) -> None:
    """The fast reader (pandas' C parser, by column) gives the cells, rows and lines the
    general one (line by line) gives: title, blank and rule lines, cells to strip, a trailing
    delimiter, a BOM, CRLF."""
    from workbench.ingest.readers import _decode, _delimiter, _text_rows

    path = tmp_path / "export.csv"
    path.write_bytes(text.encode("utf-8"))
    raw = read_table(path)
    assert raw.column_arrays() is not None and raw.lines is None
    decoded, _ = _decode(path.read_bytes(), path.name)
    rows, lines = _text_rows(decoded, _delimiter(decoded))
    assert lines == list(range(1, len(rows) + 1))
    assert [raw.row(i) for i in range(len(raw))] == rows and list(raw.rows) == rows
    width = len(raw.column_arrays())
    assert list(zip(*raw.column_arrays(), strict=True)) == [
        (*r, *("",) * (width - len(r))) for r in rows
    ]


def test_a_column_of_many_plain_numbers_reads_as_each_number_alone(tmp_path: Path) -> None:
    """A price column of many distinct numbers is checked as a whole; each value comes out as
    it does read on its own (the same text, the bounds' messages), with the mark given."""
    prices = [
        "0",
        "0.5",
        "12.50",
        "1.234",
        "980.125",
        *(f"{n}.{n % 97:02d}" for n in range(1, 400)),
    ]
    row = "C{};Jersey;fabric;jersey;;;;kg;{};S"
    lines = [";".join(HEADER), *(row.format(n, price) for n, price in enumerate(prices))]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines), "utf-8")
    mapping = load_mapping("materials")
    whole = validate(read_table(path), mapping, decimal_mark=".")
    assert not whole.problems
    for (_, values), price in zip(whole.rows, prices, strict=True):
        alone = tmp_path / "one.csv"
        alone.write_text(f"{lines[0]}\n{row.format(0, price)}\n", "utf-8")
        one = validate(read_table(alone), mapping, decimal_mark=".")
        assert values["price"] == one.rows[0][1]["price"] == price


def test_an_excel_column_of_distinct_texts_is_stripped_and_keeps_its_order(
    tmp_path: Path,
) -> None:
    """A column of mostly different texts (codes, names) is made again cell by cell; each cell
    keeps its place and loses the white space around it, as every other column does."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Code", "Name", "Type", "Category", "Unit"])
    codes = [f"  FAB-{n:03d}\t" if n % 7 == 0 else f"FAB-{n:03d}" for n in range(40)]
    for n, code in enumerate(codes):
        sheet.append([code, f"Fabric number {n} ", "fabric", "jersey", "m"])
    path = tmp_path / "materials.xlsx"
    book.save(path)
    raw = read_table(path)
    columns = raw.column_arrays()
    assert columns[0].tolist() == ["Code", *(f"FAB-{n:03d}" for n in range(40))]
    assert columns[1].tolist() == ["Name", *(f"Fabric number {n}" for n in range(40))]
    table = validate(raw, load_mapping("materials"))
    assert table.problems == []
    assert [v["code"] for _, v in table.rows] == [f"FAB-{n:03d}" for n in range(40)]
