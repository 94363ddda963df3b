"""ZPL prints every script the PDF prints: lines font 0 cannot draw go out as ``^GF`` bitmaps.

The bitmap is read back from the ZPL by zebrafy (a ZPL graphic-field decoder we did not
write) and compared with the PDF path's own rendering of the same line (WeasyPrint and
Pango, pypdfium2 to pixels): same ink width, and most dark pixels shared. The same check
tells a line with missing glyphs (boxes) from the real one, which the last test shows.
"""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont, ImageOps
from zebrafy import ZebrafyZPL

from workbench.labels import (
    IdScheme,
    LabelError,
    LabelItem,
    load_template,
    parse_zpl,
    render_labels_pdf,
    render_labels_zpl,
)
from workbench.labels.fonts import fallback_font_file, find_font_file
from workbench.labels.raster_text import needs_raster, raster_line

SCHEME = IdScheme("id.example-mill.com", "acme-mills")
DPI = 300
ITEM = LabelItem(
    gtin="09506000134352",
    lot="L2411-07",
    serial="000101",
    style="ST-2041",
    colour="नीला Navy",
    mill="कारखाना २",
)
#: a Japanese mill's cone: a Katakana colour and mill name
KATAKANA = LabelItem(
    gtin="09506000134352",
    lot="L2411-07",
    serial="000101",
    style="ST-2041",
    colour="ネイビー Navy",
    mill="カワセ ミル",
)


def _ink(image: Image.Image) -> Image.Image:
    """The image cut to its dark pixels, in black and white."""
    grey = image.convert("L")
    box = ImageOps.invert(grey).point(lambda v: 255 if v > 100 else 0).getbbox()
    assert box is not None, "nothing drawn"
    return grey.crop(box).point(lambda v: 0 if v < 128 else 255)


def _overlap(reference: Image.Image, drawn: Image.Image) -> float:
    """Shared dark pixels over dark pixels of either, ``drawn`` scaled to ``reference``."""
    a = _ink(reference)
    b = _ink(drawn).resize(a.size)
    dark_a = [v == 0 for v in a.get_flattened_data()]
    dark_b = [v < 128 for v in b.get_flattened_data()]
    both = sum(1 for p, q in zip(dark_a, dark_b, strict=True) if p and q)
    either = sum(1 for p, q in zip(dark_a, dark_b, strict=True) if p or q)
    return both / either


def _pdf_lines(item: LabelItem) -> dict[str, Image.Image]:
    """Each text line of the PDF path's label, cut from its page at the printer's dpi."""
    template = load_template("thermal-100x50")
    pdf = render_labels_pdf([item], template, scheme=SCHEME)
    page = pdfium.PdfDocument(pdf)[0].render(scale=DPI / 72).to_pil()
    px = DPI / 25.4
    out = {}
    y = template.text_y_mm
    for line in item.text_lines(template.fields, template.captions):
        pitch = template.line_pitch_mm(title=line.is_title)
        left, right = template.text_x_mm, template.text_x_mm + template.text_width_mm
        out[line.field] = page.crop(
            (round(left * px), round(y * px), round(right * px), round((y + pitch) * px))
        )
        y += pitch
    return out


def test_only_latin_lines_stay_text_for_font_zero() -> None:
    assert not needs_raster("Colour Écru ^~_5 ÿ")
    assert needs_raster("Colour नीला")
    assert needs_raster("ネイビー")
    assert needs_raster("Łódź")  # beyond Latin-1: font 0's coverage is not promised


def test_devanagari_lines_print_as_graphics_the_pdf_path_draws_alike() -> None:
    zpl = render_labels_zpl([ITEM], "thermal-100x50", DPI, scheme=SCHEME)
    [label] = parse_zpl(zpl)
    graphics = [f for f in label.fields if f.kind == "graphic"]
    assert len(graphics) == 2  # colour and mill; the Latin lines stay ^A0 text
    assert label.texts == ["Style ST-2041", "Lot L2411-07", "Serial 000101", "GTIN 09506000134352"]
    assert all(not needs_raster(text) for text in label.texts)
    drawn = ZebrafyZPL(zpl).to_images()  # in the order written: colour, then mill
    reference = _pdf_lines(ITEM)
    for field, image in zip(["colour", "mill"], drawn, strict=True):
        ref, got = _ink(reference[field]), _ink(image)
        assert abs(got.width - ref.width) <= 0.05 * ref.width, field
        assert abs(got.height - ref.height) <= 0.15 * ref.height, field
        assert _overlap(reference[field], image) > 0.5, field


def test_katakana_lines_print_in_the_pdf_and_as_zpl_graphics_with_no_missing_glyph() -> None:
    """The font fontconfig picks for Katakana (IPAGothic, which dev.sh installs) has every
    character, the PDF sets the lines in it, and the ZPL graphic of each line matches the
    PDF's; the same line drawn in DejaVu Sans (boxes: .notdef) does not."""
    katakana = frozenset(ord(ch) for ch in "ネイビーカワセミル")
    fallback = fallback_font_file(katakana, False)
    assert fallback is not None, "no font on this machine draws Katakana (dev.sh installs one)"
    with TTFont(str(fallback), lazy=True, fontNumber=0) as font:
        assert katakana <= set(font.getBestCmap())
    zpl = render_labels_zpl([KATAKANA], "thermal-100x50", DPI, scheme=SCHEME)
    [label] = parse_zpl(zpl)
    assert len([f for f in label.fields if f.kind == "graphic"]) == 2  # colour and mill
    drawn = ZebrafyZPL(zpl).to_images()
    reference = _pdf_lines(KATAKANA)
    regular = find_font_file(False)
    assert regular is not None
    boxes_font = ImageFont.truetype(str(regular), round(8 * DPI / 72))  # no Katakana
    for field, image in zip(["colour", "mill"], drawn, strict=True):
        ref, got = _ink(reference[field]), _ink(image)
        assert abs(got.width - ref.width) <= 0.05 * ref.width, field
        assert abs(got.height - ref.height) <= 0.15 * ref.height, field
        assert _overlap(reference[field], image) > 0.5, field
        text = next(line.text for line in KATAKANA.text_lines([field], {}) if line.field == field)
        boxes = Image.new("L", (900, 60), 255)
        ImageDraw.Draw(boxes).text((0, 45), text, font=boxes_font, fill=0, anchor="ls")
        assert _overlap(reference[field], boxes) < 0.3, field


def test_a_line_drawn_with_missing_glyphs_fails_the_same_comparison() -> None:
    """The comparison above can fail: boxes where the Devanagari should be do not pass."""
    regular = find_font_file(False)
    assert regular is not None
    font = ImageFont.truetype(str(regular), round(8 * DPI / 72))  # DejaVu: no Devanagari
    boxes = Image.new("L", (700, 60), 255)
    ImageDraw.Draw(boxes).text((0, 45), "Colour नीला Navy", font=font, fill=0, anchor="ls")
    reference = _pdf_lines(ITEM)["colour"]
    assert _overlap(reference, boxes) < 0.3


def test_a_long_line_is_cut_between_clusters_within_the_column() -> None:
    text = "विवरण " + "सूती जर्सी " * 12
    line = raster_line(text, 33, 400)
    assert line.width <= 400
    assert line.zpl().startswith(f"^GFA,{len(line.data)},{len(line.data)},{line.row_bytes},")
    assert _ink(line.image()).width <= 400


def test_a_character_no_font_has_stops_the_job_and_is_named() -> None:
    item = LabelItem(code="X-1", colour="\U0001e900")  # Adlam: no font here draws it
    with pytest.raises(LabelError, match=r"no font on this computer draws .*U\+1E900"):
        render_labels_zpl([item], "thermal-100x50", scheme=SCHEME)
