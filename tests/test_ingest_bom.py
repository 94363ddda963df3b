"""A CLO 3D bill of materials matched to the material master: by code when the line carries
one of ours, else the closest names from search, offered for the merchandiser to confirm."""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.test_search import MATERIALS, insert
from ui.cli import cli as app_cli
from workbench.ingest.bom import match_bom
from workbench.replica import Replica, open_replica
from workbench.search import MaterialSearch, SearchRequest


@pytest.fixture
def search(tmp_path: Path) -> Iterator[MaterialSearch]:
    replica = open_replica(tmp_path / "replica.sqlite")
    insert(replica, MATERIALS)
    search = MaterialSearch(replica, tmp_path / "index")
    search.rebuild()
    yield search
    search.close()
    replica.close()


def clo_bom(path: Path) -> Path:
    """The BOM sheet as CLO 3D exports it: a title row above the headings, a blank line."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["BOM — Style TS-101 Crew neck tee", None, None, None])
    sheet.append(
        [
            "No.",
            "Name",
            "Type",
            "Item No.",
            "Supplier",
            "Content",
            "Color",
            "Placement",
            "Usage",
            "Unit",
        ]
    )
    sheet.append(
        [
            1,
            "Single Jersey 180",
            "Fabric",
            "FAB-0000001",
            "Kongu",
            "100% Cotton",
            "Navy",
            "Body",
            0.21,
            "kg",
        ]
    )
    sheet.append(
        [2, "Organic cotton pique white", "Fabric", None, None, None, "White", "Collar", 0.02, "kg"]
    )
    sheet.append([" "])  # a blank line (a space, as spreadsheets keep them)
    sheet.append(
        [
            3,
            'Polyester button 18L "black"',
            "Button",
            None,
            None,
            None,
            "Black",
            "Placket",
            3,
            "pcs",
        ]
    )
    sheet.append(
        [4, "Sewing thread Tex 27", "Thread", None, None, None, "DTM", "All seams", 180, "m"]
    )
    sheet.append(
        [
            5,
            "Rib 1x1 viscose black",
            "Fabric",
            "FAB-9999999",
            None,
            None,
            "Black",
            "Neck rib",
            "0,01",
            "kg",
        ]
    )
    sheet.append([6, None, "Label", None, None, None, None, "Neck", 1, "pc"])
    book.save(path)
    return path


def code_of(search: MaterialSearch, material_id: str | None) -> str | None:
    row = search.replica.conn.execute(
        "SELECT code FROM materials WHERE id = ?", (material_id,)
    ).fetchone()
    return row[0] if row else None


def test_bom_lines_match_by_code_else_offer_the_closest_names(
    search: MaterialSearch, tmp_path: Path
) -> None:
    bom = match_bom(clo_bom(tmp_path / "TS-101 BOM.xlsx"), search.replica.conn, search)
    assert [str(p) for p in bom.problems] == [
        "TS-101 BOM.xlsx, row 9, column 'Name': a value is required"
    ]
    got = [(line.row, line.status, code_of(search, line.material_id)) for line in bom.lines]
    assert got == [
        (3, "matched", "FAB-0000001"),
        (4, "confirm", "FAB-0000002"),
        (6, "confirm", "TRM-0000001"),
        (7, "unmatched", None),
        (8, "confirm", "FAB-0000003"),
    ]
    assert bom.counts() == {"matched": 1, "confirm": 3, "unmatched": 1}
    assert [line.quantity for line in bom.lines] == [
        Decimal("0.21"),
        Decimal("0.02"),
        3,
        180,
        Decimal("0.01"),
    ]
    pique = bom.lines[1]
    assert len(pique.candidates) <= 3 and pique.candidates[0].code == "FAB-0000002"
    assert pique.values["placement"] == "Collar"
    # a button is only offered trims, however its words match fabrics
    assert {c.code[:3] for c in bom.lines[2].candidates} == {"TRM"}


def test_match_any_ranks_the_materials_sharing_most_words_first(search: MaterialSearch) -> None:
    every = search.search(SearchRequest(text="organic pique denim"))
    assert every.total == 0
    some = search.search(SearchRequest(text="organic pique denim", match_any=True))
    assert some.total == 2
    assert code_of(search, some.ids[0]) == "FAB-0000002"


def test_match_any_in_the_sql_fallback(search: MaterialSearch) -> None:
    search.close()
    found = search.search(SearchRequest(text="pique denim", match_any=True))
    assert found.engine == "sql" and found.total == 2


def test_a_replica_without_the_code_still_offers_names(tmp_path: Path) -> None:
    replica: Replica = open_replica(tmp_path / "empty.sqlite")
    search = MaterialSearch(replica, tmp_path / "index")
    search.rebuild()
    bom = match_bom(clo_bom(tmp_path / "bom.xlsx"), replica.conn, search)
    assert {line.status for line in bom.lines} == {"unmatched"}
    search.close()
    replica.close()


def test_the_bom_command(tmp_path: Path) -> None:
    from workbench.paths import workspace_dir
    from workbench.workspace import open_workspace

    workspace = open_workspace(workspace_dir("mill", tmp_path / "data"))
    insert(workspace.replica, MATERIALS)
    workspace.close()
    path = clo_bom(tmp_path / "bom.xlsx")
    result = CliRunner().invoke(
        app_cli,
        ["--data-dir", str(tmp_path / "data"), "bom", str(path), "--workspace", "mill"],
        obj={},
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert lines[0]["status"] == "matched" and lines[0]["candidates"][0]["code"] == "FAB-0000001"
    assert lines[1]["quantity"] == "0.02" and lines[1]["placement"] == "Collar"
    assert lines[-1] == {
        "file": "bom.xlsx",
        "matched": 1,
        "confirm": 3,
        "unmatched": 1,
        "rejected": 1,
    }
    assert "row 9, column 'Name': a value is required" in result.stderr
