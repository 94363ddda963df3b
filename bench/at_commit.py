"""A module of the tree as it was at a commit, read from git and loaded beside today's, so a
bench measures a change against what it replaced in one run (one process, one load)."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def module_at(commit: str, path: str) -> types.ModuleType | None:
    """``path`` (``workbench/labels/pdf.py``) at ``commit``, imported under a name of its own
    (it imports the rest of the tree as it is now); None outside a git clone or when the
    commit has no such file."""
    try:
        source = subprocess.run(
            ["git", "show", f"{commit}:{path}"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    name = f"{Path(path).stem}_at_{commit}".replace("~", "_").replace("^", "_")
    module = types.ModuleType(name)
    sys.modules[name] = module  # dataclasses look their module up
    exec(compile(source, f"{commit}:{path}", "exec"), module.__dict__)
    return module
