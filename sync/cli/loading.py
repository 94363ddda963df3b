"""``workbench-sync import`` and ``demo``: rows brought into a workspace from a file, with
their progress said as they go, or a demo workspace generated."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import click

from sync.cli.context import DECIMAL_MARKS, Context, cli, fail
from workbench.ingest.mapping import KINDS

if TYPE_CHECKING:
    from sync.server.importing import ImportProgress


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
