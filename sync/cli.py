"""``workbench-sync``: the central sync server's admin command line.

Each command is a thin wrapper over a library function, so nothing the CLI does is out of
reach of Python and the tests. The server commands (init, serve, user, device, import, status,
audit, backup) arrive with the sync server; until then the group reports its version.
"""

from __future__ import annotations

import click

from workbench import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench-sync")
def cli() -> None:
    """Mill Workbench sync server and administration."""


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
