"""Labels as a PDF: written directly for speed, or laid out by WeasyPrint from the HTML
and CSS in ``resources/labels/``; both put every box where the template says.

Roll templates give one label per page, the page the size of the label (a thermal printer
driver feeds one label per page); sheet templates give pages of the sheet's size with the
labels on its grid.

Two engines, one result:

- ``direct`` (the default when it can): a label is a QR image and a few lines of text at
  fixed places, so this module writes the PDF itself, a page in well under a millisecond.
  WeasyPrint spends about 20 ms per label page on layout and PDF output (500 roll labels
  took 10 s), which a floor printing a pallet's labels would wait for. The text is set in
  the HTML's typeface ("DejaVu Sans", else "Liberation Sans", else Arial, as fontconfig or
  the usual font folders have them), embedded as a subset with a Unicode map, so the text
  can be searched and copied and the printer needs no fonts of its own. Lines are
  positioned as CSS would (half-leading above and below) and cut with an ellipsis where
  CSS's ``text-overflow`` would cut them.
- ``weasyprint``: for text the direct engine does not set on its own: characters outside
  the embedded font, or scripts that need shaping (Devanagari, Arabic, ...), which Pango
  shapes and finds fallback fonts for. Also used when no font file can be found.

The QR codes are images with one pixel per module, interpolation off (in the HTML, PNG data
URIs). That prints exactly as sharp as vector art (a PDF image scaled up without
interpolation keeps its hard edges at any resolution), it is smaller, and WeasyPrint
handled 500 such images about 2.5 times faster than 500 inline SVG paths; copies of a label
share one image. For the same reason each label's text is one preformatted block in the
HTML, not an element per line: WeasyPrint's cost grows with elements far more than with
lines. That markup is plain ``string.Template`` with every value passed through
``html.escape``: a lot or a description typed at the label station can never become
markup (in the direct PDF, text is glyph numbers: it cannot become anything else).
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from string import Template

from workbench.labels.fonts import find_font_file
from workbench.labels.gs1 import LabelError
from workbench.labels.model import IdScheme, Label, LabelItem, prepare_labels
from workbench.labels.qr import (
    QUIET_ZONE,
    QrSymbol,
    check_module_size,
    error_correction_for,
    make_qr,
)
from workbench.labels.templates import LabelTemplate, load_template, template_dir

__all__ = ["ENGINES", "direct_engine_available", "labels_html", "render_labels_pdf"]

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
    x, y, width, height = template.barcode or (0.0, 0.0, 0.0, 0.0)
    return {
        "barcode_x": _num(x),
        "barcode_y": _num(y),
        "barcode_width": _num(width),
        "barcode_height": _num(height),
    }


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
            linear = f'<img class="linear" src="{bars}" alt="{alt}">'
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


# --- fonts for the direct engine --------------------------------------------------------------


@dataclass(frozen=True, eq=False)  # one object per file: hashed by identity, for the caches
class _Face:
    """A TrueType face as the direct engine uses it: glyphs, advances, vertical metrics."""

    data: bytes
    postscript_name: str
    units_per_em: int
    #: code point -> glyph id
    cmap: dict[int, int]
    #: advance widths by glyph id, in font units
    advances: tuple[int, ...]
    #: hhea ascent and descent (descent positive), in ems: what Pango's line boxes use
    ascent: float
    descent: float
    #: in thousandths of an em, as a PDF font descriptor wants them
    bbox: tuple[int, ...]
    cap_height: int

    def width_pt(self, text: str, size_pt: float) -> float:
        """The advance of ``text`` set at ``size_pt`` (no kerning: the PDF has none)."""
        glyphs = self.cmap
        units = sum(self.advances[glyphs[ord(ch)]] for ch in text)
        return units * size_pt / self.units_per_em

    def covers(self, text: str) -> bool:
        """Whether every character has a glyph here and needs no shaping."""
        return all(ord(ch) in self.cmap and _unshaped(ch) for ch in text)


def _unshaped(ch: str) -> bool:
    """Characters set one glyph after another, left to right, with no shaping: Latin,
    Greek, Cyrillic and the symbol blocks, without combining marks or format controls."""
    code = ord(ch)
    if not (code < 0x0590 or 0x1D00 <= code < 0x2C00):
        return False
    return unicodedata.category(ch) not in ("Mn", "Mc", "Me", "Cf", "Cc")


def _load_face(path: Path) -> _Face | None:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        data = path.read_bytes()
        font = TTFont(io.BytesIO(data), lazy=True)
        if "glyf" not in font or "CFF " in font:
            return None  # outlines a FontFile2 cannot carry
        order = font.getGlyphOrder()
        gid = {name: number for number, name in enumerate(order)}
        cmap = {code: gid[name] for code, name in font.getBestCmap().items() if name in gid}
        metrics = font["hmtx"].metrics
        advances = tuple(metrics[name][0] for name in order)
        head, hhea = font["head"], font["hhea"]
        units = int(head.unitsPerEm)
        os2 = font.get("OS/2")
        cap = getattr(os2, "sCapHeight", 0) or hhea.ascent
        name = font["name"].getDebugName(6) or path.stem
    except (OSError, TTLibError, KeyError, AttributeError, ValueError):
        return None

    def thousandths(value: float) -> int:
        return round(value * 1000 / units)

    return _Face(
        data=data,
        postscript_name="".join(ch for ch in name if ch.isalnum() or ch in "-_") or "Font",
        units_per_em=units,
        cmap=cmap,
        advances=advances,
        ascent=hhea.ascent / units,
        descent=-hhea.descent / units,
        bbox=tuple(thousandths(v) for v in (head.xMin, head.yMin, head.xMax, head.yMax)),
        cap_height=thousandths(cap),
    )


@lru_cache(maxsize=1)
def _faces() -> tuple[_Face, _Face] | None:
    """The regular and bold faces, loaded once per process; None when either is missing."""
    regular, bold = find_font_file(False), find_font_file(True)
    if regular is None or bold is None:
        return None
    faces = _load_face(regular), _load_face(bold)
    if faces[0] is None or faces[1] is None:
        return None
    return faces[0], faces[1]


def direct_engine_available() -> bool:
    """Whether this machine has the font files the direct engine embeds."""
    return _faces() is not None


@lru_cache(maxsize=16)
def _subset(face: _Face, glyphs: frozenset[int]) -> bytes:
    """The face cut down to ``glyphs``, glyph ids kept (so text can name them directly).

    Remembered per set of glyphs: a label station printing the same lot again does not
    subset the font again.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.retain_gids = True
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []
    options.name_IDs = [1, 2, 3, 4, 6]
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "BASE", "JSTF", "MATH", "FFTM"]
    font = TTFont(io.BytesIO(face.data))
    subsetter = subset.Subsetter(options)
    subsetter.populate(gids=sorted(glyphs | {0}))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


# --- the direct engine ------------------------------------------------------------------------


def _n(value: float) -> str:
    """A PDF number: three decimals at most, no trailing zeros."""
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _pdf_string(text: str) -> str:
    """A PDF text string (UTF-16 with a byte order mark, as hex): any title is safe."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


class _Objects:
    """The numbered objects of a PDF file, and its cross-reference table."""

    def __init__(self) -> None:
        self._bodies: list[bytes | None] = []

    def reserve(self) -> int:
        self._bodies.append(None)
        return len(self._bodies)

    def put(self, number: int, body: str | bytes) -> None:
        self._bodies[number - 1] = body.encode("latin-1") if isinstance(body, str) else body

    def add(self, body: str | bytes) -> int:
        number = self.reserve()
        self.put(number, body)
        return number

    def add_stream(self, entries: str, data: bytes, *, compress: bool = True) -> int:
        if compress:
            data = zlib.compress(data, 6)
            entries += " /Filter /FlateDecode"
        head = f"<< {entries} /Length {len(data)} >>\nstream\n".encode("latin-1")
        return self.add(head + data + b"\nendstream")

    def output(self, root: int, info: int) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self._bodies, start=1):
            assert body is not None, f"object {number} was reserved but never written"
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n" % number)
            out.write(body)
            out.write(b"\nendobj\n")
        xref = out.tell()
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(offsets) + 1))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
        out.write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(offsets) + 1, root, info, xref)
        )
        return out.getvalue()


class _EmbeddedFont:
    """One face as a PDF Type 0 font (Identity-H: the text names glyph ids), collecting the
    glyphs a document uses so that only they are embedded."""

    def __init__(self, face: _Face, resource: str, number: int) -> None:
        self.face, self.resource, self.number = face, resource, number
        self.used: dict[int, str] = {}  # glyph id -> the text it stands for

    def encode(self, text: str) -> str:
        """``text`` as a hex string of glyph ids, for ``Tj``."""
        cmap, used = self.face.cmap, self.used
        out = []
        for ch in text:
            glyph = cmap[ord(ch)]
            used.setdefault(glyph, ch)
            out.append(f"{glyph:04X}")
        return "<" + "".join(out) + ">"

    def write(self, objects: _Objects) -> None:
        face = self.face
        glyphs = frozenset(self.used)
        program = _subset(face, glyphs)
        tag = "".join(
            chr(65 + b % 26) for b in hashlib.sha256(repr(sorted(glyphs)).encode()).digest()[:6]
        )
        name = f"{tag}+{face.postscript_name}"
        file_number = objects.add_stream(f"/Length1 {len(program)}", program)
        x0, y0, x1, y1 = face.bbox
        descriptor = objects.add(
            f"<< /Type /FontDescriptor /FontName /{name} /Flags 32 "
            f"/FontBBox [{x0} {y0} {x1} {y1}] /ItalicAngle 0 "
            f"/Ascent {round(face.ascent * 1000)} /Descent {-round(face.descent * 1000)} "
            f"/CapHeight {face.cap_height} /StemV 80 /FontFile2 {file_number} 0 R >>"
        )
        scale = 1000 / face.units_per_em
        widths = " ".join(
            f"{glyph} [{round(face.advances[glyph] * scale)}]" for glyph in sorted(glyphs)
        )
        descendant = objects.add(
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{name} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /W [{widths}] /CIDToGIDMap /Identity >>"
        )
        to_unicode = objects.add_stream("", _to_unicode_cmap(self.used).encode("ascii"))
        objects.put(
            self.number,
            f"<< /Type /Font /Subtype /Type0 /BaseFont /{name} /Encoding /Identity-H "
            f"/DescendantFonts [{descendant} 0 R] /ToUnicode {to_unicode} 0 R >>",
        )


def _to_unicode_cmap(used: dict[int, str]) -> str:
    """The CMap that maps glyph ids back to text, so the PDF's text can be searched."""
    entries = [
        f"<{glyph:04X}> <{text.encode('utf-16-be').hex().upper()}>"
        for glyph, text in sorted(used.items())
    ]
    blocks = []
    for start in range(0, len(entries), 100):
        chunk = entries[start : start + 100]
        blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
    return (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        + "\n".join(blocks)
        + "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
    )


_DARK_AS_ZERO = bytes.maketrans(b"\x00\x01", b"10")


def _qr_image(symbol: QrSymbol) -> bytes:
    """The symbol with its quiet zone as 1-bit DeviceGray rows (1 is light, as in PDF)."""
    side = symbol.size_with_quiet_zone
    row_bytes = (side + 7) // 8
    padding = "1" * (row_bytes * 8 - side)
    margin = "1" * QUIET_ZONE
    light = int("1" * (row_bytes * 8), 2).to_bytes(row_bytes, "big")
    rows = [light] * QUIET_ZONE
    for modules in symbol.modules:
        # bytes of 0/1 (light/dark) turned into the digits "1"/"0" at C speed
        dark = bytes(modules).translate(_DARK_AS_ZERO).decode("ascii")
        rows.append(int(margin + dark + margin + padding, 2).to_bytes(row_bytes, "big"))
    rows += [light] * QUIET_ZONE
    return b"".join(rows)


def _fit_line(text: str, face: _Face, size_pt: float, width_pt: float) -> str:
    """``text``, or as much of it as fits ``width_pt`` followed by an ellipsis (what the
    style sheet's ``text-overflow: ellipsis`` does)."""
    if face.width_pt(text, size_pt) <= width_pt + 1e-6:
        return text
    ellipsis = "\u2026" if ord("\u2026") in face.cmap else "..."
    room = width_pt - face.width_pt(ellipsis, size_pt)
    kept, used = [], 0.0
    for ch in text:
        advance = face.width_pt(ch, size_pt)
        if used + advance > room + 1e-6:
            break
        kept.append(ch)
        used += advance
    return "".join(kept) + ellipsis


def _can_set_directly(labels: Sequence[Label], faces: tuple[_Face, _Face]) -> bool:
    regular, bold = faces
    return all(
        (bold if line.is_title else regular).covers(line.text)
        for label in {label.lines: label for label in labels}.values()
        for line in label.lines
    )


def _direct_pdf(
    labels: Sequence[Label], template: LabelTemplate, faces: tuple[_Face, _Face]
) -> bytes:
    """Write the PDF: per page, each label's QR image and its lines of text."""
    t = template
    objects = _Objects()
    catalog, pages_number = objects.reserve(), objects.reserve()
    regular = _EmbeddedFont(faces[0], "F1", objects.reserve())
    bold = _EmbeddedFont(faces[1], "F2", objects.reserve())
    fonts = f"/Font << /F1 {regular.number} 0 R /F2 {bold.number} 0 R >>"
    page_w, page_h = t.page_width_mm * _PT_PER_MM, t.page_height_mm * _PT_PER_MM
    qr_pt = t.qr_size_mm * _PT_PER_MM
    text_width_pt = t.text_width_mm * _PT_PER_MM
    level = error_correction_for(t.qr_size_mm)
    images: dict[str, tuple[str, int]] = {}  # uri -> (resource name, object number)
    # the baseline of a line in its line box, as CSS puts it: half the leading above
    lines_style = {}
    for title in (False, True):
        face = faces[1] if title else faces[0]
        size = t.title_font_size_pt if title else t.font_size_pt
        pitch = t.line_pitch_mm(title=title) * _PT_PER_MM
        baseline = (pitch - (face.ascent + face.descent) * size) / 2 + face.ascent * size
        lines_style[title] = (bold if title else regular, face, size, pitch, baseline)
    kids = []
    for first in range(0, len(labels), t.per_page):
        ops: list[str] = []
        xobjects: dict[str, int] = {}
        for slot, label in enumerate(labels[first : first + t.per_page]):
            image = images.get(label.uri)
            if image is None:
                symbol = make_qr(label.uri, level)
                side = symbol.size_with_quiet_zone
                check_module_size(t.qr_size_mm / side, symbol.size, t.qr_size_mm)
                number = objects.add_stream(
                    f"/Type /XObject /Subtype /Image /Width {side} /Height {side} "
                    f"/ColorSpace /DeviceGray /BitsPerComponent 1 /Interpolate false",
                    _qr_image(symbol),
                )
                image = images[label.uri] = (f"Q{len(images)}", number)
            xobjects[image[0]] = image[1]
            left, top = t.label_origin_mm(slot)
            x = (left + t.qr_x_mm) * _PT_PER_MM
            y = page_h - (top + t.qr_y_mm) * _PT_PER_MM - qr_pt
            ops.append(f"q {_n(qr_pt)} 0 0 {_n(qr_pt)} {_n(x)} {_n(y)} cm /{image[0]} Do Q")
            if label.linear is not None and t.barcode is not None:
                bars = images.get(label.linear.text)
                if bars is None:
                    number = objects.add_stream(
                        f"/Type /XObject /Subtype /Image /Width {label.linear.width_modules} "
                        f"/Height 1 /ColorSpace /DeviceGray /BitsPerComponent 1 "
                        f"/Interpolate false",
                        label.linear.pdf_row(),
                    )
                    bars = images[label.linear.text] = (f"B{len(images)}", number)
                xobjects[bars[0]] = bars[1]
                bx, by, bw, bh = (v * _PT_PER_MM for v in t.barcode)
                y = page_h - top * _PT_PER_MM - by - bh
                ops.append(
                    f"q {_n(bw)} 0 0 {_n(bh)} {_n(left * _PT_PER_MM + bx)} {_n(y)} cm "
                    f"/{bars[0]} Do Q"
                )
            x = (left + t.text_x_mm) * _PT_PER_MM
            line_top = (top + t.text_y_mm) * _PT_PER_MM
            for line in label.lines:
                font, face, size, pitch, baseline = lines_style[line.is_title]
                text = _fit_line(line.text, face, size, text_width_pt)
                y = page_h - line_top - baseline
                ops.append(
                    f"BT /{font.resource} {_n(size)} Tf {_n(x)} {_n(y)} Td "
                    f"{font.encode(text)} Tj ET"
                )
                line_top += pitch
        content = objects.add_stream("", ("0 g\n" + "\n".join(ops)).encode("latin-1"))
        images_dict = " ".join(f"/{name} {number} 0 R" for name, number in xobjects.items())
        kids.append(
            objects.add(
                f"<< /Type /Page /Parent {pages_number} 0 R "
                f"/MediaBox [0 0 {_n(page_w)} {_n(page_h)}] "
                f"/Resources << {fonts} /XObject << {images_dict} >> >> "
                f"/Contents {content} 0 R >>"
            )
        )
    if not kids:
        raise LabelError("there are no labels to print")
    regular.write(objects)
    bold.write(objects)
    objects.put(
        pages_number,
        f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>",
    )
    objects.put(catalog, f"<< /Type /Catalog /Pages {pages_number} 0 R >>")
    info = objects.add(
        f"<< /Title {_pdf_string(f'Labels ({t.name})')} /Producer (Mill Workbench) >>"
    )
    return objects.output(catalog, info)


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
        faces = _faces()
        if faces is not None and _can_set_directly(labels, faces):
            return _direct_pdf(labels, template, faces)
        if engine == "direct":
            why = (
                "no DejaVu Sans, Liberation Sans or Arial font file was found"
                if faces is None
                else "some text needs characters or shaping the embedded font does not have"
            )
            raise LabelError(f"the direct PDF engine cannot print these labels: {why}")
    return _weasyprint_pdf(labels, template)
