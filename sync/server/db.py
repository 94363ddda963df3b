"""Opening the server database: SQLite (the default, WAL) or PostgreSQL by URL."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlalchemy as sa


def database_url(db: str) -> str:
    """Accept a SQLAlchemy URL, a ``postgresql://`` URL, or a plain file path for SQLite."""
    if db.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    if "://" in db:
        return db
    return f"sqlite:///{Path(db).expanduser().resolve()}"


def make_engine(db: str) -> sa.Engine:
    url = database_url(db)
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            # The driver's own transaction handling is switched off so that our BEGIN is
            # the real one: a writing transaction (see `writing`) starts with BEGIN IMMEDIATE
            # and queues for the lock at its start instead of failing with "database is
            # locked" at its first write, while readers start plain BEGINs and run in parallel.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA foreign_keys = ON")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(conn: sa.Connection) -> None:
            immediate = conn.get_execution_options().get("write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def create_schema(engine: sa.Engine) -> list[str]:
    """Create the schema, or bring an older one up to date (`sync.server.upgrade`)."""
    from sync.server.upgrade import upgrade_schema

    done = upgrade_schema(engine)
    if "created table published_codes" in done and "created table workspaces" not in done:
        from sync.server.trace import publish_printed_jobs

        # labels printed before publication was kept: their pages keep answering
        published = publish_printed_jobs(engine)
        done.append(f"published the {published} code(s) of labels printed before")
    return done


def read_connections(workers: int = 1) -> int:
    """Connections each server process keeps for the hot reads on PostgreSQL: about two per
    core across the processes, and at least two.

    More would only queue inside PostgreSQL and the interpreter. With 50 pulls in flight on
    two cores and two processes, 2 each answered at p95 176–200 ms and 700–900 pulls/s; the
    pool's default (5, plus 10 more under load) gave 350 ms and 350–450 pulls/s.
    """
    return max(2, 2 * (os.cpu_count() or 2) // max(workers, 1))


def reading(engine: sa.Engine, connections: int | None = None) -> sa.Engine:
    """The engine for the hot reads, which need no snapshot across their statements: signing
    a request in, change pages, the long-poll's check, health.

    On PostgreSQL it is a pool of its own, of ``connections`` (`read_connections` by
    default) and no more, so a burst of pulls queues for a connection instead of
    crowding the database's cores, while snapshot builds, imports and pushes keep theirs
    on ``engine``. Its statements run without a transaction: each sees what was committed
    when it started, as inside READ COMMITTED, and the BEGIN and ROLLBACK round trips are
    saved. On SQLite, where none of that costs anything, it is ``engine`` itself.
    """
    if engine.dialect.name != "postgresql":
        return engine
    return sa.create_engine(
        engine.url,
        pool_pre_ping=True,
        pool_size=connections or read_connections(),
        max_overflow=0,
        isolation_level="AUTOCOMMIT",
    )


def writing(engine: sa.Engine) -> sa.Engine:
    """The engine for transactions that write: on SQLite they begin IMMEDIATE."""
    return engine.execution_options(write=True)
