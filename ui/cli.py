"""``workbench``: the desktop app and its headless commands.

With no command it opens the app. Subcommands run without a display (Qt is imported only
when the window opens), each a thin wrapper over a library function.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from workbench import __version__
from workbench.workspace import DEFAULT_DEMO_MATERIALS


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
@click.option(
    "--demo",
    is_flag=True,
    help="Open the demo: a local sync server with a demo workspace, and this laptop synced "
    "from it (created on first use).",
)
@click.option(
    "--offline",
    is_flag=True,
    help="With --demo: a demo workspace generated on this laptop, with no server.",
)
@click.option(
    "--demo-size",
    type=click.IntRange(1, 5_000_000),
    default=DEFAULT_DEMO_MATERIALS,
    show_default=True,
    help="Materials in the demo workspace when it is first created.",
)
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="WORKBENCH_DATA_DIR",
    help="Where workspaces live (default: the platform's user data folder).",
)
@click.option(
    "--workspace",
    "workspace_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Open the workspace in this folder.",
)
@click.option(
    "--screenshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Build the window offscreen, run a sample search, save a PNG and exit.",
)
@click.option("--query", default="cotton jersey", show_default=True, help="For --screenshot.")
@click.pass_context
def cli(
    ctx: click.Context,
    demo: bool,
    offline: bool,
    demo_size: int,
    data_dir: Path | None,
    workspace_dir: Path | None,
    screenshot: Path | None,
    query: str,
) -> None:
    """Mill Workbench: material search, costing and labels for textile mills."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    if ctx.invoked_subcommand is not None:
        return
    if demo and workspace_dir is not None:
        raise click.UsageError("choose --demo or --workspace, not both")
    from ui.app import run_app

    code = run_app(
        demo_size=demo_size,
        offline=offline,
        data_dir=data_dir,
        workspace_dir=workspace_dir,
        screenshot=screenshot,
        query=query,
    )
    sys.exit(code)


@cli.command("demo-data")
@click.option("--materials", type=click.IntRange(1, 5_000_000), default=20_000, show_default=True)
@click.option("--orders", type=click.IntRange(0, 50_000_000), help="Default: materials / 4.")
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace FILE if it already holds a workspace.")
def demo_data(materials: int, orders: int | None, seed: int, out: Path, force: bool) -> None:
    """Write a replica file filled with demo data."""
    from workbench.demo import generate_demo
    from workbench.replica import open_replica

    if out.exists() and out.stat().st_size > 0:
        if not force:
            raise click.ClickException(f"{out} already exists; pass --force to replace it")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{out}{suffix}").unlink(missing_ok=True)
    replica = open_replica(out)
    summary = generate_demo(replica, materials=materials, orders=orders, seed=seed)
    replica.close()
    click.echo(
        json.dumps(
            {
                "out": str(out),
                "seed": summary.seed,
                "seconds": summary.seconds,
                "rows": summary.counts,
            }
        )
    )


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
