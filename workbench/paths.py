"""Where workspaces live on this machine.

The data directory is the platform's user data directory (platformdirs), unless
``WORKBENCH_DATA_DIR`` or an explicit ``--data-dir`` names another, so several clients can run
side by side on one machine and tests never touch the user's real data. The app declares the
``--data-dir`` it was given once (`use_data_dir`): from then on everything it keeps (settings,
the workspace used last, logs) goes there, never to the user's home.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import platformdirs

APP_NAME = "mill-workbench"
_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: the data directory this process was told to use (`use_data_dir`), None for the default
_in_use: Path | None = None


def use_data_dir(path: Path | str | None) -> Path | None:
    """Make ``path`` the data directory of this process (None: the default again); returns
    the one used before."""
    global _in_use
    before, _in_use = _in_use, (Path(path).expanduser() if path else None)
    return before


def data_dir_in_use() -> Path | None:
    """The data directory declared with `use_data_dir`, if any."""
    return _in_use


def data_dir(override: Path | str | None = None) -> Path:
    """``override``, else the directory in use (`use_data_dir`), else ``WORKBENCH_DATA_DIR``,
    else the platform's user data directory."""
    if override:
        return Path(override).expanduser()
    if _in_use is not None:
        return _in_use
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
