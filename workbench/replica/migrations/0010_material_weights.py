"""Materials carry their gross and net weight in kg (SAP's BRGEW and NTGEW, converted from the
unit in GEWEI), for freight and for costing by the piece: two nullable columns, added by the
same convergence every declared change uses."""

import sqlite3

from workbench.replica.converge import converge


def upgrade(conn: sqlite3.Connection) -> None:
    converge(conn)
