"""``workbench``: the desktop app and its headless commands.

With no command it opens the app. Subcommands run without a display (Qt is imported only
when the window opens), each a thin wrapper over a library function.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click

from workbench import __version__
from workbench.errors import user_message
from workbench.workspace import DEFAULT_DEMO_MATERIALS, Workspace


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="workbench")
@click.option(
    "--demo",
    is_flag=True,
    help="Open the demo: a local sync server with a demo workspace, and this laptop synced "
    "from it (created on first use). Without --demo or --workspace the app reopens the "
    "workspace used last, or on a first start shows the welcome.",
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
    help="Build the window offscreen, run a sample search, save a PNG and exit (on a first "
    "start without --demo: a PNG of the welcome).",
)
@click.option("--query", default="cotton jersey", show_default=True, help="For --screenshot.")
@click.option(
    "--size",
    metavar="WIDTHxHEIGHT",
    callback=lambda _ctx, _param, value: _window_size(value),
    help="For --screenshot: the window's size, e.g. 1024x768 (a small screen).",
)
@click.option(
    "--station",
    is_flag=True,
    help="Open the label station (scan, print QR labels) instead of the main window; the "
    "default for users of the floor role.",
)
@click.option(
    "--dashboards",
    is_flag=True,
    help="With --screenshot: photograph the dashboards (opened from the main window) once "
    "their first tab is shown, instead of a search.",
)
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
    size: tuple[int, int] | None,
    station: bool,
    dashboards: bool,
) -> None:
    """Mill Workbench: material search, costing and labels for textile mills."""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    if data_dir is not None:  # settings, logs, the workspace used last: all kept there
        from workbench.paths import use_data_dir

        use_data_dir(data_dir)
    if ctx.invoked_subcommand is not None:
        return
    if demo and workspace_dir is not None:
        raise click.UsageError("choose --demo or --workspace, not both")
    from ui.app import run_app

    code = run_app(
        demo=demo,
        demo_size=demo_size,
        offline=offline,
        data_dir=data_dir,
        workspace_dir=workspace_dir,
        screenshot=screenshot,
        query=query,
        station=station,
        size=size,
        dashboards=dashboards,
    )
    sys.exit(code)


def _window_size(value: str | None) -> tuple[int, int] | None:
    if not value:
        return None
    width, _x, height = value.lower().partition("x")
    if not (width.isdigit() and height.isdigit()) or not (
        320 <= int(width) <= 10_000 and 240 <= int(height) <= 10_000
    ):
        raise click.BadParameter(f"{value!r}: give WIDTHxHEIGHT in pixels, e.g. 1024x768")
    return int(width), int(height)


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


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True)


def _synced_workspaces(data_dir: Path | None) -> list[Path]:
    from workbench.paths import data_dir as default_data_dir
    from workbench.workspace import open_laptop_replica

    found = []
    for folder in sorted((default_data_dir(data_dir) / "workspaces").glob("*")):
        replica_file = folder / "replica.sqlite"
        if replica_file.exists():
            replica = open_laptop_replica(replica_file)
            if replica.get_state("server_url"):
                found.append(folder)
            replica.close()
    return found


def _pick_workspace(data_dir: Path | None, name: str | None) -> Workspace:
    from workbench.paths import workspace_dir
    from workbench.workspace import open_workspace

    if name is not None:
        folder = workspace_dir(name, data_dir)
        if not (folder / "replica.sqlite").exists():
            raise click.ClickException(f"there is no workspace {name!r} in this data directory")
        return open_workspace(folder)
    found = _synced_workspaces(data_dir)
    if not found:
        raise click.ClickException(
            "no workspace here is connected to a server: run 'workbench login'"
        )
    if len(found) > 1:
        names = ", ".join(f.name for f in found)
        raise click.ClickException(
            f"several workspaces here ({names}): choose one with --workspace"
        )
    return open_workspace(found[0])


@cli.command()
@click.option(
    "--server", required=True, help="The sync server's address, e.g. https://sync.example.com"
)
@click.option("--user", "username", required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.option("--device-name", help="How this laptop appears in the admin's device list.")
@click.option(
    "--print-token",
    is_flag=True,
    help="Print the device token (once) instead of keeping it in the keyring: for "
    "a script's WORKBENCH_TOKEN. The summary goes to stderr.",
)
@click.pass_obj
def login(
    obj: dict[str, Any],
    server: str,
    username: str,
    password_stdin: bool,
    device_name: str | None,
    print_token: bool,
) -> None:
    """Sign in to a sync server; the device token goes to the OS keyring (or, with
    --print-token, to standard output only)."""
    from sync.client import SyncError
    from sync.session import sign_in

    password = _read_password(password_stdin)
    try:
        workspace, info, warning = sign_in(
            server,
            username,
            password,
            base=obj["data_dir"],
            device_name=device_name,
            keep_token=not print_token,
        )
    except SyncError as exc:
        raise click.ClickException(user_message(exc)) from exc
    if warning:
        click.echo(f"warning: {warning}", err=True)
    kept = "printed" if print_token else "session only" if warning else "keyring"
    click.echo(
        json.dumps(
            {
                "workspace": info.workspace_name,
                "user": info.username,
                "role": info.role,
                "device_id": info.device_id,
                "folder": str(workspace.root),
                "token": kept,
            }
        ),
        err=print_token,
    )
    if print_token:
        click.echo(info.token)
    workspace.close()


@cli.command()
@click.option("--workspace", "name", help="Which workspace (default: the only one signed in).")
@click.option(
    "--server",
    help="With a token in WORKBENCH_TOKEN: the server it signs in to; "
    "the workspace's folder is set up on the first run.",
)
@click.pass_obj
def sync(obj: dict[str, Any], name: str | None, server: str | None) -> None:
    """Run one full sync (push, pull, re-index) and print a JSON summary."""
    from sync.client import SyncError
    from sync.session import connect, sync_workspace
    from workbench.credentials import TOKEN_ENV

    if server is not None:
        token = os.environ.get(TOKEN_ENV)
        if not token:
            raise click.ClickException(f"--server needs a device token in {TOKEN_ENV}")
        try:
            workspace = connect(server, token, obj["data_dir"])
        except SyncError as exc:
            raise click.ClickException(user_message(exc)) from exc
        name = workspace.root.name
        workspace.close()
    workspace = _pick_workspace(obj["data_dir"], name)
    try:
        report = sync_workspace(workspace)
    except SyncError as exc:
        raise click.ClickException(user_message(exc)) from exc
    finally:
        workspace.close()
    click.echo(json.dumps(report.as_dict()))


@cli.command()
@click.option("--workspace", "name", help="Which workspace (default: the only one signed in).")
@click.pass_obj
def status(obj: dict[str, Any], name: str | None) -> None:
    """Print the replica's cursor, outbox and row counts as JSON."""
    from workbench.documents import conflicts, outbox_counts
    from workbench.replica import REPLICATED_TABLES
    from workbench.replica.queries import table_counts

    workspace = _pick_workspace(obj["data_dir"], name)
    replica = workspace.replica
    click.echo(
        json.dumps(
            {
                "workspace": workspace.name,
                "folder": str(workspace.root),
                "server": replica.get_state("server_url"),
                "user": replica.get_state("username"),
                "cursor": replica.cursor,
                "schema": replica.schema_version,
                "outbox": outbox_counts(replica),
                "conflicts": len(conflicts(replica)),
                "search_index": workspace.search.state.value,
                "counts": table_counts(replica.conn, REPLICATED_TABLES),
            }
        )
    )
    workspace.close()


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workspace", "name", help="Which workspace (default: the only one signed in).")
@click.pass_obj
def bom(obj: dict[str, Any], file: Path, name: str | None) -> None:
    """Match a style's bill of materials (CLO 3D or PLM export) to the material master.

    Prints one JSON line per BOM line: matched by code, or the closest names to confirm.
    """
    from workbench.ingest.bom import match_bom
    from workbench.ingest.mapping import MappingError
    from workbench.ingest.readers import ReadError

    workspace = _pick_workspace(obj["data_dir"], name)
    try:
        workspace.derived.update()  # the index current before matching against it
        result = match_bom(file, workspace.replica.conn, workspace.search)
    except (MappingError, ReadError) as exc:
        raise click.ClickException(user_message(exc)) from exc
    finally:
        workspace.close()
    for problem in result.problems:
        click.echo(str(problem), err=True)
    for line in result.lines:
        click.echo(
            json.dumps(
                {
                    "row": line.row,
                    "name": line.name,
                    "placement": line.values.get("placement"),
                    "quantity": line.values.get("quantity"),
                    "uom": line.values.get("uom"),
                    "status": line.status,
                    "candidates": [
                        {"code": c.code, "name": c.name, "supplier": c.supplier}
                        for c in line.candidates
                    ],
                },
                default=str,
            )
        )
    click.echo(
        json.dumps(
            {
                "file": result.file,
                **result.counts(),
                "rejected": len({p.row for p in result.problems}),
            }
        )
    )


@cli.command()
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The .zip to write.",
)
@click.pass_obj
def diagnostics(obj: dict[str, Any], out: Path) -> None:
    """Collect logs, versions and each workspace's shape for support (no secrets)."""
    from workbench.diagnostics import DiagnosticsError, export_diagnostics

    try:
        written = export_diagnostics(out, base=obj["data_dir"])
    except DiagnosticsError as exc:
        raise click.ClickException(user_message(exc)) from exc
    click.echo(f"Wrote {written}")


@cli.command("check-install")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder the checks write their PDFs and workbook into.",
)
@click.option(
    "--workspace",
    "name",
    help="Whose orders the order-file check writes and reads back (default: the only "
    "workspace in the data directory; with none, that check is left out).",
)
@click.pass_obj
def check_install(obj: dict[str, Any], out: Path, name: str | None) -> None:
    """Check that this install can write the dashboards' order file, label PDFs, an Excel
    table and a proposal PDF; prints one JSON line per check, exits 1 on a failure."""
    from workbench.install_check import check_install as run_checks
    from workbench.paths import data_dir as default_data_dir
    from workbench.workspace import open_workspace

    if name is None:
        folders = sorted(
            f.parent
            for f in (default_data_dir(obj["data_dir"]) / "workspaces").glob("*/replica.sqlite")
        )
        if len(folders) > 1:
            names = ", ".join(f.name for f in folders)
            raise click.ClickException(
                f"several workspaces here ({names}): choose one with --workspace"
            )
        name = folders[0].name if folders else None
    workspace = None
    if name is not None:
        from workbench.paths import workspace_dir

        folder = workspace_dir(name, obj["data_dir"])
        if not (folder / "replica.sqlite").exists():
            raise click.ClickException(f"there is no workspace {name!r} in this data directory")
        workspace = open_workspace(folder)
    try:
        checked = run_checks(out, None if workspace is None else workspace.replica)
    except Exception as exc:  # any failure of a library is what this command reports
        raise click.ClickException(user_message(exc)) from exc
    finally:
        if workspace is not None:
            workspace.close()
    for one in checked:
        click.echo(json.dumps(one.as_dict(), ensure_ascii=False))


def main() -> None:
    cli(obj={})


if __name__ == "__main__":
    main()
