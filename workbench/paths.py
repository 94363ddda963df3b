"""Where workspaces live on this machine.

The data directory is the platform's user data directory (platformdirs), unless
``WORKBENCH_DATA_DIR`` or an explicit ``--data-dir`` names another, so several clients can run
side by side on one machine and tests never touch the user's real data.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import platformdirs

APP_NAME = "mill-workbench"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def data_dir(override: Path | str | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    env = os.environ.get("WORKBENCH_DATA_DIR")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def resources_dir() -> Path:
    """The shipped ``resources/`` folder (templates, styles, reference data).

    From a checkout it sits beside the packages. In the desktop bundle (PyInstaller sets
    ``sys.frozen``) the modules are not files on disk but entries in the bundle's archive, so
    their ``__file__`` is only nominal; the bundle's data folder is ``sys._MEIPASS``, where
    ``packaging/workbench.spec`` puts ``resources/`` under the same name.
    """
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def workspace_dir(name: str, base: Path | str | None = None) -> Path:
    if not _SAFE.match(name):
        raise ValueError(
            f"workspace name {name!r} may hold letters, digits, '.', '_' and '-' only "
            "(up to 64 characters)"
        )
    return data_dir(base) / "workspaces" / name
