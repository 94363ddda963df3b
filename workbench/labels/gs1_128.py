"""The GS1-128 barcode printed beside a label's QR code, for scanners that read only linear codes.

Many warehouse scanners (and most fixed conveyor scanners) read one-dimensional codes only.
So a label whose QR code carries a GS1 Digital Link for a GTIN also carries a GS1-128
symbol with the same facts as a GS1 element string: the GTIN (AI 01), the dates (11-17),
the net quantity (310n, 311n, 314n or 30), the variant (22), the lot (10) and the serial
(21). A scanner reading either code gets the same AIs with the same values.

Element string order. AIs of predefined length (01, 11-17, 31nn) come first, and then those
of variable length (22, 10, 21, 30), each but the last ended by FNC1 (GS1 General
Specifications 5.10.1.2.3): this needs the fewest separators, and the order of AIs in an
element string carries no meaning, so a scanner's reading equals the Digital Link's.

Workspace IDs (items without a GTIN) get no linear code: an element string needs a GS1
key, and a lot or serial on its own (AI 10, 21) would let a GS1 scanner take it for a
trade item's. Their QR code and human-readable lines carry everything.

Encoding. The symbol characters (start code, FNC1, code-set switches, data, check
character) come from python-barcode's GS1-128 encoder, a kept library that packs digit runs
in code set C; the same characters are drawn in the PDF and written to ZPL (``^BC`` with
``>;`` and ``>8``), so both print one symbol. Every symbol has its quiet zone of ten modules
on each side (:data:`QUIET_ZONE`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from barcode.charsets import code128
from barcode.codex import Gs1_128

from workbench.labels.gs1 import DigitalLink, LabelError

__all__ = [
    "FNC1",
    "MIN_BAR_MODULE_MM",
    "QUIET_ZONE",
    "LinearSymbol",
    "choose_symbol",
    "element_string",
    "gs1_128",
    "parse_element_string",
]

#: FNC1 as the separator in an element string transmitted by a scanner (ASCII GS).
FNC1 = "\x1d"
#: Light modules on each side of a GS1-128 symbol (GS1 General Specifications 5.4.4.4).
QUIET_ZONE = 10
#: Narrowest bar we print: one dot of a 203 dpi thermal head. Symbols this fine need a
#: high-density scanner; anything finer is refused rather than printed unreadable.
MIN_BAR_MODULE_MM = 0.125

#: Symbol values with a meaning of their own in every code set.
_FNC1_VALUE = 102
_CODE_C = 99
_CODE_B = 100
_START = {103: "A", 104: "B", 105: "C"}
_LIBRARY_FNC1 = Gs1_128.FNC1_CHAR
#: AIs whose values have a predefined length: no FNC1 after them.
_PREDEFINED = ("01", "11", "13", "15", "16", "17", "31")
_VARIABLE_ORDER = ("22", "10", "21", "30")


def element_string(link: DigitalLink) -> tuple[tuple[str, str], ...] | None:
    """The AIs and values of ``link`` in element-string order, or None for a workspace ID."""
    if link.gtin is None:
        return None
    fixed: list[tuple[str, str]] = [("01", link.gtin)]
    variable: dict[str, str] = {}
    for ai, value in link.attributes.items():
        if _is_predefined(ai):
            fixed.append((ai, value))
        else:
            variable[ai] = value
    for ai, qualifier in (("22", link.variant), ("10", link.lot), ("21", link.serial)):
        if qualifier is not None:
            variable[ai] = qualifier
    return tuple(fixed) + tuple((ai, variable[ai]) for ai in _VARIABLE_ORDER if ai in variable)


def _is_predefined(ai: str) -> bool:
    return ai.startswith(_PREDEFINED)


@dataclass(frozen=True)
class LinearSymbol:
    """One GS1-128 symbol: what it says and the symbol characters that say it."""

    #: (AI, value) pairs in the order they are encoded
    elements: tuple[tuple[str, str], ...]
    #: symbol values from the start code to the check character (stop not included)
    values: tuple[int, ...]

    @property
    def text(self) -> str:
        """The human-readable interpretation: ``(01)09506000134352(10)L2411-07``."""
        return "".join(f"({ai}){value}" for ai, value in self.elements)

    @property
    def interpretation(self) -> str:
        """The human-readable interpretation printed under the bars, as GS1 prescribes it
        (General Specifications 4.15): each AI in parentheses, then its value, a space
        between them: ``(01) 09506000134352 (21) 12345``."""
        return " ".join(f"({ai}) {value}" for ai, value in self.elements)

    @property
    def transmitted(self) -> str:
        """What a scanner sends (symbology identifier left out): the element string with
        ASCII GS where an FNC1 separates a variable-length value from the next AI."""
        return _joined(self.elements, FNC1)

    @property
    def modules(self) -> str:
        """Bars and spaces, ``"1"`` dark and ``"0"`` light, one character per module,
        without the quiet zones."""
        bars: str = "".join(code128.CODES[v] for v in self.values) + code128.STOP + "11"
        return bars

    @property
    def width_modules(self) -> int:
        """The symbol's width in modules, quiet zones included."""
        return len(self.modules) + 2 * QUIET_ZONE

    def module_mm(self, box_width_mm: float) -> float:
        """The width of one module when the symbol, quiet zones included, fills a box."""
        return box_width_mm / self.width_modules

    def check_fits(self, box_width_mm: float, minimum_mm: float = MIN_BAR_MODULE_MM) -> None:
        """Raise :class:`LabelError` when the symbol's bars would be narrower than
        ``minimum_mm`` (the template's X-dimension, else :data:`MIN_BAR_MODULE_MM`) in a
        box ``box_width_mm`` wide."""
        module = self.module_mm(box_width_mm)
        if module < minimum_mm - 1e-9:
            raise LabelError(
                f"the GS1-128 code {self.text} is {self.width_modules} modules wide; in the "
                f"{box_width_mm:g} mm barcode box its bars would be {module:.3f} mm, below the "
                f"{minimum_mm:g} mm this label's bars need; use shorter lots and serials or a "
                f"wider label"
            )

    def png(self) -> bytes:
        """One row of pixels, one per module, quiet zones included (for the HTML path,
        where the style sheet stretches it to the box without interpolation)."""
        from PIL import Image

        row = "0" * QUIET_ZONE + self.modules + "0" * QUIET_ZONE
        image = Image.new("1", (len(row), 1), 1)
        image.putdata([0 if m == "1" else 255 for m in row])
        out = io.BytesIO()
        image.save(out, "PNG", optimize=True)
        return out.getvalue()

    def pdf_row(self) -> bytes:
        """The same row as 1-bit DeviceGray image data (1 is light, as in PDF)."""
        row = "0" * QUIET_ZONE + self.modules + "0" * QUIET_ZONE
        bits = row.translate(str.maketrans("01", "10"))
        bits += "1" * (-len(bits) % 8)
        return int(bits, 2).to_bytes(len(bits) // 8, "big")

    def zpl_data(self) -> str:
        """The ``^BC`` field data (mode N) for these symbol characters: ``>;`` starts in
        code set C, ``>8`` is FNC1, ``>5``/``>6`` switch to C/B, ``><`` is a ``>``.

        The printer adds the check character itself, so it is left out."""
        out: list[str] = []
        start = _START[self.values[0]]
        out.append({"A": ">9", "B": ">:", "C": ">;"}[start])
        code_set = start
        for value in self.values[1:-1]:
            if value == _FNC1_VALUE:
                out.append(">8")
            elif code_set == "C" and value < 100:
                out.append(f"{value:02d}")
            elif value == _CODE_C:
                out.append(">5")
                code_set = "C"
            elif value == _CODE_B:
                out.append(">6")
                code_set = "B"
            elif code_set == "B" and value < 95:
                ch = chr(value + 32)
                out.append("><" if ch == ">" else ch)
            else:  # cannot happen for GS1 character set 82
                raise LabelError(f"symbol value {value} in code set {code_set}: not printable")
        return "".join(out)


def _joined(elements: tuple[tuple[str, str], ...], separator: str) -> str:
    """The element string with ``separator`` after each variable-length value but the last."""
    parts: list[str] = []
    for number, (ai, value) in enumerate(elements):
        parts.append(ai + value)
        if not _is_predefined(ai) and number < len(elements) - 1:
            parts.append(separator)
    return "".join(parts)


@lru_cache(maxsize=4096)
def _symbol(elements: tuple[tuple[str, str], ...]) -> LinearSymbol:
    encoder = Gs1_128(_joined(elements, _LIBRARY_FNC1))
    values = list(encoder.encoded)  # start code first, no check character
    check = (values[0] + sum(i * v for i, v in enumerate(values[1:], start=1))) % 103
    return LinearSymbol(elements, (*values, check))


def gs1_128(link: DigitalLink) -> LinearSymbol | None:
    """The GS1-128 symbol for ``link``, or None for a workspace ID (see the module notes)."""
    elements = element_string(link)
    return None if elements is None else _symbol(elements)


def choose_symbol(
    link: DigitalLink,
    choices: Sequence[Sequence[str]],
    fits: Callable[[LinearSymbol], bool],
) -> LinearSymbol | None:
    """The GS1-128 symbol a label carries: the first of ``choices`` (AI lists; an empty
    list is the whole element string) whose AIs ``link`` all has and whose symbol ``fits``.

    A small label cannot carry every AI at a scannable X-dimension, so its template lists
    what the floor scans, in order of preference ((01)+(21), else (01)+(10), ...); the QR
    code keeps the whole Digital Link. When nothing fits, the narrowest candidate comes
    back (it does not fit: the caller refuses it with :meth:`LinearSymbol.check_fits`, so
    the job stops naming the item rather than printing bars too fine to scan). None for a
    workspace ID."""
    elements = element_string(link)
    if elements is None:
        return None
    present = dict(elements)
    candidates: list[LinearSymbol] = []
    for choice in choices or ((),):
        if not all(ai in present for ai in choice):
            continue
        kept = tuple(pair for pair in elements if not choice or pair[0] in choice)
        symbol = _symbol(kept)
        if fits(symbol):
            return symbol
        candidates.append(symbol)
    if not candidates:
        raise LabelError(
            f"the label's GS1-128 carries {_choices_text(choices)}; this item has none of them"
        )
    return min(candidates, key=lambda symbol: symbol.width_modules)


def _choices_text(choices: Sequence[Sequence[str]]) -> str:
    return " or ".join("".join(f"({ai})" for ai in choice) or "every AI" for choice in choices)


def parse_element_string(text: str) -> Mapping[str, str]:
    """A transmitted element string (as :attr:`LinearSymbol.transmitted`, or as a scanner
    sends it) read back into AI → value, for checks and tests."""
    out: dict[str, str] = {}
    rest = text
    lengths = {"01": 14, "11": 6, "13": 6, "15": 6, "16": 6, "17": 6}
    while rest:
        ai = rest[:4] if rest.startswith("31") else rest[:2]
        if ai in lengths or ai.startswith("31"):
            size = lengths.get(ai, 6)
            out[ai] = rest[len(ai) : len(ai) + size]
            rest = rest[len(ai) + size :]
        else:
            value, _, rest = rest[len(ai) :].partition(FNC1)
            out[ai] = value
        if ai in out and not out[ai]:
            raise LabelError(f"element string {text!r}: AI {ai} has no value")
    return out
