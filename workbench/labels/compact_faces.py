"""The label faces cut to the characters most labels print, kept on disk for fpdf2 to read.

fpdf2 reads a face's tables every time a job adds it (``add_font``), and DejaVu Sans has
over 6,000 glyphs: reading them took about 25 ms of a job's CPU, and cutting the embedded
subset out of the whole face at ``output()`` about 20 ms more, whatever the job's size
(ADR 0006). fpdf2 has no public way to keep a parsed face between documents, but it reads
any font file it is given, so a job whose characters are all in this copy is given the face
cut to Latin, general punctuation, currency signs and letterlike symbols (about 700
glyphs): the same outlines, hinting, advances, head table and names, without the tables
only shaping reads (GSUB, GPOS, GDEF, kern), which such a job never reaches
(``pdf._face_files``). The PDF is the same, byte for byte: fpdf2 cuts the same glyphs out
of either file.

The copy is cut once per process and face file (about 0.15 s a face) and kept in the data
directory's ``cache/label-faces``, named after the face file's path, size and modification
time, so an updated font is cut again. When it cannot be cut or written, jobs use the whole
face: the same PDF, in more time.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from workbench.paths import data_dir

__all__ = ["COMPACT_RANGES", "compact_face", "compact_face_dir"]

#: what the copy keeps: Latin (Basic to Extended-B), general punctuation (dashes, quotes,
#: the ellipsis a cut adds), currency signs and letterlike symbols (™, №, ℃)
COMPACT_RANGES = ((0x20, 0x24F), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x214F))

#: part of each copy's name: a change to how copies are cut makes new ones
_CUT_VERSION = "1"


def compact_face_dir() -> Path:
    """Where the cut copies are kept (under the data directory in use)."""
    return data_dir() / "cache" / "label-faces"


def compact_face(path: Path) -> Path | None:
    """The cut copy of the face at ``path``, made if it is missing; None when it cannot
    be made (the job then uses the whole face)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    key = f"{path}|{stat.st_size}|{stat.st_mtime_ns}|{_CUT_VERSION}".encode()
    target = compact_face_dir() / f"{path.stem}-{hashlib.sha256(key).hexdigest()[:16]}.ttf"
    if target.is_file():
        return target
    data = _cut(path, stat.st_size, stat.st_mtime_ns)
    if data is None:
        return None
    temporary: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(suffix=".part", dir=target.parent)
        temporary = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, target)  # whole or not at all, for a job in another process
    except OSError:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
        return None
    return target


@lru_cache(maxsize=4)
def _cut(path: Path, size: int, modified_ns: int) -> bytes | None:
    """The face at ``path`` (as it is at ``size`` and ``modified_ns``) cut to
    ``COMPACT_RANGES``, as a font file; None when it cannot be cut. Kept for the process,
    so another data directory gets its copy without cutting again."""
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    try:
        # the head table as it is (bounding box, dates): what fpdf2 reads from the face
        font = TTFont(str(path), recalcBBoxes=False, recalcTimestamp=False)
        if "glyf" not in font:
            return None  # TrueType outlines only: the copy keeps the glyph names fpdf2 reads
        options = subset.Options()
        options.notdef_outline = True
        options.recommended_glyphs = True
        options.glyph_names = True
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.layout_features = []
        options.drop_tables += ["GSUB", "GPOS", "GDEF", "kern", "FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=[c for lo, hi in COMPACT_RANGES for c in range(lo, hi + 1)])
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    except (OSError, TTLibError, KeyError, AttributeError, ValueError, AssertionError):
        return None
    return out.getvalue()
