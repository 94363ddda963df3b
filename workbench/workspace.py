"""A workspace on this laptop: its replica file and the search index derived from it.

A workspace folder holds ``replica.sqlite`` (the truth, architecture D2; encrypted, its key in
the OS keyring: D11 and `workbench.replica.keys`), ``search-index/`` (derived, architecture D3:
safe to delete at any time) and ``replica.orders.arrow`` (the order history the dashboards open
from, an Arrow file, derived too: `workbench.analytics.store_file`); `workbench.derived` keeps
both current. The demo workspace is an ordinary workspace filled by the demo generator, so the
demo exercises the same code paths as real data.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workbench.derived import DerivedData
from workbench.paths import workspace_dir
from workbench.replica import Replica, keys, open_replica
from workbench.search import MaterialSearch

REPLICA_FILE = "replica.sqlite"
#: the ``sync_state`` key holding the workspace's passphrase policy from its last sign-in
PASSPHRASE_POLICY = "passphrase_allowed"
INDEX_DIR = "search-index"
#: the demo generated on this laptop with no server (``workbench --demo --offline``)
DEMO_NAME = "demo-local"
DEFAULT_DEMO_MATERIALS = 20_000
#: the demo's folders: this one, and the one the demo synced from its own server uses
DEMO_FOLDERS = frozenset({DEMO_NAME, "demo"})


log = logging.getLogger("workbench.workspace")


@dataclass
class Workspace:
    name: str
    root: Path
    replica: Replica
    search: MaterialSearch
    #: the one owner of the index and the order file (`workbench.derived`)
    derived: DerivedData

    def close(self) -> None:
        self.derived.close()
        self.search.close()
        self.replica.close()


def open_laptop_replica(
    path: Path | str, *, plain_without_keyring: bool = False, passphrase_allowed: bool | None = None
) -> Replica:
    """A replica on this laptop, encrypted with its key from the keyring (a plain replica
    from before encryption is encrypted as it opens).

    ``plain_without_keyring``: where the OS has no keyring, keep a replica that was never
    encrypted plain instead of refusing to open it; only for the demo workspace, whose rows
    are made-up demo data. Raises `keys.NoKeyError` with a message for the user otherwise.

    ``passphrase_allowed``: the workspace's policy as the server just told it (signing in);
    None: the policy the replica remembers from its last sign-in, if any (`keys`).
    """
    path = Path(path)
    try:
        key: bytes | None = keys.replica_key(path, passphrase_allowed=passphrase_allowed)
    except keys.NoKeyError:
        if not plain_without_keyring or keys.key_id_file(path).exists():
            raise
        log.warning("no keyring: the demo workspace %s is kept unencrypted", path.parent.name)
        key = None
    replica = open_replica(path, key)
    if (
        passphrase_allowed is None
        and key is not None
        and keys.uses_passphrase(path)
        and replica.get_state(PASSPHRASE_POLICY) == "False"
    ):
        replica.close()
        raise keys.forbidden(path)
    return replica


def open_workspace(
    root: Path | str,
    name: str | None = None,
    *,
    plain_without_keyring: bool | None = None,
    passphrase_allowed: bool | None = None,
) -> Workspace:
    """Open (creating if needed) the workspace in folder ``root``. A demo workspace's folder
    (``demo``, ``demo-local``) may stay plain where there is no keyring (see
    `open_laptop_replica`) unless ``plain_without_keyring`` says otherwise."""
    root = Path(root)
    if plain_without_keyring is None:
        plain_without_keyring = root.name in DEMO_FOLDERS
    replica = open_laptop_replica(
        root / REPLICA_FILE,
        plain_without_keyring=plain_without_keyring,
        passphrase_allowed=passphrase_allowed,
    )
    search = MaterialSearch(replica, root / INDEX_DIR)
    return Workspace(
        name=name or root.name,
        root=root,
        replica=replica,
        search=search,
        derived=DerivedData(replica, search),
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
    workspace = open_workspace(root, DEMO_NAME, plain_without_keyring=True)
    has_data = workspace.replica.conn.execute("SELECT 1 FROM materials LIMIT 1").fetchone()
    if not has_data:
        generate_demo(
            workspace.replica, materials=materials, seed=seed, progress=progress, cancel=cancel
        )
    return workspace
