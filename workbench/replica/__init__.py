"""The laptop's local SQLite replica (DESIGN D2).

`open_replica` creates or migrates a workspace database and returns a `Replica`, which hands
out one connection per thread (SQLite connections must not be shared across threads; WAL lets
the UI read while a worker writes).
"""

from workbench.replica.migrate import LATEST_VERSION, MigrationError, migrate, schema_version
from workbench.replica.store import REPLICATED_TABLES, Replica, open_replica

__all__ = [
    "LATEST_VERSION",
    "REPLICATED_TABLES",
    "MigrationError",
    "Replica",
    "migrate",
    "open_replica",
    "schema_version",
]
