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

Entries are **sealed**: the chain hashes a SHA-256 of the entry's content salted with a random
nonce, not the content itself. That lets a person's data be erased without breaking the chain
(`redact`, run by ``workbench-sync user erase``): the entries naming them get a pseudonym in
place of their name, lose their nonce, and an erasure entry appended to the same chain records,
for each entry it changed, a digest of what the entry says now. `verify` checks an entry as
written against its digest, and a redacted one against the erasure that changed it; so an
entry edited after erasure, or marked redacted without an erasure recording it, is still found.
The dropped nonce keeps the old digest from confirming a guess at the erased name. Entries
written before sealing (``content_sha256`` NULL) are hashed over their content and cannot be
redacted; the erasure counts them, and audit retention lets them go in time.

Old entries are let go by retention (`purge_before`): the number and hash of the last entry
purged stay behind as the chain's boundary, with an HMAC under the audit key, and a purge entry
in the chain records them; `verify` starts the chain from there.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from workbench.replica.store import utc_now as now

#: the previous hash of a chain's first entry
GENESIS = "0" * 64

#: the entry recording a purge of old entries (`purge_before`), and an erasure (`redact`)
PURGED = "audit.purged"
ERASED = "user.erased"

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
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": self.details,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


def _canonical(details: dict[str, Any]) -> str:
    return json.dumps(
        details, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    details_json: str,
    key: bytes | None = None,
) -> str:
    content = json.dumps(
        [seq, at, actor, action, subject, details_json], ensure_ascii=False, separators=(",", ":")
    )
    data = f"{prev_hash}\n{content}".encode()
    if key is not None:
        return hmac.new(key, data, hashlib.sha256).hexdigest()
    return hashlib.sha256(data).hexdigest()


def content_digest(
    at: str, actor: str, action: str, subject: str, details_json: str, nonce: str | None = None
) -> str:
    """SHA-256 of an entry's content: salted with its nonce while it is sealed as written; plain
    for what a redacted entry says, which its erasure entry records."""
    content = json.dumps(
        [at, actor, action, subject, details_json], ensure_ascii=False, separators=(",", ":")
    )
    salt = f"{nonce}\n" if nonce is not None else ""
    return hashlib.sha256(f"{salt}{content}".encode()).hexdigest()


def sealed_hash(prev_hash: str, seq: int, content_sha256: str, key: bytes | None = None) -> str:
    """A sealed entry's link: over the previous hash, its number and its content's digest."""
    data = f"{prev_hash}\n" + json.dumps([seq, "sealed", content_sha256], separators=(",", ":"))
    if key is not None:
        return hmac.new(key, data.encode(), hashlib.sha256).hexdigest()
    return hashlib.sha256(data.encode()).hexdigest()


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
    nonce = secrets.token_hex(16)
    sealed = content_digest(at, actor, action, subject, body, nonce)
    digest = sealed_hash(prev, seq, sealed, key)
    conn.execute(
        schema.audit_log.insert().values(
            workspace_id=workspace_id,
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            details=body,
            prev_hash=prev,
            hash=digest,
            keyed=key is not None,
            content_sha256=sealed,
            nonce=nonce,
        )
    )
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
        yield Entry(
            row.workspace_id,
            int(row.seq),
            row.at,
            row.actor,
            row.action,
            row.subject,
            details,
            row.prev_hash,
            row.hash,
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


def boundary_mac(key: bytes, workspace_id: str, seq: int, digest: str) -> str:
    """The HMAC that vouches for a purge boundary: only the key's holder can move it."""
    return hmac.new(key, f"{workspace_id}\n{seq}\n{digest}".encode(), hashlib.sha256).hexdigest()


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
            row.at, change.actor, row.action, change.subject, _canonical(change.details)
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
                details=_canonical(change.details),
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
