"""``workbench-sync status``, ``backup``, ``restore``, ``purge``, ``upgrade``, ``copy-db``
and ``doctor``: looking after the server's database."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sync.cli.context import Context, cli, fail


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(obj: Context, as_json: bool) -> None:
    """Workspaces, devices, how far each device is behind, and the database size."""
    from sync.server.admin import server_status

    report = server_status(obj.engine)
    if as_json:
        click.echo(json.dumps(report))
        return
    click.echo(f"{report['database']} database, {report['db_bytes'] / 1e6:.1f} MB")
    for ws in report["workspaces"]:
        click.echo(f"\n{ws['workspace']}: change {ws['seq']:,}, {ws['users']} user(s)")
        for d in ws["devices"]:
            click.echo(
                f"  {d['device']:<24} {d['user']:<24} last seen {d['last_seen'] or 'never':<21}"
                f" {d['behind']:>8,} changes behind"
            )


@cli.command()
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def backup(obj: Context, destination: Path) -> None:
    """Write a consistent copy of the database while the server keeps serving."""
    from sync.server.admin import BackupError
    from sync.server.admin import backup as make_backup

    try:
        written = make_backup(obj.engine, destination)
    except BackupError as exc:
        fail(exc)
    click.echo(f"Backed up to {written} ({written.stat().st_size / 1e6:.1f} MB)")


@cli.command()
@click.option("--workspace", help="Only this workspace.")
@click.option("--dry-run", is_flag=True, help="Say what would go; change nothing.")
@click.pass_obj
def purge(obj: Context, workspace: str | None, dry_run: bool) -> None:
    """Let go what the retention settings say ([retention] in the settings file): expire old
    firm quotes and label jobs, delete old tombstones (laptops behind take a new snapshot).
    Prints one JSON line per workspace."""
    from sync.server.retention import purge as run_purge

    for done in run_purge(obj.engine, obj.config.retention, dry_run=dry_run, workspace=workspace):
        click.echo(json.dumps({**done.as_dict(), "dry_run": dry_run}))


@cli.command()
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask before replacing the database.")
@click.pass_obj
def restore(obj: Context, backup_file: Path, yes: bool) -> None:
    """Replace the database with a backup (stop the server first)."""
    from sync.server.admin import BackupError
    from sync.server.admin import restore as restore_backup

    if not yes:
        click.confirm(f"Replace {obj.db} with {backup_file}?", abort=True)
    try:
        restore_backup(obj.db, backup_file)
    except BackupError as exc:
        fail(exc)
    click.echo(f"Restored {backup_file} into {obj.db}")


@cli.command()
@click.pass_obj
def upgrade(obj: Context) -> None:
    """Bring the database up to this version's schema (adds tables and columns only)."""
    from sync.server.db import make_engine
    from sync.server.upgrade import upgrade_schema

    done = upgrade_schema(make_engine(obj.db))
    for line in done:
        click.echo(line)
    click.echo("The database is up to date." if not done else f"{len(done)} change(s) made.")


@cli.command("copy-db")
@click.option(
    "--to",
    "target",
    required=True,
    help="The empty database to copy into, e.g. postgresql://user:pass@host/dbname.",
)
@click.pass_obj
def copy_db(obj: Context, target: str) -> None:
    """Copy this database into another (moving from SQLite to PostgreSQL)."""
    from sync.server.admin import BackupError, copy_database
    from sync.server.db import make_engine

    try:
        copied = copy_database(obj.engine, make_engine(target))
    except BackupError as exc:
        fail(exc)
    click.echo(json.dumps({"copied": copied}))


@cli.command()
@click.option("--workspace", help="Only this workspace (default: all).")
@click.option("--fix", is_flag=True, help="Move the rows found to quarantine (audited).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per row found.")
@click.pass_obj
def doctor(obj: Context, workspace: str | None, fix: bool, as_json: bool) -> None:
    """List stored rows that break the rules declared for their table; with --fix, set them
    aside so that snapshots build and pulls flow again. Exits 1 when rows are found and left."""
    from sync.server import doctor as checkup

    findings = checkup.examine(obj.engine, workspace)
    for f in findings:
        if as_json:
            click.echo(json.dumps(f.as_dict()))
        else:
            value = f.as_dict()["value"]
            click.echo(
                f"{f.workspace}\t{f.table}\t{f.row_id}\t{f.field or '-'}\t{value!r}\t{f.rule}"
            )
    if not findings:
        click.echo("No row breaks the declared rules.", err=True)
        return
    if not fix:
        click.echo(
            f"{len(findings)} row(s) break the declared rules; "
            "run again with --fix to move them to quarantine.",
            err=True,
        )
        sys.exit(1)
    moved = checkup.quarantine(obj.engine, findings)
    click.echo(
        f"{moved} row(s) moved to quarantine; laptops drop them at their next sync.", err=True
    )
