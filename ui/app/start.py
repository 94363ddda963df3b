"""What a run of the app was asked (`AppOptions`, from the command line) and what it opens
first (`Start`, chosen by `choose_start`): the demo, a workspace's folder, or the welcome."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from workbench.recent import last_workspace


@dataclass(frozen=True)
class Start:
    """What a start of the app opens: the demo, the workspace in ``folder``, or the welcome."""

    kind: Literal["demo", "workspace", "welcome"]
    folder: Path | None = None


@dataclass(frozen=True)
class AppOptions:
    """What the command line asked of a run of the app (see ``workbench --help``)."""

    demo_size: int
    offline: bool
    data_dir: Path | None
    workspace_dir: Path | None
    screenshot: Path | None
    query: str
    timeout_s: int = 300
    station: bool = False
    demo: bool = False
    dashboards: bool = False
    size: tuple[int, int] | None = None


def choose_start(*, demo: bool, workspace_dir: Path | None, data_dir: Path | None) -> Start:
    """A folder asked for wins, then the demo asked for; a plain start reopens the workspace
    used last on this laptop, and shows the welcome when there is none (the first start, or
    that workspace's folder was deleted)."""
    if workspace_dir is not None:
        return Start("workspace", workspace_dir)
    if demo:
        return Start("demo")
    folder = last_workspace(data_dir)
    return Start("workspace", folder) if folder is not None else Start("welcome")
