"""Drafts of documents being edited, kept on disk as the user types so a crash loses nothing.

One JSON file per open editor in ``<workspace>/drafts/``, written whole and then renamed into
place (a crash mid-write leaves the previous draft, never half of one). The editor removes
its draft when the document is saved or its changes are discarded, so a draft found when the
app starts is work that was neither: the app opens it again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError

DRAFTS_DIR = "drafts"
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,80}$")


class DraftError(WorkbenchError, ValueError):
    """A draft cannot be written or read; the message names the file."""


def drafts_dir(workspace_root: Path) -> Path:
    return Path(workspace_root) / DRAFTS_DIR


def _path(workspace_root: Path, key: str) -> Path:
    if not _KEY.match(key):
        raise DraftError(f"{key!r} is not a draft's name")
    return drafts_dir(workspace_root) / f"{key}.json"


def save_draft(workspace_root: Path, key: str, data: dict[str, Any]) -> Path:
    """Write ``data`` as the draft ``key`` (letters, digits, - and _)."""
    path = _path(workspace_root, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)
    return path


def load_drafts(workspace_root: Path) -> list[tuple[str, dict[str, Any]]]:
    """Every draft left in the workspace, oldest first: (key, data). A file that is not a
    draft (damaged, or not JSON) is a DraftError naming it."""
    found = []
    folder = drafts_dir(workspace_root)
    if not folder.is_dir():
        return []
    for path in sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
        try:
            data = json.loads(path.read_text("utf-8"))
        except ValueError as exc:
            raise DraftError(f"the draft {path} cannot be read ({exc})") from None
        if not isinstance(data, dict):
            raise DraftError(f"the draft {path} holds no draft")
        found.append((path.stem, data))
    return found


def remove_draft(workspace_root: Path, key: str) -> None:
    _path(workspace_root, key).unlink(missing_ok=True)
