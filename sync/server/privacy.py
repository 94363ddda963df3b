"""A person's data on the server, gathered for a subject access request (GDPR art. 15 and 20,
DPDP Act s. 11): `workbench-sync user export USER` writes it as JSON; and erased on request
(GDPR art. 17, DPDP Act s. 12): `workbench-sync user erase USER`.

What is gathered is what `docs/privacy.md` lists: the account (never its password hash), its
devices, the audit entries that name the user as actor or subject, and the documents the user
made or wrote (``created_by`` / ``author``). Read in one transaction of the workspace's own
scope, so the export is one consistent moment.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import CLI_ACTOR, AccountError, now
from sync.server.db import writing
from sync.server.passwords import hash_password, token_hash
from sync.server.scoping import WorkspaceScope
from workbench.replica.declaration import BY_NAME, TABLES

#: each document table and the column naming the person who made it
AUTHORED: dict[str, str] = {
    t.name: c.name for t in TABLES for c in t.columns if c.name in ("created_by", "author")
}


def export_user(engine: sa.Engine, username: str) -> dict[str, Any]:
    """Everything the server holds about ``username``, as JSON-ready data."""
    u, d, w = schema.users, schema.devices, schema.workspaces
    with engine.connect() as conn, conn.begin():
        found = conn.execute(
            sa.select(
                u.c.id,
                u.c.workspace_id,
                u.c.username,
                u.c.role,
                u.c.disabled,
                u.c.created_at,
                w.c.name.label("workspace"),
            )
            .join(w, w.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()
        if found is None:
            raise AccountError(f"no user {username!r}")
        devices = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(
                    d.c.id,
                    d.c.name,
                    d.c.created_at,
                    d.c.last_seen_at,
                    d.c.revoked_at,
                    d.c.signed_in_from,
                    d.c.wipe_ordered_at,
                    d.c.wiped_at,
                )
                .where(d.c.user_id == found.id)
                .order_by(d.c.created_at)
            )
        ]
        entries = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "subject": e.subject,
                "details": e.details,
            }
            for e in audit.entries(conn, found.workspace_id)
            if e.actor == username or e.subject in (username, found.id)
        ]
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


#: what an erased person's devices are called afterwards
ERASED_DEVICE = "erased device"


@dataclass
class Erased:
    """What an erasure changed, in counts (it names no one but the pseudonym)."""

    workspace: str
    pseudonym: str
    devices: int = 0
    documents: dict[str, int] = field(default_factory=dict)
    audit_entries: int = 0
    #: entries written before entries were sealed, which name the person and stay as written
    audit_entries_kept: int = 0
    stored_answers: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _swap(value: Any, names: dict[str, str]) -> Any:
    """``value`` with every string that is one of ``names`` replaced by its stand-in."""
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, list):
        return [_swap(v, names) for v in value]
    if isinstance(value, dict):
        return {names.get(k, k): _swap(v, names) for k, v in value.items()}
    return value


def _swap_json_text(text: str, names: dict[str, str]) -> str:
    """JSON text with every string value or key that is one of ``names`` replaced."""
    try:
        return json.dumps(_swap(json.loads(text), names), ensure_ascii=False)
    except ValueError:
        return text


def erase_user(engine: sa.Engine, username: str, actor: str = CLI_ACTOR) -> Erased:
    """Pseudonymise ``username`` everywhere the server holds it, in one transaction.

    The account and its devices stay as rows (the mutations the devices pushed refer to
    them), with the name replaced by a random pseudonym, the password and tokens made
    unusable, device names and sign-in addresses cleared; documents the person made or wrote
    name the pseudonym, at a new change number so every laptop's copy follows at its next
    pull; stored push answers and quarantined rows likewise; sign-in failures under the
    name are deleted; audit entries naming the person are redacted through `audit.redact`, so
    the chain still verifies. The pseudonym is linked to nothing: once erased, no one can say
    which person it was."""
    u, d = schema.users, schema.devices
    pseudonym = f"erased-{secrets.token_hex(6)}"
    with writing(engine).begin() as conn:
        found = conn.execute(
            sa.select(u.c.id, u.c.workspace_id, schema.workspaces.c.name.label("workspace"))
            .join(schema.workspaces, schema.workspaces.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()
        if found is None:
            raise AccountError(f"no user {username!r}")
        ws, user_id = found.workspace_id, found.id
        done = Erased(found.workspace, pseudonym)
        devices = conn.execute(sa.select(d.c.id, d.c.name).where(d.c.user_id == user_id)).all()
        names = {username: pseudonym, **{r.name: ERASED_DEVICE for r in devices}}
        conn.execute(
            sa.update(u)
            .where(u.c.id == user_id)
            .values(
                username=pseudonym,
                password_hash=hash_password(secrets.token_urlsafe(32)),
                disabled=True,
            )
        )
        for device in devices:
            conn.execute(
                sa.update(d)
                .where(d.c.id == device.id)
                .values(
                    name=ERASED_DEVICE,
                    signed_in_from=None,
                    last_seen_at=None,
                    token_hash=token_hash(secrets.token_urlsafe(32)),
                    prev_token_hash=None,
                    revoked_at=sa.func.coalesce(d.c.revoked_at, now()),
                )
            )
        done.devices = len(devices)
        conn.execute(sa.delete(schema.quote_keys).where(schema.quote_keys.c.user_id == user_id))
        f = schema.signin_failures
        conn.execute(
            sa.delete(f).where(
                sa.or_(f.c.key == f"account:{username}", f.c.key.startswith(f"account:{username}@"))
            )
        )
        p = schema.published_codes
        conn.execute(
            sa.update(p)
            .where(p.c.workspace_id == ws, p.c.published_by == username)
            .values(published_by=pseudonym)
        )
        done.documents = _erase_from_documents(conn, ws, username, pseudonym, names)
        done.stored_answers = _erase_from_text(
            conn, schema.mutations, "result", ws, username, names
        )
        _erase_from_text(conn, schema.quarantine, "row", ws, username, names)
        device_ids = {r.id for r in devices}
        changes: dict[int, audit.Redaction] = {}
        for entry, sealed in _entries(conn, ws):
            about = (
                entry.actor == username
                or entry.subject in (username, user_id)
                or entry.subject in device_ids
                or _swap(entry.details, names) != entry.details
            )
            if not about or entry.action == audit.ERASED:
                continue
            if not sealed:
                done.audit_entries_kept += 1
                continue
            changes[entry.seq] = audit.Redaction(
                names.get(entry.actor, entry.actor),
                names.get(entry.subject, entry.subject),
                _swap(entry.details, names),
            )
        done.audit_entries = len(changes)
        summary = {k: v for k, v in done.as_dict().items() if k != "workspace"}
        audit.redact(conn, ws, changes, actor=actor, subject=pseudonym, details=summary)
    return done


def _entries(conn: sa.Connection, workspace_id: str) -> list[tuple[audit.Entry, bool]]:
    """The workspace's audit entries, each with whether it is sealed (can be redacted)."""
    log = schema.audit_log
    sealed = {
        int(r.seq): r.content_sha256 is not None
        for r in conn.execute(
            sa.select(log.c.seq, log.c.content_sha256).where(log.c.workspace_id == workspace_id)
        )
    }
    return [(e, sealed[e.seq]) for e in audit.entries(conn, workspace_id)]


def _erase_from_documents(
    conn: sa.Connection, workspace_id: str, username: str, pseudonym: str, names: dict[str, str]
) -> dict[str, int]:
    """Documents made or written by the person, or naming them in a JSON field, name the
    pseudonym instead, each at a new change number."""
    scope = WorkspaceScope(conn, workspace_id)
    quoted = json.dumps(username, ensure_ascii=False)
    changed: dict[str, int] = {}
    for table, column in AUTHORED.items():
        t = schema.replicated[table]
        declared = BY_NAME[table]
        json_columns = [c.name for c in declared.columns if c.kind == "json"]
        matches = [
            t.c[column] == username,
            *(t.c[c].contains(quoted, autoescape=True) for c in json_columns),
        ]
        for row in scope.rows(table, sa.or_(*matches)):
            values: dict[str, Any] = {
                c: _swap_json_text(row[c], names) for c in json_columns if row[c]
            }
            if row[column] == username:
                values[column] = pseudonym
            values.update(version=scope.next_seq(), updated_at=now())
            scope.update(table, row["id"], values)
            changed[table] = changed.get(table, 0) + 1
    return changed


def _erase_from_text(
    conn: sa.Connection,
    table: sa.Table,
    column: str,
    workspace_id: str,
    username: str,
    names: dict[str, str],
) -> int:
    """Rows of a server table holding JSON text that names the person: the names replaced."""
    quoted = json.dumps(username, ensure_ascii=False)
    key = list(table.primary_key.columns)
    rows = conn.execute(
        sa.select(*key, table.c[column]).where(
            table.c.workspace_id == workspace_id, table.c[column].contains(quoted, autoescape=True)
        )
    ).all()
    for row in rows:
        conn.execute(
            sa.update(table)
            .where(*(c == row._mapping[c.name] for c in key))
            .values({column: _swap_json_text(row._mapping[column], names)})
        )
    return len(rows)
