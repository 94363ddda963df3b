"""Numbered schema migrations for the replica.

Migrations are files named ``NNNN_description.sql`` beside this module, or
``NNNN_description.py`` with an ``upgrade(conn)`` function for a step SQL alone cannot say
(bringing the replicated tables to their declared shape, `workbench.replica.converge`). The
replica's schema version is SQLite's ``PRAGMA user_version``: it is the number of the last
migration applied. Each migration runs in its own transaction together with the version bump,
so a crash mid-migration leaves the database at the previous version, never half-migrated.
"""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import WorkbenchError

# what the .py migrations call, imported here so that every packager sees the module (the
# migration files themselves are data, found beside this one at run time)
from workbench.replica import cipher, converge  # noqa: F401

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.(sql|py)$")


class MigrationError(WorkbenchError, RuntimeError):
    """The database cannot be brought to this app's schema."""


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    path: Path

    def run(self, conn: sqlite3.Connection) -> None:
        """Apply this step and set the version, in one transaction."""
        if self.path.suffix == ".sql":
            # executescript() commits any open transaction first, so BEGIN is explicit and
            # the version bump sits inside the same transaction as the statements.
            conn.executescript(
                "BEGIN IMMEDIATE;\n"
                f"{self.path.read_text('utf-8')}\n"
                f"PRAGMA user_version = {self.number};\n"
                "COMMIT;"
            )
            return
        spec = importlib.util.spec_from_file_location(
            f"workbench.replica.migrations.m{self.number:04d}", self.path
        )
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        conn.execute("BEGIN IMMEDIATE")
        try:
            module.upgrade(conn)
            conn.execute(f"PRAGMA user_version = {self.number}")
        except BaseException:
            conn.rollback()
            raise
        conn.execute("COMMIT")


def load_migrations(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    """Find the migration files in number order, refusing gaps and duplicates."""
    found: list[Migration] = []
    for path in sorted([*directory.glob("*.sql"), *directory.glob("*.py")]):
        match = _NAME.match(path.name)
        if not match:
            raise MigrationError(f"{path.name}: migration files are named NNNN_name.sql or .py")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    found.sort(key=lambda m: m.number)
    for expected, migration in enumerate(found, start=1):
        if migration.number != expected:
            raise MigrationError(
                f"migration {migration.number:04d}_{migration.name} found where "
                f"{expected:04d} was expected: numbers must run 1, 2, 3 … without gaps"
            )
    return found


MIGRATIONS = load_migrations()
LATEST_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int | None = None) -> tuple[int, int]:
    """Apply pending migrations up to ``target`` (default: the latest).

    Returns ``(version_before, version_after)``. A database newer than this app is refused
    with a message saying so, rather than being opened and misread.
    """
    target = LATEST_VERSION if target is None else target
    current = schema_version(conn)
    if current > LATEST_VERSION:
        raise MigrationError(
            f"this replica has schema version {current}, newer than this app understands "
            f"({LATEST_VERSION}); please update Mill Workbench"
        )
    before = current
    for migration in MIGRATIONS[current:target]:
        try:
            migration.run(conn)
        except cipher.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise MigrationError(
                f"migration {migration.number:04d}_{migration.name} failed: {exc}; "
                f"the replica is left at schema version {current}"
            ) from exc
        current = migration.number
    return before, current
