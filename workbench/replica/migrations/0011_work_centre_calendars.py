"""Work-centre calendars: holidays, half days and extra shifts per centre or for every centre,
authored on the server like capacity (a new table, created by the same convergence every
declared change uses)."""

import sqlite3

from workbench.replica.converge import converge


def upgrade(conn: sqlite3.Connection) -> None:
    converge(conn)
