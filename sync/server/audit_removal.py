"""Letting go of what the audit trail holds (see `sync.server.audit`): a person erased from
the entries naming them (`redact`), and entries older than retention keeps (`purge_before`),
each recorded by an entry in the same chain."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.audit_chain import (
    ERASED,
    PURGED,
    Entry,
    append,
    boundary_mac,
    canonical,
    content_digest,
    current_key,
)
from workbench.replica.store import utc_now as now


@dataclass(frozen=True)
class Redaction:
    """What an entry will say once a person is erased from it."""

    actor: str
    subject: str
    details: dict[str, Any]


def redact(
    conn: sa.Connection,
    workspace_id: str,
    changes: Mapping[int, Redaction],
    *,
    actor: str,
    subject: str,
    details: dict[str, Any],
) -> Entry:
    """Rewrite sealed entries as ``changes`` say and append the erasure that records it (with
    a digest of what each changed entry says now), in the caller's transaction. An unsealed
    entry cannot be changed without breaking the chain and is refused."""
    log = schema.audit_log
    rows = {
        int(r.seq): r
        for r in conn.execute(
            sa.select(log).where(log.c.workspace_id == workspace_id, log.c.seq.in_(list(changes)))
        )
    }
    recorded: dict[str, str] = {}
    for seq, change in changes.items():
        row = rows[seq]
        if row.content_sha256 is None:
            raise ValueError(f"audit entry {seq} is unsealed: it cannot be redacted")
        recorded[str(seq)] = content_digest(
            row.at, change.actor, row.action, change.subject, canonical(change.details)
        )
    erasure = append(
        conn,
        workspace_id,
        actor=actor,
        action=ERASED,
        subject=subject,
        details={**details, "redacted": recorded},
    )
    for seq, change in changes.items():
        conn.execute(
            sa.update(log)
            .where(log.c.workspace_id == workspace_id, log.c.seq == seq)
            .values(
                actor=change.actor,
                subject=change.subject,
                details=canonical(change.details),
                nonce=None,
                redacted_by=erasure.seq,
            )
        )
    return erasure


def purge_before(conn: sa.Connection, workspace_id: str, before: str, actor: str) -> int:
    """Let go of the workspace's entries made before ``before`` (a UTC timestamp), in the
    caller's transaction: the last one's number and hash become the chain's boundary (with an
    HMAC under this process's key) and a purge entry records them. How many went."""
    log, bounds = schema.audit_log, schema.audit_boundaries
    last = conn.execute(
        sa.select(log.c.seq, log.c.hash)
        .where(log.c.workspace_id == workspace_id, log.c.at < before)
        .order_by(log.c.seq.desc())
        .limit(1)
    ).first()
    if last is None:
        return 0
    through, digest = int(last.seq), str(last.hash)
    gone = conn.execute(
        sa.delete(log).where(log.c.workspace_id == workspace_id, log.c.seq <= through)
    ).rowcount
    key = current_key()
    values = {
        "seq": through,
        "hash": digest,
        "at": now(),
        "mac": boundary_mac(key, workspace_id, through, digest) if key else None,
    }
    if (
        conn.execute(
            sa.update(bounds).where(bounds.c.workspace_id == workspace_id).values(**values)
        ).rowcount
        == 0
    ):
        conn.execute(bounds.insert().values(workspace_id=workspace_id, **values))
    append(
        conn,
        workspace_id,
        actor=actor,
        action=PURGED,
        subject="audit trail",
        details={"through_seq": through, "through_hash": digest, "entries": gone, "before": before},
    )
    return int(gone)
