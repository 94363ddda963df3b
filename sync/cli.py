"""``workbench-sync``: the central sync server's admin command line.

Each command is a thin wrapper over a library function (`sync.server.accounts`,
`sync.server.loading`, …), so nothing the CLI does is out of reach of Python and the tests.
Errors are printed as one plain sentence and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import click

from workbench import __version__
from workbench.errors import user_message
from workbench.ingest.mapping import KINDS
from workbench.ingest.values import Mark
from workbench.paths import data_dir

if TYPE_CHECKING:
    from sync.server.importing import ImportProgress

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


@cli.group()
def user() -> None:
    """Add, list, disable users, change their roles, export or erase a person's data."""


@user.command("add")
@click.argument("username")
@click.option("--workspace", required=True)
@click.option("--role", required=True, type=click.Choice(["merchandiser", "floor", "admin"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
@click.pass_obj
def user_add(obj: Context, username: str, workspace: str, role: str, password_stdin: bool) -> None:
    from sync.server import accounts

    password = read_password(password_stdin)
    try:
        accounts.add_user(obj.engine, workspace, username, password, role)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"Added {role} {username!r} to workspace {workspace!r}")


@user.command("list")
@click.option("--workspace")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def user_list(obj: Context, workspace: str | None, as_json: bool) -> None:
    from sync.server import accounts

    rows = accounts.list_users(obj.engine, workspace)
    if as_json:
        click.echo(json.dumps(rows))
        return
    for r in rows:
        state = "disabled" if r["disabled"] else "active"
        click.echo(f"{r['workspace']:<20} {r['username']:<24} {r['role']:<13} {state}")


@user.command("disable")
@click.argument("username")
@click.pass_obj
def user_disable(obj: Context, username: str) -> None:
    from sync.server import accounts

    try:
        accounts.disable_user(obj.engine, username)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"Disabled {username!r} and revoked their devices")


@user.command("export")
@click.argument("username")
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE (default: print)."
)
@click.pass_obj
def user_export(obj: Context, username: str, out: Path | None) -> None:
    """Everything the server holds about USERNAME, as JSON (a subject access request):
    the account, its devices, the audit entries naming it and the documents it made."""
    from sync.server import accounts, privacy

    try:
        found = privacy.export_user(obj.engine, username)
    except accounts.AccountError as exc:
        fail(exc)
    text = json.dumps(found, indent=2, ensure_ascii=False, default=str)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {username!r}'s data to {out}")


@user.command("erase")
@click.argument("username")
@click.option("--yes", is_flag=True, help="Do not ask first.")
@click.pass_obj
def user_erase(obj: Context, username: str, yes: bool) -> None:
    """Erase USERNAME (a request to be forgotten): the name becomes a random pseudonym in the
    account, documents, stored answers and audit entries (the chain still verifies), devices
    are revoked and cleared, the password made unusable. Prints what changed as JSON."""
    from sync.server import accounts, privacy

    if not yes:
        click.confirm(f"Erase {username!r} for good? This cannot be undone", abort=True)
    try:
        done = privacy.erase_user(obj.engine, username)
    except accounts.AccountError as exc:
        fail(str(exc))
    click.echo(json.dumps(done.as_dict()))


@user.command("set-role")
@click.argument("username")
@click.argument("role", type=click.Choice(["merchandiser", "floor", "admin"]))
@click.pass_obj
def user_set_role(obj: Context, username: str, role: str) -> None:
    from sync.server import accounts

    try:
        revoked = accounts.set_role(obj.engine, username, role, config=obj.config)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"{username!r} is now {role}" + _revoked(revoked))


def _revoked(count: int) -> str:
    return f"; {count} device(s) signed out" if count else ""


@user.command("reset")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the new password from stdin.")
@click.pass_obj
def user_reset(obj: Context, username: str, password_stdin: bool) -> None:
    """Give a user a new password (their devices are signed out, unless the settings say
    not)."""
    from sync.server import accounts

    password = read_password(password_stdin)
    try:
        revoked = accounts.set_password(obj.engine, username, password, config=obj.config)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"New password for {username!r}" + _revoked(revoked))


@cli.group("workspace")
def workspace_group() -> None:
    """A workspace's policies for its laptops."""


@workspace_group.command("policy")
@click.argument("name")
@click.option(
    "--passphrase/--no-passphrase",
    "passphrase",
    required=True,
    help="Whether a laptop with no OS keyring may keep its replica's key with a "
    "passphrase (WORKBENCH_PASSPHRASE) instead of refusing to run (default: no).",
)
@click.pass_obj
def workspace_policy(obj: Context, name: str, passphrase: bool) -> None:
    """Set what the workspace's laptops may do; each is told as it signs in."""
    from sync.server import accounts

    try:
        accounts.set_passphrase_policy(obj.engine, name, passphrase)
    except accounts.AccountError as exc:
        fail(str(exc))
    click.echo(
        f"Laptops of {name!r} {'may' if passphrase else 'may not'} use a passphrase "
        "where they have no keyring"
    )


@cli.group()
def device() -> None:
    """List devices, revoke their tokens, order them wiped."""


@device.command("list")
@click.option("--workspace")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def device_list(obj: Context, workspace: str | None, as_json: bool) -> None:
    from sync.server import accounts

    rows = accounts.list_devices(obj.engine, workspace, obj.config.tokens)
    if as_json:
        click.echo(json.dumps(rows))
        return
    for r in rows:
        state = f"revoked {r['revoked_at']}" if r["revoked_at"] else f"expires {r['expires_at']}"
        if r["wiped_at"]:
            state = f"wiped {r['wiped_at']}"
        elif r["wipe_ordered_at"]:
            state += f", wipe ordered {r['wipe_ordered_at']}"
        click.echo(
            f"{r['id']}  {r['workspace']:<16} {r['username']:<20} {r['name']:<24} "
            f"last used {r['last_seen_at'] or 'never':<20}  {state}"
        )


@device.command("token")
@click.argument("username")
@click.option(
    "--name", "device_name", required=True, help="What to call the job's device in the device list."
)
@click.pass_obj
def device_token(obj: Context, username: str, device_name: str) -> None:
    """Register a device for USERNAME and print its token, once: for a headless job's
    WORKBENCH_TOKEN (revoke it with 'device revoke')."""
    from sync.server import accounts

    try:
        issued = accounts.issue_token(obj.engine, username, device_name)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(
        f"Device {issued.device_id} ({device_name!r}) for {username!r} in workspace "
        f"{issued.workspace_name!r}; its token, shown this once:",
        err=True,
    )
    click.echo(issued.token)


@device.command("revoke")
@click.argument("device_id")
@click.pass_obj
def device_revoke(obj: Context, device_id: str) -> None:
    from sync.server import accounts

    try:
        accounts.revoke_device(obj.engine, device_id)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"Revoked device {device_id}")


@device.command("wipe")
@click.argument("device_id")
@click.option(
    "--allow-export",
    is_flag=True,
    help="Let the laptop's user first export the edits it had not sent, encrypted.",
)
@click.pass_obj
def device_wipe(obj: Context, device_id: str, allow_export: bool) -> None:
    """Order DEVICE_ID wiped (a lost or stolen laptop): at its next contact the app deletes
    the workspace's data, key and token there, and reports it; its token then stops."""
    from sync.server import accounts

    try:
        accounts.order_wipe(obj.engine, device_id, allow_export=allow_export)
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(f"Device {device_id} will be wiped at its next contact with this server")


@cli.group()
def audit() -> None:
    """The audit trail: verify its hash chains, export it."""


@audit.command("verify")
@click.option("--workspace", help="Only this workspace (default: all).")
@click.option(
    "--checkpoints",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The checkpoint log to hold the chains to (default: [audit] "
    "checkpoint_log of the settings).",
)
@click.pass_obj
def audit_verify(obj: Context, workspace: str | None, checkpoints: Path | None) -> None:
    """Recompute every workspace's chain (with the audit key, when one is set) and hold it to
    its last checkpoint; exit 1 naming the first broken entry, or what is missing."""
    from sync.server.anchor import AnchorError, last_checkpoints
    from sync.server.audit import verify

    engine = obj.engine
    key = obj.use_audit_key()
    log = checkpoints or obj.config.audit.checkpoint_log
    try:
        anchors = last_checkpoints(Path(log), key) if log else {}
    except AnchorError as exc:
        click.echo(user_message(exc), err=True)
        raise SystemExit(1) from None
    verdicts = verify(engine, workspace, key, anchors)
    if workspace is not None and not verdicts:
        fail(f"there is no workspace named {workspace!r}")
    broken = [v for v in verdicts if not v.ok]
    for v in verdicts:
        if v.ok:
            held = (
                f", matches the checkpoint of {v.checkpoint_at}"
                if v.checkpoint_at
                else ", no checkpoint yet"
                if log
                else ""
            )
            click.echo(f"{v.workspace}: {v.entries:,} entries, chain intact{held}")
        else:
            click.echo(f"{v.workspace}: entry {v.broken_seq} is broken: {v.reason}", err=True)
    if broken:
        raise SystemExit(1)


@audit.command("checkpoint")
@click.option(
    "--print",
    "show",
    is_flag=True,
    help="Also print the lines written, for an admin to keep elsewhere.",
)
@click.pass_obj
def audit_checkpoint(obj: Context, show: bool) -> None:
    """Append every workspace's chain head to the checkpoint log ([audit] checkpoint_log)."""
    from sync.server.anchor import write_checkpoints

    log = obj.config.audit.checkpoint_log
    if not log:
        fail("no checkpoint log is set: give [audit] checkpoint_log in the settings (--config)")
    engine = obj.engine
    lines = write_checkpoints(engine, Path(log), obj.use_audit_key())
    for line in lines if show else []:
        click.echo(json.dumps(line, sort_keys=True))
    click.echo(f"Wrote {len(lines)} checkpoint(s) to {log}", err=True)


@audit.command("export")
@click.option("--workspace", required=True)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (default: standard output).",
)
@click.pass_obj
def audit_export(obj: Context, workspace: str, out: Path | None) -> None:
    """The workspace's audit trail as JSON: every entry with its hashes, oldest first."""
    from sync.server import accounts
    from sync.server.audit import entries

    try:
        ws_id = accounts.workspace_id(obj.engine, workspace)
    except accounts.AccountError as exc:
        fail(exc)
    with obj.engine.connect() as conn:
        document = {"workspace": workspace, "entries": [e.as_dict() for e in entries(conn, ws_id)]}
    text = json.dumps(document, indent=2, ensure_ascii=False)
    if out is None:
        click.echo(text)
    else:
        out.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote {len(document['entries']):,} entries to {out}")


@cli.group("trace")
def trace_group() -> None:
    """What labels' traceability pages may show: published codes, suppliers."""


@trace_group.command("publish")
@click.argument("kind", type=click.Choice(["material", "order"]))
@click.argument("codes", nargs=-1, required=True)
@click.option("--workspace", required=True)
@click.pass_obj
def trace_publish(obj: Context, kind: str, codes: tuple[str, ...], workspace: str) -> None:
    """Let these codes' traceability pages answer before any label for them is printed."""
    from sync.server import accounts, trace

    try:
        done = trace.publish_codes(obj.engine, workspace, kind, list(codes), accounts.CLI_ACTOR)
    except LookupError as exc:
        fail(exc)
    already = f" ({len(codes) - done} already were)" if done < len(codes) else ""
    click.echo(f"Published {done} {kind} code(s) in {workspace!r}{already}")


@trace_group.command("settings")
@click.option("--workspace", required=True)
@click.option(
    "--show-suppliers/--hide-suppliers",
    required=True,
    help="Whether the pages name materials' suppliers and mills (hidden by default).",
)
@click.pass_obj
def trace_settings(obj: Context, workspace: str, show_suppliers: bool) -> None:
    """Choose what the workspace's traceability pages show."""
    from sync.server import accounts, trace

    try:
        trace.show_suppliers(obj.engine, workspace, show_suppliers, accounts.CLI_ACTOR)
    except LookupError as exc:
        fail(exc)
    click.echo(
        f"Traceability pages of {workspace!r} "
        f"{'name' if show_suppliers else 'do not name'} suppliers"
    )


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


def progress_printer(stream: TextIO) -> Callable[[ImportProgress], None] | None:
    """How far an import is, on one line of ``stream`` rewritten as it goes (lines read,
    columns checked, rows written and the percentage of the whole): only on a terminal, so
    a pipe or a log file gets the summary alone."""
    if not stream.isatty():
        return None
    said: dict[str, str] = {}
    shown = [0]  # the length of the line on screen, to blank what a shorter one leaves

    def show(p: ImportProgress) -> None:
        words = {
            "read": f"{p.done:,} lines read",
            "check": f"{p.done} of {p.total} columns checked",
            "write": f"{p.done:,} of {p.total:,} rows written",
        }
        if p.stage in words:
            said[p.stage] = words[p.stage]
        line = f"{100 * p.fraction:3.0f}%  " + " · ".join(said.values())
        stream.write("\r" + line.ljust(shown[0]) + ("\n" if p.stage == "done" else ""))
        shown[0] = len(line)
        stream.flush()

    return show


@cli.command("import")
@click.argument("kind", type=click.Choice(KINDS), metavar="KIND")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--workspace", required=True, help="The workspace to import into.")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A mapping file for a new export layout (default: shipped).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--accept-partial", is_flag=True, help="Write the valid rows even if some fail.")
@click.option(
    "--report-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where the reject report goes (default: beside FILE).",
)
@click.option(
    "--decimal-mark",
    type=click.Choice(["comma", "point"]),
    help="The file's decimal mark (an SAP user's format: 1.234,5 is comma). By "
    "default the file's numbers tell it; one that reads both ways and nothing "
    "tells (1,234 alone) is rejected.",
)
@click.pass_obj
def import_(
    obj: Context,
    kind: str,
    file: Path,
    workspace: str,
    mapping: Path | None,
    dry_run: bool,
    accept_partial: bool,
    report_dir: Path | None,
    decimal_mark: str | None,
) -> None:
    """Import master data (all rows or none, unless --accept-partial) and print a summary.

    KIND is one of: materials, brands, work_centres, cost_rates, margin_rules, capacity,
    calendars, orders, fx_rates. References are checked against the workspace (a cost rate's
    material code, an order's brand), so import materials and brands before what names them.
    """
    from sync.server import accounts
    from sync.server.importing import ImportRefused, import_file
    from workbench.ingest import load_mapping
    from workbench.ingest.mapping import MappingError
    from workbench.ingest.readers import ReadError

    try:
        ws_id = accounts.workspace_id(obj.engine, workspace)
        summary = import_file(
            obj.engine,
            ws_id,
            kind,
            file,
            mapping=load_mapping(mapping) if mapping else None,
            dry_run=dry_run,
            accept_partial=accept_partial,
            report_dir=report_dir,
            decimal_mark=DECIMAL_MARKS.get(decimal_mark or ""),
            progress=progress_printer(sys.stderr),
        )
    except (accounts.AccountError, ImportRefused, MappingError, ReadError) as exc:
        fail(exc)
    except KeyboardInterrupt:
        fail("import cancelled: nothing was imported")
    for problem in summary.problems[:50]:
        click.echo(problem, err=True)
    if len(summary.problems) > 50:
        click.echo(f"… and {len(summary.problems) - 50} more in the reject report", err=True)
    result = summary.as_dict()
    result.pop("problems")
    result.pop("rejects")
    click.echo(json.dumps(result))
    if summary.rejected and not accept_partial:
        fail(
            f"{summary.rejected} row(s) rejected: nothing was imported "
            "(fix them, or pass --accept-partial to import the valid rows)"
        )


@cli.command()
@click.option("--workspace", default="demo", show_default=True)
@click.option("--materials", default=20_000, show_default=True, type=click.IntRange(1, 5_000_000))
@click.option("--orders", type=click.IntRange(0, 20_000_000), help="Default: materials / 4.")
@click.option("--seed", default=7, show_default=True)
@click.pass_obj
def demo(obj: Context, workspace: str, materials: int, orders: int | None, seed: int) -> None:
    """Create a new workspace filled with demo data, with one demo user per role.

    An existing workspace is never touched; a failure leaves no workspace behind."""
    from sync.server import accounts
    from sync.server.demo import DEMO_PASSWORD, create_demo_workspace, demo_usernames

    try:
        counts = create_demo_workspace(
            obj.engine, workspace, materials=materials, orders=orders, seed=seed
        )
    except accounts.AccountError as exc:
        fail(exc)
    click.echo(json.dumps({"workspace": workspace, "rows": counts}))
    click.echo(
        "Demo users: "
        + ", ".join(f"{u} ({r})" for u, r in demo_usernames(workspace))
        + f"; password {DEMO_PASSWORD!r}"
    )


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


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
