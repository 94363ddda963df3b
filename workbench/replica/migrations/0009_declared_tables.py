"""Every replicated table in its declared shape: a CHECK on every field (allowed values,
ranges, dates, decimal text, JSON), and a quarantine for rows an older replica holds that the
declaration refuses, so no row is lost by the rebuild."""

import sqlite3

from workbench.replica.converge import converge


def upgrade(conn: sqlite3.Connection) -> None:
    converge(conn)
