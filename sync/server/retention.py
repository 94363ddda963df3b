"""What the server lets go, and when (`config.Retention`): ``workbench-sync purge``, run daily
by the packaged timer.

Two steps per workspace, in one transaction, audited:

1. **Expire**: firm quotes long past their validity and old label print jobs become
   tombstones, each at a new change number, so every laptop learns of the deletion at its
   next pull like any other.
2. **Purge**: tombstones older than the tombstone window are deleted for good, and the
   workspace's ``min_seq`` rises to the newest of them. A laptop whose cursor is older than
   that would miss those deletions, so the change feed answers it ``410 must_refetch`` and it
   takes a new snapshot, keeping the documents with unsent edits (`sync.client.snapshot_import`).
3. **Audit entries** older than ``audit_days`` (when set) are let go from the start of the
   chain; the last one's number and hash stay as the chain's signed boundary and a purge entry
   records them, so ``audit verify`` still checks everything kept (`audit.purge_before`).

Times are compared as the text the rows hold (ISO 8601 dates and UTC timestamps sort as they
read), so the same statements run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import CLI_ACTOR
from sync.server.config import Retention
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.replica import REPLICATED_TABLES

#: what expires, by table: the column it is dated by, and the setting that says how long
EXPIRING = {
    "quotes": ("valid_until", "quote_days_after_validity"),
    "label_jobs": ("created_at", "label_job_days"),
}


@dataclass
class Purged:
    """What one workspace's purge did (or, dry, would do)."""

    workspace: str
    expired: dict[str, int] = field(default_factory=dict)
    tombstones: dict[str, int] = field(default_factory=dict)
    min_seq: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def purge(
    engine: sa.Engine,
    settings: Retention,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    workspace: str | None = None,
    actor: str = CLI_ACTOR,
) -> list[Purged]:
    """Expire and purge every workspace (or the one named) as ``settings`` say; with
    ``dry_run`` it is all done and rolled back, so the counts say exactly what would be."""
    now = now or datetime.now(UTC)
    w = schema.workspaces
    with engine.connect() as conn:
        stmt = sa.select(w.c.id, w.c.name).order_by(w.c.name)
        if workspace is not None:
            stmt = stmt.where(w.c.name == workspace)
        spaces = conn.execute(stmt).all()
    return [_purge_one(engine, settings, now, dry_run, actor, s.id, s.name) for s in spaces]


def _purge_one(
    engine: sa.Engine,
    settings: Retention,
    now: datetime,
    dry_run: bool,
    actor: str,
    workspace_id: str,
    name: str,
) -> Purged:
    done = Purged(name)
    with writing(engine).connect() as conn:
        transaction = conn.begin()  # a dry run does it all, then rolls it back
        scope = WorkspaceScope(conn, workspace_id)
        for table, (column, setting) in EXPIRING.items():
            days = int(getattr(settings, setting))
            cutoff = now - timedelta(days=days)
            before = cutoff.date().isoformat() if column == "valid_until" else _stamp(cutoff)
            ids = scope.expired(table, column, before)
            if ids:
                done.expired[table] = len(ids)
            for row_id in ids:
                scope.update(
                    table,
                    row_id,
                    {"deleted": 1, "version": scope.next_seq(), "updated_at": _stamp(now)},
                )
        tombstone_before = _stamp(now - timedelta(days=settings.tombstone_days))
        highest = 0
        for table in REPLICATED_TABLES:
            count, version = scope.purge_tombstones(table, tombstone_before)
            if count:
                done.tombstones[table] = count
                highest = max(highest, version)
        if highest:
            scope.raise_min_seq(highest)
        done.min_seq = highest or scope.min_seq()
        if done.expired or done.tombstones:
            audit.append(
                conn,
                workspace_id,
                actor=actor,
                action="retention.purged",
                subject=name,
                details={
                    "expired": done.expired,
                    "tombstones": done.tombstones,
                    "min_seq": done.min_seq,
                    "settings": asdict(settings),
                },
            )
        if settings.audit_days > 0:
            done.audit_entries = audit.purge_before(
                conn, workspace_id, _stamp(now - timedelta(days=settings.audit_days)), actor
            )
        if dry_run:
            transaction.rollback()
        else:
            transaction.commit()
    return done
