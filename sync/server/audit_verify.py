"""Verifying the audit trail (see `sync.server.audit`): each workspace's chain from its
boundary, entry by entry, redactions against their erasures, and held to its last checkpoint
in the log outside the database."""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.audit_chain import (
    ERASED,
    GENESIS,
    PURGED,
    boundary_mac,
    content_digest,
    current_key,
    entry_hash,
    sealed_hash,
)


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
    it, an unsealed one after a sealed one likewise. After a purge the chain starts at its
    boundary, which must verify with the key and be recorded by a purge entry. A redacted entry
    must read as the erasure that changed it recorded. With the workspace's last
    ``checkpoint``, the chain must reach it unchanged."""
    log = schema.audit_log
    prev, expected, count, keyed_seen, sealed_seen = GENESIS, 1, 0, False, False
    boundary = conn.execute(
        sa.select(schema.audit_boundaries).where(
            schema.audit_boundaries.c.workspace_id == workspace_id
        )
    ).first()
    if boundary is not None:
        first = int(boundary.seq) + 1
        if boundary.mac is not None and key is None:
            return Verdict(
                name,
                0,
                first,
                "the chain starts after a purge whose boundary is "
                "keyed: give the audit key to verify it",
            )
        if (
            boundary.mac is not None
            and key is not None
            and not hmac.compare_digest(
                str(boundary.mac), boundary_mac(key, workspace_id, int(boundary.seq), boundary.hash)
            )
        ):
            return Verdict(
                name,
                0,
                first,
                "the purge boundary it starts after does not verify "
                "with the audit key: it was moved",
            )
        prev, expected = str(boundary.hash), first
    at_checkpoint: str | None = None
    if checkpoint is not None and boundary is not None and int(checkpoint["seq"]) <= expected - 1:
        # the checkpoint saw entries since purged: the boundary is as far as it can be held
        at_checkpoint = checkpoint["hash"] if int(checkpoint["seq"]) < expected - 1 else prev
    purges: set[tuple[int, str]] = set()
    erasures: dict[int, dict[str, Any]] = {}
    redacted: list[tuple[int, int, str]] = []
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
            return Verdict(
                name,
                count,
                seq,
                "it is keyed: give the audit key to verify it "
                "(WORKBENCH_SYNC_AUDIT_KEY or [audit] key_file)",
            )
        if keyed_seen and not row.keyed:
            return Verdict(
                name,
                count,
                seq,
                "it was written without the audit key after "
                "entries made with it: the chain was recomputed",
            )
        keyed_seen = keyed_seen or bool(row.keyed)
        entry_key = key if row.keyed else None
        if row.content_sha256 is None:
            if sealed_seen:
                return Verdict(
                    name,
                    count,
                    seq,
                    "it is written unsealed after sealed entries: the chain was recomputed",
                )
            digest = entry_hash(
                prev, seq, row.at, row.actor, row.action, row.subject, row.details, entry_key
            )
        else:
            sealed_seen = True
            if row.redacted_by is None:
                said = content_digest(
                    row.at, row.actor, row.action, row.subject, row.details, row.nonce
                )
                if not hmac.compare_digest(said, str(row.content_sha256)):
                    return Verdict(name, count, seq, "its content does not match its hash")
            else:
                redacted.append(
                    (
                        seq,
                        int(row.redacted_by),
                        content_digest(row.at, row.actor, row.action, row.subject, row.details),
                    )
                )
            digest = sealed_hash(prev, seq, str(row.content_sha256), entry_key)
        if not hmac.compare_digest(digest, row.hash):
            return Verdict(name, count, seq, "its content does not match its hash")
        if row.action in (PURGED, ERASED):
            details = json.loads(row.details)
            if row.action == PURGED:
                purges.add((int(details["through_seq"]), str(details["through_hash"])))
            elif row.redacted_by is None:
                erasures[seq] = dict(details.get("redacted", {}))
        if checkpoint is not None and seq == int(checkpoint["seq"]):
            at_checkpoint = row.hash
        prev, expected = row.hash, seq + 1
    if boundary is not None:
        if boundary.mac is None and keyed_seen:
            return Verdict(
                name,
                count,
                int(boundary.seq) + 1,
                "the chain starts after a purge "
                "boundary written without the audit key: it was moved",
            )
        if (int(boundary.seq), str(boundary.hash)) not in purges:
            return Verdict(
                name,
                count,
                int(boundary.seq) + 1,
                "the chain starts after entry "
                f"{boundary.seq}, but no purge in it let go of the entries up to "
                "there",
            )
    for seq, by, now_says in redacted:
        if erasures.get(by, {}).get(str(seq)) != now_says:
            return Verdict(
                name,
                count,
                seq,
                "it is marked redacted, but no erasure in the chain recorded it as it reads now",
            )
    head = conn.execute(
        sa.select(schema.audit_heads).where(schema.audit_heads.c.workspace_id == workspace_id)
    ).first()
    last = expected - 1
    if head is not None and (int(head.seq) != last or head.hash != prev):
        return Verdict(
            name,
            count,
            last + 1 if int(head.seq) > last else last,
            f"the chain should end at entry {head.seq}, it ends at {last}",
        )
    if checkpoint is not None:
        seen, when = int(checkpoint["seq"]), checkpoint["at"]
        if count == 0:
            return Verdict(
                name,
                0,
                1,
                f"the trail is wiped: the checkpoint of {when} saw "
                f"{seen} entries, the database holds none",
            )
        if last < seen:
            return Verdict(
                name,
                count,
                last + 1,
                f"entries {last + 1} to {seen} are missing: "
                f"the checkpoint of {when} saw the chain end at {seen}",
            )
        if at_checkpoint != checkpoint["hash"]:
            return Verdict(
                name,
                count,
                seen,
                f"it is not the entry the checkpoint of {when} "
                "saw: the chain was changed or recomputed",
            )
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
        verdicts = [verify_workspace(conn, r.id, r.name, key, checkpoints.get(r.id)) for r in found]
    here = {r.id for r in found}
    for ws_id, line in checkpoints.items():
        if ws_id not in here and workspace_name in (None, line.get("workspace")):
            verdicts.append(
                Verdict(
                    str(line.get("workspace")),
                    0,
                    1,
                    "the workspace is gone "
                    f"from the database: the checkpoint of {line['at']} saw "
                    f"{line['seq']} entries",
                )
            )
    return verdicts
