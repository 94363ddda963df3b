"""The audit trail (architecture D9): who issued which quote, imported which file, added, disabled
or re-roled which user, signed in or revoked which device — in a hash chain per workspace.

Each entry stores the previous entry's hash and its own: over the previous hash and a
canonical JSON of the entry's number, time, actor, action, subject and details, an HMAC-SHA256
with the audit key when the server has one (`anchor`; the entry is marked ``keyed``), else a
plain SHA-256. Editing any stored entry, deleting one or reordering them breaks the chain at
that entry, which `verify` names; without the key, no edited chain can be made to verify
again. Against what a chain alone cannot show (entries cut off its end with the head moved
back, a trail wiped with its head), `verify` holds each chain to its last checkpoint in the
log outside the database (`anchor`). Appends happen in the transaction of the action they
record, so an action and its entry are written together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from workbench.replica.store import utc_now as now

#: the previous hash of a chain's first entry
GENESIS = "0" * 64

#: the key new entries are made with in this process (`use_key`; None: plain SHA-256)
_KEY: list[bytes | None] = [None]


def use_key(key: bytes | None) -> None:
    """Make this process's new entries with ``key`` (the server and CLI call it at start)."""
    _KEY[0] = key


def current_key() -> bytes | None:
    return _KEY[0]


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
               details_json: str, key: bytes | None = None) -> str:  # fmt: skip
    content = json.dumps([seq, at, actor, action, subject, details_json], ensure_ascii=False,
                         separators=(",", ":"))  # fmt: skip
    data = f"{prev_hash}\n{content}".encode()
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


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
    key = current_key()
    digest = entry_hash(prev, seq, at, actor, action, subject, body, key)
    conn.execute(schema.audit_log.insert().values(
        workspace_id=workspace_id, seq=seq, at=at, actor=actor, action=action, subject=subject,
        details=body, prev_hash=prev, hash=digest, keyed=key is not None,
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
    #: the time of the checkpoint the chain was held to, if any
    checkpoint_at: str | None = None

    @property
    def ok(self) -> bool:
        return self.broken_seq is None


def verify_workspace(
    conn: sa.Connection,
    workspace_id: str,
    name: str,
    key: bytes | None = None,
    checkpoint: dict[str, Any] | None = None,
) -> Verdict:
    """Recompute the chain; the first entry whose number, link or hash is wrong is named. A
    keyed entry needs ``key``; an unkeyed one after a keyed one is a chain recomputed without
    it. With the workspace's last ``checkpoint``, the chain must reach it unchanged."""
    log = schema.audit_log
    prev, expected, count, keyed_seen = GENESIS, 1, 0, False
    at_checkpoint: str | None = None
    for row in conn.execute(
        sa.select(log).where(log.c.workspace_id == workspace_id).order_by(log.c.seq)
    ):
        count += 1
        seq = int(row.seq)
        if seq != expected:
            return Verdict(name, count, expected, f"entry {expected} is missing")
        if row.prev_hash != prev:
            return Verdict(name, count, seq, "its link to the previous entry does not match")
        if row.keyed and key is None:
            return Verdict(name, count, seq, "it is keyed: give the audit key to verify it "
                           "(WORKBENCH_SYNC_AUDIT_KEY or [audit] key_file)")  # fmt: skip
        if keyed_seen and not row.keyed:
            return Verdict(name, count, seq, "it was written without the audit key after "
                           "entries made with it: the chain was recomputed")  # fmt: skip
        keyed_seen = keyed_seen or bool(row.keyed)
        digest = entry_hash(prev, seq, row.at, row.actor, row.action, row.subject, row.details,
                            key if row.keyed else None)  # fmt: skip
        if not hmac.compare_digest(digest, row.hash):
            return Verdict(name, count, seq, "its content does not match its hash")
        if checkpoint is not None and seq == int(checkpoint["seq"]):
            at_checkpoint = row.hash
        prev, expected = row.hash, seq + 1
    head = conn.execute(
        sa.select(schema.audit_heads).where(schema.audit_heads.c.workspace_id == workspace_id)
    ).first()
    last = expected - 1
    if head is not None and (int(head.seq) != last or head.hash != prev):
        return Verdict(name, count, last + 1 if int(head.seq) > last else last,
                       f"the chain should end at entry {head.seq}, it ends at {last}")  # fmt: skip
    if checkpoint is not None:
        seen, when = int(checkpoint["seq"]), checkpoint["at"]
        if count == 0:
            return Verdict(name, 0, 1, f"the trail is wiped: the checkpoint of {when} saw "
                           f"{seen} entries, the database holds none")  # fmt: skip
        if last < seen:
            return Verdict(name, count, last + 1, f"entries {last + 1} to {seen} are missing: "
                           f"the checkpoint of {when} saw the chain end at {seen}")  # fmt: skip
        if at_checkpoint != checkpoint["hash"]:
            return Verdict(name, count, seen, f"it is not the entry the checkpoint of {when} "
                           "saw: the chain was changed or recomputed")  # fmt: skip
    return Verdict(name, count, checkpoint_at=checkpoint["at"] if checkpoint else None)


def verify(
    engine: sa.Engine,
    workspace_name: str | None = None,
    key: bytes | None = None,
    checkpoints: dict[str, dict[str, Any]] | None = None,
) -> list[Verdict]:
    """Every workspace's chain (or the one named), with this process's key unless one is
    given, each held to its checkpoint in ``checkpoints`` (by workspace id); a checkpointed
    workspace gone from the database is a verdict of its own."""
    key = key if key is not None else current_key()
    checkpoints = checkpoints or {}
    w = schema.workspaces
    with engine.connect() as conn:
        stmt = sa.select(w.c.id, w.c.name).order_by(w.c.name)
        if workspace_name is not None:
            stmt = stmt.where(w.c.name == workspace_name)
        found = conn.execute(stmt).all()
        verdicts = [verify_workspace(conn, r.id, r.name, key, checkpoints.get(r.id))
                    for r in found]  # fmt: skip
    here = {r.id for r in found}
    for ws_id, line in checkpoints.items():
        if ws_id not in here and workspace_name in (None, line.get("workspace")):
            verdicts.append(Verdict(str(line.get("workspace")), 0, 1, "the workspace is gone "
                                    f"from the database: the checkpoint of {line['at']} saw "
                                    f"{line['seq']} entries"))  # fmt: skip
    return verdicts
