"""Labels as a PDF: written with fpdf2 for speed, or laid out by WeasyPrint from the HTML
and CSS in ``resources/labels/``; both put every box where the template says.

Roll templates give one label per page, the page the size of the label (a thermal printer
driver feeds one label per page); sheet templates give pages of the sheet's size with the
labels on its grid.

Two engines, one result:

- ``direct`` (the default when it can): a label is a QR image, a GS1-128 image and a few
  lines of text at fixed places, so fpdf2 draws them where the template says, with no
  layout engine in between. WeasyPrint spends about 20 ms per label page on layout and PDF
  output (500 roll labels took 9-10 s), which a floor printing a pallet's labels would wait
  for; fpdf2 writes the same 500 in well under the 5 s target (the figures and the choice
  over reportlab: docs/adr/0006-label-pdf-writer.md). The text is set in the HTML's
  typeface ("DejaVu Sans", else "Liberation Sans", else Arial, as fontconfig or the usual
  font folders have them), embedded as a subset with a Unicode map, so the text can be
  searched and copied and the printer needs no fonts of its own. Characters that face lacks
  (Devanagari, ...) are set in the font fontconfig picks for them, the one Pango falls back
  to in the HTML, and lines that need shaping go through HarfBuzz. Lines are positioned as
  CSS would (half-leading above and below) and cut with an ellipsis where CSS's
  ``text-overflow`` would cut them.
- ``weasyprint``: for text no font file on the machine has, where Pango still draws
  something, and when the style sheet's font cannot be found.

The QR codes are images with one pixel per module, interpolation off (in the HTML, PNG data
URIs). That prints exactly as sharp as vector art (a PDF image scaled up without
interpolation keeps its hard edges at any resolution), it is smaller, and WeasyPrint
handled 500 such images about 2.5 times faster than 500 inline SVG paths; copies of a label
share one image. For the same reason each label's text is one preformatted block in the
HTML, not an element per line: WeasyPrint's cost grows with elements far more than with
lines. That markup is plain ``string.Template`` with every value passed through
``html.escape``: a lot or a description typed at the label station can never become
markup (in the direct PDF, text is drawn as text: it cannot become anything else).
"""

from __future__ import annotations

import base64
import html
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from itertools import accumulate
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from PIL import Image

from workbench.labels.compact_faces import compact_face
from workbench.labels.fonts import fallback_font_file, find_font_file
from workbench.labels.gs1 import LabelError
from workbench.labels.gs1_128 import QUIET_ZONE as QUIET_ZONE_128
from workbench.labels.model import IdScheme, Label, LabelItem, prepare_labels
from workbench.labels.qr import (
    QUIET_ZONE,
    QrSymbol,
    check_module_size,
    error_correction_for,
    make_qr,
)
from workbench.labels.raster_text import clusters
from workbench.labels.templates import LabelTemplate, load_template, template_dir

if TYPE_CHECKING:
    from fpdf import FPDF

__all__ = [
    "ENGINES",
    "direct_engine_available",
    "interpretation_size_pt",
    "labels_html",
    "render_labels_pdf",
]

#: ``auto`` writes the PDF directly when it can set the text, else through WeasyPrint.
ENGINES = ("auto", "direct", "weasyprint")

_PT_PER_MM = 72 / 25.4


# --- the HTML for WeasyPrint ------------------------------------------------------------------


@lru_cache(maxsize=8)
def _resource(name: str) -> Template:
    return Template((template_dir() / name).read_text("utf-8"))


def _num(value: float) -> str:
    """A CSS number without trailing zeros (mm or pt: the unit is in the style sheet)."""
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _css(template: LabelTemplate) -> str:
    t = template
    return _resource("labels.css").substitute(
        page_width=_num(t.page_width_mm),
        page_height=_num(t.page_height_mm),
        label_width=_num(t.label_width_mm),
        label_height=_num(t.label_height_mm),
        qr_x=_num(t.qr_x_mm),
        qr_y=_num(t.qr_y_mm),
        qr_size=_num(t.qr_size_mm),
        text_x=_num(t.text_x_mm),
        text_y=_num(t.text_y_mm),
        text_width=_num(t.text_width_mm),
        font_size=_num(t.font_size_pt),
        line_pitch=_num(t.line_pitch_mm() * _PT_PER_MM),
        title_font_size=_num(t.title_font_size_pt),
        title_line_pitch=_num(t.line_pitch_mm(title=True) * _PT_PER_MM),
        **_barcode_css(t),
    )


def _barcode_css(template: LabelTemplate) -> dict[str, str]:
    x, y, width, bars = template.barcode_bars_mm()
    return {
        "barcode_x": _num(x),
        "barcode_y": _num(y),
        "barcode_width": _num(width),
        "barcode_height": _num(bars),
        "barcode_text_y": _num(y + bars),
        "barcode_text_pitch": _num(template.barcode_text_pitch_mm() * _PT_PER_MM),
    }


def interpretation_size_pt(
    text: str, template: LabelTemplate, width: Callable[[str, float], float] | None = None
) -> float:
    """The size of the human-readable line under the bars: the template's, or smaller
    when the line would be wider than the barcode box (a long lot and serial): the
    interpretation is never cut, since a shortened one reads as other AIs.
    ``width(text, size_pt)`` measures in mm; without it, the regular face's advances."""
    size = template.barcode_text_size_pt
    if width is None:
        files = _font_files()
        if files is None:
            return size
        advances = _advances(files[0])

        def width(line: str, size_pt: float) -> float:
            return sum(advances.get(ord(ch), 600) for ch in line) * size_pt * 0.001 / _PT_PER_MM

    room = template.barcode_bars_mm()[2]
    wide = width(text, size)
    return size if wide <= room else size * room / wide


def _lines_html(label: Label) -> str:
    """The label's lines for the ``white-space: pre`` text block: one per line, the title
    in bold."""
    out = []
    for line in label.lines:
        text = html.escape(line.text)
        out.append(f'<b class="title">{text}</b>' if line.is_title else text)
    return "\n".join(out)


def labels_html(labels: Iterable[Label], template: LabelTemplate) -> str:
    """The HTML document for ``labels`` on ``template`` (what :func:`render_labels_pdf`
    hands to WeasyPrint; useful for a preview)."""
    level = error_correction_for(template.qr_size_mm)
    fragment = _resource("label.html")
    images: dict[str, str] = {}  # copies of a label share one encoded symbol
    pages: list[str] = []
    current: list[str] = []
    for index, label in enumerate(labels):
        slot = index % template.per_page
        if slot == 0 and current:
            pages.append(f'<section class="page">{"".join(current)}</section>')
            current = []
        image = images.get(label.uri)
        if image is None:
            symbol = make_qr(label.uri, level)
            check_module_size(
                template.qr_size_mm / symbol.size_with_quiet_zone, symbol.size, template.qr_size_mm
            )
            png = symbol.png()
            image = images[label.uri] = "data:image/png;base64," + base64.b64encode(png).decode()
        left, top = template.label_origin_mm(slot)
        linear = ""
        if label.linear is not None:
            bars = images.get(label.linear.text)
            if bars is None:
                encoded = base64.b64encode(label.linear.png()).decode()
                bars = images[label.linear.text] = "data:image/png;base64," + encoded
            alt = html.escape(f"GS1-128 {label.linear.text}")
            hri = label.linear.interpretation
            size = _num(interpretation_size_pt(hri, template))
            linear = (
                f'<img class="linear" src="{bars}" alt="{alt}">'
                f'<div class="hri" style="font-size: {size}pt">{html.escape(hri)}</div>'
            )
        current.append(
            fragment.substitute(
                left=_num(left),
                top=_num(top),
                qr=image,
                uri=html.escape(label.uri),
                linear=linear,
                lines=_lines_html(label),
            ).strip()
        )
    if current:
        pages.append(f'<section class="page">{"".join(current)}</section>')
    if not pages:
        raise LabelError("there are no labels to print")
    return _resource("labels.html").substitute(
        title=html.escape(f"Labels ({template.name})"),
        css=_css(template),
        pages="\n".join(pages),
    )


def _weasyprint_pdf(labels: Sequence[Label], template: LabelTemplate) -> bytes:
    # WeasyPrint takes about a second to import; only the jobs that need it pay for it.
    import weasyprint

    document = labels_html(labels, template)
    pdf: bytes | None = weasyprint.HTML(string=document, base_url=str(template_dir())).write_pdf()
    assert pdf is not None
    return pdf


# --- the direct engine: fpdf2 -------------------------------------------------------------------


@lru_cache(maxsize=1)
def _font_files() -> tuple[Path, Path] | None:
    """The style sheet's regular and bold faces as files; None when either is missing."""
    regular, bold = find_font_file(False), find_font_file(True)
    if regular is None or bold is None or not _usable(regular) or not _usable(bold):
        return None
    return regular, bold


def direct_engine_available() -> bool:
    """Whether this machine has the font files the direct engine embeds."""
    return _font_files() is not None


def _usable(path: Path) -> bool:
    """Whether fpdf2 can embed the file: TrueType or OpenType outlines, not a collection."""
    return path.suffix.lower() in (".ttf", ".otf") and bool(_cmap(path))


@lru_cache(maxsize=16)
def _cmap(path: Path) -> frozenset[int]:
    """The code points ``path`` has glyphs for (empty when it cannot be read)."""
    from fontTools.ttLib import TTFont, TTLibError

    try:
        return frozenset(TTFont(str(path), lazy=True).getBestCmap() or ())
    except (OSError, TTLibError, KeyError, AttributeError, ValueError):
        return frozenset()


@lru_cache(maxsize=4)
def _ascent_descent(path: Path) -> tuple[float, float]:
    """The face's hhea ascent and descent (positive), in ems: what Pango's line boxes use,
    so a line's baseline sits where the HTML's does."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    units = font["head"].unitsPerEm
    return font["hhea"].ascent / units, -font["hhea"].descent / units


def _unshaped(ch: str) -> bool:
    """Characters set one glyph after another, left to right, with no shaping: Latin,
    Greek, Cyrillic and the symbol blocks, without combining marks or format controls."""
    code = ord(ch)
    if not (code < 0x0590 or 0x1D00 <= code < 0x2C00):
        return False
    return unicodedata.category(ch) not in ("Mn", "Mc", "Me", "Cf", "Cc")


def _fallback_files(missing: set[int]) -> list[Path] | None:
    """Font files for the characters the style sheet's face lacks, as fontconfig picks
    them (what Pango's fallback does for the HTML); None when some character has none."""
    files: list[Path] = []
    while missing:
        found = fallback_font_file(frozenset(missing), False)
        if found is None or found in files or not _usable(found):
            return None
        covered = missing & _cmap(found)
        if not covered:
            return None
        files.append(found)
        missing -= covered
    return files


@lru_cache(maxsize=8)
def _plain_chars(path: Path) -> frozenset[int]:
    """The code points ``path`` sets as they are: in its cmap and needing no shaping."""
    return frozenset(code for code in _cmap(path) if _unshaped(chr(code)))


@lru_cache(maxsize=4)
def _advances(path: Path) -> dict[int, int]:
    """Each code point's advance in thousandths of an em, rounded as fpdf2 rounds them, so
    a plain line is measured as fpdf2 would measure it without asking it per line (its
    measuring goes through its text preparation: a tenth of a Latin job's time)."""
    from fontTools.ttLib import TTFont

    font = TTFont(str(path), lazy=True)
    scale = 1000 / font["head"].unitsPerEm
    metrics = font["hmtx"].metrics
    return {
        code: round(scale * metrics[glyph][0] + 0.001)
        for code, glyph in (font.getBestCmap() or {}).items()
        if glyph in metrics
    }


@dataclass(frozen=True)
class _Fonts:
    """What a job's text is set in: the style sheet's faces, and fallbacks for the scripts
    they lack (Devanagari, ...), which fpdf2 switches to character by character."""

    regular: Path
    bold: Path
    fallbacks: tuple[Path, ...]
    #: the code points the job's lines hold, with the space and the ellipsis a cut adds
    used: frozenset[int] = frozenset()

    def plain(self, text: str, bold: bool) -> bool:
        """Whether ``text`` is all in the face and needs no shaping: drawn as it is."""
        return _plain_chars(self.bold if bold else self.regular).issuperset(map(ord, text))

    def plain_width(self, text: str, bold: bool, size_pt: float) -> float:
        """The width of a plain ``text`` in mm, as fpdf2 measures it."""
        advances = _advances(self.bold if bold else self.regular)
        return sum(map(advances.__getitem__, map(ord, text))) * size_pt * 0.001 / _PT_PER_MM


def _fonts_for(labels: Sequence[Label]) -> _Fonts | str:
    """The fonts that set every line of ``labels``, or why there are none."""
    files = _font_files()
    if files is None:
        return "no DejaVu Sans, Liberation Sans or Arial font file was found"
    regular, bold = files
    missing: set[int] = set()
    used = {ord(" "), ord("\u2026")}
    for label in {label.lines: label for label in labels}.values():
        for line in label.lines:
            cmap = _cmap(bold if line.is_title else regular)
            used.update(map(ord, line.text))
            missing.update(ord(ch) for ch in line.text if ord(ch) not in cmap)
    # the lines under the bars (one different line a label) are set in the regular face too
    under_bars = "".join(
        label.linear.interpretation for label in labels if label.linear is not None
    )
    used.update(map(ord, under_bars))
    missing.update(set(map(ord, under_bars)) - _cmap(regular))
    fallbacks = _fallback_files(missing)
    if fallbacks is None:
        return "some text has characters no font file on this machine has"
    return _Fonts(regular, bold, tuple(fallbacks), frozenset(used))


def _face_files(fonts: _Fonts) -> tuple[Path, Path]:
    """The files fpdf2 reads the two faces from: their compact copies (``compact_faces``:
    a tenth of the glyphs, so a job adds and subsets its faces in a fraction of the time)
    when the copies hold every character of the job and each sets as it is, so no line is
    shaped and none falls back; else the faces themselves. Either way the same outlines and
    advances, at the same places."""
    if not fonts.fallbacks:
        regular, bold = compact_face(fonts.regular), compact_face(fonts.bold)
        if regular and bold and fonts.used <= _plain_chars(regular) & _plain_chars(bold):
            return regular, bold
    return fonts.regular, fonts.bold


#: modules as bytes of 0 (light) and 1 (dark) turned into grey levels, at C speed
_DARK_AS_BLACK = bytes.maketrans(b"\x00\x01", b"\xff\x00")


def _qr_image(symbol: QrSymbol) -> Image.Image:
    """The symbol with its quiet zone, one pixel per module, 8-bit grey: placed without
    interpolation it prints as sharp as vector art (fpdf2 would send a 1-bit image through
    a TIFF encoder, several times slower)."""
    side = symbol.size_with_quiet_zone
    light = b"\xff" * side
    margin = b"\xff" * QUIET_ZONE
    rows = [light] * QUIET_ZONE
    for modules in symbol.modules:
        rows.append(margin + bytes(modules).translate(_DARK_AS_BLACK) + margin)
    rows += [light] * QUIET_ZONE
    return Image.frombytes("L", (side, side), b"".join(rows))


#: bars as the characters "1" (dark) and "0" (light) turned into grey levels
_BARS_AS_GREY = bytes.maketrans(b"01", b"\xff\x00")


def _bars_image(label: Label) -> Image.Image:
    """The GS1-128 as one row of pixels, a pixel per module, quiet zones included; the
    page stretches it to the template's box."""
    assert label.linear is not None
    light = "0" * QUIET_ZONE_128
    row = (light + label.linear.modules + light).encode("ascii").translate(_BARS_AS_GREY)
    return Image.frombytes("L", (len(row), 1), row)


def _fit_line(text: str, width: Callable[[str], float], room: float) -> str:
    """``text``, or as much of it as fits ``room`` followed by an ellipsis (what the
    style sheet's ``text-overflow: ellipsis`` does), cut between letters: a vowel sign or a
    virama left behind or cut off would print another word."""
    if width(text) <= room + 1e-6:
        return text
    cuts = list(accumulate(map(len, clusters(text)), initial=0))
    low, high = 0, len(cuts) - 1
    while low < high:  # the most whole letters that fit with the ellipsis
        middle = (low + high + 1) // 2
        if width(text[: cuts[middle]] + "\u2026") <= room + 1e-6:
            low = middle
        else:
            high = middle - 1
    return text[: cuts[low]] + "\u2026"


def _draw_interpretation(
    pdf: FPDF, text: str, template: LabelTemplate, fonts: _Fonts, left: float, top: float
) -> None:
    """The GS1-128's human-readable interpretation, centred under its bars, its baseline
    where the HTML's line box puts it."""
    size = interpretation_size_pt(
        text, template, lambda line, pt: fonts.plain_width(line, False, pt)
    )
    x, y, width, bars = template.barcode_bars_mm()
    ascent, descent = _ascent_descent(fonts.regular)
    em = size / _PT_PER_MM
    pitch = template.barcode_text_pitch_mm()
    baseline = y + bars + (pitch - (ascent + descent) * em) / 2 + ascent * em
    pdf.set_font("label", "", size)
    drawn = fonts.plain_width(text, False, size)
    pdf.text(left + x + (width - drawn) / 2, top + baseline, text)


#: zlib's level for the images fpdf2 writes (the QR symbols and GS1-128 rows): at 1 they are
#: compressed about seven times faster than at fpdf2's default (6), the largest part of a
#: Latin job fpdf2 spent beyond what the label code's earlier writer did, for a PDF about a
#: tenth larger (a 500-label roll: 1.03 MB against 0.94; docs/adr/0006-label-pdf-writer.md).
IMAGE_COMPRESSION_LEVEL = 1


def _fast_image_compression() -> None:
    """Set fpdf2's image compression level. fpdf2 reads it from its module-level
    ``image_parsing.SETTINGS`` for every image; only label PDFs use fpdf2 in this product, so
    the setting serves them alone. `tests/test_label_pdf_direct.py` checks the setting is
    still there and taken, so an fpdf2 release that moves it is seen, not just slower."""
    from fpdf import image_parsing

    image_parsing.SETTINGS.compression_level = IMAGE_COMPRESSION_LEVEL


def _direct_pdf(labels: Sequence[Label], template: LabelTemplate, fonts: _Fonts) -> bytes:
    """Write the PDF with fpdf2: per page, each label's QR image, GS1-128 and lines."""
    from fpdf import FPDF

    _fast_image_compression()
    t = template
    pdf = FPDF(unit="mm", format=(t.page_width_mm, t.page_height_mm))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.c_margin = 0  # a cell's text starts at its left edge, as the HTML's does
    pdf.set_producer("Mill Workbench")
    pdf.set_creator("Mill Workbench")
    pdf.set_title(f"Labels ({t.name})")
    # only the job's characters: fpdf2 then reads widths and glyph ids for those alone, not
    # for the face's 6,000 (a third of adding a face); the PDF is the same, byte for byte
    used = sorted(fonts.used)
    regular_file, bold_file = _face_files(fonts)
    pdf.add_font("label", "", str(regular_file), unicode_range=used)
    pdf.add_font("label", "B", str(bold_file), unicode_range=used)
    if fonts.fallbacks:
        names = [f"fallback{n}" for n in range(len(fonts.fallbacks))]
        for name, path in zip(names, fonts.fallbacks, strict=True):
            pdf.add_font(name, "", str(path))
        pdf.set_fallback_fonts(names, exact_match=False)
    level = error_correction_for(t.qr_size_mm)
    images: dict[str, Image.Image] = {}  # copies of a label share one image
    # the baseline of a line in its line box, as CSS puts it: half the leading above
    styles = {}
    for title in (False, True):
        ascent, descent = _ascent_descent(fonts.bold if title else fonts.regular)
        size = t.title_font_size_pt if title else t.font_size_pt
        pitch = t.line_pitch_mm(title=title)
        em = size / _PT_PER_MM
        baseline = (pitch - (ascent + descent) * em) / 2 + ascent * em
        # fpdf2 puts a cell's baseline at its middle plus 0.3 em: the cell moves by the rest
        shift = baseline - pitch / 2 - 0.3 * em
        styles[title] = ("B" if title else "", size, pitch, baseline, shift)
    room = t.text_width_mm
    current: tuple[str, float] | None = None
    fits: dict[tuple[str, bool], tuple[str, bool]] = {}  # a line as drawn, and if it is plain
    for first in range(0, len(labels), t.per_page):
        pdf.add_page()
        for slot, label in enumerate(labels[first : first + t.per_page]):
            left, top = t.label_origin_mm(slot)
            image = images.get(label.uri)
            if image is None:
                symbol = make_qr(label.uri, level)
                check_module_size(
                    t.qr_size_mm / symbol.size_with_quiet_zone, symbol.size, t.qr_size_mm
                )
                image = images[label.uri] = _qr_image(symbol)
            pdf.image(image, left + t.qr_x_mm, top + t.qr_y_mm, t.qr_size_mm, t.qr_size_mm)
            if label.linear is not None and t.barcode is not None:
                bars = images.get(label.linear.text)
                if bars is None:
                    bars = images[label.linear.text] = _bars_image(label)
                bx, by, bw, bh = t.barcode_bars_mm()
                pdf.image(bars, left + bx, top + by, bw, bh)
                _draw_interpretation(pdf, label.linear.interpretation, t, fonts, left, top)
                current = None
            x, y = left + t.text_x_mm, top + t.text_y_mm
            for line in label.lines:
                style, size, pitch, baseline, shift = styles[line.is_title]
                if current != (style, size):  # set_font costs as much as a line of text
                    pdf.set_font("label", style, size)
                    current = (style, size)
                fitted = fits.get((line.text, line.is_title))
                if fitted is None:  # lines repeat from label to label: each is fitted once
                    bold = line.is_title
                    measure: Callable[[str], float] = pdf.get_string_width
                    if fonts.plain(line.text + "\u2026", bold):  # the ellipsis may be added
                        measure = partial(fonts.plain_width, bold=bold, size_pt=size)
                    text = _fit_line(line.text, measure, room)
                    fitted = fits[line.text, bold] = (text, fonts.plain(text, bold))
                text, plain = fitted
                if plain:
                    pdf.text(x, y + baseline, text)
                else:  # another script's font, or shaping (HarfBuzz): a cell does both
                    pdf.set_text_shaping(not all(map(_unshaped, text)))
                    pdf.set_xy(x, y + shift)
                    pdf.cell(t.text_width_mm, pitch, text)
                    pdf.set_text_shaping(False)
                y += pitch
    return bytes(pdf.output())


def render_labels_pdf(
    items: Iterable[LabelItem],
    template: LabelTemplate | str,
    *,
    scheme: IdScheme,
    copies: int = 1,
    engine: str = "auto",
) -> bytes:
    """A PDF of ``items`` (each ``copies`` times) on ``template`` (a template or its name).

    Every item is validated before anything is laid out; a :class:`LabelError` names the
    item and the field. ``engine`` is ``"auto"`` (direct when it can set the text, see the
    module notes), ``"direct"`` (an error when it cannot) or ``"weasyprint"``.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: use one of {', '.join(ENGINES)}")
    if isinstance(template, str):
        template = load_template(template)
    labels = prepare_labels(items, template, scheme, copies)
    if not labels:
        raise LabelError("there are no labels to print")
    if engine != "weasyprint":
        fonts = _fonts_for(labels)
        if isinstance(fonts, _Fonts):
            return _direct_pdf(labels, template, fonts)
        if engine == "direct":
            raise LabelError(f"the direct PDF engine cannot print these labels: {fonts}")
    return _weasyprint_pdf(labels, template)
