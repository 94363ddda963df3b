"""Workspaces, users, devices and their tokens (architecture D6).

Library functions that the admin CLI and the HTTP handlers both call. Errors are
`AccountError` with a message fit to show an admin as it is.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.protocol import ROLES, Login
from sync.server import audit, schema, throttle
from sync.server.config import ServerConfig, Tokens
from sync.server.db import writing
from sync.server.passwords import hash_password, new_token, token_hash, verify_password
from workbench.errors import WorkbenchError

log = logging.getLogger("sync.server")


class AccountError(WorkbenchError, ValueError):
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
    #: the token is due to be replaced by a new one (`rotate_token`)
    rotate: bool = False
    #: the token is the device's new one, used for the first time: the one it replaced stops
    settle: bool = False
    #: the token is one already replaced, whose successor the device has not used yet
    previous_token: bool = False
    #: an admin ordered this device wiped: every request but the wipe report is refused
    wipe_ordered: bool = False
    #: …and its user may first export the unsent edits, encrypted
    wipe_export_allowed: bool = False

    @property
    def token_work(self) -> bool:
        return self.rotate or self.settle


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
            sa.select(u, w.c.name.label("workspace_name"), w.c.passphrase_allowed)
            .join(w, w.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()
        usual = (
            user is not None
            and conn.execute(
                sa.select(d.c.id)
                .where(d.c.user_id == user.id, d.c.signed_in_from == address)
                .limit(1)
            ).first()
            is not None
        )
        keys = throttle.signin_keys(username, address, usual)
        wait = throttle.signin_wait(conn, keys, limits, moment)
    if wait > 0:
        if user is not None:
            with writing(engine).begin() as conn:
                if throttle.count(conn, f"refused:{keys.account}", moment) == 1:
                    audit.append(
                        conn,
                        user.workspace_id,
                        actor=f"sign-in from {address}",
                        action="signin.throttled",
                        subject=username,
                        details={
                            "address": address,
                            "retry_after_s": round(wait),
                            "note": "first refusal this minute",
                        },
                    )
        log.warning(
            "sign-in for %r from %s refused for %d s: too many failures",
            username,
            address,
            round(wait),
        )
        raise SignInThrottled(wait)
    # The same message for an unknown user and a wrong password: no user enumeration.
    right = verify_password(password, user.password_hash if user else _stand_in_hash())
    if user is None or not right:
        with writing(engine).begin() as conn:
            throttle.record_signin_failure(conn, keys, limits, moment)
            if user is not None:
                audit.append(
                    conn,
                    user.workspace_id,
                    actor=f"sign-in from {address}",
                    action="signin.failed",
                    subject=username,
                    details={"address": address, "device": device_name[:200]},
                )
        raise AccountError("unknown username or wrong password")
    if user.disabled:
        raise AccountError("this user is disabled; ask your administrator")
    return _register_device(engine, user, device_name, address, username)


def _register_device(
    engine: sa.Engine,
    user: Any,
    device_name: str,
    address: str,
    actor: str,
    details: dict[str, Any] | None = None,
) -> Login:
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
                token_issued_at=now(),
                last_mutation_seq=0,
                last_pull_seq=0,
                signed_in_from=address,
            )
        )
        told = {"device": device_name[:200], "address": address, **(details or {})}
        audit.append(
            conn,
            user.workspace_id,
            actor=actor,
            action="device.registered",
            subject=device_id,
            details=told,
        )
    return Login(
        token,
        device_id,
        user.workspace_id,
        user.workspace_name,
        user.username,
        user.role,
        bool(user.passphrase_allowed),
    )


def issue_token(
    engine: sa.Engine, username: str, device_name: str, actor: str = CLI_ACTOR
) -> Login:
    """Register a device for ``username`` without their password (an admin's act, for a
    headless job); its token is returned once, never stored."""
    u, w = schema.users, schema.workspaces
    with engine.connect() as conn:
        user = conn.execute(
            sa.select(u, w.c.name.label("workspace_name"), w.c.passphrase_allowed)
            .join(w, w.c.id == u.c.workspace_id)
            .where(u.c.username == username)
        ).first()
    if user is None:
        raise AccountError(f"there is no user named {username!r}")
    if user.disabled:
        raise AccountError(f"{username!r} is disabled")
    return _register_device(engine, user, device_name, "headless", actor, {"issued_by": actor})


def _caller_statement(by: str) -> sa.Select[*tuple[Any, ...]]:
    d, u = schema.devices, schema.users
    return (
        sa.select(
            d.c.id,
            d.c.workspace_id,
            d.c.user_id,
            u.c.username,
            u.c.role,
            d.c.last_seen_at,
            d.c.created_at,
            d.c.token_issued_at,
            d.c.prev_token_hash.is_not(None).label("has_prev"),
            d.c.wipe_ordered_at,
            d.c.wipe_export_allowed,
        )
        .join(u, u.c.id == d.c.user_id)
        .where(
            d.c[by] == sa.bindparam("token_hash"),
            d.c.revoked_at.is_(None),
            u.c.disabled.is_(False),
        )
    )


#: built once: every request runs it, and building it cost as much as running it
_CALLER = _caller_statement("token_hash")
#: a token replaced by a new one that its device has not used yet (the answer carrying the new
#: one may have been lost): it still signs in, and is replaced again
_CALLER_BY_PREVIOUS = _caller_statement("prev_token_hash")


class TokenExpired(AccountError):
    """The device's sign-in is too old, or was unused for too long: sign in again."""


def _when(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def expiry(created_at: str, last_used_at: str | None, tokens: Tokens) -> datetime:
    """When a device's sign-in stops working unless it is used before: ``idle_days`` after
    its last use, and ``max_age_days`` after the sign-in at the latest."""
    created = _when(created_at)
    assert created is not None
    idle_end = (_when(last_used_at) or created) + timedelta(days=tokens.idle_days)
    return min(idle_end, created + timedelta(days=tokens.max_age_days))


def authenticate(conn: sa.Connection, token: str, tokens: Tokens | None = None) -> Caller | None:
    """The caller a bearer token belongs to, or None if it is unknown, revoked or disabled.

    Raises `TokenExpired` for a sign-in past its idle time or its maximum age. The caller says
    whether the token is due to be replaced (`rotate_token`): older than ``rotate_after_s``,
    or a replaced token whose successor never arrived.
    """
    tokens = tokens or Tokens()
    hashed = token_hash(token)
    row = conn.execute(_CALLER, {"token_hash": hashed}).first()
    previous = row is None
    if previous:
        row = conn.execute(_CALLER_BY_PREVIOUS, {"token_hash": hashed}).first()
        if row is None:
            return None
    assert row is not None
    moment = datetime.now(UTC)
    if moment >= expiry(row.created_at, row.last_seen_at, tokens):
        raise TokenExpired(
            "this device's sign-in has expired (unused for "
            f"{tokens.idle_days:g} days, or older than {tokens.max_age_days:g}): sign in again"
        )
    seen = _when(row.last_seen_at)
    stale = seen is None or moment - seen > timedelta(seconds=SEEN_EVERY_S)
    issued = _when(row.token_issued_at) or _when(row.created_at)
    assert issued is not None
    due = previous or moment - issued > timedelta(seconds=tokens.rotate_after_s)
    return Caller(
        row.workspace_id,
        row.user_id,
        row.username,
        row.role,
        row.id,
        stale,
        rotate=due,
        settle=bool(row.has_prev) and not previous,
        previous_token=previous,
        wipe_ordered=row.wipe_ordered_at is not None,
        wipe_export_allowed=bool(row.wipe_export_allowed),
    )


def rotate_token(engine: sa.Engine, caller: Caller, token: str) -> str | None:
    """Replace the device's token with a new one (returned) when it is due, or forget the
    one it replaced once the new one is used (None). The replaced token keeps working only
    until its successor is first used, so an answer lost on the way does not lock the device
    out, and a token copied before stops at the device's next sync."""
    d = schema.devices
    hashed = token_hash(token)
    with writing(engine).begin() as conn:
        if caller.rotate:
            fresh = new_token()
            if caller.previous_token:  # the successor never arrived: send another
                match, values = d.c.prev_token_hash == hashed, {}
            else:
                match, values = d.c.token_hash == hashed, {"prev_token_hash": hashed}
            done = conn.execute(
                sa.update(d)
                .where(d.c.id == caller.device_id, match)
                .values(token_hash=token_hash(fresh), token_issued_at=now(), **values)
            ).rowcount
            return fresh if done else None  # another request replaced it first
        if caller.settle:
            conn.execute(
                sa.update(d)
                .where(d.c.id == caller.device_id, d.c.token_hash == hashed)
                .values(prev_token_hash=None)
            )
    return None


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


def revoke_device(engine: sa.Engine, device_id: str, actor: str = CLI_ACTOR) -> None:
    d = schema.devices
    with writing(engine).begin() as conn:
        device = conn.execute(
            sa.select(d.c.workspace_id, d.c.name).where(
                d.c.id == device_id, d.c.revoked_at.is_(None)
            )
        ).first()
        if device is None:
            raise AccountError(f"no active device with id {device_id!r}")
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
        device = conn.execute(
            sa.select(d.c.workspace_id, d.c.name).where(
                d.c.id == device_id, d.c.revoked_at.is_(None)
            )
        ).first()
        if device is None:
            raise AccountError(f"no active device with id {device_id!r}")
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
