"""Cost sheets carry their season, their status (draft, submitted, approved), their revision
and the family of versions they belong to, so the sheet browser can find and filter them and
every laptop sees the same status: four defaulted columns and an index, added by the same
convergence every declared change uses."""

import sqlite3

from workbench.replica.converge import converge


def upgrade(conn: sqlite3.Connection) -> None:
    converge(conn)
