"""What an admin asks of a running server: its health at a glance, and a consistent backup."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from workbench.errors import WorkbenchError


class BackupError(WorkbenchError, RuntimeError):
    """The backup could not be made; the message says why and what to do."""


def server_status(engine: sa.Engine) -> dict[str, Any]:
    """Per workspace: its change sequence, devices and how far behind each one is."""
    w, d, u = schema.workspaces, schema.devices, schema.users
    with engine.connect() as conn:
        workspaces = []
        for ws in conn.execute(sa.select(w).order_by(w.c.name)):
            devices = [
                {
                    "device": r.name,
                    "user": r.username,
                    "last_seen": r.last_seen_at,
                    "behind": max(0, int(ws.last_seq) - int(r.last_pull_seq)),
                    "mutations_applied": int(r.last_mutation_seq),
                }
                for r in conn.execute(
                    sa.select(
                        d.c.name,
                        u.c.username,
                        d.c.last_seen_at,
                        d.c.last_pull_seq,
                        d.c.last_mutation_seq,
                    )
                    .join(u, u.c.id == d.c.user_id)
                    .where(d.c.workspace_id == ws.id, d.c.revoked_at.is_(None))
                    .order_by(d.c.last_seen_at.desc())
                )
            ]
            users = conn.execute(
                sa.select(sa.func.count()).where(u.c.workspace_id == ws.id)
            ).scalar_one()
            workspaces.append(
                {
                    "workspace": ws.name,
                    "seq": int(ws.last_seq),
                    "users": int(users),
                    "devices": devices,
                }
            )
        if conn.dialect.name == "postgresql":
            size = conn.execute(sa.text("SELECT pg_database_size(current_database())")).scalar()
        else:
            page = conn.exec_driver_sql("PRAGMA page_count").scalar() or 0
            size = page * (conn.exec_driver_sql("PRAGMA page_size").scalar() or 0)
    return {"database": engine.dialect.name, "db_bytes": int(size or 0), "workspaces": workspaces}


def backup(engine: sa.Engine, destination: Path) -> Path:
    """A consistent copy of the database while the server keeps serving.

    SQLite: the online backup API copies a snapshot page by page without stopping writers.
    PostgreSQL: ``pg_dump`` in custom format (restore with ``pg_restore``).
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        source_path = engine.url.database
        if not source_path:
            raise BackupError("an in-memory database cannot be backed up")
        partial = destination.with_name(destination.name + ".partial")
        source = sqlite3.connect(source_path)
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
            source.close()
        partial.replace(destination)
        return destination
    if engine.dialect.name == "postgresql":
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError("pg_dump is not installed: install the PostgreSQL client tools")
        url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        done = subprocess.run(
            [pg_dump, "--format=custom", "--file", str(destination), url],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()[:500]}")
        return destination
    raise BackupError(f"backups of {engine.dialect.name} databases are not supported")


def restore(db: str, backup_file: Path) -> None:
    """Put a backup back in place of the database ``db`` (the server must be stopped).

    SQLite: the backup file is copied over the database (and its WAL files removed, which
    belong to the replaced file). PostgreSQL: ``pg_restore --clean --if-exists``.
    """
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"there is no backup file {backup_file}")
    if "://" not in db or db.startswith("sqlite"):
        target = Path(db.removeprefix("sqlite:///")).expanduser()
        check = sqlite3.connect(backup_file)
        try:
            ok = check.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{backup_file} is not a SQLite database ({exc})") from None
        finally:
            check.close()
        if ok != "ok":
            raise BackupError(f"{backup_file} fails its integrity check: {ok}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(backup_file, partial)
        for suffix in ("-wal", "-shm"):
            target.with_name(target.name + suffix).unlink(missing_ok=True)
        partial.replace(target)
        return
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed: install the PostgreSQL client tools")
    url = sa.make_url(db).set(drivername="postgresql").render_as_string(hide_password=False)
    done = subprocess.run(
        [pg_restore, "--clean", "--if-exists", "--no-owner", "--dbname", url, str(backup_file)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()[:500]}")


def copy_database(source: sa.Engine, target: sa.Engine, batch: int = 5000) -> dict[str, int]:
    """Copy every table from one server database to an empty other (SQLite to PostgreSQL),
    parents before children, in batches; returns the rows copied per table."""
    from sync.server.db import create_schema

    create_schema(target)
    with target.connect() as conn:
        taken = conn.execute(sa.select(sa.func.count()).select_from(schema.workspaces)).scalar()
    if taken:
        raise BackupError("the target database already holds workspaces: copy into an empty one")
    copied: dict[str, int] = {}
    with source.connect() as read, target.begin() as write:
        for table in schema.metadata.sorted_tables:
            count = 0
            rows = read.execution_options(yield_per=batch).execute(sa.select(table))
            for part in rows.partitions(batch):
                write.execute(table.insert(), [dict(r._mapping) for r in part])
                count += len(part)
            copied[table.name] = count
    return copied
