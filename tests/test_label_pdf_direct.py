"""The PDF a label job prints through the direct (fpdf2) engine: its layout against
WeasyPrint's, its fonts and cuts, Devanagari shaping, and its QR codes."""

from __future__ import annotations

import sys

import pytest

from tests.test_label_printing import SCHEME, items
from workbench.labels import (
    LabelError,
    LabelItem,
    load_template,
)
from workbench.labels.pdf import direct_engine_available, render_labels_pdf

# --- the PDF a job prints (the direct engine) and its QR codes ------------------------------


def _producer(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    return str(pdfium.PdfDocument(pdf).get_metadata_dict().get("Producer", ""))


def _page_texts(pdf: bytes) -> list[list[str]]:
    import pypdfium2 as pdfium

    return [
        page.get_textpage().get_text_range().replace("\r\n", "\n").split("\n")
        for page in pdfium.PdfDocument(pdf)
    ]


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_the_direct_pdf_matches_weasyprints_layout() -> None:
    import pypdfium2 as pdfium
    import zxingcpp

    long = LabelItem(code="X-1", lot="L1", description="Single Jersey 180 GSM Organic Cotton " * 3)
    for name in ("thermal-100x50", "a4-sheet-3x8"):
        direct = render_labels_pdf([*items(), long], name, scheme=SCHEME, engine="direct")
        slow = render_labels_pdf([*items(), long], name, scheme=SCHEME, engine="weasyprint")
        assert _producer(direct) == "Mill Workbench" and _producer(slow).startswith("WeasyPrint")
        for ours, theirs in zip(pdfium.PdfDocument(direct), pdfium.PdfDocument(slow), strict=True):
            assert ours.get_size() == pytest.approx(theirs.get_size(), abs=0.01)
            a = ours.render(scale=200 / 72, grayscale=True).to_pil()
            b = theirs.render(scale=200 / 72, grayscale=True).to_pil()
            codes = sorted(r.text for r in zxingcpp.read_barcodes(a))
            assert codes == sorted(r.text for r in zxingcpp.read_barcodes(b)) and codes
            # the same ink in the same places, give or take antialiasing
            differ = sum(abs(x - y) > 128 for x, y in zip(a.tobytes(), b.tobytes(), strict=True))
            assert differ / (a.width * a.height) < 0.01
    lines = _page_texts(render_labels_pdf([long], "thermal-100x50", scheme=SCHEME))[0]
    assert lines[0].endswith("…") and lines[0].startswith("Single Jersey 180 G")


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_a_long_latin_line_is_cut_where_fpdf2_measures_it_full() -> None:
    from fpdf import FPDF

    from workbench.labels.fonts import find_font_file

    template = load_template("thermal-100x50")
    bold = find_font_file(True)
    assert bold is not None
    measure = FPDF(unit="mm")
    measure.add_font("label", "B", str(bold))
    measure.set_font("label", "B", template.title_font_size_pt)
    for pad in range(12):  # each moves where the column's edge falls in the letters
        description = "W" * pad + "Single Jersey 180 GSM Organic Cotton Écru " * 3
        pdf = render_labels_pdf(
            [LabelItem(code="X-5", description=description)], template, scheme=SCHEME
        )
        title = _page_texts(pdf)[0][0]
        kept = title[:-1]
        assert title.endswith("…") and description.startswith(kept), (pad, title)
        # the most letters that fit with the ellipsis, by fpdf2's own measure
        assert measure.get_string_width(title) <= template.text_width_mm + 1e-6, (pad, title)
        longer = description[: len(kept) + 1] + "…"
        assert measure.get_string_width(longer) > template.text_width_mm + 1e-6, (pad, title)


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_every_character_of_every_label_in_a_job_is_set_in_the_labels_face() -> None:
    import re

    labels = [
        LabelItem(code="X-6", description="Single Jersey", colour="Écru"),
        LabelItem(code="X-7", description="Ærø Œuvre ±2 °C", colour="Naïve Grün"),
        LabelItem(code="X-8", description="Ελαφρύ Трикотаж", colour="Blue™ €5"),
    ]
    pdf = render_labels_pdf(labels, "thermal-100x50", scheme=SCHEME, engine="direct")
    pages = _page_texts(pdf)
    for item, lines in zip(labels, pages, strict=True):
        assert item.description in lines and f"Colour {item.colour}" in lines, lines
    faces = set(re.findall(rb"/BaseFont /(\S+)", pdf))
    assert len(faces) == 2, faces  # the regular and the bold face, no fallback


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_devanagari_is_set_directly_shaped_as_weasyprint_sets_it() -> None:
    import pypdfium2 as pdfium

    from workbench.labels.fonts import fallback_font_file

    if fallback_font_file(frozenset(map(ord, "कावेरी")), False) is None:
        pytest.skip("no Devanagari font on this machine")
    mill = LabelItem(code="X-2", mill="कावेरी मिल", colour="Écru", description="सूती जर्सी 180")
    direct = render_labels_pdf([mill], "thermal-100x50", scheme=SCHEME)
    slow = render_labels_pdf([mill], "thermal-100x50", scheme=SCHEME, engine="weasyprint")
    assert _producer(direct) == "Mill Workbench"
    # HarfBuzz leaves a control character where it joined glyphs; the words are whole
    lines = ["".join(ch for ch in line if ch >= " ") for line in _page_texts(direct)[0]]
    assert "Mill कावेरी मिल" in lines and "Colour Écru" in lines and "सूती जर्सी 180" in lines
    page = pdfium.PdfDocument(direct)[0]
    textpage = page.get_textpage()
    at = textpage.get_text_range().index("मि")
    # shaped: the vowel sign of "मि" is drawn before its consonant, not after it
    assert textpage.get_charbox(at + 1)[0] < textpage.get_charbox(at)[2] - 1
    a, b = (
        pdfium.PdfDocument(pdf)[0].render(scale=200 / 72, grayscale=True).to_pil()
        for pdf in (direct, slow)
    )
    differ = sum(abs(x - y) > 128 for x, y in zip(a.tobytes(), b.tobytes(), strict=True))
    assert differ / (a.width * a.height) < 0.01


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_a_long_devanagari_line_is_cut_between_letters_never_inside_one() -> None:
    import unicodedata

    from workbench.labels.fonts import fallback_font_file

    if fallback_font_file(frozenset(map(ord, "क्षत्रिय")), False) is None:
        pytest.skip("no Devanagari font on this machine")
    for pad in range(8):  # each moves where the column's edge falls in the words
        description = "x" * pad + "क्षत्रिय सूती " * 12
        pdf = render_labels_pdf(
            [LabelItem(code="X-4", description=description)], "thermal-100x50", scheme=SCHEME
        )
        title = "".join(ch for ch in _page_texts(pdf)[0][0] if ch >= " ")
        assert title.endswith("…") and description.startswith(title[:-1])
        kept, rest = title[:-1], description[len(title) - 1 :]
        # a vowel sign or a virama left behind would print another word
        assert unicodedata.category(rest[0]) not in ("Mn", "Mc"), (pad, title)
        assert unicodedata.combining(kept[-1]) != 9, (pad, title)


def test_text_no_font_file_has_goes_through_weasyprint() -> None:
    hieroglyph = LabelItem(code="X-3", mill="\U00013000", colour="Écru")
    with pytest.raises(LabelError, match=r"direct PDF engine cannot print these labels"):
        render_labels_pdf([hieroglyph], "thermal-100x50", scheme=SCHEME, engine="direct")
    pdf = render_labels_pdf([hieroglyph], "thermal-100x50", scheme=SCHEME)
    assert _producer(pdf).startswith("WeasyPrint") and "Colour Écru" in _page_texts(pdf)[0]
    with pytest.raises(ValueError, match=r"engine 'fast'"):
        render_labels_pdf([hieroglyph], "thermal-100x50", scheme=SCHEME, engine="fast")


def test_printed_codes_are_the_qrcode_packages_symbols() -> None:
    import random

    import qrcode
    from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q

    from workbench.labels.qr import make_qr, symbol_modules

    rng = random.Random(7)
    runs = [
        "0123456789",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 $%*+-./:",
        "abc/?=&%-_.~xyz",
        "Écru 漢",
    ]
    for _ in range(120):
        length = rng.choice((rng.randint(1, 80), rng.randint(80, 400), rng.randint(400, 1200)))
        data = "".join(rng.choice(rng.choice(runs)) for _ in range(length))
        level = rng.choice("MQ")
        reference = qrcode.QRCode(
            error_correction={"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}[level], border=0
        )
        reference.add_data(data)
        reference.make(fit=True)
        symbol = make_qr(data, level)
        assert symbol.version == reference.version
        assert symbol.modules == tuple(tuple(bool(m) for m in row) for row in reference.modules)
        in_bytes = qrcode.QRCode(
            error_correction={"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}[level], border=0
        )
        in_bytes.add_data(data, optimize=0)
        assert symbol_modules(data, level) == in_bytes.best_fit() * 4 + 17


@pytest.mark.skipif(not direct_engine_available(), reason="no font file for the direct engine")
def test_the_label_images_are_compressed_at_the_fast_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every image of a label job (QR symbols, GS1-128 rows) is compressed at
    `IMAGE_COMPRESSION_LEVEL`, through the setting fpdf2 reads: an fpdf2 release that moves or
    ignores it fails here instead of printing labels slower."""
    from fpdf import image_parsing

    from workbench.labels import pdf as label_pdf

    levels: list[int] = []
    compress = image_parsing.zlib.compress

    def noted(data: bytes, level: int = -1, **kwargs: object) -> bytes:
        if sys._getframe(1).f_globals.get("__name__") == image_parsing.__name__:  # an image
            levels.append(level)
        return compress(data, level, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(image_parsing.zlib, "compress", noted)
    monkeypatch.setattr(image_parsing.SETTINGS, "compression_level", -1)  # fpdf2's default
    pdf = render_labels_pdf(items(), "thermal-100x50", scheme=SCHEME, engine="direct")
    assert pdf.startswith(b"%PDF")
    assert levels and set(levels) == {label_pdf.IMAGE_COMPRESSION_LEVEL}, levels
