"""The audit trail (DESIGN D9): who issued which quote, imported which file, added, disabled
or re-roled which user, signed in or revoked which device — in a hash chain per workspace.

Each entry stores the previous entry's hash and its own: SHA-256 over the previous hash and a
canonical JSON of the entry's number, time, actor, action, subject and details. Editing any
stored entry, deleting one or reordering them breaks the chain at that entry, which `verify`
names. Appends happen in the transaction of the action they record, so an action and its
entry are written together or not at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from workbench.replica.store import utc_now as now

#: the previous hash of a chain's first entry
GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    workspace_id: str
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq, "at": self.at, "actor": self.actor, "action": self.action,
            "subject": self.subject, "details": self.details, "prev_hash": self.prev_hash,
            "hash": self.hash,
        }  # fmt: skip


def _canonical(details: dict[str, Any]) -> str:
    return json.dumps(details, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str)  # fmt: skip


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, subject: str,
               details_json: str) -> str:  # fmt: skip
    content = json.dumps([seq, at, actor, action, subject, details_json], ensure_ascii=False,
                         separators=(",", ":"))  # fmt: skip
    return hashlib.sha256(f"{prev_hash}\n{content}".encode()).hexdigest()


def append(
    conn: sa.Connection,
    workspace_id: str,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
) -> Entry:
    """Add an entry to the workspace's chain, inside the caller's transaction."""
    heads = schema.audit_heads
    head = conn.execute(
        sa.update(heads)
        .where(heads.c.workspace_id == workspace_id)
        .values(seq=heads.c.seq + 1)
        .returning(heads.c.seq, heads.c.hash)
    ).first()
    if head is None:
        conn.execute(heads.insert().values(workspace_id=workspace_id, seq=1, hash=GENESIS))
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(head.seq), str(head.hash)
    at = now()
    body = _canonical(details or {})
    digest = entry_hash(prev, seq, at, actor, action, subject, body)
    conn.execute(schema.audit_log.insert().values(
        workspace_id=workspace_id, seq=seq, at=at, actor=actor, action=action, subject=subject,
        details=body, prev_hash=prev, hash=digest,
    ))  # fmt: skip
    conn.execute(sa.update(heads).where(heads.c.workspace_id == workspace_id).values(hash=digest))
    return Entry(workspace_id, seq, at, actor, action, subject, details or {}, prev, digest)


def entries(conn: sa.Connection, workspace_id: str) -> Iterator[Entry]:
    log = schema.audit_log
    for row in conn.execute(
        sa.select(log).where(log.c.workspace_id == workspace_id).order_by(log.c.seq)
    ):
        try:
            details = json.loads(row.details)
        except ValueError:
            details = {"unreadable": row.details}
        yield Entry(row.workspace_id, int(row.seq), row.at, row.actor, row.action, row.subject,
                    details, row.prev_hash, row.hash)  # fmt: skip


@dataclass(frozen=True)
class Verdict:
    workspace: str
    entries: int
    #: the first entry that breaks the chain (None: the chain holds) and why
    broken_seq: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_workspace(conn: sa.Connection, workspace_id: str, name: str) -> Verdict:
    """Recompute the chain; the first entry whose number, link or hash is wrong is named."""
    log = schema.audit_log
    prev, expected, count = GENESIS, 1, 0
    for row in conn.execute(
        sa.select(log).where(log.c.workspace_id == workspace_id).order_by(log.c.seq)
    ):
        count += 1
        seq = int(row.seq)
        if seq != expected:
            return Verdict(name, count, expected, f"entry {expected} is missing")
        if row.prev_hash != prev:
            return Verdict(name, count, seq, "its link to the previous entry does not match")
        digest = entry_hash(prev, seq, row.at, row.actor, row.action, row.subject, row.details)
        if digest != row.hash:
            return Verdict(name, count, seq, "its content does not match its hash")
        prev, expected = row.hash, seq + 1
    head = conn.execute(
        sa.select(schema.audit_heads).where(schema.audit_heads.c.workspace_id == workspace_id)
    ).first()
    last = expected - 1
    if head is not None and (int(head.seq) != last or head.hash != prev):
        return Verdict(name, count, last + 1 if int(head.seq) > last else last,
                       f"the chain should end at entry {head.seq}, it ends at {last}")  # fmt: skip
    return Verdict(name, count)


def verify(engine: sa.Engine, workspace_name: str | None = None) -> list[Verdict]:
    w = schema.workspaces
    with engine.connect() as conn:
        stmt = sa.select(w.c.id, w.c.name).order_by(w.c.name)
        if workspace_name is not None:
            stmt = stmt.where(w.c.name == workspace_name)
        return [verify_workspace(conn, r.id, r.name) for r in conn.execute(stmt)]
