"""``workbench-sync audit …``: verifying the audit chain against its checkpoints, writing a
checkpoint, exporting a workspace's entries."""

from __future__ import annotations

import json
from pathlib import Path

import click

from sync.cli.context import Context, cli, fail
from workbench.errors import user_message


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
