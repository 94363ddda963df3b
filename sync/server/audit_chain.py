"""The audit trail's chains (see `sync.server.audit`): the key entries are sealed with, an
entry, its hashes, appending one in the caller's transaction and reading a workspace's chain
in order."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterator
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


def canonical(details: dict[str, Any]) -> str:
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
    body = canonical(details or {})
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


def boundary_mac(key: bytes, workspace_id: str, seq: int, digest: str) -> str:
    """The HMAC that vouches for a purge boundary: only the key's holder can move it."""
    return hmac.new(key, f"{workspace_id}\n{seq}\n{digest}".encode(), hashlib.sha256).hexdigest()
