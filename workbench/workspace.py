"""A workspace on this laptop: its replica file and the search index derived from it.

A workspace folder holds ``replica.sqlite`` (the truth, architecture D2), ``search-index/``
(derived, architecture D3: safe to delete at any time) and ``replica.orders.npz`` (the order history
the dashboards open from, derived too: `workbench.analytics.store_file`). The demo workspace
is an ordinary workspace filled by the demo generator, so the demo exercises the same code
paths as real data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.paths import workspace_dir
from workbench.replica import Replica, open_replica
from workbench.search import MaterialSearch

REPLICA_FILE = "replica.sqlite"
INDEX_DIR = "search-index"
#: the demo generated on this laptop with no server (``workbench --demo --offline``)
DEMO_NAME = "demo-local"
DEFAULT_DEMO_MATERIALS = 20_000


@dataclass
class Workspace:
    name: str
    root: Path
    replica: Replica
    search: MaterialSearch

    def close(self) -> None:
        self.search.close()
        self.replica.close()


def open_workspace(root: Path | str, name: str | None = None) -> Workspace:
    """Open (creating if needed) the workspace in folder ``root``."""
    root = Path(root)
    replica = open_replica(root / REPLICA_FILE)
    return Workspace(
        name=name or root.name,
        root=root,
        replica=replica,
        search=MaterialSearch(replica, root / INDEX_DIR),
    )


def demo_workspace(
    base: Path | str | None = None,
    *,
    materials: int = DEFAULT_DEMO_MATERIALS,
    seed: int = 7,
    progress: Callable[[str, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Workspace:
    """The demo workspace under the data directory, generated on first use.

    A demo workspace created with another size is kept as it is: the size applies when the
    demo is first generated (delete the folder, or name another data directory, to regenerate).
    """
    from workbench.demo import generate_demo

    root = workspace_dir(DEMO_NAME, base)
    workspace = open_workspace(root, DEMO_NAME)
    has_data = workspace.replica.conn.execute("SELECT 1 FROM materials LIMIT 1").fetchone()
    if not has_data:
        generate_demo(
            workspace.replica, materials=materials, seed=seed, progress=progress, cancel=cancel
        )
    return workspace
