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

The chain itself (the key, an entry and its hashes, appending, reading) is
`sync.server.audit_chain`; verifying it, `sync.server.audit_verify`; erasure and retention,
`sync.server.audit_removal`. Their names are reachable here, as callers have them.
"""

from __future__ import annotations

from sync.server.audit_chain import (
    ERASED,
    GENESIS,
    PURGED,
    Entry,
    append,
    boundary_mac,
    content_digest,
    current_key,
    entries,
    entry_hash,
    sealed_hash,
    use_key,
)
from sync.server.audit_removal import Redaction, purge_before, redact
from sync.server.audit_verify import Verdict, verify, verify_workspace

__all__ = [
    "ERASED",
    "GENESIS",
    "PURGED",
    "Entry",
    "Redaction",
    "Verdict",
    "append",
    "boundary_mac",
    "content_digest",
    "current_key",
    "entries",
    "entry_hash",
    "purge_before",
    "redact",
    "sealed_hash",
    "use_key",
    "verify",
    "verify_workspace",
]
