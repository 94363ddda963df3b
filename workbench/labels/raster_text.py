"""Label text a Zebra's resident font cannot draw, as a bitmap in the label's own fonts.

A Zebra printer's scalable font 0 (``^A0``, CG Triumvirate) draws Latin text; sent a
Devanagari or Katakana name it prints nothing or boxes. The PDF path prints such names in
whatever font fontconfig finds for them (WeasyPrint shapes them with Pango), so for ZPL we
draw the same line ourselves and send it as a graphic field (``^GFA``):

- A line goes out as text (``^A0``) only when every character is printable ASCII or
  Latin-1 (U+00A0-U+00FF), which font 0 draws with ``^CI28``; any other line is drawn.
- The line is split into runs: characters the PDF's face ("DejaVu Sans", bold for the
  title) has, and runs it lacks, each drawn in the font fontconfig picks for exactly those
  characters (:func:`fonts.fallback_font_file`), the fallback Pango makes for the PDF.
- Runs are laid out with Pillow's Raqm engine (HarfBuzz shaping and FriBiDi), so conjuncts
  and vowel signs come out as in the PDF, at the line's point size in printer dots, then
  thresholded to black and white: a thermal head has no grey.
- A character no font on this machine has stops the job with a message naming the line and
  the character; printing a box or a blank where a name should be is worse than not
  printing.
- A line wider than the text column is cut before the character that overflows and ends
  in "...", never inside a cluster (a vowel sign stays with its consonant).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from workbench.labels.fonts import fallback_font_file, find_font_file
from workbench.labels.gs1 import LabelError

__all__ = ["RasterLine", "clusters", "needs_raster", "raster_line"]


def needs_raster(text: str) -> bool:
    """Whether ``text`` holds a character font 0 does not draw (see the module notes)."""
    return any(not (" " <= ch <= "~" or "\u00a0" <= ch <= "\u00ff") for ch in text)


@dataclass(frozen=True)
class RasterLine:
    """One line drawn for the printer: 1-bit rows, a set bit is a dot to burn."""

    width: int
    height: int
    #: ``height`` rows of ``row_bytes`` bytes each, most significant bit leftmost
    data: bytes

    @property
    def row_bytes(self) -> int:
        """Bytes per row, as ``^GF`` counts them."""
        return (self.width + 7) // 8

    def zpl(self) -> str:
        """The line as ``^GFA`` data: total bytes twice, bytes per row, hex rows."""
        total = len(self.data)
        return f"^GFA,{total},{total},{self.row_bytes},{self.data.hex().upper()}"

    def image(self) -> Image.Image:
        """The line as a black-on-white picture (for previews and checks)."""
        return Image.frombytes("1", (self.row_bytes * 8, self.height), self.data).point(
            lambda v: 0 if v else 255
        )


@lru_cache(maxsize=32)
def _font(path: Path, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size_px, layout_engine=ImageFont.Layout.RAQM)


@lru_cache(maxsize=8)
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(str(path), lazy=True, fontNumber=0) as font:
        return frozenset(font.getBestCmap())


@lru_cache(maxsize=2)
def _primary(bold: bool) -> Path | None:
    return find_font_file(bold)


def _runs(text: str, bold: bool) -> list[tuple[str, Path]]:
    """``text`` split into runs, each with the font that draws it."""
    primary = _primary(bold)
    covered = _cmap(primary) if primary is not None else frozenset()
    runs: list[tuple[str, bool]] = []
    for ch in text:
        # a combining mark stays in its base character's run, whatever the font has; a
        # space is the face's own, as in the PDF (a CJK font's space is wider)
        own = ord(ch) in covered if not unicodedata.category(ch).startswith("M") else None
        if runs and (own is None or own == runs[-1][1]):
            runs[-1] = (runs[-1][0] + ch, runs[-1][1])
        else:
            runs.append((ch, bool(own)))
    out: list[tuple[str, Path]] = []
    for run, in_primary in runs:
        if in_primary and primary is not None:
            out.append((run, primary))
            continue
        wanted = frozenset(ord(ch) for ch in run if ch != " ")
        path = fallback_font_file(wanted, bold)
        missing = sorted(wanted - _cmap(path)) if path is not None else sorted(wanted)
        if missing:
            shown = ", ".join(f"{chr(c)!r} (U+{c:04X})" for c in missing[:5])
            raise LabelError(
                f"{text!r}: no font on this computer draws {shown}; install a font for "
                f"that script (the PDF would show empty boxes there too)"
            )
        assert path is not None
        out.append((run, path))
    return out


def clusters(text: str) -> list[str]:
    """``text`` in pieces that may be cut between: a base character with its marks (and
    a virama's following consonant, which it joins)."""
    pieces: list[str] = []
    for ch in text:
        joins = unicodedata.category(ch).startswith("M") or (
            pieces and unicodedata.name(pieces[-1][-1], "").endswith("SIGN VIRAMA")
        )
        if pieces and joins:
            pieces[-1] += ch
        else:
            pieces.append(ch)
    return pieces


def _width(runs: list[tuple[str, Path]], size_px: int) -> float:
    return sum(_font(path, size_px).getlength(run) for run, path in runs)


def raster_line(text: str, size_px: int, max_width: int, *, bold: bool = False) -> RasterLine:
    """``text`` drawn at ``size_px`` (the em in printer dots), at most ``max_width`` dots
    wide, in the fonts the PDF path uses for it.

    Remembered: a run of labels repeats its description and colour on every label, and a
    line is drawn once (the bitmap is immutable)."""
    return _draw(text, size_px, max_width, bold)


@lru_cache(maxsize=2048)
def _draw(text: str, size_px: int, max_width: int, bold: bool) -> RasterLine:
    runs = _runs(text, bold)
    if _width(runs, size_px) > max_width:
        kept = ""
        for piece in clusters(text):
            if _width(_runs(kept + piece + "...", bold), size_px) > max_width:
                break
            kept += piece
        runs = _runs(kept.rstrip() + "...", bold)
    fonts = [_font(path, size_px) for _run, path in runs]
    ascent = max(font.getmetrics()[0] for font in fonts)
    descent = max(font.getmetrics()[1] for font in fonts)
    width = max(1, min(max_width, round(_width(runs, size_px))))
    image = Image.new("L", (width, ascent + descent), 255)
    draw = ImageDraw.Draw(image)
    x = 0.0
    for (run, _path), font in zip(runs, fonts, strict=True):
        draw.text((x, ascent), run, font=font, fill=0, anchor="ls")
        x += font.getlength(run)
    # a set bit is a dot to burn: dark pixels become 1 (mode "1" keeps 255 as a set bit)
    bits = image.point(lambda v: 255 if v < 128 else 0).convert("1", dither=Image.Dither.NONE)
    return RasterLine(width, image.height, bits.tobytes())
