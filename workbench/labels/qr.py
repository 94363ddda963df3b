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

The encoder is the ``qrcode`` package. Its choice among the eight mask patterns scores
each candidate in pure Python, which is most of the time a symbol takes (about 14 ms for
a typical label URI); :class:`_FastMaskQRCode` computes the very same scores on rows and
columns held as integers, so printing 500 labels does not wait seconds for masks. Its
output is identical to the package's own, which the tests check.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import qrcode
from PIL import Image
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

_LEVELS = {"M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q}


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


class _FastMaskQRCode(qrcode.QRCode):  # type: ignore[type-arg]
    """``qrcode.QRCode`` with the mask choice computed on packed integers.

    The eight candidates differ only in their data modules (in the trial layout the format
    bits are all light whatever the mask), so the data bits are laid out once and each
    candidate is ``function modules | (data XOR mask) & data positions``, for rows and for
    columns, scored as whole integers. The winner is kept, and only its format and version
    information are written in, rather than laying the data out a second time.
    """

    _capture_data_positions = False
    _data_positions: list[list[bool]]

    def map_data(self, data: bytes, mask_pattern: int) -> None:
        if self._capture_data_positions:
            self._data_positions = [[m is None for m in row] for row in self.modules]
        super().map_data(data, mask_pattern)

    def make(self, fit: bool = True) -> None:
        if fit or self.version is None:
            self.best_fit(start=self.version)
        pattern, by_row = self._choose_mask()
        count = self.modules_count
        bits = format(by_row, f"0{count * count}b")[::-1]
        self.modules = [
            [bit == "1" for bit in bits[r * count : (r + 1) * count]] for r in range(count)
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
        self._capture_data_positions = True
        try:
            self.makeImpl(True, 0)
        finally:
            self._capture_data_positions = False
        grid = _grid(self.modules_count)
        trial = self.modules
        where = self._data_positions
        candidates = []
        for lines_of, masks in (
            (lambda m: m, grid.masks_by_row),
            (lambda m: list(zip(*m, strict=True)), grid.masks_by_col),
        ):
            data_at = _pack(lines_of(where))
            laid = _pack(lines_of(trial))
            fixed = laid & ~data_at
            data = (laid ^ masks[0]) & data_at  # undo mask pattern 0
            candidates.append([fixed | ((data ^ mask) & data_at) for mask in masks])
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


def _fit(code: qrcode.QRCode, data: str, error_correction: str) -> None:  # type: ignore[type-arg]
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
    modules = tuple(tuple(bool(m) for m in row) for row in code.modules)
    return QrSymbol(data, error_correction, int(code.version), modules)


def symbol_modules(data: str, error_correction: str) -> int:
    """Modules along a side (no quiet zone) when ``data`` is encoded all in byte mode.

    For ASCII text byte mode makes the largest symbol any encoder's choice of modes can, so
    a box sized for it holds the symbol a printer's own encoder makes (ZPL's ``^BQ`` in
    automatic mode picks its modes itself).
    """
    code = qrcode.QRCode(error_correction=_level(error_correction), border=0)
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
