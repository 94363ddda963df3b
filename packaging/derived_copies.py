"""Copies of the build's files made in its work folder (stripped, packed, unlinked), reused
by the next build while their source is the very same file.

Why: making them takes a while (stripping 100 MB of libraries, compressing 32 MB of locale
data), and a rebuild usually bundles the same files. The source's path, size and
modification time are kept beside each copy, so a reinstalled package, even an older
version, makes a new copy.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def derived(source: str | Path, target: Path, make: Callable[[Path], bool]) -> bool:
    """Whether ``target`` holds a copy of ``source`` made by ``make``: reused when it was made
    from this very file, else made now. ``make(target)`` writes it and returns False when the
    copy must not be used (then none is left behind, and the next build tries again)."""
    stamp = target.with_name(target.name + ".source")
    facts = os.stat(source)
    made_from = f"{os.path.realpath(source)} {facts.st_size} {facts.st_mtime_ns}"
    if target.is_file() and stamp.is_file() and stamp.read_text() == made_from:
        return True
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    stamp.unlink(missing_ok=True)
    if make(target) and target.is_file():
        stamp.write_text(made_from)
        return True
    target.unlink(missing_ok=True)
    return False
