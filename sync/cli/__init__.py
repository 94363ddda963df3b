"""``workbench-sync``: the central sync server's admin command line.

Each command is a thin wrapper over a library function (`sync.server.accounts`,
`sync.server.loading`, …), so nothing the CLI does is out of reach of Python and the tests.
Errors are printed as one plain sentence and a non-zero exit, never a traceback.

The command group and what its commands share are `sync.cli.context`; the commands live by
subject: `server` (init, serve), `users` (user, workspace), `devices`, `audit`, `trace`,
`database` (status, backup, restore, purge, upgrade, copy-db, doctor) and `loading` (import,
demo). Importing this package registers them all on `cli`.
"""

from __future__ import annotations

from sync.cli import audit, database, devices, loading, server, trace, users
from sync.cli.context import DECIMAL_MARKS, Context, cli, default_db, fail, read_password
from sync.cli.loading import progress_printer

__all__ = [
    "DECIMAL_MARKS",
    "Context",
    "audit",
    "cli",
    "database",
    "default_db",
    "devices",
    "fail",
    "loading",
    "main",
    "progress_printer",
    "read_password",
    "server",
    "trace",
    "users",
]


def main() -> None:
    cli()
