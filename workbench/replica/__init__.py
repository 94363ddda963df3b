"""The laptop's local SQLite replica (architecture D2).

`open_replica` creates or migrates a workspace database and returns a `Replica`, which hands
out one connection per thread (SQLite connections must not be shared across threads; WAL lets
the UI read while a worker writes).
"""

from workbench.replica.declaration import (
    APPEND_ONLY_TABLES,
    DOCUMENT_TABLES,
    REFERENCE_TABLES,
    REPLICATED_TABLES,
)
from workbench.replica.migrate import LATEST_VERSION, MigrationError, migrate, schema_version
from workbench.replica.store import Replica, open_replica

__all__ = [
    "APPEND_ONLY_TABLES",
    "DOCUMENT_TABLES",
    "LATEST_VERSION",
    "REFERENCE_TABLES",
    "REPLICATED_TABLES",
    "MigrationError",
    "Replica",
    "migrate",
    "open_replica",
    "schema_version",
]
