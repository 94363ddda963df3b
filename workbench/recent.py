"""The workspace used last on this laptop, so that a plain start of the app reopens it.

Kept in ``<data dir>/recent.json``, apart from ``settings.json``: the app writes it each time
a workspace window opens, the user never edits it, and losing it costs only the welcome
screen on the next start. So a missing, damaged or unwritable file means "no recent
workspace", never an error that stops the app.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from workbench.paths import data_dir
from workbench.workspace import REPLICA_FILE

RECENT_FILE = "recent.json"

log = logging.getLogger("workbench.recent")


def _path(base: Path | str | None) -> Path:
    return data_dir(base) / RECENT_FILE


def remember_workspace(folder: Path | str, base: Path | str | None = None) -> bool:
    """Note ``folder`` as the workspace to reopen on the next plain start.

    Returns False when the file could not be written (a read-only data directory): the app
    still runs, and the next start shows the welcome instead.
    """
    path = _path(base)
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps({"workspace": str(Path(folder).resolve())}), "utf-8")
        partial.replace(path)
    except OSError as exc:
        log.warning("could not remember the workspace %s: %s", folder, exc)
        return False
    return True


def last_workspace(base: Path | str | None = None) -> Path | None:
    """The folder of the workspace used last, if it still holds a workspace."""
    try:
        data = json.loads(_path(base).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    value = data.get("workspace") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        return None
    folder = Path(value)
    return folder if (folder / REPLICA_FILE).is_file() else None
