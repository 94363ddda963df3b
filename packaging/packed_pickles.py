"""Pickle files that unpack themselves: the same object, a quarter of the bytes.

Why: Babel keeps CLDR's data as pickles, one per locale (1,148 files) and its global data,
33 MB. The app writes documents in the computer's own locale, which may be any of them, so
none can be left out; but they compress four to one. A packed file is itself a pickle, of the call
``pickle.loads(lzma.decompress(<the original file, compressed>))``: Babel's own
``pickle.load`` gives back exactly the object the original gave, with no change to Babel and
nothing to install at run time (``pickle`` and ``lzma`` are the standard library's).
"""

from __future__ import annotations

import lzma
import os
import pickle
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from derived_copies import derived

#: LZMA's default preset: the files are small (at most 360 kB), so larger presets gain nothing
PRESET = 6


class _Call:
    """Pickles as the call ``function(*args)``, made when the pickle is loaded."""

    def __init__(self, function: Callable[..., Any], *args: object) -> None:
        self.function, self.args = function, args

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[object, ...]]:
        return self.function, self.args


def pack(original: bytes) -> bytes:
    """``original`` (a pickle) as a pickle that loads to the same object."""
    compressed = lzma.compress(original, preset=PRESET)
    return pickle.dumps(_Call(pickle.loads, _Call(lzma.decompress, compressed)), protocol=4)


def packed(toc: list[tuple[str, str, str]], folder: Path, which: re.Pattern[str]) -> list:
    """``toc`` (PyInstaller's (destination, source, kind) entries) with each data file whose
    destination ``which`` matches replaced by its packed copy, made in ``folder`` (reused by
    the next build while its source is the same file)."""
    out, before, after = [], 0, 0
    for dest, source, kind in toc:
        if kind != "DATA" or not which.match(dest.replace(os.sep, "/")):
            out.append((dest, source, kind))
            continue
        target = folder / dest

        def write(target: Path, source: str = source) -> bool:
            target.write_bytes(pack(Path(source).read_bytes()))
            return True

        derived(source, target, write)
        before += os.path.getsize(source)
        after += target.stat().st_size
        out.append((dest, str(target), kind))
    print(
        f"workbench.spec: packed pickles: {before / 1e6:.1f} MB -> {after / 1e6:.1f} MB",
        file=sys.stderr,
    )
    return out
