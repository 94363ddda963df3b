"""The one owner of what a workspace derives from its replica: the search index and the
dashboards' order file (architecture, "Derived data and who keeps it current").

Whatever changed the replica (a sync, a first sync's snapshot, an import arriving through the
change feed, a local edit, a repair) tells `DerivedData.update` what it changed, and that one
call brings both up to date: the index on the calling thread, because a sync promises a
searchable replica when it returns; the order file on the workspace's own background thread,
because writing it after a first sync of a million orders takes seconds nobody should wait
for. Nothing else writes either; both are safe to delete and are rebuilt here.

A first sync's snapshot arrives table by table. `snapshot_table_imported` takes the search
index the server sent with it as soon as the materials are in (or builds one on a second
core), while the order history is still importing; the `update` that follows waits for it.
"""

from __future__ import annotations

import logging
import shutil
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from workbench.replica import Replica
from workbench.search import IndexState, MaterialSearch
from workbench.search.index import IndexDamaged

log = logging.getLogger("workbench.derived")

#: the tables each derived file is made from
INDEX_TABLES = frozenset({"materials"})
ORDER_FILE_TABLES = frozenset({"orders"})


@dataclass(frozen=True)
class ReplicaChange:
    """What a change did to the replica: the tables it wrote rows of, and those whose rows it
    replaced wholesale (a snapshot, a repair), so that nothing derived from them before holds.
    """

    tables: frozenset[str] = frozenset()
    replaced: frozenset[str] = frozenset()


#: a workspace just opened: nothing known changed, yet the index may be missing, damaged or
#: behind (a crash, a deleted folder): it is checked, and refreshed or rebuilt
OPENED = ReplicaChange()


@dataclass(frozen=True)
class DerivedUpdate:
    """What `DerivedData.update` did: materials (re)indexed, and the order file's write
    running in the background (True once written, False when it was current), if started."""

    indexed: int
    order_file: Future[bool] | None = None


class DerivedData:
    """The search index and the order file of one workspace, kept current from its replica."""

    def __init__(self, replica: Replica, search: MaterialSearch) -> None:
        self.replica = replica
        self.search = search
        self._background = ThreadPoolExecutor(max_workers=1, thread_name_prefix="derived")
        self._snapshot_index: Future[int] | None = None
        self._order_file: Future[bool] | None = None

    # -- during a first sync -----------------------------------------------------------------

    def snapshot_table_imported(
        self, table: str, shipped_index: Path | None, cancel: threading.Event | None = None
    ) -> None:
        """A snapshot import committed ``table``. Once the materials are in, the index sent
        with the snapshot (``shipped_index``, moved into place) becomes this workspace's, or
        one is built on the background thread while the rest of the snapshot imports. A later
        snapshot (a role change's, a repair's) replaces an earlier one's index the same way."""
        if table not in INDEX_TABLES:
            return
        done: Future[int] = Future()
        if shipped_index is not None:
            try:
                done.set_result(self.search.install(shipped_index))
            except IndexDamaged as exc:
                log.warning("the search index sent with the snapshot was not usable: %s", exc)
            finally:
                shutil.rmtree(shipped_index, ignore_errors=True)
        if not done.done():
            done = self._background.submit(self.search.rebuild, None, cancel)
        self._snapshot_index = done

    # -- after any change --------------------------------------------------------------------

    def update(
        self,
        change: ReplicaChange = OPENED,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> DerivedUpdate:
        """Bring the index and the order file up to date after ``change``; returns what was
        indexed and the order file's write, when one was started."""
        indexed = self._update_index(change, progress, cancel)
        order_file = None
        if (change.tables | change.replaced) & ORDER_FILE_TABLES:
            order_file = self._write_order_file()
        return DerivedUpdate(indexed, order_file)

    def rebuild_index(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Build the index afresh (asked for by the user, or a damaged one): documents."""
        return self.search.rebuild(progress, cancel)

    def settle(self) -> None:
        """Wait for the order file's write, if one is running (closing, measuring)."""
        if self._order_file is not None:
            self._order_file.exception()

    def close(self) -> None:
        self._background.shutdown(wait=True)

    def _update_index(
        self,
        change: ReplicaChange,
        progress: Callable[[int, int], None] | None,
        cancel: threading.Event | None,
    ) -> int:
        search = self.search
        snapshot, self._snapshot_index = self._snapshot_index, None
        if snapshot is not None and snapshot.exception() is None:
            indexed = snapshot.result()
            search.refresh()  # rows the change feed brought after the snapshot
        elif change.replaced & INDEX_TABLES:
            indexed = search.rebuild(progress, cancel)
        elif change.tables & INDEX_TABLES or search.check() is IndexState.STALE:
            indexed = search.refresh()
        else:
            indexed = 0
        if search.check() not in (IndexState.READY, IndexState.BUILDING):  # building: by another
            indexed = search.rebuild(progress, cancel)
        return indexed

    def _write_order_file(self) -> Future[bool]:
        """The order file written on the background thread if it is missing or far behind
        (`analytics.cache.prepare_order_file`); one write at a time."""
        from workbench.analytics.cache import prepare_order_file
        from workbench.analytics.store_file import minted_replica_id

        minted_replica_id(self.replica)  # here, through the replica's writer (its docstring)
        path, key = self.replica.path, self.replica.key
        self._order_file = self._background.submit(prepare_order_file, path, key)
        return self._order_file
