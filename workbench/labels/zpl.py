"""Labels as ZPL II for Zebra printers (sent raw to TCP port 9100), at 203 or 300 dpi.

Each label is one format, ``^XA`` ... ``^XZ`` (here a 100 × 50 mm label at 203 dpi)::

    ^XA
    ^CI28                      field data is UTF-8
    ^PW800                     print width and label length in dots, from the template
    ^LL400
    ^LH0,0
    ^FO57,65^BQN,2,6,Q^FDQA,https://id.example-mill.com/01/09506000134352/10/L2411-07^FS
    ^FO376,36^A0N,25,25^FDLot L2411-07^FS
    ^FO376,68^A0N,25,25^FH^FDColour _C3_89cru^FS
    ^FO40,292^BY2,2,76^BCN,76,N,N,N,N^FD>;>80109506000134352>610L2411-07^FS
    ^FO16,370^A0N,20,20^FB768,1,0,C,0^FD(01) 09506000134352 (10) L2411-07^FS
    ^PQ2                       copies
    ^XZ

Positions convert the template's millimetres to dots (a 203 dpi head prints 8 dots/mm,
a 300 dpi head 11.81). Font heights convert points to dots, and text lines sit at the same
pitch as in the PDF.

QR magnification. ``^BQ`` draws every module as an ``m`` × ``m`` square of dots, and ``m``
is a whole number from 1 to 10: a printer cannot scale a symbol by 1.3. We take the largest
``m`` for which the symbol *with its 4-module quiet zone* fits the template's QR box:
``m = box_dots // (modules + 8)``. Larger modules scan from further away and survive the
thermal head's dot gain; the box bounds it so the quiet zone never overlaps the text. The
module count is that of the symbol with all data in byte mode, the largest any encoder's
mode choice can produce, because the printer's encoder (automatic mode, ``QA,``) picks its
own modes. The symbol is centred in the box. ``^BQ`` draws no quiet zone of its own, so the
symbol starts four modules in.

Error correction is the PDF's (:func:`qr.error_correction_for`): ``M`` for small boxes,
``Q`` for large ones, both in ``^BQ`` and in the ``^FD`` switches (``QA,`` / ``MA,``).

GS1-128. Labels with a GTIN on a template with a ``barcode`` box get ``^BC`` in mode N
(no automatic subsets): the symbol characters :mod:`gs1_128` chose are written as ``>;``
(start in code set C), digit pairs, ``>8`` (FNC1), ``>6``/``>5`` (to code set B/C) and
characters, so PDF and printer draw the same symbol. ``^BY`` sets the widest whole number
of dots per module at which the symbol and its ten-module quiet zones fit the box, and
the human-readable interpretation goes under the bars as a centred font 0 line. On a small
label the symbol carries what the template's ``ais`` choose at its X-dimension rounded up
to whole dots (:func:`model.prepare_labels`).

Scripts font 0 lacks. A line with any character beyond Latin-1 (Devanagari, Katakana, ...)
is drawn in the PDF path's fonts and sent as a graphic field (``^GFA``), see
:mod:`raster_text`; other lines stay text, which prints sharper and smaller.

Escaping. ``^`` and ``~`` start ZPL commands anywhere, even inside field data. Text fields
that hold them, or hold anything outside printable ASCII, are written with ``^FH`` and each
such byte of their UTF-8 as ``_XX`` (``_`` itself becomes ``_5F``). URIs never need it: they
are ASCII and percent-encoded, ``^`` and ``~`` included (see :mod:`gs1`).

:func:`parse_zpl` reads back what this module writes (a subset of ZPL), for tests and
previews.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from workbench.labels.gs1 import LabelError
from workbench.labels.gs1_128 import QUIET_ZONE as QUIET_ZONE_128
from workbench.labels.gs1_128 import LinearSymbol
from workbench.labels.model import IdScheme, Label, LabelItem, prepare_labels
from workbench.labels.qr import (
    QUIET_ZONE,
    check_module_size,
    error_correction_for,
    symbol_modules,
)
from workbench.labels.raster_text import needs_raster, raster_line
from workbench.labels.templates import LabelTemplate, load_template

__all__ = [
    "DOTS_PER_MM",
    "ZplField",
    "ZplLabel",
    "dots",
    "parse_zpl",
    "qr_magnification",
    "render_labels_zpl",
    "zpl_escape",
]

#: Print heads we write for: dpi → dots per millimetre (203 dpi heads are 8 dots/mm).
DOTS_PER_MM = {203: 8.0, 300: 300 / 25.4, 600: 600 / 25.4}
_MAX_MAGNIFICATION = 10
_PT_TO_MM = 25.4 / 72
#: A rough average width of a character of font 0 (CG Triumvirate Bold Condensed) over its
#: height, to shorten text the printer would otherwise run past the label edge.
_CHAR_WIDTH = 0.55


def dots(mm: float, dpi: int) -> int:
    """``mm`` millimetres in printer dots at ``dpi``."""
    return round(mm * _dots_per_mm(dpi))


def _dots_per_mm(dpi: int) -> float:
    try:
        return DOTS_PER_MM[dpi]
    except KeyError:
        known = ", ".join(str(d) for d in DOTS_PER_MM)
        raise LabelError(f"{dpi} dpi: Zebra print heads here are {known} dpi") from None


def qr_magnification(modules: int, box_dots: int, dpi: int) -> int:
    """The largest ``^BQ`` magnification (dots per module) at which a symbol of
    ``modules`` per side and its quiet zone fit ``box_dots``; an error when that leaves
    modules too small to scan (:data:`qr.MIN_MODULE_MM`)."""
    magnification = min(_MAX_MAGNIFICATION, box_dots // (modules + 2 * QUIET_ZONE))
    check_module_size(magnification / _dots_per_mm(dpi), modules, box_dots / _dots_per_mm(dpi))
    return magnification


def _needs_hex(text: str) -> bool:
    return any(ch in "^~" or not " " <= ch <= "}" for ch in text)


def zpl_escape(text: str) -> str:
    """``text`` for a ``^FH`` field: ``_``, ``^``, ``~``, control and non-ASCII characters
    as ``_XX`` per UTF-8 byte (``^CI28``); everything else as is."""
    out = []
    for ch in text:
        if ch in "_^~" or not " " <= ch <= "}":
            out.append("".join(f"_{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def _field_data(text: str) -> str:
    """``^FD...^FS`` for ``text``, with ``^FH`` only when something needs escaping."""
    if _needs_hex(text):
        return f"^FH^FD{zpl_escape(text)}^FS"
    return f"^FD{text}^FS"


def _fit(text: str, width_dots: int, height_dots: int) -> str:
    limit = max(1, int(width_dots / (_CHAR_WIDTH * height_dots)))
    return text if len(text) <= limit else text[: max(1, limit - 3)].rstrip() + "..."


def _label_zpl(label: Label, template: LabelTemplate, dpi: int, copies: int) -> str:
    t = template
    level = error_correction_for(t.qr_size_mm)
    box = dots(t.qr_size_mm, dpi)
    modules = symbol_modules(label.uri, level)
    magnification = qr_magnification(modules, box, dpi)
    offset = (box - (modules + 2 * QUIET_ZONE) * magnification) // 2 + QUIET_ZONE * magnification
    if _needs_hex(label.uri):  # cannot happen for URIs from gs1.DigitalLink
        raise LabelError(f"{label.uri!r}: a URI for a QR code must be printable ASCII")
    parts = [
        "^XA",
        "^CI28",
        f"^PW{dots(t.label_width_mm, dpi)}",
        f"^LL{dots(t.label_height_mm, dpi)}",
        "^LH0,0",
        f"^FO{dots(t.qr_x_mm, dpi) + offset},{dots(t.qr_y_mm, dpi) + offset}"
        f"^BQN,2,{magnification},{level}^FD{level}A,{label.uri}^FS",
    ]
    if label.linear is not None and t.barcode is not None:
        parts += _linear_zpl(label.linear, t, dpi)
    x = dots(t.text_x_mm, dpi)
    width = dots(t.text_width_mm, dpi)
    y_mm = t.text_y_mm
    for line in label.lines:
        size_pt = t.title_font_size_pt if line.is_title else t.font_size_pt
        height = max(10, round(size_pt * _PT_TO_MM * _dots_per_mm(dpi)))
        if needs_raster(line.text):
            em = round(size_pt * dpi / 72)
            drawn = raster_line(line.text, em, width, bold=line.is_title)
            parts.append(f"^FO{x},{dots(y_mm, dpi)}{drawn.zpl()}^FS")
        else:
            text = _fit(line.text, width, height)
            parts.append(f"^FO{x},{dots(y_mm, dpi)}^A0N,{height},{height}{_field_data(text)}")
        y_mm += t.line_pitch_mm(title=line.is_title)
    parts += [f"^PQ{copies}", "^XZ"]
    return "\n".join(parts) + "\n"


def _linear_zpl(symbol: LinearSymbol, template: LabelTemplate, dpi: int) -> list[str]:
    """``^BY``/``^BC`` for the GS1-128 symbol and the human-readable line under it.

    The bars: the widest whole-dot module at which the symbol and its quiet zones fit the
    box, centred in it; ``^BC`` in mode N with the symbol characters spelled out (``>;``
    start C, ``>8`` FNC1), so the printer draws the same symbol as the PDF, and its own
    interpretation line off (it would print the invocation codes' digits without the AIs'
    parentheses). The interpretation, ``(01) 09506000134352 (21) 12345``, is a font 0
    field centred under the bars (``^FB`` one line, centred), shrunk to the box's width."""
    assert template.barcode is not None
    x, y, width, _height = (dots(v, dpi) for v in template.barcode)
    bars = dots(template.barcode_bars_mm()[3], dpi)
    module = width // symbol.width_modules
    if module < 1:
        raise LabelError(
            f"the GS1-128 code {symbol.text} is {symbol.width_modules} modules wide; the "
            f"{template.barcode[2]:g} mm barcode box is {width} dots at {dpi} dpi, too narrow "
            f"for it"
        )
    left = x + (width - module * symbol.width_modules) // 2 + QUIET_ZONE_128 * module
    text = symbol.interpretation
    size = round(template.barcode_text_size_pt * _PT_TO_MM * _dots_per_mm(dpi))
    size = max(10, min(size, int(width / (_CHAR_WIDTH * len(text)))))
    gap = max(1, round(0.3 * _dots_per_mm(dpi)))  # the line clears the bars by 0.3 mm
    return [
        f"^FO{left},{y}^BY{module},2,{bars}^BCN,{bars},N,N,N,N^FD{symbol.zpl_data()}^FS",
        f"^FO{x},{y + bars + gap}^A0N,{size},{size}^FB{width},1,0,C,0{_field_data(text)}",
    ]


def render_labels_zpl(
    items: Iterable[LabelItem],
    template: LabelTemplate | str,
    dpi: int = 203,
    *,
    scheme: IdScheme,
    copies: int = 1,
) -> str:
    """ZPL for ``items`` on a roll ``template`` at ``dpi``; ``copies`` becomes ``^PQ``.

    Copies are printed by the printer (``^PQ``), not repeated in the data, so a job of
    ten copies of 500 labels stays 500 formats long.
    """
    if isinstance(template, str):
        template = load_template(template)
    if template.layout != "roll":
        raise LabelError(
            f"{template.name} is a {template.layout} template; ZPL is for roll labels on a "
            f"Zebra printer (use a thermal template, or print the sheet as PDF)"
        )
    _dots_per_mm(dpi)
    if copies < 1:
        raise LabelError(f"copies {copies}: print at least one copy")
    labels = prepare_labels(items, template, scheme, dots_per_mm=_dots_per_mm(dpi))
    if not labels:
        raise LabelError("there are no labels to print")
    return "".join(_label_zpl(label, template, dpi, copies) for label in labels)


# --- reading ZPL back -------------------------------------------------------------------------


@dataclass(frozen=True)
class ZplField:
    """One field of a label: where it is and what it holds (``^FH`` escapes undone)."""

    x: int
    y: int
    data: str
    #: "qr", "gs1-128", "interpretation" (the line centred under the bars), "text" or
    #: "graphic" (``^GF``: data is its arguments, ``A,...``)
    kind: str
    #: ^BQ magnification and error correction, for QR fields
    magnification: int | None = None
    error_correction: str | None = None
    #: ^A0 height in dots, for text fields
    font_height: int | None = None
    #: ^BY module width and ^BC bar height in dots, for GS1-128 fields
    module: int | None = None
    bar_height: int | None = None
    #: ^FB width in dots (text centred in a block), for text fields
    block_width: int | None = None


@dataclass
class ZplLabel:
    """One ``^XA`` ... ``^XZ`` format as :func:`parse_zpl` reads it."""

    width: int | None = None
    length: int | None = None
    copies: int = 1
    fields: list[ZplField] = field(default_factory=list)

    @property
    def qr(self) -> list[ZplField]:
        """The QR fields."""
        return [f for f in self.fields if f.kind == "qr"]

    @property
    def linear(self) -> list[ZplField]:
        """The GS1-128 fields (their data as written: ``^BC`` invocation codes and all)."""
        return [f for f in self.fields if f.kind == "gs1-128"]

    @property
    def interpretations(self) -> list[ZplField]:
        """The human-readable lines centred under GS1-128 bars (``^FB``)."""
        return [f for f in self.fields if f.kind == "interpretation"]

    @property
    def texts(self) -> list[str]:
        """The text fields' data, top to bottom as written."""
        return [f.data for f in self.fields if f.kind == "text"]


_COMMAND = re.compile(r"([\^~])([A-Z@][A-Z0-9@])([^\^~]*)", re.DOTALL)
_HEX = re.compile(rb"_([0-9A-Fa-f]{2})")


def _unhex(data: str) -> str:
    raw = _HEX.sub(lambda m: bytes([int(m.group(1), 16)]), data.encode("utf-8"))
    return raw.decode("utf-8")


def parse_zpl(zpl: str) -> list[ZplLabel]:
    """The labels in ``zpl``: size (``^PW``/``^LL``), copies (``^PQ``) and fields
    (``^FO`` with ``^BQ``, ``^BC`` or ``^A``, ``^FB``, ``^FH``, ``^FD`` ... ``^FS``).

    Only the commands :func:`render_labels_zpl` writes are understood; any other command
    is an error, so a test cannot pass over something it did not check.
    """
    labels: list[ZplLabel] = []
    label: ZplLabel | None = None
    origin = (0, 0)
    barcode: tuple[int, str] | None = None
    module = 0
    bars: int | None = None
    graphic = False
    font: int | None = None
    block: int | None = None
    hex_escaped = False
    data: str | None = None
    for match in _COMMAND.finditer(zpl):
        prefix, name, args = match.group(1), match.group(2), match.group(3)
        args = args.strip("\r\n") if name != "FD" else args.rstrip("\r\n")
        command = prefix + name
        if command == "^XA":
            label = ZplLabel()
            continue
        if label is None:
            raise LabelError(f"ZPL: {command} outside ^XA ... ^XZ")
        if command == "^XZ":
            labels.append(label)
            label = None
        elif command in ("^CI", "^LH"):
            continue
        elif command == "^PW":
            label.width = int(args)
        elif command == "^LL":
            label.length = int(args)
        elif command == "^PQ":
            label.copies = int(args.split(",")[0])
        elif command == "^FO":
            x, y = args.split(",")[:2]
            origin = (int(x), int(y))
        elif command == "^BQ":
            _orientation, _model, magnification, level = args.split(",")[:4]
            barcode = (int(magnification), level)
        elif command == "^BY":
            module = int(args.split(",")[0])
        elif command == "^BC":
            bars = int(args.split(",")[1])
        elif command == "^FB":
            block = int(args.split(",")[0])
        elif command == "^A0":
            font = int(args.lstrip("N").lstrip(",").split(",")[0])
        elif command == "^GF":
            graphic, data = True, args
        elif command == "^FH":
            hex_escaped = True
        elif command == "^FD":
            data = _unhex(args) if hex_escaped else args
        elif command == "^FS":
            if data is None:
                raise LabelError("ZPL: ^FS without ^FD")
            if barcode is not None:
                switches, _, payload = data.partition(",")
                label.fields.append(
                    ZplField(*origin, payload, "qr", barcode[0], switches[:1] or None)
                )
            elif graphic:
                label.fields.append(ZplField(*origin, data, "graphic"))
            elif bars is not None:
                label.fields.append(
                    ZplField(*origin, data, "gs1-128", module=module, bar_height=bars)
                )
            else:
                kind = "text" if block is None else "interpretation"  # centred under bars
                label.fields.append(
                    ZplField(*origin, data, kind, font_height=font, block_width=block)
                )
            barcode, bars, font, hex_escaped, data, block = None, None, None, False, None, None
            graphic = False
        else:
            raise LabelError(f"ZPL: {command} is not one parse_zpl reads")
    if label is not None:
        raise LabelError("ZPL: ^XA without ^XZ")
    return labels
