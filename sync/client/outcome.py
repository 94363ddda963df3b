"""What a sync did, handed back to its caller rather than left on the client: the caller
(`sync.session`) reports it and tells the workspace's derived data what changed
(`workbench.derived`)."""

from __future__ import annotations

from dataclasses import dataclass

from sync.client.feed import PullSummary
from sync.client.outbox import PushSummary
from workbench.derived import ReplicaChange


@dataclass(frozen=True)
class Bootstrapped:
    """A snapshot imported into the replica: the sequence it reflects, the rows it brought
    and the tables it replaced (all of them, or a repair's few)."""

    seq: int
    rows: int
    tables: frozenset[str]


@dataclass(frozen=True)
class SyncOutcome:
    """One sync: the push, the pull, the quote requests queued offline that were answered,
    and the snapshots taken on the way (none; one for a first sync; one more when the
    server sent the user another role's rows or the cursor fell behind its retention)."""

    pushed: PushSummary
    pulled: PullSummary
    quotes_answered: int = 0
    snapshots: tuple[Bootstrapped, ...] = ()

    @property
    def bootstrapped(self) -> bool:
        """Whether the replica's rows were replaced from a snapshot."""
        return bool(self.snapshots)

    @property
    def snapshot_rows(self) -> int:
        return sum(taken.rows for taken in self.snapshots)

    @property
    def change(self) -> ReplicaChange:
        """What the sync did to the replica, for `workbench.derived.DerivedData.update`."""
        replaced = frozenset().union(*(taken.tables for taken in self.snapshots))
        return ReplicaChange(self.pulled.tables | replaced, replaced)
