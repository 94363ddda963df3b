"""Work-centre calendars: holidays, half days and extra shifts per centre or for every centre,
authored on the server like capacity (a new table); and cost sheets carrying their season,
status (draft, submitted, approved), revision and family of versions, so the sheet browser
can find them and every laptop sees the same status (four defaulted columns and an index).
One migration for both, as they ship together: an app one version behind stays inside the
server's version window. Both are made by the same convergence every declared change uses."""

import sqlite3

from workbench.replica.converge import converge


def upgrade(conn: sqlite3.Connection) -> None:
    converge(conn)
