"""The ``workbench-sync`` command group and what its commands share: the database and
settings each command works on (`Context`), and how a command fails (`fail`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from workbench import __version__
from workbench.errors import user_message
from workbench.ingest.values import Mark
from workbench.paths import data_dir

#: the ``--decimal-mark`` words and the marks they name
DECIMAL_MARKS: dict[str, Mark] = {"comma": ",", "point": "."}


def default_db() -> str:
    return str(data_dir() / "server" / "sync.sqlite")


class Context:
    def __init__(self, db: str, config_file: Path | None = None) -> None:
        self.db = db
        self.config_file = config_file
        self._engine: Any = None
        self._config: Any = None

    @property
    def config(self) -> Any:
        """The server's settings (`sync.server.config`), read once."""
        if self._config is None:
            from sync.server.config import ConfigError, load_config

            try:
                self._config = load_config(self.config_file)
            except ConfigError as exc:
                fail(exc)
        return self._config

    @property
    def engine(self) -> Any:
        if self._engine is None:
            from sync.server.db import create_schema, make_engine

            if "://" not in self.db:
                Path(self.db).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self._engine = make_engine(self.db)
            create_schema(self._engine)
            self.use_audit_key()
        return self._engine

    def use_audit_key(self) -> bytes | None:
        """The audit key (settings or environment), for the entries this command writes."""
        from sync.server import audit
        from sync.server.anchor import AnchorError, load_key

        try:
            key = load_key(self.config.audit)
        except AnchorError as exc:
            fail(exc)
        audit.use_key(key)
        return key


def fail(problem: str | BaseException) -> None:
    """Stop the command with ``problem`` said on standard error (an exception in the product's
    words, `workbench.errors.user_message`) and exit status 1."""
    raise click.ClickException(problem if isinstance(problem, str) else user_message(problem))


def read_password(password_stdin: bool, confirm: bool = True) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench-sync")
@click.option(
    "--db",
    envvar="WORKBENCH_SYNC_DB",
    default=default_db,
    show_default="<data dir>/server/sync.sqlite",
    help="A SQLite file path, or postgresql://user:pass@host/dbname.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="WORKBENCH_SYNC_CONFIG",
    help="A TOML file of the server's settings: sign-in and request limits, token "
    "lifetimes, the audit key and checkpoint log (docs/operations.md). Default: built in.",
)
@click.pass_context
def cli(ctx: click.Context, db: str, config_file: Path | None) -> None:
    """Mill Workbench sync server and administration."""
    ctx.obj = Context(db, config_file)
