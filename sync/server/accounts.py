"""Workspaces and their users (architecture D6): creating them, a workspace's passphrase
policy, adding, listing and disabling users, their roles and passwords.

Library functions that the admin CLI and the HTTP handlers both call. Errors are
`AccountError` with a message fit to show an admin as it is. Who is acting is
`sync.server.identity`; signing in, `sync.server.sign_in`; a token on each request,
`sync.server.tokens`; the devices signed in, `sync.server.devices`. Their names are
reachable here too (`accounts.login`, `accounts.list_devices`, …), as callers have them.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from sync.protocol import ROLES
from sync.server import audit, schema
from sync.server.config import ServerConfig
from sync.server.db import writing
from sync.server.devices import list_devices, order_wipe, report_wiped, revoke_device
from sync.server.identity import CLI_ACTOR, SEEN_EVERY_S, AccountError, Caller, now
from sync.server.passwords import hash_password
from sync.server.sign_in import SignInThrottled, issue_token, login
from sync.server.tokens import TokenExpired, authenticate, expiry, rotate_token

#: the names of identity, sign_in, tokens and devices that callers reach through accounts
__all__ = [
    "CLI_ACTOR",
    "SEEN_EVERY_S",
    "AccountError",
    "Caller",
    "SignInThrottled",
    "TokenExpired",
    "authenticate",
    "expiry",
    "issue_token",
    "list_devices",
    "login",
    "now",
    "order_wipe",
    "report_wiped",
    "revoke_device",
    "rotate_token",
]


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")


def create_workspace(engine: sa.Engine, name: str) -> str:
    with writing(engine).begin() as conn:
        return insert_workspace(conn, name)


def insert_workspace(conn: sa.Connection, name: str, workspace_id: str | None = None) -> str:
    """Add a workspace in the caller's transaction (to fill it in the same one); its id
    (``workspace_id`` when given: data made for it beforehand may carry it)."""
    exists = conn.execute(
        sa.select(schema.workspaces.c.id).where(schema.workspaces.c.name == name)
    ).first()
    if exists:
        raise AccountError(f"a workspace named {name!r} already exists")
    workspace_id = workspace_id or str(uuid.uuid4())
    conn.execute(
        schema.workspaces.insert().values(
            id=workspace_id, name=name, last_seq=0, min_seq=0, created_at=now()
        )
    )
    audit.append(conn, workspace_id, actor=CLI_ACTOR, action="workspace.created", subject=name)
    return workspace_id


def workspace_id(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(schema.workspaces.c.id).where(schema.workspaces.c.name == name)
        ).scalar()
    if found is None:
        raise AccountError(f"there is no workspace named {name!r}")
    return str(found)


def passphrase_allowed(conn: sa.Connection, workspace_id: str) -> bool:
    """The workspace's policy on laptops keeping their key with a passphrase (no keyring)."""
    w = schema.workspaces
    return bool(
        conn.execute(sa.select(w.c.passphrase_allowed).where(w.c.id == workspace_id)).scalar()
    )


def set_passphrase_policy(
    engine: sa.Engine, name: str, allowed: bool, actor: str = CLI_ACTOR
) -> None:
    """Allow or forbid the workspace's laptops to derive their replica's key from a passphrase
    where the OS has no keyring. Each laptop is told as it signs in (the sign-in answer and
    ``/v1/me``) and honours it (`workbench.replica.keys`). Audited."""
    w = schema.workspaces
    with writing(engine).begin() as conn:
        found = conn.execute(
            sa.update(w)
            .where(w.c.name == name)
            .values(passphrase_allowed=allowed)
            .returning(w.c.id)
        ).first()
        if found is None:
            raise AccountError(f"no workspace {name!r}")
        audit.append(
            conn,
            found.id,
            actor=actor,
            action="workspace.policy",
            subject=name,
            details={"passphrase_allowed": allowed},
        )


def workspace_name(conn: sa.Connection, workspace_id: str) -> str:
    w = schema.workspaces
    return str(conn.execute(sa.select(w.c.name).where(w.c.id == workspace_id)).scalar_one())


def add_user(
    engine: sa.Engine,
    workspace: str,
    username: str,
    password: str,
    role: str,
    *,
    password_cost: int | None = None,
    actor: str = CLI_ACTOR,
) -> str:
    """Add a user to the workspace named ``workspace``; returns the user's id."""
    hashed = user_password_hash(username, password, role, password_cost)
    ws_id = workspace_id(engine, workspace)
    with writing(engine).begin() as conn:
        return insert_user(conn, ws_id, username, hashed, role, actor=actor)


def user_password_hash(
    username: str, password: str, role: str, password_cost: int | None = None
) -> str:
    """Check a new user's name, password and role; the password's hash to store."""
    _check_role(role)
    if not username.strip():
        raise AccountError("the username must not be empty")
    if len(password) < 8:
        raise AccountError("the password must be at least 8 characters long")
    return hash_password(password, **({"n": password_cost} if password_cost else {}))


def insert_user(
    conn: sa.Connection,
    ws_id: str,
    username: str,
    hashed: str,
    role: str,
    *,
    actor: str = CLI_ACTOR,
) -> str:
    """Add a user (checked and hashed by `user_password_hash`) in the caller's transaction."""
    if conn.execute(
        sa.select(schema.users.c.id).where(schema.users.c.username == username)
    ).first():
        raise AccountError(f"the username {username!r} is taken")
    user_id = str(uuid.uuid4())
    conn.execute(
        schema.users.insert().values(
            id=user_id,
            workspace_id=ws_id,
            username=username,
            password_hash=hashed,
            role=role,
            disabled=False,
            created_at=now(),
        )
    )
    audit.append(
        conn, ws_id, actor=actor, action="user.added", subject=username, details={"role": role}
    )
    return user_id


def list_users(engine: sa.Engine, workspace: str | None = None) -> list[dict[str, Any]]:
    u, w = schema.users, schema.workspaces
    stmt = (
        sa.select(u.c.username, u.c.role, u.c.disabled, u.c.created_at, w.c.name.label("workspace"))
        .join(w, w.c.id == u.c.workspace_id)
        .order_by(w.c.name, u.c.username)
    )
    if workspace is not None:
        stmt = stmt.where(w.c.name == workspace)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def _user_update(
    engine: sa.Engine,
    username: str,
    action: str,
    actor: str,
    *,
    revoke: bool = False,
    keep_device: str | None = None,
    **values: Any,
) -> int:
    """Change a user's row and audit it; with ``revoke``, their devices' tokens are revoked
    (but ``keep_device``'s). Returns how many devices were revoked."""
    u = schema.users
    revoked = 0
    with writing(engine).begin() as conn:
        user = conn.execute(sa.select(u.c.id, u.c.workspace_id).where(u.c.username == username))
        found = user.first()
        if found is None:
            raise AccountError(f"there is no user named {username!r}")
        conn.execute(sa.update(u).where(u.c.id == found.id).values(**values))
        details = {k: v for k, v in values.items() if k != "password_hash"}
        if revoke:
            d = schema.devices
            revoked = conn.execute(
                sa.update(d)
                .where(
                    d.c.user_id == found.id, d.c.revoked_at.is_(None), d.c.id != (keep_device or "")
                )
                .values(revoked_at=now())
            ).rowcount
            details["devices_revoked"] = revoked
        audit.append(
            conn, found.workspace_id, actor=actor, action=action, subject=username, details=details
        )
    return revoked


def disable_user(engine: sa.Engine, username: str, actor: str = CLI_ACTOR) -> None:
    """Disable a user and revoke every device they signed in on."""
    _user_update(engine, username, "user.disabled", actor, revoke=True, disabled=True)


def set_role(
    engine: sa.Engine,
    username: str,
    role: str,
    actor: str = CLI_ACTOR,
    *,
    config: ServerConfig | None = None,
) -> int:
    """Change a user's role; their devices' tokens are revoked where the settings say so
    (`config.Tokens.revoke_on_role_change`: a laptop then signs in again before its replica
    syncs as the new role). Returns how many devices were revoked."""
    _check_role(role)
    revoke = (config or ServerConfig()).tokens.revoke_on_role_change
    return _user_update(engine, username, "user.role_changed", actor, revoke=revoke, role=role)


def set_password(
    engine: sa.Engine,
    username: str,
    password: str,
    actor: str = CLI_ACTOR,
    *,
    config: ServerConfig | None = None,
    keep_device: str | None = None,
    password_cost: int | None = None,
) -> int:
    """Give a user a new password; their devices' tokens (but ``keep_device``'s, the one the
    change was made from) are revoked unless the settings say not
    (`config.Tokens.revoke_on_password_change`). Returns how many devices were revoked."""
    u = schema.users
    with engine.connect() as conn:
        role = conn.execute(sa.select(u.c.role).where(u.c.username == username)).scalar()
    if role is None:
        raise AccountError(f"there is no user named {username!r}")
    hashed = user_password_hash(username, password, role, password_cost)
    revoke = (config or ServerConfig()).tokens.revoke_on_password_change
    return _user_update(
        engine,
        username,
        "user.password_changed",
        actor,
        revoke=revoke,
        keep_device=keep_device,
        password_hash=hashed,
    )
