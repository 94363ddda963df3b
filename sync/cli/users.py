"""``workbench-sync user …`` and ``workspace …``: the accounts of a workspace (add, list,
disable, export, erase, set a role, reset a password) and its sign-in policy."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli.context import Context, cli, fail, read_password


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
