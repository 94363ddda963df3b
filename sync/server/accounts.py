"""Workspaces, users, devices and their tokens (DESIGN D6).

Library functions that the admin CLI and the HTTP handlers both call. Errors are
`AccountError` with a message fit to show an admin as it is.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.protocol import ROLES, Login
from sync.server import audit, schema, throttle
from sync.server.config import ServerConfig
from sync.server.db import writing
from sync.server.passwords import hash_password, new_token, token_hash, verify_password

log = logging.getLogger("sync.server")


class AccountError(ValueError):
    """A request about users, devices or workspaces that cannot be carried out."""


#: how often a device's "last seen" and pull position are written (not on every request)
SEEN_EVERY_S = 30


@dataclass(frozen=True)
class Caller:
    """Who is asking: resolved from a device token on every request."""

    workspace_id: str
    user_id: str
    username: str
    role: str
    device_id: str
    #: the device was last recorded as seen more than SEEN_EVERY_S ago (or never)
    seen_long_ago: bool = True


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")


#: who is named in the audit trail for what an admin does on the server's command line
CLI_ACTOR = "admin (command line)"


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
    audit.append(conn, workspace_id, actor=CLI_ACTOR, action="workspace.created",
                 subject=name)  # fmt: skip
    return workspace_id


def workspace_id(engine: sa.Engine, name: str) -> str:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(schema.workspaces.c.id).where(schema.workspaces.c.name == name)
        ).scalar()
    if found is None:
        raise AccountError(f"there is no workspace named {name!r}")
    return str(found)


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
    audit.append(conn, ws_id, actor=actor, action="user.added", subject=username,
                 details={"role": role})  # fmt: skip
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


def _user_update(engine: sa.Engine, username: str, action: str, actor: str, **values: Any) -> None:
    u = schema.users
    with writing(engine).begin() as conn:
        user = conn.execute(sa.select(u.c.id, u.c.workspace_id).where(u.c.username == username))
        found = user.first()
        if found is None:
            raise AccountError(f"there is no user named {username!r}")
        conn.execute(sa.update(u).where(u.c.id == found.id).values(**values))
        details = {k: v for k, v in values.items() if k != "password_hash"}
        if action == "user.disabled":
            revoked = conn.execute(
                sa.update(schema.devices)
                .where(schema.devices.c.user_id == found.id, schema.devices.c.revoked_at.is_(None))
                .values(revoked_at=now())
            ).rowcount
            details["devices_revoked"] = revoked
        audit.append(conn, found.workspace_id, actor=actor, action=action, subject=username,
                     details=details)  # fmt: skip


def disable_user(engine: sa.Engine, username: str, actor: str = CLI_ACTOR) -> None:
    """Disable a user and revoke every device they signed in on."""
    _user_update(engine, username, "user.disabled", actor, disabled=True)


def set_role(engine: sa.Engine, username: str, role: str, actor: str = CLI_ACTOR) -> None:
    _check_role(role)
    _user_update(engine, username, "user.role_changed", actor, role=role)


#: checked against when the username is unknown, so that an unknown name takes as long to
#: refuse as a wrong password (no telling which names exist by the time an answer takes)
_UNKNOWN_USER_HASH: list[str] = []


def _stand_in_hash() -> str:
    if not _UNKNOWN_USER_HASH:
        _UNKNOWN_USER_HASH.append(hash_password(new_token()))
    return _UNKNOWN_USER_HASH[0]


class SignInThrottled(AccountError):
    """Too many failed sign-ins for this account or from this address: try again later."""

    def __init__(self, retry_after_s: float) -> None:
        wait = throttle.Throttled("", retry_after_s).retry_after_s
        minutes = max(1, round(wait / 60))
        super().__init__(
            "too many failed sign-ins: wait about "
            f"{minutes} minute{'s' if minutes != 1 else ''} and try again"
        )
        self.retry_after_s = wait


def login(
    engine: sa.Engine,
    username: str,
    password: str,
    device_name: str,
    *,
    address: str = "unknown",
    config: ServerConfig | None = None,
) -> Login:
    """Check a password and register a device; the token is returned once, never stored.

    Throttled (`throttle`): past the limits, `SignInThrottled` is raised before the password
    is hashed. Each failure for an existing user, and the first refusal a minute for one, is
    written to the user's workspace's audit trail with the client ``address``.
    """
    limits = (config or ServerConfig()).limits
    u, w, d = schema.users, schema.workspaces, schema.devices
    moment = throttle.now_s()
    with engine.connect() as conn:
        user = conn.execute(
            sa.select(u, w.c.name.label("workspace_name"))
            .join(w, w.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()
        usual = user is not None and conn.execute(
            sa.select(d.c.id).where(d.c.user_id == user.id, d.c.signed_in_from == address)
            .limit(1)
        ).first() is not None  # fmt: skip
        keys = throttle.signin_keys(username, address, usual)
        wait = throttle.signin_wait(conn, keys, limits, moment)
    if wait > 0:
        if user is not None:
            with writing(engine).begin() as conn:
                if throttle.count(conn, f"refused:{keys.account}", moment) == 1:
                    audit.append(conn, user.workspace_id, actor=f"sign-in from {address}",
                                 action="signin.throttled", subject=username,
                                 details={"address": address, "retry_after_s": round(wait),
                                          "note": "first refusal this minute"})  # fmt: skip
        log.warning("sign-in for %r from %s refused for %d s: too many failures",
                    username, address, round(wait))  # fmt: skip
        raise SignInThrottled(wait)
    # The same message for an unknown user and a wrong password: no user enumeration.
    right = verify_password(password, user.password_hash if user else _stand_in_hash())
    if user is None or not right:
        with writing(engine).begin() as conn:
            throttle.record_signin_failure(conn, keys, limits, moment)
            if user is not None:
                audit.append(conn, user.workspace_id, actor=f"sign-in from {address}",
                             action="signin.failed", subject=username,
                             details={"address": address,
                                      "device": device_name[:200]})  # fmt: skip
        raise AccountError("unknown username or wrong password")
    if user.disabled:
        raise AccountError("this user is disabled; ask your administrator")
    token = new_token()
    device_id = str(uuid.uuid4())
    with writing(engine).begin() as conn:
        conn.execute(
            schema.devices.insert().values(
                id=device_id,
                workspace_id=user.workspace_id,
                user_id=user.id,
                name=device_name[:200] or "unnamed device",
                token_hash=token_hash(token),
                created_at=now(),
                last_mutation_seq=0,
                last_pull_seq=0,
                signed_in_from=address,
            )
        )
        audit.append(conn, user.workspace_id, actor=username, action="device.registered",
                     subject=device_id, details={"device": device_name[:200],
                                                 "address": address})  # fmt: skip
    return Login(token, device_id, user.workspace_id, user.workspace_name, user.username, user.role)


def _caller_statement() -> sa.Select:
    d, u = schema.devices, schema.users
    return (
        sa.select(d.c.id, d.c.workspace_id, d.c.user_id, u.c.username, u.c.role, d.c.last_seen_at)
        .join(u, u.c.id == d.c.user_id)
        .where(
            d.c.token_hash == sa.bindparam("token_hash"),
            d.c.revoked_at.is_(None),
            u.c.disabled.is_(False),
        )
    )


#: built once: every request runs it, and building it cost as much as running it
_CALLER = _caller_statement()


def authenticate(conn: sa.Connection, token: str) -> Caller | None:
    """The caller a bearer token belongs to, or None if it is unknown, revoked or disabled."""
    row = conn.execute(_CALLER, {"token_hash": token_hash(token)}).first()
    if row is None:
        return None
    stale = row.last_seen_at is None or datetime.now(UTC) - datetime.fromisoformat(
        row.last_seen_at.replace("Z", "+00:00")
    ) > timedelta(seconds=SEEN_EVERY_S)
    return Caller(row.workspace_id, row.user_id, row.username, row.role, row.id, stale)


def list_devices(engine: sa.Engine, workspace: str | None = None) -> list[dict[str, Any]]:
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
        )
        .join(u, u.c.id == d.c.user_id)
        .join(w, w.c.id == d.c.workspace_id)
        .order_by(w.c.name, u.c.username, d.c.created_at)
    )
    if workspace is not None:
        stmt = stmt.where(w.c.name == workspace)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(stmt)]


def revoke_device(engine: sa.Engine, device_id: str, actor: str = CLI_ACTOR) -> None:
    d = schema.devices
    with writing(engine).begin() as conn:
        device = conn.execute(
            sa.select(d.c.workspace_id, d.c.name).where(d.c.id == device_id,
                                                       d.c.revoked_at.is_(None))
        ).first()  # fmt: skip
        if device is None:
            raise AccountError(f"no active device with id {device_id!r}")
        conn.execute(sa.update(d).where(d.c.id == device_id).values(revoked_at=now()))
        audit.append(conn, device.workspace_id, actor=actor, action="device.revoked",
                     subject=device_id, details={"device": device.name})  # fmt: skip
