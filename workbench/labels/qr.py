"""QR symbols for labels: the error-correction rule, and SVG and PNG output.

Error correction follows the printed size of the symbol. Higher correction costs modules:
level Q spends about 25% of the codewords on repairing damage, M about 15%, so for the same
URI a Q symbol is a version or two larger, and at a fixed printed size each module gets
smaller. On a small label (the 22 mm QR box of the 50 × 25 mm roll label) module size is
what limits scanning: a 203 dpi thermal head prints modules in whole dots of 0.125 mm, and
every module lost to Q makes all of them smaller, so we keep them large and use M. On
larger labels the modules are big at either level, and what defeats codes on a mill floor
is scuffs, creases and tape across rolls and cartons, so the room goes to Q. The threshold
is :data:`Q_FROM_MM`; :data:`MIN_MODULE_MM` refuses symbols too dense for their box.

Every symbol carries a quiet zone of four modules (the minimum ISO/IEC 18004 sets for QR);
a template's QR box is the symbol *with* its quiet zone, so text next to it never eats into
the margin a scanner needs.

The encoder is the ``qrcode`` package. It works a module and a bit at a time in pure
Python: choosing among the eight mask patterns, placing the data, building the codewords
and their Reed-Solomon error correction took about 14 ms for a typical label URI, and
printing 500 labels waited seconds for it. :class:`_FastMaskQRCode` computes the very same
symbol with whole rows and columns held as integers, each version's data placement worked
out once, and the error correction a byte at a time (under 1 ms a symbol). Its output is
identical to the package's own, which the tests check. Why not qrcode's or segno's public
API (seven to nine times slower on a 500-label PDF, past its 5 s target), and why qrcode
is pinned below 9: docs/adr/0005-qr-encoder.md.
"""

from __future__ import annotations

import io
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import qrcode
from PIL import Image
from qrcode import LUT
from qrcode import base as qr_base
from qrcode import util as qr_util
from qrcode.constants import ERROR_CORRECT_M, ERROR_CORRECT_Q
from qrcode.exceptions import DataOverflowError

from workbench.labels.gs1 import LabelError

__all__ = [
    "MIN_MODULE_MM",
    "QUIET_ZONE",
    "Q_FROM_MM",
    "QrSymbol",
    "check_module_size",
    "error_correction_for",
    "make_qr",
    "qr_png",
    "qr_svg",
    "symbol_modules",
]

#: Modules of light margin around every symbol.
QUIET_ZONE = 4
#: Symbols printed at least this wide (quiet zone included) use level Q; smaller ones M.
Q_FROM_MM = 25.0
#: Smallest module we print: two dots of a 203 dpi head. Below that a thermal head's dot
#: gain closes the light modules; better to refuse a job than print labels that do not scan.
MIN_MODULE_MM = 0.25

_LEVELS: dict[str, int] = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}


def error_correction_for(size_mm: float) -> str:
    """``"M"`` for symbols printed smaller than :data:`Q_FROM_MM`, else ``"Q"``."""
    return "Q" if size_mm >= Q_FROM_MM else "M"


def check_module_size(module_mm: float, modules: int, box_mm: float) -> None:
    """Raise :class:`LabelError` when modules of ``module_mm`` are too small to scan."""
    if module_mm < MIN_MODULE_MM - 1e-9:
        raise LabelError(
            f"a QR code of {modules} modules in a {box_mm:g} mm box has modules of "
            f"{module_mm:.2f} mm, below the {MIN_MODULE_MM} mm that scans reliably; use a "
            f"larger label, or shorter codes, lots and serials"
        )


def _level(error_correction: str) -> int:
    try:
        return _LEVELS[error_correction]
    except KeyError:
        raise LabelError(f"error correction {error_correction!r}: labels use 'M' or 'Q'") from None


# --- mask selection on packed integers -----------------------------------------------------


def _pack(lines: Iterable[Iterable[object]]) -> int:
    """A matrix (rows of truthy modules) as one integer: bit ``r * count + c`` = module."""
    bits = "".join("1" if module else "0" for line in lines for module in line)
    return int(bits[::-1], 2)


def _row_bits(count: int, first: int, last: int, rows: int | None = None) -> int:
    """Bits ``first..last`` of each of the first ``rows`` rows (all rows by default)."""
    one_row = ((1 << (last + 1)) - 1) ^ ((1 << first) - 1)
    return sum(one_row << (r * count) for r in range(count if rows is None else rows))


# 1:1:3:1:1 finder-like runs with four light modules on one side (penalty rule 3)
_FINDER_LIKE = ("10111010000", "00001011101")


@dataclass(frozen=True)
class _Grid:
    """Constants for scoring symbols of one size."""

    count: int
    masks_by_row: tuple[int, ...]  # mask pattern p, packed by rows
    masks_by_col: tuple[int, ...]  # the same, packed by columns (the transpose)
    pairs: int  # bit i of each row but the last: modules i and i + 1 both exist
    finder_starts: int  # where an 11-module window starts inside a row
    blocks: int  # top-left corners of 2 x 2 blocks


@lru_cache(maxsize=64)
def _grid(count: int) -> _Grid:
    by_row, by_col = [], []
    for pattern in range(8):
        test = qr_util.mask_func(pattern)
        by_row.append(_pack([[test(r, c) for c in range(count)] for r in range(count)]))
        by_col.append(_pack([[test(r, c) for r in range(count)] for c in range(count)]))
    return _Grid(
        count=count,
        masks_by_row=tuple(by_row),
        masks_by_col=tuple(by_col),
        pairs=_row_bits(count, 0, count - 2),
        finder_starts=_row_bits(count, 0, count - 11) if count >= 11 else 0,
        blocks=_row_bits(count, 0, count - 2, rows=count - 1),
    )


def _lines_penalty(packed: int, grid: _Grid) -> int:
    """Rules 1 and 3 over every line of a packed matrix (rows, or columns if transposed).

    Rule 1: each run of five or more equal modules costs its length minus two. A run of
    length L holds L - 4 windows of five equal modules and one start, so the cost is the
    number of such windows plus two per start. Rule 3: 40 per finder-like pattern.
    """
    same = ~(packed ^ (packed >> 1)) & grid.pairs  # bit i: module i == module i + 1
    five = same & (same >> 1) & (same >> 2) & (same >> 3)  # modules i..i+4 equal
    starts = five & ~(five << 1)
    score = five.bit_count() + 2 * starts.bit_count()
    for pattern in _FINDER_LIKE:
        match = grid.finder_starts
        for k, bit in enumerate(pattern):
            shifted = packed >> k
            match &= shifted if bit == "1" else ~shifted
        score += 40 * match.bit_count()
    return score


def _penalty(by_row: int, by_col: int, grid: _Grid) -> int:
    """The score ``qrcode.util.lost_point`` gives the same matrix (ISO/IEC 18004 rules 1-4),
    computed with a few dozen whole-matrix integer operations instead of a loop per module."""
    count = grid.count
    score = _lines_penalty(by_row, grid) + _lines_penalty(by_col, grid)
    vertical = ~(by_row ^ (by_row >> count))  # module (r, c) == module (r + 1, c)
    blocks = vertical & (vertical >> 1) & ~(by_row ^ (by_row >> 1)) & grid.blocks
    score += 3 * blocks.bit_count()
    percent = float(by_row.bit_count()) / (count**2)
    score += int(abs(percent * 100 - 50) / 5) * 10
    return score


class _Bits:
    """``qrcode.util.BitBuffer``'s interface over a list of bit strings: a bit at a time in
    Python is most of what ``best_fit`` and ``create_data`` cost."""

    __slots__ = ("length", "parts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def put(self, num: int, length: int) -> None:
        self.parts.append(format(num & ((1 << length) - 1), f"0{length}b"))
        self.length += length

    def put_bit(self, bit: bool) -> None:
        self.parts.append("1" if bit else "0")
        self.length += 1

    def __len__(self) -> int:
        return self.length

    def bits(self) -> str:
        return "".join(self.parts)


def _write(buffer: _Bits, data: Any) -> None:
    """``data.write(buffer)``, with the bytes of byte mode (what URIs mostly are) written
    as one run rather than eight bits at a time."""
    if data.mode == qr_util.MODE_8BIT_BYTE and data.data:
        raw = bytes(data.data)
        buffer.parts.append(format(int.from_bytes(raw, "big"), f"0{8 * len(raw)}b"))
        buffer.length += 8 * len(raw)
    else:
        data.write(buffer)


@lru_cache(maxsize=64)
def _ec_table(ec_count: int) -> tuple[int, ...]:
    """For each leading byte, the generator polynomial times it, packed as an integer of
    ``ec_count`` bytes: one Reed-Solomon division step is then a shift and an XOR."""
    if ec_count in LUT.rsPoly_LUT:
        generator = list(LUT.rsPoly_LUT[ec_count])
    else:
        poly = qr_base.Polynomial([1], 0)
        for i in range(ec_count):
            poly = poly * qr_base.Polynomial([1, qr_base.gexp(i)], 0)
        generator = [poly[i] for i in range(len(poly))]
    exp, log = qr_base.EXP_TABLE, qr_base.LOG_TABLE
    rows = [0]
    for factor in range(1, 256):
        product = bytes(
            exp[(log[factor] + log[g]) % 255] if g else 0 for g in generator[1 : ec_count + 1]
        )
        rows.append(int.from_bytes(product, "big"))
    return tuple(rows)


def _ec_bytes(data: bytes, ec_count: int) -> list[int]:
    """The Reed-Solomon remainder of ``data`` (what ``qrcode``'s polynomial division gives)."""
    table = _ec_table(ec_count)
    shift = 8 * (ec_count - 1)
    mask = (1 << (8 * ec_count)) - 1
    remainder = 0
    for byte in data:
        remainder = ((remainder << 8) & mask) ^ table[(remainder >> shift) ^ byte]
    return list(remainder.to_bytes(ec_count, "big"))


def _create_data(version: int, error_correction: int, data_list: list[Any]) -> list[int]:
    """``qrcode.util.create_data``: the codewords, data and error correction interleaved."""
    buffer = _Bits()
    for data in data_list:
        buffer.put(data.mode, 4)
        buffer.put(len(data), qr_util.length_in_bits(data.mode, version))
        _write(buffer, data)
    blocks = qr_base.rs_blocks(version, error_correction)
    bit_limit = sum(block.data_count * 8 for block in blocks)
    if len(buffer) > bit_limit:
        raise DataOverflowError(f"{len(buffer)} bits do not fit in {bit_limit}")
    bits = buffer.bits()
    bits += "0" * min(bit_limit - len(bits), 4)  # terminator
    bits += "0" * (-len(bits) % 8)
    codewords = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    codewords += bytes((qr_util.PAD0, qr_util.PAD1)) * ((bit_limit // 8 - len(codewords)) // 2 + 1)
    codewords = codewords[: bit_limit // 8]
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = codewords[offset : offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_ec_bytes(chunk, block.total_count - block.data_count))
    out: list[int] = []
    for i in range(max(len(b) for b in data_blocks)):
        out.extend(b[i] for b in data_blocks if i < len(b))
    for i in range(max(len(b) for b in ec_blocks)):
        out.extend(b[i] for b in ec_blocks if i < len(b))
    return out


@dataclass(frozen=True)
class _Layout:
    """One version's trial layout: its function modules, and where each data bit goes."""

    count: int
    #: dark function modules of the trial layout (format bits are light there)
    fixed_by_row: int
    fixed_by_col: int
    #: the data modules
    data_by_row: int
    data_by_col: int
    #: data modules, in the order the bits fill them
    capacity: int
    #: from the bit string (plus one trailing "0"), the matrix as a bit string, last module
    #: first (so ``int(..., 2)`` packs it as ``_pack`` does), by rows and by columns
    gather_by_row: Any
    gather_by_col: Any


@lru_cache(maxsize=41)
def _layout(version: int) -> _Layout:
    """Lay out a version's function patterns as ``qrcode`` does for a trial symbol, and
    follow its zigzag to number the data modules."""
    code = qrcode.QRCode(version=version, border=0)
    count = code.modules_count = version * 4 + 17
    code.modules = [[None] * count for _ in range(count)]
    code.setup_position_probe_pattern(0, 0)
    code.setup_position_probe_pattern(count - 7, 0)
    code.setup_position_probe_pattern(0, count - 7)
    code.setup_position_adjust_pattern()
    code.setup_timing_pattern()
    code.setup_type_info(True, 0)
    if version >= 7:
        code.setup_type_number(True)
    modules = code.modules
    order: list[tuple[int, int]] = []  # qrcode's map_data walk
    row, step = count - 1, -1
    for col in range(count - 1, 0, -2):
        if col <= 6:
            col -= 1
        while True:
            for c in (col, col - 1):
                if modules[row][c] is None:
                    order.append((row, c))
            row += step
            if row < 0 or row >= count:
                row -= step
                step = -step
                break
    capacity = len(order)
    index = {position: k for k, position in enumerate(order)}
    by_row = [index.get((r, c), capacity) for r in range(count) for c in range(count)]
    by_col = [index.get((r, c), capacity) for c in range(count) for r in range(count)]
    return _Layout(
        count=count,
        fixed_by_row=_pack(modules),
        fixed_by_col=_pack(zip(*modules, strict=True)),
        data_by_row=_pack([[m is None for m in line] for line in modules]),
        data_by_col=_pack([[m is None for m in line] for line in zip(*modules, strict=True)]),
        capacity=capacity,
        gather_by_row=itemgetter(*by_row[::-1]),
        gather_by_col=itemgetter(*by_col[::-1]),
    )


class _FastMaskQRCode(qrcode.QRCode):  # type: ignore[misc]  # qrcode has no types: QRCode is Any
    """``qrcode.QRCode`` with the same symbol computed on packed integers.

    The eight mask candidates differ only in their data modules (in the trial layout the
    format bits are all light whatever the mask), so the data bits are placed once, by
    rows and by columns, as whole integers (:class:`_Layout` knows where each bit goes),
    and each candidate is ``function modules | (data XOR mask) & data positions``, scored
    as whole integers. The winner is kept, and only its format and version information
    are written in. The codewords and the fit are ``qrcode``'s own rules with the bits kept
    as strings and the Reed-Solomon division done a byte at a time on integers.
    """

    #: the codewords, set by ``QRCode.__init__`` and ``clear`` to None until worked out
    data_cache: list[int] | None

    def best_fit(self, start: int | None = None) -> int:
        """``qrcode``'s best fit, measuring the data with :class:`_Bits`."""
        start = start or 1
        qr_util.check_version(start)
        sizes = qr_util.mode_sizes_for_version(start)
        buffer = _Bits()
        for data in self.data_list:
            buffer.put(data.mode, 4)
            buffer.put(len(data), sizes[data.mode])
            _write(buffer, data)
        self.version = bisect_left(
            qr_util.BIT_LIMIT_TABLE[self.error_correction], len(buffer), start
        )
        if self.version == 41:
            raise DataOverflowError()
        if sizes is not qr_util.mode_sizes_for_version(self.version):
            self.best_fit(start=self.version)
        return int(self.version)

    def make(self, fit: bool = True) -> None:
        if fit or self.version is None:
            self.best_fit(start=self.version)
        pattern, by_row = self._choose_mask()
        count = self.modules_count = self.version * 4 + 17
        bits = format(by_row, f"0{count * count}b")[::-1]
        self.modules = [
            list(map("1".__eq__, bits[r * count : (r + 1) * count])) for r in range(count)
        ]
        # what makeImpl(False, pattern) adds to the trial layout: format information, the
        # dark module and (version 7 and up) version information
        self.setup_type_info(False, pattern)
        if self.version >= 7:
            self.setup_type_number(False)

    def best_mask_pattern(self) -> int:
        return self._choose_mask()[0]

    def _choose_mask(self) -> tuple[int, int]:
        """The mask ``qrcode`` would choose, and the trial matrix with it (packed by rows)."""
        if self.data_cache is None:
            self.data_cache = _create_data(self.version, self.error_correction, self.data_list)
        layout = _layout(self.version)
        grid = _grid(layout.count)
        codewords = self.data_cache
        stream = format(int.from_bytes(bytes(codewords), "big"), f"0{8 * len(codewords)}b")
        stream = stream[: layout.capacity].ljust(layout.capacity, "0") + "0"
        data_by_row = int("".join(layout.gather_by_row(stream)), 2)
        data_by_col = int("".join(layout.gather_by_col(stream)), 2)
        candidates = [
            [fixed | ((data ^ mask) & where) for mask in masks]
            for fixed, data, where, masks in (
                (layout.fixed_by_row, data_by_row, layout.data_by_row, grid.masks_by_row),
                (layout.fixed_by_col, data_by_col, layout.data_by_col, grid.masks_by_col),
            )
        ]
        scores = [
            _penalty(by_row, by_col, grid)
            for by_row, by_col in zip(candidates[0], candidates[1], strict=True)
        ]
        best = scores.index(min(scores))
        return best, candidates[0][best]


# --- symbols --------------------------------------------------------------------------------


@dataclass(frozen=True)
class QrSymbol:
    """An encoded QR symbol: its dark modules, without the quiet zone."""

    data: str
    error_correction: str
    version: int
    #: one tuple per row, True for a dark module
    modules: tuple[tuple[bool, ...], ...]

    @property
    def size(self) -> int:
        """Modules along a side, without the quiet zone."""
        return len(self.modules)

    @property
    def size_with_quiet_zone(self) -> int:
        """Modules along a side, quiet zone included: what the printed box must hold."""
        return self.size + 2 * QUIET_ZONE

    def svg(self, size_mm: float) -> str:
        """A standalone ``<svg>`` element ``size_mm`` wide, quiet zone included.

        One path of horizontal runs (not a rectangle per module) keeps the markup small;
        ``crispEdges`` stops renderers from blurring module edges.
        """
        side = self.size_with_quiet_zone
        runs = []
        for y, row in enumerate(self.modules):
            x, width = 0, len(row)
            while x < width:
                if row[x]:
                    start = x
                    while x < width and row[x]:
                        x += 1
                    runs.append(
                        f"M{start + QUIET_ZONE} {y + QUIET_ZONE}h{x - start}v1h-{x - start}z"
                    )
                else:
                    x += 1
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{size_mm:g}mm" '
            f'height="{size_mm:g}mm" viewBox="0 0 {side} {side}" shape-rendering="crispEdges">'
            f'<rect width="{side}" height="{side}" fill="#fff"/>'
            f'<path d="{"".join(runs)}" fill="#000"/></svg>'
        )

    def png(self, module_px: int = 1) -> bytes:
        """PNG bytes, ``module_px`` pixels per module, quiet zone included, 1 bit deep.

        At one pixel per module the image is a few hundred bytes; placed in a PDF without
        interpolation it prints as sharp as vector art at any printer resolution.
        """
        if module_px < 1:
            raise ValueError(f"module_px {module_px}: at least one pixel per module")
        side = self.size_with_quiet_zone
        light = b"\xff" * side
        margin = b"\xff" * QUIET_ZONE
        lines = [light] * QUIET_ZONE
        for row in self.modules:
            lines.append(margin + bytes(0 if dark else 255 for dark in row) + margin)
        lines += [light] * QUIET_ZONE
        image = Image.frombytes("L", (side, side), b"".join(lines)).convert("1")
        if module_px > 1:
            image = image.resize((side * module_px, side * module_px), Image.Resampling.NEAREST)
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=False)
        return out.getvalue()


def _fit(code: qrcode.QRCode, data: str, error_correction: str) -> None:
    try:
        code.best_fit()
    except (DataOverflowError, ValueError):  # qrcode 8 reports overflow as "version 41"
        raise LabelError(
            f"{len(data)} characters do not fit in a QR code at level {error_correction}"
        ) from None


def make_qr(data: str, error_correction: str = "Q") -> QrSymbol:
    """Encode ``data`` at level ``"M"`` or ``"Q"`` in the smallest version that holds it."""
    code = _FastMaskQRCode(error_correction=_level(error_correction), border=0)
    code.add_data(data)
    _fit(code, data, error_correction)
    code.make(fit=False)
    modules = tuple(map(tuple, code.modules))
    return QrSymbol(data, error_correction, int(code.version), modules)


def symbol_modules(data: str, error_correction: str) -> int:
    """Modules along a side (no quiet zone) when ``data`` is encoded all in byte mode.

    For ASCII text byte mode makes the largest symbol any encoder's choice of modes can, so
    a box sized for it holds the symbol a printer's own encoder makes (ZPL's ``^BQ`` in
    automatic mode picks its modes itself).
    """
    code = _FastMaskQRCode(error_correction=_level(error_correction), border=0)
    code.add_data(data, optimize=0)
    _fit(code, data, error_correction)
    return int(code.version) * 4 + 17


def qr_svg(data: str, size_mm: float, error_correction: str | None = None) -> str:
    """``data`` as an SVG symbol ``size_mm`` wide; level by :func:`error_correction_for`."""
    level = error_correction or error_correction_for(size_mm)
    return make_qr(data, level).svg(size_mm)


def qr_png(data: str, size_mm: float, dpi: int = 300, error_correction: str | None = None) -> bytes:
    """``data`` as a PNG for a ``size_mm`` box at ``dpi``: whole pixels per module, as many
    as fit (at least one), so module edges stay sharp without resampling."""
    symbol = make_qr(data, error_correction or error_correction_for(size_mm))
    box_px = size_mm / 25.4 * dpi
    return symbol.png(max(1, int(box_px // symbol.size_with_quiet_zone)))
