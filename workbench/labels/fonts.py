"""Where the label text's fonts are: the style sheet's family, and fallbacks for other scripts.

The PDF sets its text in "DejaVu Sans" (else "Liberation Sans", else Arial); characters
that face lacks (Devanagari, Katakana, ...) are drawn in the font fontconfig picks for
them, which is also the one Pango falls back to in the HTML. :func:`fallback_font_file`
asks fontconfig that question for the PDF, and for a ZPL label drawn as a bitmap
(:mod:`raster_text`), so both use the same font.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from functools import lru_cache
from pathlib import Path

__all__ = ["fallback_font_file", "find_font_file", "system_env"]

#: The style sheet's families, in its order, as files on Linux, macOS and Windows.
_FONT_FILES: dict[bool, tuple[str, ...]] = {
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf",
        "/System/Library/Fonts/Supplemental/Arial.ttf",
        "/Library/Fonts/Arial.ttf",
        "{windir}/Fonts/arial.ttf",
    ),
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
        "/usr/share/fonts/liberation-sans/LiberationSans-Bold.ttf",
        "/System/Library/Fonts/Supplemental/Arial Bold.ttf",
        "/Library/Fonts/Arial Bold.ttf",
        "{windir}/Fonts/arialbd.ttf",
    ),
}
_FONT_PATTERN = "DejaVu Sans,Liberation Sans,Arial"


def find_font_file(bold: bool) -> Path | None:
    """The regular or bold face of the style sheet's font family, or None.

    The usual places first (no process to start), then fontconfig, which also knows the
    folders of other distributions.
    """
    windir = os.environ.get("WINDIR", "C:/Windows")
    for name in _FONT_FILES[bold]:
        path = Path(name.format(windir=windir))
        if path.is_file():
            return path
    found = _fc_match(_FONT_PATTERN + (":bold" if bold else ":regular"))
    return found if found is not None and found.suffix.lower() == ".ttf" else None


def _fc_match(pattern: str) -> Path | None:
    """The font file fontconfig matches to ``pattern``, or None (no fontconfig, no file)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    try:
        found = subprocess.run(
            [fc_match, "--format=%{file}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
            env=system_env(),
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(found) if found and Path(found).is_file() else None


def system_env() -> dict[str, str]:
    """The environment for a system program. In the desktop bundle ``LD_LIBRARY_PATH`` points
    at the bundle's own libraries (PyInstaller keeps the user's value in
    ``LD_LIBRARY_PATH_ORIG``); a system program must load the system's."""
    env = dict(os.environ)
    if getattr(sys, "frozen", False):
        original = env.pop("LD_LIBRARY_PATH_ORIG", None)
        if original is None:
            env.pop("LD_LIBRARY_PATH", None)
        else:
            env["LD_LIBRARY_PATH"] = original
    return env


@lru_cache(maxsize=64)
def fallback_font_file(codepoints: frozenset[int], bold: bool) -> Path | None:
    """The font file fontconfig picks for ``codepoints`` (as Pango's fallback does: the
    style sheet's family unless another font covers more of them), or None."""
    if not codepoints:
        return None
    charset = " ".join(f"{code:x}" for code in sorted(codepoints))
    found = _fc_match(f"{_FONT_PATTERN}:{'bold' if bold else 'regular'}:charset={charset}")
    return found if found is not None and found.suffix.lower() in _OUTLINE_FILES else None


#: font files Pillow (FreeType) draws and fontTools reads: TrueType, OpenType, collections
_OUTLINE_FILES = (".ttf", ".otf", ".ttc")
