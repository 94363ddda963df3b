"""QR symbols, label templates, label text, PDF and ZPL output (workbench.labels).

The PDF tests go the whole way a printed label goes: PDF → pixels at 300 dpi (pypdfium2)
→ QR decoded by a scanner library (zxing-cpp), label by label, in order.
"""

from __future__ import annotations

import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import qrcode
import zxingcpp
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q

from workbench.labels import (
    IdScheme,
    LabelError,
    LabelItem,
    TemplateError,
    error_correction_for,
    load_template,
    make_qr,
    parse_digital_link,
    parse_zpl,
    prepare_labels,
    qr_png,
    qr_svg,
    render_labels_pdf,
    render_labels_zpl,
    template_names,
)
from workbench.labels.templates import parse_template, template_dir
from workbench.labels.zpl import qr_magnification, zpl_escape

SCHEME = IdScheme("id.example-mill.com", "acme-mills")
MADE = date(2026, 11, 24)


def _items() -> list[LabelItem]:
    """Six labels: GTIN trade items and workspace-coded materials, bundles and rolls."""
    return [
        LabelItem(
            gtin="09506000134352",
            lot="L2411-07",
            serial="000101",
            style="ST-2041",
            colour="Navy",
            quantity=Decimal("125.5"),
            unit="kg",
            production_date=MADE,
            mill="Unit 2",
            description="Jersey 180",
        ),
        LabelItem(
            gtin="4006381333931",
            variant="02",
            lot="A/B12",
            colour="Écru",
            quantity=Decimal("40"),
            unit="pc",
            production_date=MADE,
        ),
        LabelItem(code="YRN 30/1 CO", lot="Y-88", quantity=Decimal("52.25"), unit="kg"),
        LabelItem(
            code="FAB-7731",
            kind="roll",
            lot="R7731",
            serial="12",
            style="ST-9",
            quantity=Decimal("1200"),
            unit="m",
            mill="Unit 1",
        ),
        LabelItem(code="BND-0042", kind="bundle", style="ST-2041", colour="Red", mill="Unit 3"),
        LabelItem(
            gtin="96385074",
            lot="L9",
            serial="S-1",
            colour="Olive",
            quantity=Decimal("3"),
            unit="cones",
            production_date=date(2026, 1, 5),
        ),
    ]


def _decode(image: Image.Image) -> list[str]:
    """The QR codes in ``image`` (the GS1-128 beside them: tests/test_labels_gs1_128.py)."""
    return [
        result.text
        for result in zxingcpp.read_barcodes(image)
        if result.format == zxingcpp.BarcodeFormat.QRCode
    ]


# --- QR -------------------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 17, 60, 90, 140, 300, 900])
@pytest.mark.parametrize("level", ["M", "Q"])
def test_fast_mask_choice_gives_the_qrcode_package_symbol(length: int, level: str) -> None:
    data = ("https://id.example-mill.com/01/09506000134352/10/L%2F7/21/" * 20)[:length]
    reference = qrcode.QRCode(
        error_correction={"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}[level], border=0
    )
    reference.add_data(data)
    reference.make(fit=True)
    symbol = make_qr(data, level)
    assert symbol.modules == tuple(tuple(bool(m) for m in row) for row in reference.modules)
    assert symbol.version == reference.version


@pytest.mark.parametrize(("size_mm", "level"), [(15, "M"), (22, "M"), (25, "Q"), (42, "Q")])
def test_error_correction_follows_printed_size(size_mm: float, level: str) -> None:
    assert error_correction_for(size_mm) == level


def test_q_costs_modules_that_m_keeps() -> None:
    uri = "https://id.example-mill.com/01/09506000134352/10/L2411-07/21/000101?11=261124"
    assert make_qr(uri, "Q").size > make_qr(uri, "M").size


def test_png_has_a_four_module_quiet_zone_and_decodes() -> None:
    uri = "https://id.example-mill.com/id/acme/material/YRN%2030/10/L1"
    symbol = make_qr(uri, "M")
    image = Image.open(io.BytesIO(symbol.png(module_px=4))).convert("L")
    side = (symbol.size + 8) * 4
    assert image.size == (side, side)
    pixels = image.load()
    border = [pixels[x, y] for x in range(side) for y in range(16)]  # top 4 modules
    border += [pixels[x, y] for x in range(16) for y in range(side)]  # left 4 modules
    assert set(border) == {255}
    assert pixels[16, 16] == 0  # the finder pattern starts right after the quiet zone
    assert _decode(image) == [uri]


def test_qr_png_uses_whole_pixels_per_module() -> None:
    uri = "https://id.example-mill.com/01/09506000134352"
    image = Image.open(io.BytesIO(qr_png(uri, size_mm=30, dpi=300)))
    modules = make_qr(uri, "Q").size + 8
    assert image.size[0] % modules == 0
    assert image.size[0] <= 30 / 25.4 * 300
    assert _decode(image) == [uri]


def test_svg_symbol_decodes_after_weasyprint() -> None:
    import weasyprint

    uri = "https://id.example-mill.com/01/09506000134352/10/A%2FB12"
    svg = qr_svg(uri, 30)
    assert svg.startswith("<svg") and 'width="30mm"' in svg
    pdf = weasyprint.HTML(string=f"<html><body>{svg}</body></html>").write_pdf()
    page = pdfium.PdfDocument(pdf)[0]
    assert _decode(page.render(scale=300 / 72).to_pil()) == [uri]


def test_qr_refuses_overflow_and_other_levels() -> None:
    with pytest.raises(LabelError, match=r"3000 characters do not fit in a QR code at level Q"):
        make_qr("x" * 3000, "Q")
    with pytest.raises(LabelError, match=r"error correction 'H': labels use 'M' or 'Q'"):
        make_qr("x", "H")


# --- templates ------------------------------------------------------------------------------


def test_shipped_templates_load() -> None:
    assert {"thermal-100x50", "thermal-50x25", "a4-sheet-3x8"} <= set(template_names())
    roll = load_template("thermal-100x50")
    assert (roll.label_width_mm, roll.label_height_mm, roll.per_page) == (100, 50, 1)
    small = load_template("thermal-50x25")
    assert (small.page_width_mm, small.page_height_mm) == (50, 25)
    sheet = load_template("a4-sheet-3x8")
    assert (sheet.page_width_mm, sheet.page_height_mm, sheet.per_page) == (210, 297, 24)
    assert sheet.label_origin_mm(4) == (70, 37.5)


def _shipped_text() -> str:
    return (template_dir() / "a4-sheet-3x8.json").read_text("utf-8")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.pop("qr"), r"my.json: 'qr' is missing"),
        (lambda d: d["qr"].update(size_mm="30"), r"my.json: qr.size_mm must be a number"),
        (lambda d: d["qr"].update(size_mm=40), r"my.json: qr \(y_mm \+ size_mm\) ends at 43 mm"),
        (lambda d: d["text"].update(fields=["lot", "price"]), r"text.fields has 'price'"),
        (lambda d: d["text"].update(x_mm=20), r"text \(x_mm 20\) overlaps the QR box"),
        (lambda d: d["text"].update(font_size_pt=12), r"text.fields: 8 lines need"),
        (lambda d: d["grid"].update(columns=4), r"grid \(columns\) ends at 280 mm"),
        (lambda d: d["grid"].update(pitch_y_mm=30), r"grid.pitch_y_mm is 30; it must be at least"),
        (lambda d: d.update(layout="fan"), r"layout is 'fan'"),
        (lambda d: d.update(layout="roll"), r"grid is for sheet layouts"),
    ],
)
def test_template_errors_name_file_and_field(change: Any, message: str) -> None:
    data = json.loads(_shipped_text())
    change(data)
    with pytest.raises(TemplateError, match=message):
        parse_template(data, "my.json")


def test_template_file_errors(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    with pytest.raises(TemplateError, match=r"broken.json is not valid JSON"):
        load_template(broken)
    renamed = tmp_path / "other.json"
    renamed.write_text(_shipped_text(), "utf-8")
    with pytest.raises(TemplateError, match=r"other.json: name is 'a4-sheet-3x8'"):
        load_template(renamed)
    with pytest.raises(TemplateError, match=r"no label template 'nope.json'; known: a4-sheet"):
        load_template("nope")


# --- items and text -------------------------------------------------------------------------


def test_item_uri_and_text_lines() -> None:
    item = _items()[0]
    assert item.uri(SCHEME) == (
        "https://id.example-mill.com/01/09506000134352/10/L2411-07/21/000101?11=261124&3101=001255"
    )
    lines = item.text_lines(load_template("thermal-100x50").fields)
    assert [line.text for line in lines] == [
        "Jersey 180",
        "Style ST-2041",
        "Lot L2411-07",
        "Serial 000101",
        "Colour Navy",
        "Qty 125.5 kg",
        "Made 2026-11-24",
        "Mill Unit 2",
        "GTIN 09506000134352",
    ]
    assert lines[0].is_title


def test_workspace_item_uri_and_skipped_fields() -> None:
    item = _items()[4]
    assert item.uri(SCHEME) == "https://id.example-mill.com/id/acme-mills/bundle/BND-0042"
    texts = [line.text for line in item.text_lines(["lot", "style", "colour", "code"])]
    assert texts == ["Style ST-2041", "Colour Red", "BND-0042"]


def test_unit_without_gs1_ai_is_printed_but_not_encoded() -> None:
    item = _items()[5]
    assert "?11=260105" in item.uri(SCHEME) and "30=" not in item.uri(SCHEME)
    assert [line.text for line in item.text_lines(["quantity"])] == ["Qty 3 cones"]


def test_typed_whitespace_becomes_single_spaces() -> None:
    item = LabelItem(code="X-1", description=" Jersey\n180\tgsm ", colour="   ")
    assert [line.text for line in item.text_lines(["description", "colour"])] == ["Jersey 180 gsm"]


def test_captions_come_from_the_template() -> None:
    lines = _items()[0].text_lines(["lot", "date"], {"lot": "Charge", "date": "Datum"})
    assert [line.text for line in lines] == ["Charge L2411-07", "Datum 2026-11-24"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"give a GTIN or a workspace code"),
        ({"gtin": "09506000134352", "code": "X"}, r"exactly one"),
        ({"code": "X", "quantity": Decimal(5)}, r"give its unit"),
        ({"code": "X", "quantity": "lots", "unit": "kg"}, r"quantity 'lots' is not a number"),
    ],
)
def test_item_rules(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(LabelError, match=message):
        LabelItem(**kwargs)


def test_id_scheme_is_checked_up_front() -> None:
    with pytest.raises(LabelError, match=r"resolver 'https://id.example.com'"):
        IdScheme("https://id.example.com", "acme")
    with pytest.raises(LabelError, match=r"workspace 'acme mills'"):
        IdScheme("id.example.com", "acme mills")


def test_a_bad_item_stops_the_job_and_is_named() -> None:
    items = [*_items(), LabelItem(code="X-1", lot="bad lot")]
    with pytest.raises(LabelError, match=r"item 7: lot 'bad lot' \(GS1 AI 10\): ' '"):
        prepare_labels(items, load_template("thermal-50x25"), SCHEME)


# --- PDF round trip -------------------------------------------------------------------------


def _decode_pdf(pdf: bytes, template_name: str) -> tuple[list[str], list[str]]:
    """Every label slot's decoded QR texts (empty slots skipped) and every page's text."""
    template = load_template(template_name)
    px_per_mm = 300 / 25.4
    decoded: list[str] = []
    texts: list[str] = []
    for page in pdfium.PdfDocument(pdf):
        assert page.get_size() == pytest.approx(
            (template.page_width_mm / 25.4 * 72, template.page_height_mm / 25.4 * 72), abs=0.1
        )
        image = page.render(scale=300 / 72).to_pil()
        texts.append(page.get_textpage().get_text_range())
        for slot in range(template.per_page):
            left, top = template.label_origin_mm(slot)
            box = (
                round(left * px_per_mm),
                round(top * px_per_mm),
                round((left + template.label_width_mm) * px_per_mm),
                round((top + template.label_height_mm) * px_per_mm),
            )
            found = _decode(image.crop(box))
            assert len(found) <= 1, f"slot {slot}: {found}"
            decoded += found
    return decoded, texts


@pytest.mark.parametrize("template_name", ["thermal-100x50", "thermal-50x25", "a4-sheet-3x8"])
def test_pdf_labels_scan_back_to_their_uris_in_order(template_name: str) -> None:
    template = load_template(template_name)
    items = _items()
    pdf = render_labels_pdf(items, template_name, scheme=SCHEME)
    expected = [item.uri(SCHEME) for item in items]
    decoded, texts = _decode_pdf(pdf, template_name)
    assert decoded == expected
    assert len(texts) == (1 if template.layout == "sheet" else len(items))
    if template.layout == "roll":
        for item, text in zip(items, texts, strict=True):
            for line in item.text_lines(template.fields, template.captions):
                assert line.text in text.replace("\r\n", "\n").split("\n")
    else:
        page_lines = texts[0].replace("\r\n", "\n").split("\n")
        for item in items:
            for line in item.text_lines(template.fields, template.captions):
                assert line.text in page_lines
    for uri in decoded:
        parse_digital_link(uri)  # what a scanner reads is a link we can resolve


def test_sheet_pages_fill_in_order_and_copies_repeat() -> None:
    items = _items()
    pdf = render_labels_pdf(items, "a4-sheet-3x8", scheme=SCHEME, copies=5)
    decoded, texts = _decode_pdf(pdf, "a4-sheet-3x8")
    assert len(texts) == 2  # 30 labels: a full sheet of 24 and 6 on the next
    assert decoded == [item.uri(SCHEME) for item in items for _ in range(5)]


def test_pdf_text_is_escaped_not_markup() -> None:
    item = LabelItem(code="X-1", description="<b>Bold</b> & co", colour="<i>")
    pdf = render_labels_pdf([item], load_template("a4-sheet-3x8"), scheme=SCHEME)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    assert "<b>Bold</b> & co" in text and "Colour <i>" in text


def test_nothing_to_print_is_an_error() -> None:
    with pytest.raises(LabelError, match="no labels to print"):
        render_labels_pdf([], "thermal-100x50", scheme=SCHEME)


# --- ZPL --------------------------------------------------------------------------------------


def _expected_magnification(uri: str, level: str, box_dots: int) -> int:
    code = qrcode.QRCode(
        error_correction={"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}[level], border=0
    )
    code.add_data(uri, optimize=0)  # byte mode: the largest symbol a printer may make
    modules = code.best_fit() * 4 + 17
    return min(10, box_dots // (modules + 8))


@pytest.mark.parametrize(
    ("template_name", "dpi", "width", "length", "box", "level"),
    [
        ("thermal-100x50", 203, 800, 400, 264, "Q"),
        ("thermal-100x50", 300, 1181, 591, 390, "Q"),
        # the 50 x 25 mm label's QR box is 15 mm, its foot holds the GS1-128
        ("thermal-50x25", 203, 400, 200, 120, "M"),
        ("thermal-50x25", 300, 591, 295, 177, "M"),
    ],
)
def test_zpl_sizes_qr_and_data(
    template_name: str, dpi: int, width: int, length: int, box: int, level: str
) -> None:
    items = _items()
    template = load_template(template_name)
    zpl = render_labels_zpl(items, template_name, dpi, scheme=SCHEME, copies=3)
    assert zpl.count("^XA") == zpl.count("^XZ") == len(items)
    labels = parse_zpl(zpl)
    assert len(labels) == len(items)
    for item, label in zip(items, labels, strict=True):
        uri = item.uri(SCHEME)
        assert (label.width, label.length, label.copies) == (width, length, 3)
        [qr] = label.qr
        assert qr.data == uri
        assert qr.error_correction == level
        assert f"^BQN,2,{qr.magnification},{level}^FD{level}A,{uri}^FS" in zpl
        assert qr.magnification == _expected_magnification(uri, level, box)
        # at least 0.25 mm modules (qr.MIN_MODULE_MM): two dots of a 203 dpi head
        assert qr.magnification / (dpi / 25.4) >= 0.25 - 0.01
        assert label.texts == [
            line.text for line in item.text_lines(template.fields, template.captions)
        ]
        text_fields = [f for f in label.fields if f.kind == "text"]
        per_mm = 8.0 if dpi == 203 else 300 / 25.4
        assert {f.x for f in text_fields} == {round(template.text_x_mm * per_mm)}
        assert text_fields[0].y == round(template.text_y_mm * per_mm)
        assert [f.y for f in text_fields] == sorted({f.y for f in text_fields})


def test_zpl_qr_fits_its_box_with_the_quiet_zone() -> None:
    template = load_template("thermal-50x25")
    for dpi, per_mm in ((203, 8.0), (300, 300 / 25.4)):
        for label, item in zip(
            parse_zpl(render_labels_zpl(_items(), template, dpi, scheme=SCHEME)),
            _items(),
            strict=True,
        ):
            [qr] = label.qr
            m = qr.magnification
            assert m is not None
            modules = make_qr(item.uri(SCHEME), "M").size
            box_left = round(template.qr_x_mm * per_mm)
            box_right = box_left + round(template.qr_size_mm * per_mm)
            assert qr.x - 4 * m >= box_left
            assert qr.x + (modules + 4) * m <= box_right


def test_zpl_escapes_command_characters_and_utf8() -> None:
    item = LabelItem(code="X-1", colour="Écru ^~_5", style="A_B")
    zpl = render_labels_zpl([item], "thermal-100x50", scheme=SCHEME)
    assert "^FH^FDColour _C3_89cru _5E_7E_5F5^FS" in zpl
    assert "^FDStyle A_B^FS" in zpl  # nothing to escape: no ^FH, '_' stays
    assert "^CI28" in zpl
    [label] = parse_zpl(zpl)
    assert "Colour Écru ^~_5" in label.texts
    assert zpl_escape("ü^") == "_C3_BC_5E"


def test_zpl_refuses_sheets_unknown_dpi_and_zero_copies() -> None:
    with pytest.raises(LabelError, match=r"a4-sheet-3x8 is a sheet template"):
        render_labels_zpl(_items(), "a4-sheet-3x8", scheme=SCHEME)
    with pytest.raises(LabelError, match=r"250 dpi"):
        render_labels_zpl(_items(), "thermal-100x50", 250, scheme=SCHEME)
    with pytest.raises(LabelError, match=r"copies 0"):
        render_labels_zpl(_items(), "thermal-100x50", scheme=SCHEME, copies=0)


def test_magnification_is_the_largest_that_fits_and_never_too_small() -> None:
    assert qr_magnification(41, 336, 203) == 6  # 49 modules with quiet zone: 6 × 49 = 294
    assert qr_magnification(41, 343, 203) == 7  # 7 × 49 = 343 fits exactly
    assert qr_magnification(21, 1000, 300) == 10  # ^BQ stops at 10
    assert qr_magnification(57, 130, 203) == 2  # 0.25 mm modules: the smallest we print
    with pytest.raises(LabelError, match=r"modules of 0.12 mm, below the 0.25 mm"):
        qr_magnification(57, 100, 203)


def test_too_much_data_for_a_small_label_is_refused_before_printing() -> None:
    data = json.loads(_shipped_text())
    data["qr"].update(size_mm=12)
    data["text"].update(x_mm=17, width_mm=30)
    template = parse_template(data, "tiny.json")
    item = LabelItem(code="C" * 40, lot="L" * 20, serial="S" * 20, variant="V" * 20)
    with pytest.raises(LabelError, match=r"in a 12 mm box has modules of 0.\d\d mm"):
        render_labels_pdf([item], template, scheme=SCHEME)


def test_parse_zpl_rejects_what_it_does_not_know() -> None:
    with pytest.raises(LabelError, match=r"\^GB is not one parse_zpl reads"):
        parse_zpl("^XA^GB10,10,1^FS^XZ")
    with pytest.raises(LabelError, match=r"\^XA without \^XZ"):
        parse_zpl("^XA^PW10")
