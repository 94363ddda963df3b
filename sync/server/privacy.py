"""A person's data on the server, gathered for a subject access request (GDPR art. 15 and 20,
DPDP Act s. 11): `workbench-sync user export USER` writes it as JSON.

What is gathered is what `docs/privacy.md` lists: the account (never its password hash), its
devices, the audit entries that name the user as actor or subject, and the documents the user
made or wrote (``created_by`` / ``author``). Read in one transaction of the workspace's own
scope, so the export is one consistent moment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import AccountError
from sync.server.scoping import WorkspaceScope
from workbench.replica.declaration import TABLES

#: each document table and the column naming the person who made it
AUTHORED: dict[str, str] = {
    t.name: c.name
    for t in TABLES
    for c in t.columns
    if c.name in ("created_by", "author")
}


def export_user(engine: sa.Engine, username: str) -> dict[str, Any]:
    """Everything the server holds about ``username``, as JSON-ready data."""
    u, d, w = schema.users, schema.devices, schema.workspaces
    with engine.connect() as conn, conn.begin():
        found = conn.execute(
            sa.select(u.c.id, u.c.workspace_id, u.c.username, u.c.role, u.c.disabled,
                      u.c.created_at, w.c.name.label("workspace"))
            .join(w, w.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()  # fmt: skip
        if found is None:
            raise AccountError(f"no user {username!r}")
        devices = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(d.c.id, d.c.name, d.c.created_at, d.c.last_seen_at, d.c.revoked_at,
                          d.c.signed_in_from, d.c.wipe_ordered_at, d.c.wiped_at)
                .where(d.c.user_id == found.id).order_by(d.c.created_at)
            )
        ]  # fmt: skip
        entries = [
            {"seq": e.seq, "at": e.at, "actor": e.actor, "action": e.action,
             "subject": e.subject, "details": e.details}
            for e in audit.entries(conn, found.workspace_id)
            if e.actor == username or e.subject in (username, found.id)
        ]  # fmt: skip
        scope = WorkspaceScope(conn, found.workspace_id)
        documents = {
            table: scope.rows(table, schema.replicated[table].c[column] == username)
            for table, column in AUTHORED.items()
        }
        serials = scope.serial_blocks_taken_by(username)
    account = {k: v for k, v in found._mapping.items() if k != "workspace_id"}
    return {
        "exported_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": account,
        "devices": devices,
        "audit_entries": entries,
        "documents": {t: rows for t, rows in documents.items() if rows},
        "serial_blocks": serials,
    }
