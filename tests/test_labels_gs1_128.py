"""The GS1-128 barcode beside the QR code: what it says, and that scanners read it.

Every check goes through a decoder we did not write (zxing-cpp): PDFs are rendered to
pixels (pypdfium2), ZPL's ``^BC`` field is drawn from its invocation codes by the reader
below, and the barcode must give the same AIs and values as the QR code's Digital Link.
"""

from __future__ import annotations

import json
import string
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pypdfium2 as pdfium
import pytest
import zxingcpp
from barcode.charsets import code128
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from workbench.labels import (
    IdScheme,
    LabelError,
    LabelItem,
    TemplateError,
    gtin_check_digit,
    load_template,
    parse_digital_link,
    parse_zpl,
    render_labels_pdf,
    render_labels_zpl,
    template_names,
)
from workbench.labels.gs1 import CHARSET_82, DigitalLink
from workbench.labels.gs1_128 import gs1_128, parse_element_string
from workbench.labels.templates import parse_template, template_dir

SCHEME = IdScheme("id.example-mill.com", "acme-mills")
MADE = date(2026, 11, 24)


def _link_ais(uri: str) -> dict[str, str]:
    """The AIs a GS1 Digital Link carries, read from the URI a QR code holds."""
    link = parse_digital_link(uri)
    assert link.gtin is not None
    ais = {"01": link.gtin, **link.attributes}
    for ai, value in (("22", link.variant), ("10", link.lot), ("21", link.serial)):
        if value is not None:
            ais[ai] = value
    return ais


def _read(image: Image.Image) -> tuple[list[str], list[str]]:
    """QR texts and GS1-128 transmitted strings (FNC1 as GS) found in ``image``."""
    qr, linear = [], []
    for result in zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain):
        if result.format == zxingcpp.BarcodeFormat.QRCode:
            qr.append(result.text)
        else:
            assert result.format == zxingcpp.BarcodeFormat.Code128
            assert result.symbology_identifier == "]C1"  # GS1-128: FNC1 first
            linear.append(result.text)
    return qr, linear


def _interpretation(ais: dict[str, str]) -> str:
    """What GS1 prints under the bars: each AI in parentheses, then its value."""
    return " ".join(f"({ai}) {value}" for ai, value in ais.items())


def _item(number: int) -> LabelItem:
    """Labels as a run prints them: consecutive serials, a few lots, weights and dates."""
    return LabelItem(
        gtin=["09506000134352", "4006381333931", "96385074"][number % 3],
        lot=f"L24{number // 50:02d}-{number % 7}",
        serial=f"{100000 + number}",
        variant="02" if number % 5 == 0 else None,
        quantity=Decimal(number % 900 + 1) / 4,
        unit="kg" if number % 2 else "m",
        production_date=MADE - timedelta(days=number % 30),
        description=f"Jersey {number}",
        colour="Navy",
    )


# --- the element string ------------------------------------------------------------------------


def test_element_string_puts_predefined_lengths_first_and_separates_the_rest() -> None:
    item = LabelItem(
        gtin="9506000134352",
        lot="L2411-07",
        serial="000101",
        variant="02",
        quantity=Decimal("125.5"),
        unit="kg",
        production_date=MADE,
    )
    symbol = gs1_128(item.digital_link(SCHEME))
    assert symbol is not None
    assert symbol.text == "(01)09506000134352(11)261124(3101)001255(22)02(10)L2411-07(21)000101"
    assert symbol.transmitted == "01095060001343521126112431010012552202\x1d10L2411-07\x1d21000101"
    assert parse_element_string(symbol.transmitted) == _link_ais(item.uri(SCHEME))
    assert symbol.zpl_data().startswith(">;>801095060001343521126112431010012552202>8")


def test_a_workspace_id_gets_no_linear_code() -> None:
    assert gs1_128(LabelItem(code="FAB-7731", lot="R1").digital_link(SCHEME)) is None


_VALUES = st.text(alphabet=sorted(CHARSET_82), min_size=1, max_size=20)


@st.composite
def _links(draw: st.DrawFn) -> DigitalLink:
    body = draw(st.text(alphabet=string.digits, min_size=13, max_size=13))
    attributes = {}
    if draw(st.booleans()):
        attributes["11"] = gs1_date_text(draw(st.dates(date(2000, 1, 1), date(2049, 12, 31))))
    if draw(st.booleans()):
        attributes[f"310{draw(st.integers(0, 5))}"] = f"{draw(st.integers(0, 999999)):06d}"
    if draw(st.booleans()):
        attributes["30"] = str(draw(st.integers(0, 99999999)))
    return DigitalLink(
        "id.example-mill.com",
        gtin=body + gtin_check_digit(body),
        variant=draw(st.none() | _VALUES),
        lot=draw(st.none() | _VALUES),
        serial=draw(st.none() | _VALUES),
        attributes=attributes,
    )


def gs1_date_text(day: date) -> str:
    return day.strftime("%y%m%d")


def _bars_image(modules: str, module_px: int = 3, height: int = 60) -> Image.Image:
    """A symbol drawn from its modules ("1" dark) with a ten-module quiet zone each side."""
    row = "0" * 10 + modules + "0" * 10
    image = Image.new("L", (len(row) * module_px, height), 255)
    for index, module in enumerate(row):
        if module == "1":
            image.paste(0, (index * module_px, 0, (index + 1) * module_px, height))
    return image


def _zpl_bc_modules(data: str) -> str:
    """The bars a printer draws for ``^BC`` mode N field data (ZPL II manual, ^BC: the
    invocation codes ``>9 >: >;`` start in code set A, B, C; ``>8`` is FNC1, ``>5 >6 >7``
    switch to C, B, A; ``><`` is ``>``; the printer appends the check character)."""
    starts = {">9": (103, "A"), ">:": (104, "B"), ">;": (105, "C")}
    value, code_set = starts[data[:2]]
    values = [value]
    position = 2
    while position < len(data):
        pair = data[position : position + 2]
        if pair == ">8":
            values.append(102)
        elif pair in (">5", ">6"):
            values.append({"C": {">6": 100}, "B": {">5": 99}}[code_set][pair])
            code_set = "C" if pair == ">5" else "B"
        elif code_set == "C":
            assert pair.isdigit(), f"{data!r}: {pair!r} in code set C"
            values.append(int(pair))
        elif pair == "><":
            values.append(ord(">") - 32)
        else:
            assert code_set == "B" and pair[0] != ">", f"{data!r} at {position}"
            values.append(ord(pair[0]) - 32)
            position += 1
            continue
        position += 2
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return "".join(code128.CODES[v] for v in [*values, check]) + code128.STOP + "11"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_links())
def test_any_gtin_link_encodes_to_a_symbol_a_scanner_reads_back(link: DigitalLink) -> None:
    symbol = gs1_128(link)
    assert symbol is not None
    expected = _link_ais(link.uri)
    for modules in (symbol.modules, _zpl_bc_modules(symbol.zpl_data())):
        _qr, [read] = _read(_bars_image(modules))
        assert read == symbol.transmitted
        assert parse_element_string(read) == expected


# --- PDF: 500 labels, every barcode against its QR --------------------------------------------


def _pdf_codes(pdf: bytes, template_name: str, dpi: int) -> list[tuple[str, str]]:
    """(QR text, GS1-128 text) of every label slot, in order."""
    template = load_template(template_name)
    px = dpi / 25.4
    pairs = []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=dpi / 72).to_pil()
        for slot in range(template.per_page):
            left, top = template.label_origin_mm(slot)
            box = (
                round(left * px),
                round(top * px),
                round((left + template.label_width_mm) * px),
                round((top + template.label_height_mm) * px),
            )
            qr, linear = _read(image.crop(box))
            if not qr and not linear:
                continue  # an empty slot at the end of a sheet
            assert len(qr) == 1 and len(linear) == 1, f"slot {slot}: {qr} {linear}"
            pairs.append((qr[0], linear[0]))
    return pairs


@pytest.mark.parametrize(("template_name", "dpi"), [("thermal-100x50", 300), ("a4-sheet-3x8", 600)])
def test_every_gs1_128_of_500_labels_reads_as_its_qr_digital_link(
    template_name: str, dpi: int
) -> None:
    items = [_item(number) for number in range(500)]
    pdf = render_labels_pdf(items, template_name, scheme=SCHEME, engine="direct")
    pairs = _pdf_codes(pdf, template_name, dpi)
    assert [qr for qr, _ in pairs] == [item.uri(SCHEME) for item in items]
    for qr, linear in pairs:
        assert parse_element_string(linear) == _link_ais(qr)
    assert len({linear for _, linear in pairs}) == 500  # the serials make each one unique
    # under each symbol, its human-readable interpretation, as text a PDF reader finds
    printed = [line for page in _pdf_lines(pdf) for line in page if line.startswith("(01) ")]
    assert printed == [_interpretation(_link_ais(qr)) for qr, _ in pairs]


def _pdf_lines(pdf: bytes) -> list[list[str]]:
    """Each page's text lines, as pdfium extracts them."""
    return [
        page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")
        for page in pdfium.PdfDocument(pdf)
    ]


# --- the 50 x 25 mm label: GTIN and serial at a scannable X-dimension ---------------------------


def _gtin_and_serial(uri: str) -> dict[str, str]:
    ais = _link_ais(uri)
    return {"01": ais["01"], "21": ais["21"]}


def test_the_small_label_carries_gtin_and_serial_in_its_500_gs1_128_codes() -> None:
    """GTIN, date, weight, lot and serial (about 330 modules) would need 0.15 mm bars in
    50 mm; at the template's 0.25 mm X-dimension, (01) and a six-digit (21) take 198
    modules (49.5 mm), so that is what the bars carry, and what the line under them says;
    the QR code keeps every AI."""
    template = load_template("thermal-50x25")
    assert template.barcode_min_module_mm == 0.25
    items = [_item(number) for number in range(500)]
    pdf = render_labels_pdf(items, template, scheme=SCHEME, engine="direct")
    pairs = _pdf_codes(pdf, "thermal-50x25", 300)
    assert [qr for qr, _ in pairs] == [item.uri(SCHEME) for item in items]
    for qr, linear in pairs:
        assert linear == "01" + _link_ais(qr)["01"] + "21" + _link_ais(qr)["21"]
    printed = [line for page in _pdf_lines(pdf) for line in page if line.startswith("(01) ")]
    assert printed == [_interpretation(_gtin_and_serial(qr)) for qr, _ in pairs]
    symbol = gs1_128(items[0].digital_link(SCHEME))
    assert symbol is not None and symbol.width_modules * 0.25 > 50  # the whole string: no


def _zpl_label_image(label: Any, width: int, height: int) -> Image.Image:
    """A ZPL label's GS1-128 drawn as a printer draws it: its ``^BC`` data in bars of
    ``^BY`` dots at ``^FO``, the rest of the label white."""
    [field] = label.linear
    image = Image.new("L", (width, height), 255)
    bars = _bars_image(_zpl_bc_modules(field.data), field.module, field.bar_height)
    quiet = 10 * field.module
    image.paste(bars.crop((quiet, 0, bars.width - quiet, bars.height)), (field.x, field.y))
    return image


@pytest.mark.parametrize("dpi", [203, 300])
def test_the_small_labels_zpl_bars_are_whole_dots_at_the_x_dimension(dpi: int) -> None:
    """At 203 dpi, 0.25 mm is two dots and (01)+(21) fit the 400 dots; at 300 dpi it is
    three dots (0.254 mm), and 198 modules take 594 dots of the 590: (01)+(10) with a
    seven-character lot takes 253 modules, so the bars carry the GTIN alone (154 modules,
    462 dots), and the line under them says so."""
    template = load_template("thermal-50x25")
    items = [_item(number) for number in range(500)]
    labels = parse_zpl(render_labels_zpl(items, template, dpi, scheme=SCHEME))
    per_mm = 8.0 if dpi == 203 else 300 / 25.4
    for item, label in zip(items, labels, strict=True):
        assert label.width is not None and label.length is not None
        _qr, [read] = _read(_zpl_label_image(label, label.width, label.length))
        uri = item.uri(SCHEME)
        expected = _gtin_and_serial(uri) if dpi == 203 else {"01": _link_ais(uri)["01"]}
        assert parse_element_string(read) == expected
        [field] = label.linear
        assert field.module is not None and field.module / per_mm >= 0.25
        assert [line.data for line in label.interpretations] == [_interpretation(expected)]


def test_a_serial_too_long_for_the_small_label_falls_back_to_the_lot_then_the_gtin() -> None:
    """A five-digit serial costs a code-set switch: (01)(21)12345 is 209 modules, 52.25 mm
    at 0.25 mm; with a short lot the bars carry (01)(10), with none the GTIN alone."""
    with_lot = LabelItem(gtin="09506000134352", serial="12345", lot="A1")
    without = LabelItem(gtin="09506000134352", serial="12345")
    pdf = render_labels_pdf([with_lot, without], "thermal-50x25", scheme=SCHEME)
    pairs = _pdf_codes(pdf, "thermal-50x25", 300)
    assert [parse_element_string(linear) for _, linear in pairs] == [
        {"01": "09506000134352", "10": "A1"},
        {"01": "09506000134352"},
    ]


@pytest.mark.parametrize("template_name", ["thermal-100x50", "a4-sheet-3x8", "thermal-50x25"])
def test_weasyprint_draws_the_same_barcode(template_name: str) -> None:
    items = [_item(number) for number in range(4)]
    pdf = render_labels_pdf(items, template_name, scheme=SCHEME, engine="weasyprint")
    pairs = _pdf_codes(pdf, template_name, 600)
    assert [qr for qr, _ in pairs] == [item.uri(SCHEME) for item in items]
    small = template_name == "thermal-50x25"
    for qr, linear in pairs:
        assert parse_element_string(linear) == (_gtin_and_serial(qr) if small else _link_ais(qr))
    printed = [line for page in _pdf_lines(pdf) for line in page if line.startswith("(01) ")]
    assert printed == [_interpretation(parse_element_string(linear)) for _, linear in pairs]


def test_workspace_items_print_without_a_linear_code() -> None:
    pdf = render_labels_pdf([LabelItem(code="FAB-1", lot="R1")], "thermal-100x50", scheme=SCHEME)
    image = pdfium.PdfDocument(pdf)[0].render(scale=300 / 72).to_pil()
    assert _read(image) == (["https://id.example-mill.com/id/acme-mills/material/FAB-1/10/R1"], [])


# --- ZPL ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("dpi", [203, 300])
def test_zpl_gs1_128_is_the_pdf_symbol_and_fits_its_box(dpi: int) -> None:
    template = load_template("thermal-100x50")
    assert template.barcode is not None
    items = [_item(number) for number in range(60)]
    labels = parse_zpl(render_labels_zpl(items, template, dpi, scheme=SCHEME))
    per_mm = 8.0 if dpi == 203 else 300 / 25.4
    box_x, box_y, box_w, box_h = (round(v * per_mm) for v in template.barcode)
    bars_h = round(template.barcode_bars_mm()[3] * per_mm)
    for item, label in zip(items, labels, strict=True):
        [field] = label.linear
        assert field.data.startswith(">;>801")  # start in code set C, FNC1, AI 01
        modules = _zpl_bc_modules(field.data)
        _qr, [read] = _read(_bars_image(modules))
        assert parse_element_string(read) == _link_ais(item.uri(SCHEME))
        assert field.module is not None and field.module >= 1
        quiet = 10 * field.module
        assert field.x - quiet >= box_x
        assert field.x + len(modules) * field.module + quiet <= box_x + box_w
        assert (field.y, field.bar_height) == (box_y, bars_h)
        # the widest whole-dot module: one more dot would overflow the box
        assert (len(modules) + 20) * (field.module + 1) > box_w
        [line] = label.interpretations  # under the bars, inside the box, the AIs read
        assert line.data == _interpretation(parse_element_string(read))
        assert box_y + bars_h < line.y and line.y + (line.font_height or 0) <= box_y + box_h
        assert (line.x, line.block_width) == (box_x, box_w)


def test_zpl_writes_a_greater_than_sign_as_its_invocation_code() -> None:
    item = LabelItem(gtin="09506000134352", lot="A>B")
    [label] = parse_zpl(render_labels_zpl([item], "thermal-100x50", scheme=SCHEME))
    [field] = label.linear
    assert "A><B" in field.data
    _qr, [read] = _read(_bars_image(_zpl_bc_modules(field.data)))
    assert parse_element_string(read) == {"01": "09506000134352", "10": "A>B"}


# --- templates and human-readable lines --------------------------------------------------------


@pytest.mark.parametrize("template_name", ["thermal-100x50", "thermal-50x25", "a4-sheet-3x8"])
def test_every_template_prints_the_serial_and_gtin_in_full(template_name: str) -> None:
    assert template_name in template_names()
    template = load_template(template_name)
    assert {"serial", "code"} <= set(template.fields)
    item = LabelItem(
        gtin="09506000134352",
        lot="L2411-07",
        serial="12345678901234567890",
        style="ST-2041",
        colour="Navy",
        production_date=MADE,
    )
    pdf = render_labels_pdf([item], template, scheme=SCHEME)
    text = pdfium.PdfDocument(pdf)[0].get_textpage().get_text_range()
    lines = text.replace("\r\n", "\n").split("\n")
    serial_caption = template.captions.get("serial", "Serial")
    assert f"{serial_caption} 12345678901234567890" in lines  # not cut with an ellipsis
    assert "GTIN 09506000134352" in lines


def _shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((template_dir() / f"{name}.json").read_text("utf-8"))
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["barcode"].update(y_mm=20), r"barcode .* overlaps the QR box"),
        (
            lambda d: d["barcode"].update(x_mm=40, y_mm=30, width_mm=50, height_mm=6),
            r"barcode .* overlaps the text",
        ),
        (lambda d: d["barcode"].update(width_mm=99), r"barcode \(x_mm \+ width_mm\) ends at 101"),
        (
            lambda d: d["barcode"].update(height_mm=2),
            r"barcode.height_mm is 2; it must be at least",
        ),
        (
            lambda d: d["barcode"].update(height_mm=7),
            r"barcode.height_mm 7 leaves 4.0 mm of bars above the 7 pt line",
        ),
        (lambda d: d["barcode"].update(ais=[["21"]]), r"barcode.ais lists .* each with 01"),
        (lambda d: d["barcode"].update(ais=[["01", "99"]]), r"barcode.ais lists"),
        (
            lambda d: d["barcode"].update(min_module_mm=0.1),
            r"barcode.min_module_mm is 0.1; it must be at least 0.125",
        ),
    ],
)
def test_barcode_box_errors_name_file_and_field(change: Any, message: str) -> None:
    data = _shipped("thermal-100x50")
    change(data)
    with pytest.raises(TemplateError, match=message):
        parse_template(data, "my.json")


def test_a_symbol_too_wide_for_its_box_is_refused_before_printing() -> None:
    data = _shipped("a4-sheet-3x8")
    data["barcode"].update(width_mm=55)
    template = parse_template(data, "narrow.json")
    items = [
        _item(1),
        LabelItem(
            gtin="09506000134352",
            lot="L" * 20,
            serial="S" * 20,
            variant="V" * 20,
            production_date=MADE,
        ),
    ]
    with pytest.raises(LabelError, match=r"item 2: the GS1-128 code \(01\)0950.* bars would be"):
        render_labels_pdf(items, template, scheme=SCHEME)
