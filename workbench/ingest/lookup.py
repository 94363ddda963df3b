"""Looking up business keys in a laptop's replica (a material's code -> its id).

The server resolves references through its workspace scope; the app's import preview and a
style's bill of materials resolve them here, against the replica the user already holds.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from workbench.ingest.keys import Resolver
from workbench.replica import REPLICATED_TABLES

#: business-key columns a reference may name a row by
KEY_COLUMNS = {"code", "rate_code", "order_no"}


def replica_resolver(conn: sqlite3.Connection) -> Resolver:
    def resolve(table: str, by: str, values: Collection[str]) -> dict[str, str]:
        if table not in REPLICATED_TABLES or by not in KEY_COLUMNS:
            raise ValueError(f"cannot look up {table}.{by}")
        wanted = sorted(values)
        found: dict[str, str] = {}
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for key, row_id in conn.execute(
                f"SELECT {by}, id FROM {table} WHERE deleted = 0 AND {by} IN ({marks})", chunk
            ):
                found[str(key)] = row_id
        return found

    return resolve
