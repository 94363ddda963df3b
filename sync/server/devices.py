"""The devices signed in to a workspace: listing them, revoking their tokens, ordering a
lost laptop wiped and hearing that it was (architecture D6)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.config import Tokens
from sync.server.db import writing
from sync.server.identity import CLI_ACTOR, AccountError, Caller, now
from sync.server.tokens import expiry


def list_devices(
    engine: sa.Engine, workspace: str | None = None, tokens: Tokens | None = None
) -> list[dict[str, Any]]:
    """Every device, with its last use and when its sign-in expires unless used before
    (``expires_at``; None once revoked)."""
    d, u, w = schema.devices, schema.users, schema.workspaces
    stmt = (
        sa.select(
            d.c.id,
            d.c.name,
            u.c.username,
            w.c.name.label("workspace"),
            d.c.created_at,
            d.c.last_seen_at,
            d.c.revoked_at,
            d.c.last_pull_seq,
            d.c.last_mutation_seq,
            d.c.signed_in_from,
            d.c.wipe_ordered_at,
            d.c.wiped_at,
        )
        .join(u, u.c.id == d.c.user_id)
        .join(w, w.c.id == d.c.workspace_id)
        .order_by(w.c.name, u.c.username, d.c.created_at)
    )
    if workspace is not None:
        stmt = stmt.where(w.c.name == workspace)
    tokens = tokens or Tokens()
    with engine.connect() as conn:
        found = [dict(r._mapping) for r in conn.execute(stmt)]
    for device in found:
        ends = expiry(device["created_at"], device["last_seen_at"], tokens)
        device["expires_at"] = None if device["revoked_at"] else ends.strftime("%Y-%m-%dT%H:%M:%SZ")
    return found


def _active_device(conn: sa.Connection, device_id: str) -> sa.Row[Any, Any]:
    """The device's workspace and name, for a device not yet revoked; an `AccountError`
    naming it otherwise (revoking or wiping it again is a mistake to say, not to repeat)."""
    d = schema.devices
    device = conn.execute(
        sa.select(d.c.workspace_id, d.c.name).where(d.c.id == device_id, d.c.revoked_at.is_(None))
    ).first()
    if device is None:
        raise AccountError(f"no active device with id {device_id!r}")
    return device


def revoke_device(engine: sa.Engine, device_id: str, actor: str = CLI_ACTOR) -> None:
    d = schema.devices
    with writing(engine).begin() as conn:
        device = _active_device(conn, device_id)
        conn.execute(sa.update(d).where(d.c.id == device_id).values(revoked_at=now()))
        audit.append(
            conn,
            device.workspace_id,
            actor=actor,
            action="device.revoked",
            subject=device_id,
            details={"device": device.name},
        )


def order_wipe(
    engine: sa.Engine, device_id: str, *, allow_export: bool = False, actor: str = CLI_ACTOR
) -> None:
    """Order a device wiped (a stolen or lost laptop): at its next contact every request is
    answered ``403 device_wipe``, and the app deletes the workspace's replica, derived files,
    key and token, then reports it (`report_wiped`). With ``allow_export`` the app may first
    offer its user an encrypted export of the edits it had not sent. Audited."""
    d = schema.devices
    with writing(engine).begin() as conn:
        device = _active_device(conn, device_id)
        conn.execute(
            sa.update(d)
            .where(d.c.id == device_id)
            .values(wipe_ordered_at=now(), wipe_export_allowed=allow_export)
        )
        audit.append(
            conn,
            device.workspace_id,
            actor=actor,
            action="device.wipe_ordered",
            subject=device_id,
            details={"device": device.name, "export_allowed": allow_export},
        )


def report_wiped(engine: sa.Engine, caller: Caller, report: Mapping[str, Any]) -> None:
    """The device says it carried out the wipe: its token is revoked and the report audited
    (what it removed, how many edits were unsent, whether they were exported)."""
    d = schema.devices
    with writing(engine).begin() as conn:
        conn.execute(
            sa.update(d).where(d.c.id == caller.device_id).values(wiped_at=now(), revoked_at=now())
        )
        audit.append(
            conn,
            caller.workspace_id,
            actor=caller.username,
            action="device.wiped",
            subject=caller.device_id,
            details=dict(report),
        )
