"""Importing master data into a workspace: all or nothing, idempotent, and on to the laptops."""

from __future__ import annotations

import io
import json
from pathlib import Path

import httpx
import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.cli import progress_printer
from sync.server import schema
from sync.server.importing import ImportProgress, _binary_types, import_file
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server
from workbench.errors import Cancelled
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
        return {
            r.code: (r.name, r.price, r.version)
            for r in conn.execute(
                sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"])
            )
        }


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
    partial = import_file(
        server.engine, server.workspaces["alpha"], "materials", path, accept_partial=True
    )
    assert (partial.inserted, partial.rejected, partial.written) == (2, 1, True)
    assert set(server_codes(server)) == {"FAB-901", "YRN-902"}


def test_dry_run_shows_what_would_change(server: Server, tmp_path: Path) -> None:
    path = write(tmp_path / "materials.csv", HEADER + GOOD)
    summary = import_file(
        server.engine, server.workspaces["alpha"], "materials", path, dry_run=True
    )
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
    refused = runner.invoke(
        sync_cli, ["--db", db, "import", "materials", str(path), "--workspace", "alpha"]
    )
    assert refused.exit_code == 1
    assert "line 4, column 'GSM' ('heavy')" in refused.output
    assert "nothing was imported" in refused.output
    done = runner.invoke(
        sync_cli,
        ["--db", db, "import", "materials", str(path), "--workspace", "alpha", "--accept-partial"],
    )
    assert done.exit_code == 0, done.output
    summary = json.loads(done.output.strip().splitlines()[-1])
    assert (summary["inserted"], summary["rejected"]) == (2, 1)
    unknown = runner.invoke(
        sync_cli, ["--db", db, "import", "materials", str(path), "--workspace", "nowhere"]
    )
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
    assert summary.rejects == [
        {
            "file": "long.csv",
            "row": 4,
            "column": "Supplier",
            "value": supplier.strip(),
            "message": "is longer than 500 characters",
            "rule": "too long",
        }
    ]
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


def test_an_import_reports_its_progress_and_stops_when_cancelled(
    server: Server, tmp_path: Path
) -> None:
    """The import says how far it is (rows read, columns checked, rows written) through a
    callback; a callback that raises Cancelled stops it, and the one transaction it
    writes in leaves nothing behind: no row, no change number, no audit entry."""
    rows = "".join(
        f"FAB-{n:05d};Jersey {n};fabric;jersey;100% Cotton;180;150;kg;12.5;S\n"
        for n in range(50_000)
    )
    path = write(tmp_path / "materials.csv", HEADER + rows)
    seen: list[ImportProgress] = []
    summary = import_file(
        server.engine, server.workspaces["alpha"], "materials", path, progress=seen.append
    )
    assert summary.inserted == 50_000
    stages = [p.stage for p in seen]
    assert stages[0] == "read" and stages[-1] == "done"
    assert stages.index("check") < stages.index("write") < stages.index("done")
    assert seen[0].done == seen[0].total == 50_001  # the file's lines, its heading's too
    writes = [p for p in seen if p.stage == "write"]
    assert len(writes) > 1 and writes[-1].done == writes[-1].total == 50_000
    fractions = [p.fraction for p in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0

    def cancel_midway(p: ImportProgress) -> None:
        if p.stage == "write" and p.done > 0:
            raise Cancelled("cancelled by the admin")

    t = schema.replicated["materials"]
    with server.engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
        seq = conn.execute(
            sa.select(schema.workspaces.c.last_seq).where(
                schema.workspaces.c.id == server.workspaces["beta"]
            )
        ).scalar_one()
    with pytest.raises(Cancelled):
        import_file(
            server.engine, server.workspaces["beta"], "materials", path, progress=cancel_midway
        )
    with server.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one() == before
        assert (
            conn.execute(
                sa.select(schema.workspaces.c.last_seq).where(
                    schema.workspaces.c.id == server.workspaces["beta"]
                )
            ).scalar_one()
            == seq
        )


def test_the_import_command_shows_progress_on_a_terminal_only() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert progress_printer(io.StringIO()) is None  # a pipe or a file gets the summary only
    shown = Terminal()
    printer = progress_printer(shown)
    assert printer is not None
    for p in (
        ImportProgress("read", 200_000, 200_000),
        ImportProgress("check", 21, 21),
        ImportProgress("write", 100_000, 200_000),
        ImportProgress("done", 1, 1),
    ):
        printer(p)
    text = shown.getvalue()
    assert "200,000 lines read" in text and "100,000 of 200,000 rows written" in text
    assert "\r" in text and text.endswith("\n") and "100%" in text


def test_the_import_endpoint_takes_the_files_decimal_mark(server: Server) -> None:
    """Over HTTP as on the command line: a number that reads both ways is refused until the
    admin gives the file's decimal mark (decimal_mark=comma or point, as --decimal-mark)."""
    body = (HEADER + "FAB-906;Jersey;fabric;jersey;;;;kg;1,180;S\n").encode()
    with server.client(server.login("admin@alpha")) as http:

        def upload(**params: str) -> httpx.Response:
            return http.post(
                "/v1/import/materials", content=body, params={"filename": "mara.csv", **params}
            )

        refused = upload()
        assert refused.status_code == 200 and refused.json()["written"] is False
        assert refused.json()["rejects"][0]["rule"] == "ambiguous"
        as_point = upload(decimal_mark="point", dry_run="1")
        assert as_point.json()["inserted"] == 1 and as_point.json()["written"] is False
        for wrong in (upload(decimal_mark="semicolon"), upload(decimal_mark="")):
            assert wrong.status_code == 400
            assert (wrong.json()["error"], wrong.json()["field"]) == ("bad_request", "decimal_mark")
        done = upload(decimal_mark="comma")
        assert done.status_code == 200 and done.json()["written"] is True, done.text
    assert server_codes(server)["FAB-906"][1] == "1.180"
    with server.client(server.login("admin@alpha")) as http:
        again = http.post(
            "/v1/import/materials",
            content=body.replace(b"FAB-906", b"FAB-907"),
            params={"filename": "mara.csv", "decimal_mark": "."},
        )
        assert again.json()["written"] is True
        document = http.get("/v1/openapi.json").json()
    assert server_codes(server)["FAB-907"][1] == "1180"
    [documented] = [
        p
        for p in document["paths"]["/v1/import/{kind}"]["post"]["parameters"]
        if p.get("name") == "decimal_mark"
    ]
    assert documented["in"] == "query" and set(documented["schema"]["enum"]) == {
        "comma",
        "point",
        ",",
        ".",
    }


def test_text_the_copy_format_reserves_lands_as_written(server: Server, tmp_path: Path) -> None:
    """On PostgreSQL rows go in as COPY's text, where a backslash, tab, line break and
    ``\\N`` mean something: each name, and an empty cell beside a NULL, read back as the file
    held them, on both databases."""
    names = {
        "FAB-1": "Back\\slash \\N and \\t",
        "FAB-2": "Tab\there",
        "FAB-3": "Two\nlines",
        "FAB-4": "\\N",
        "FAB-5": "Ünïcödé — ½",
    }
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Code", "Name", "Type", "Category", "GSM", "Unit", "Price", "Supplier"])
    for n, (code, name) in enumerate(names.items()):
        sheet.append([code, name, "fabric", "jersey", 180 if n % 2 else None, "m", "1.5", ""])
    path = tmp_path / "reserved.xlsx"
    book.save(path)
    summary = import_file(server.engine, server.workspaces["alpha"], "materials", path)
    assert summary.written, summary.problems
    t = schema.replicated["materials"]
    with server.engine.connect() as conn:
        stored = {
            r.code: (r.name, r.gsm, r.supplier, r.price)
            for r in conn.execute(
                sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"])
            )
        }
    assert stored == {
        code: (name, 180 if n % 2 else None, "", "1.5")
        for n, (code, name) in enumerate(names.items())
    }


def test_rows_go_into_copy_as_binary_only_where_every_value_has_its_columns_type() -> None:
    """A binary COPY packs each value as its column's type; a value of another Python type
    (a number in a text column, a flag given as a bool) sends the rows as text instead."""
    t = sa.Table(
        "t",
        sa.MetaData(),
        sa.Column("id", sa.Text),
        sa.Column("version", sa.BigInteger),
        sa.Column("gsm", sa.Integer),
        sa.Column("name", sa.Text),
    )
    columns: dict[str, list[object]] = {"id": ["a", "b"], "version": [1, 2], "gsm": [180, None]}
    assert _binary_types(t, columns, {"name": "x"}) == ["text", "int8", "int4", "text"]
    assert _binary_types(t, columns, {"name": None}) == ["text", "int8", "int4", "text"]
    assert _binary_types(t, {**columns, "gsm": [180, True]}, {"name": "x"}) is None
    assert _binary_types(t, {**columns, "id": ["a", 2]}, {"name": "x"}) is None
    assert _binary_types(t, columns, {"name": 5}) is None
