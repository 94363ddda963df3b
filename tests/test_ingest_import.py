"""Importing master data into a workspace: all or nothing, idempotent, and on to the laptops."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.server import schema
from sync.server.importing import import_file
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server
from workbench.search import SearchRequest

HEADER = "Code;Name;Type;Category;Composition;GSM;Width (cm);Unit;Price;Supplier\n"
GOOD = (
    "FAB-901;Interlock 220 Organic Cotton Sage;fabric;interlock;100% Organic Cotton;220;180;kg;"
    "498,00;Kongu Knit Fabrics\n"
    "YRN-902;Ne 40/1 Compact Modal Yarn;yarn;compact yarn;100% Modal;;;kg;410,50;Padma Yarns\n"
)
BAD = "FAB-903;Broken;fabric;rib;;heavy;170;kg;10;X\n"


def server_codes(server: Server) -> dict[str, tuple]:
    t = schema.replicated["materials"]
    with server.engine.connect() as conn:
        return {r.code: (r.name, r.price, r.version) for r in conn.execute(
            sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"]))}  # fmt: skip


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_reimport_changes_nothing(server: Server, tmp_path: Path) -> None:
    path = write(tmp_path / "materials.csv", HEADER + GOOD)
    first = import_file(server.engine, server.workspaces["alpha"], "materials", path)
    assert (first.rows_read, first.inserted, first.updated, first.written) == (2, 2, 0, True)
    before = server_codes(server)
    assert before["FAB-901"][:2] == ("Interlock 220 Organic Cotton Sage", "498.00")
    again = import_file(server.engine, server.workspaces["alpha"], "materials", path)
    assert (again.inserted, again.updated, again.unchanged, again.written) == (0, 0, 2, False)
    assert server_codes(server) == before
    changed = write(tmp_path / "materials.csv", HEADER + GOOD.replace("498,00", "505,00"))
    third = import_file(server.engine, server.workspaces["alpha"], "materials", changed)
    assert (third.inserted, third.updated, third.unchanged) == (0, 1, 1)
    assert server_codes(server)["FAB-901"][1] == "505.00"


def test_a_rejected_row_means_nothing_is_written(server: Server, tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.csv", HEADER + GOOD + BAD)
    summary = import_file(server.engine, server.workspaces["alpha"], "materials", path)
    assert (summary.rejected, summary.written) == (1, False)
    assert server_codes(server) == {}
    report = openpyxl.load_workbook(tmp_path / "mixed.rejected.xlsx").active
    rows = list(report.iter_rows(values_only=True))
    assert rows[0] == ("File", "Line", "Column", "Value", "Rule", "Problem")
    assert rows[1] == ("mixed.csv", 4, "GSM", "heavy", "not a number", "'heavy' is not a number")
    assert (
        (tmp_path / "mixed.rejected.csv")
        .read_text("utf-8-sig")
        .splitlines()[1]
        .startswith("mixed.csv,4,GSM,heavy,not a number,")
    )
    partial = import_file(server.engine, server.workspaces["alpha"], "materials", path,
                          accept_partial=True)  # fmt: skip
    assert (partial.inserted, partial.rejected, partial.written) == (2, 1, True)
    assert set(server_codes(server)) == {"FAB-901", "YRN-902"}


def test_dry_run_shows_what_would_change(server: Server, tmp_path: Path) -> None:
    path = write(tmp_path / "materials.csv", HEADER + GOOD)
    summary = import_file(server.engine, server.workspaces["alpha"], "materials", path,
                          dry_run=True)  # fmt: skip
    assert (summary.inserted, summary.written) == (2, False)
    assert server_codes(server) == {}


def test_an_import_reaches_a_laptop_and_is_searchable(server: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path / "l")
    sync_workspace(workspace)
    path = write(tmp_path / "materials.csv", HEADER + GOOD)
    import_file(server.engine, server.workspaces["alpha"], "materials", path)
    report = sync_workspace(workspace)
    assert report.pulled == 2
    found = workspace.search.search(SearchRequest(text="interlok sage"))
    assert found.engine == "index" and found.total == 1
    workspace.close()


def test_the_import_command(server: Server, tmp_path: Path) -> None:
    db = server.engine.url.render_as_string(hide_password=False)
    db = db if not db.startswith("sqlite") else server.engine.url.database
    path = write(tmp_path / "materials.csv", HEADER + GOOD + BAD)
    runner = CliRunner()
    refused = runner.invoke(sync_cli, ["--db", db, "import", "materials", str(path),
                                       "--workspace", "alpha"])  # fmt: skip
    assert refused.exit_code == 1
    assert "line 4, column 'GSM' ('heavy')" in refused.output
    assert "nothing was imported" in refused.output
    done = runner.invoke(sync_cli, ["--db", db, "import", "materials", str(path), "--workspace",
                                    "alpha", "--accept-partial"])  # fmt: skip
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output.strip().splitlines()[-1])
    assert (summary["inserted"], summary["rejected"]) == (2, 1)
    unknown = runner.invoke(sync_cli, ["--db", db, "import", "materials", str(path),
                                       "--workspace", "nowhere"])  # fmt: skip
    assert unknown.exit_code == 1 and "no workspace named 'nowhere'" in unknown.output


def test_a_value_the_declaration_refuses_is_rejected_with_file_row_and_column(
    server: Server, tmp_path: Path
) -> None:
    """The mapping's own checks are not the only ones: the table's declared rules (here the
    longest supplier name a replica keeps) reject the row too, and nothing is written."""
    supplier = "Kongu " * 100
    long_row = f"FAB-904;Felt;fabric;felt;100% Wool;400;150;kg;10;{supplier}\n"
    path = write(tmp_path / "long.csv", HEADER + GOOD + long_row)
    summary = import_file(server.engine, server.workspaces["alpha"], "materials", path)
    assert (summary.rejected, summary.written) == (1, False)
    assert summary.rejects == [{"file": "long.csv", "row": 4, "column": "Supplier",
                                "value": supplier.strip(),
                                "message": "is longer than 500 characters",
                                "rule": "too long"}]
    assert server_codes(server) == {}


def test_the_import_command_takes_the_files_decimal_mark(server: Server, tmp_path: Path) -> None:
    """BRGEW-like three decimals alone read both ways: refused, until the admin says how."""
    db = server.engine.url.render_as_string(hide_password=False)
    db = db if not db.startswith("sqlite") else server.engine.url.database
    path = write(tmp_path / "mara.csv", HEADER + "FAB-905;Jersey;fabric;jersey;;;;kg;1,180;S\n")
    command = ["--db", db, "import", "materials", str(path), "--workspace", "alpha"]
    refused = CliRunner().invoke(sync_cli, command)
    assert refused.exit_code == 1 and "ambiguous: '1,180' is 1.180" in refused.output
    done = CliRunner().invoke(sync_cli, [*command, "--decimal-mark", "comma"])
    assert done.exit_code == 0, done.output
    assert server_codes(server)["FAB-905"][1] == "1.180"
