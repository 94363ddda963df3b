"""Device tokens on each request: the `Caller` a token stands for, when a sign-in expires,
and a token's replacement by a new one (architecture D6)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.config import Tokens
from sync.server.db import writing
from sync.server.identity import SEEN_EVERY_S, AccountError, Caller, now
from sync.server.passwords import new_token, token_hash


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
