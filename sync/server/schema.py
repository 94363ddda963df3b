"""The central server's tables (SQLAlchemy Core; SQLite or PostgreSQL).

The replicated tables are not written out twice: their columns come from the one declaration
of every replicated table (`workbench.replica.declaration`), which also gives the replica its
tables and the push its validation, and the server adds ``workspace_id`` to each.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from workbench.replica.declaration import TABLES
from workbench.replica.fields import Field

metadata = sa.MetaData()

workspaces = sa.Table(
    "workspaces",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False, unique=True),
    # the workspace's change sequence: the version stamped on its latest write
    sa.Column("last_seq", sa.BigInteger, nullable=False, default=0),
    # changes up to here may have been purged (tombstone retention): older cursors refetch
    sa.Column("min_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("created_at", sa.Text, nullable=False),
    # whether its traceability pages name materials' suppliers and mills (`trace`)
    sa.Column("trace_shows_suppliers", sa.Boolean),
    # whether its laptops may keep their replica's key derived from a passphrase where the OS
    # has no keyring (NULL: no); told to each laptop as it signs in (`accounts.set_policy`)
    sa.Column("passphrase_allowed", sa.Boolean),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("username", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

devices = sa.Table(
    "devices",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("user_id", sa.Text, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    # SHA-256 of the bearer token: a stolen database yields no usable token
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("last_seen_at", sa.Text),
    sa.Column("revoked_at", sa.Text),
    # the highest mutation number applied from this device (at-most-once push)
    sa.Column("last_mutation_seq", sa.BigInteger, nullable=False, default=0),
    sa.Column("last_pull_seq", sa.BigInteger, nullable=False, default=0),
    # the client address the device signed in from: an address the user signed in from
    # before keeps a sign-in budget of its own (`throttle`)
    sa.Column("signed_in_from", sa.Text),
    # when the current token was issued (replaced on use once it is older than the settings
    # say), and the hash of the one it replaced, which works until the new one is first used
    sa.Column("token_issued_at", sa.Text),
    sa.Column("prev_token_hash", sa.Text),
    # a remote wipe an admin ordered (`accounts.order_wipe`): when, whether the laptop may first
    # offer its user an encrypted export of unsent edits, and when the laptop reported it done
    sa.Column("wipe_ordered_at", sa.Text),
    sa.Column(
        "wipe_export_allowed", sa.Boolean, nullable=False, default=False, server_default=sa.false()
    ),
    sa.Column("wiped_at", sa.Text),
)
sa.Index("devices_workspace", devices.c.workspace_id)
sa.Index("devices_user", devices.c.user_id)
sa.Index("devices_prev_token", devices.c.prev_token_hash)

# Failed sign-ins within the throttling window, each under its account's key and its client
# address's (`throttle`); rows past the window are deleted as new ones come.
signin_failures = sa.Table(
    "signin_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)
sa.Index("signin_failures_key_at", signin_failures.c.key, signin_failures.c.at)

# The idempotency key each firm quote was asked for with (`pricing.issue_quote`): the same key
# from the same user within the quote's validity is answered with that quote again, so a
# request retried after a lost answer does not make a second quote.
quote_keys = sa.Table(
    "quote_keys",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("user_id", sa.Text, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    # SHA-256 of the request: the same key with another request is refused
    sa.Column("request_sha256", sa.Text, nullable=False),
    sa.Column("quote_id", sa.Text, nullable=False),
    sa.Column("created_at", sa.Text, nullable=False),
)

# The codes whose traceability page answers (`trace`): a label for it was printed, or an admin
# published it. Anything else is answered as unknown.
published_codes = sa.Table(
    "published_codes",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("published_by", sa.Text, nullable=False),
    sa.Column("published_at", sa.Text, nullable=False),
)

# Label serial numbers (GS1 AI 21) per series, a GTIN or a workspace code: the last one handed
# out, and every block handed out (`serials`). A serial is never handed out twice, whichever
# station asks and whether it prints now or reserves a block for printing offline.
serial_series = sa.Table(
    "serial_series",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("series", sa.Text, primary_key=True),
    sa.Column("last_serial", sa.BigInteger, nullable=False),
)
serial_blocks = sa.Table(
    "serial_blocks",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("series", sa.Text, nullable=False),
    sa.Column("first_serial", sa.BigInteger, nullable=False),
    sa.Column("last_serial", sa.BigInteger, nullable=False),
    # "run": printed now; "reserve": kept by the device for printing offline
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("device_id", sa.Text, nullable=False),
    sa.Column("username", sa.Text, nullable=False),
    sa.Column("allocated_at", sa.Text, nullable=False),
)
sa.Index("serial_blocks_series", serial_blocks.c.workspace_id, serial_blocks.c.series)

# Requests per device, kind and minute (push, quotes, imports), for throttling (`throttle`).
request_counts = sa.Table(
    "request_counts",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("minute", sa.BigInteger, nullable=False),
    sa.Column("count", sa.Integer, nullable=False),
)

# The newest change number per table, kept by the writes themselves (same transaction), so a
# pull asks only the tables that have something after its cursor.
table_versions = sa.Table(
    "table_versions",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("table_name", sa.Text, primary_key=True),
    sa.Column("last_version", sa.BigInteger, nullable=False),
)

mutations = sa.Table(
    "mutations",
    metadata,
    sa.Column("device_id", sa.Text, sa.ForeignKey("devices.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("workspace_id", sa.Text, nullable=False),
    # the answer given when it was applied, returned again when a push is replayed
    sa.Column("result", sa.Text, nullable=False),
    # which mutation the number was used for, so that a number used again for another one (a
    # laptop restored from an earlier copy) is refused instead of answered; NULL on answers
    # stored before the server kept it (`push.apply_push` says how those are read)
    sa.Column("mutation_id", sa.Text),
)


# The audit trail (architecture D9): append-only and hash-chained per workspace. Each entry's hash
# (keyed with the audit key, when the server has one) covers the previous entry's hash and its
# own content, so editing, removing or reordering an
# entry breaks the chain from there on; `audit_heads` holds each chain's last number and hash
# (its row is also the lock that keeps two appends from taking the same number).
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("details", sa.Text, nullable=False),
    sa.Column("prev_hash", sa.Text, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    # the hash is an HMAC with the audit key (`anchor`); NULL or false: a plain SHA-256
    sa.Column("keyed", sa.Boolean),
    # a sealed entry's hash covers this SHA-256 of its nonce and content instead of the content
    # itself, so its content can be pseudonymised later (`audit.redact`) and the chain still
    # verifies; NULL: an entry written before entries were sealed, hashed over its content
    sa.Column("content_sha256", sa.Text),
    # random bytes (hex) the content digest is salted with, dropped when the entry is redacted
    # so the digest can no longer confirm a guess at what the entry said
    sa.Column("nonce", sa.Text),
    # the entry of the erasure that pseudonymised this one (NULL: as written)
    sa.Column("redacted_by", sa.BigInteger),
)

audit_heads = sa.Table(
    "audit_heads",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
)

# Where a workspace's chain starts after old entries were purged (`audit.purge_before`): the
# number and hash of the last entry let go, an HMAC of them with the audit key (NULL: no key),
# and when. The first entry kept links to this hash, so the chain still verifies from there.
audit_boundaries = sa.Table(
    "audit_boundaries",
    metadata,
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), primary_key=True),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("hash", sa.Text, nullable=False),
    sa.Column("mac", sa.Text),
    sa.Column("at", sa.Text, nullable=False),
)


def _column(field: Field) -> sa.Column[Any]:
    kind: sa.types.TypeEngine[Any]
    if field.kind in ("integer", "flag"):
        # version and the sequences pass 2**31 in a busy workspace; other whole numbers are
        # bounded by the declaration to PostgreSQL's 4-byte integer
        kind = sa.BigInteger() if field.high > 2**31 - 1 else sa.Integer()
    else:
        kind = sa.Text()
    primary_key = field.name == "id"
    return sa.Column(
        field.name, kind, primary_key=primary_key, nullable=not (field.required or primary_key)
    )


def _replicated_tables() -> dict[str, sa.Table]:
    made: dict[str, sa.Table] = {}
    for declared in TABLES:
        made[declared.name] = sa.Table(
            declared.name,
            metadata,
            sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
            *(_column(f) for f in declared.columns),
        )
        t = made[declared.name]
        sa.Index(f"{declared.name}_ws_version", t.c.workspace_id, t.c.version)
    return made


#: The replicated tables by name, each with ``workspace_id`` added.
replicated: dict[str, sa.Table] = _replicated_tables()

#: Each replicated table's column defaults (the replica's DEFAULT clauses), so an import of a
#: file that lacks optional columns writes the same row the replica would.
column_defaults: dict[str, dict[str, Any]] = {
    t.name: {f.name: f.default for f in t.columns if f.default is not None} for t in TABLES
}

# Rows taken out of a replicated table by ``workbench-sync doctor --fix`` because they break
# the declaration (stored before every write was checked): the row as it was, and why. The row
# itself becomes a tombstone, so laptops drop it and snapshots build again.
quarantine = sa.Table(
    "quarantine",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("workspace_id", sa.Text, sa.ForeignKey("workspaces.id"), nullable=False),
    sa.Column("table_name", sa.Text, nullable=False),
    sa.Column("row_id", sa.Text, nullable=False),
    sa.Column("row", sa.Text, nullable=False),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("quarantined_at", sa.Text, nullable=False),
)
