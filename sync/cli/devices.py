"""``workbench-sync device …``: the laptops and stations signed in (list, a token for a
headless device, revoke, order a wipe)."""

from __future__ import annotations

import json

import click

from sync.cli.context import Context, cli, fail


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
