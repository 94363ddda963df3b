"""``workbench-sync trace …``: what the public traceability pages behind the labels' QR
codes publish."""

from __future__ import annotations

import click

from sync.cli.context import Context, cli, fail


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
