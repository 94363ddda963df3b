"""Signing in: a user's password (checked in the same time whether or not the name exists,
and throttled per account and per address) exchanged for a device's token, and a token
issued by an admin for a headless device (architecture D6)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import sqlalchemy as sa

from sync.protocol import Login
from sync.server import audit, schema, throttle
from sync.server.config import ServerConfig
from sync.server.db import writing
from sync.server.identity import CLI_ACTOR, AccountError, now
from sync.server.passwords import hash_password, new_token, token_hash, verify_password

log = logging.getLogger("sync.server")


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
