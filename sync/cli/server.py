"""``workbench-sync init`` and ``serve``: the first workspace and its admin, and the server
itself."""

from __future__ import annotations

from pathlib import Path

import click

from sync.cli.context import Context, cli, fail, read_password
from workbench.paths import data_dir


@cli.command()
@click.option("--workspace", required=True, help="Name of the first workspace.")
@click.option("--admin", "admin_user", required=True, help="Username of its first admin.")
@click.option("--password-stdin", is_flag=True, help="Read the admin password from stdin.")
@click.pass_obj
def init(obj: Context, workspace: str, admin_user: str, password_stdin: bool) -> None:
    """Create the database, a first workspace and its admin."""
    from sync.server import accounts

    password = read_password(password_stdin)
    try:
        accounts.create_workspace(obj.engine, workspace)
        accounts.add_user(obj.engine, workspace, admin_user, password, "admin")
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"Created workspace {workspace!r} with admin {admin_user!r} in {obj.db}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8750, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--snapshots",
    type=click.Path(file_okay=False, path_type=Path),
    default=lambda: data_dir() / "server" / "snapshots",
    show_default="<data dir>/server/snapshots",
    help="Where first-sync snapshots are cached (derived data, safe to delete).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Server processes sharing the port (one per core suits a busy server).",
)
@click.option(
    "--page-cache-mb",
    type=click.IntRange(0, 65536),
    default=64,
    show_default=True,
    help="Memory per process for answered change pages, served again while nothing changed "
    "(0 turns it off).",
)
@click.pass_obj
def serve(
    obj: Context, host: str, port: int, snapshots: Path, workers: int, page_cache_mb: int
) -> None:
    """Serve the sync API (plain HTTP: put a TLS reverse proxy in front in production)."""
    from sync.server.serve import serve_forever, serve_workers

    config = obj.config  # read here first: a mistake in it stops the start
    config_file = obj.config_file
    engine = obj.engine  # creates the schema once, before any worker starts
    page_cache = page_cache_mb * 1024 * 1024
    if workers > 1:
        engine.dispose()
        serve_workers(obj.db, host, port, snapshots, workers, page_cache, config_file)
    else:
        serve_forever(engine, host, port, snapshots, page_cache=page_cache, config=config)
