"""Throttling: how many sign-ins may fail, and how many writes a device may send, before the
server answers 429 with ``Retry-After`` instead of doing the work.

Sign-ins: each failure is a row of ``signin_failures`` under two keys, its account and its
client address; while either key holds its limit's worth of failures within the window
(`config.Limits`), a sign-in is refused before its password is hashed, so guessing costs the
guesser time and the server nothing. A failure from an address the user signed in from before
counts under a key of its own (``account:NAME@ADDRESS``): a stranger's guesses lock the
account for strangers only, never out of its user's usual laptop.

Writes (push, quotes, imports): a counter per device, kind and minute in ``request_counts``,
raised in one statement.

The state lives in the database, so every server process and instance sees the same counts.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from sync.server import schema
from sync.server.config import Limits
from sync.server.db import writing
from workbench.errors import WorkbenchError

#: the clock the limits are counted by (seconds since the epoch; tests set it)
now_s = time.time


class Throttled(WorkbenchError):
    """Too many attempts: try again after ``retry_after_s`` seconds."""

    def __init__(self, message: str, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))


@dataclass(frozen=True)
class SigninKeys:
    account: str
    address: str


def signin_keys(username: str, address: str, usual_address: bool) -> SigninKeys:
    """The keys a sign-in for ``username`` from ``address`` is counted under."""
    account = f"account:{username}@{address}" if usual_address else f"account:{username}"
    return SigninKeys(account, f"address:{address}")


def _wait(conn: sa.Connection, key: str, limit: int, window_s: int, now: float) -> float:
    """Seconds until ``key`` holds fewer than ``limit`` failures in the window (0: now)."""
    f = schema.signin_failures
    recent = (
        conn.execute(
            sa.select(f.c.at)
            .where(f.c.key == key, f.c.at > now - window_s)
            .order_by(f.c.at.desc())
            .limit(limit)
        )
        .scalars()
        .all()
    )
    if len(recent) < limit:
        return 0.0
    return float(recent[-1]) + window_s - now


def signin_wait(conn: sa.Connection, keys: SigninKeys, limits: Limits, now: float) -> float:
    """Seconds before a sign-in under ``keys`` may be tried (0: it may be tried now)."""
    window = limits.signin_window_s
    return max(
        _wait(conn, keys.account, limits.signin_failures_per_account, window, now),
        _wait(conn, keys.address, limits.signin_failures_per_address, window, now),
    )


def record_signin_failure(
    conn: sa.Connection, keys: SigninKeys, limits: Limits, now: float
) -> None:
    """Count a failed sign-in under both keys (and forget their failures past the window)."""
    f = schema.signin_failures
    both = (keys.account, keys.address)
    conn.execute(sa.delete(f).where(f.c.key.in_(both), f.c.at <= now - limits.signin_window_s))
    conn.execute(f.insert(), [{"key": k, "at": now} for k in both])


def _counter_insert(conn: sa.Connection):  # type: ignore[no-untyped-def]
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(schema.request_counts)


def count(conn: sa.Connection, key: str, now: float) -> int:
    """Raise ``key``'s counter for the current minute; its count so far this minute."""
    c = schema.request_counts
    minute = int(now // 60)
    stmt = _counter_insert(conn).values(key=key, minute=minute, count=1)
    stmt = stmt.on_conflict_do_update(
        index_elements=[c.c.key],
        set_={
            "count": sa.case((c.c.minute == minute, c.c.count + 1), else_=1),
            "minute": minute,
        },
    ).returning(c.c.count)
    return int(conn.execute(stmt).scalar_one())


def check_rate(engine: sa.Engine, key: str, limit: int, what: str) -> None:
    """Count one request under ``key`` (committed at once); raise `Throttled` past ``limit``
    a minute."""
    moment = now_s()
    with writing(engine).begin() as conn:
        so_far = count(conn, key, moment)
    if so_far > limit:
        raise Throttled(
            f"too many {what} from this device ({limit} a minute at most); "
            "it is tried again shortly",
            60 - moment % 60,
        )
