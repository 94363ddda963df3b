"""Importing the other kinds of master data: brands, margin rules, work centres, capacity, cost
rates and orders, whose rows name other rows (a rate's material, an order's brand) by code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.server import schema
from sync.server.importing import ImportSummary, import_file
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server
from workbench.ingest import load_mapping
from workbench.ingest.mapping import KINDS, MappingError

MATERIALS = (
    "Material;Description;Type;Category;Unit;Price\n"
    "000000000000012345;Single Jersey 160 Cotton Navy;fabric;single jersey;kg;412,50\n"
    "YRN-3001;Ne 30/1 Combed Cotton Yarn;yarn;combed yarn;kg;268\n"
    "TRM-77;4-hole polyester button 18L;trim;button;pc;0,55\n"
)
BRANDS = "Code,Name,Country,Currency\nNRD,Nordwind,Germany,EUR\nHLM,Holm & Co,Denmark,DKK\n"


def rows(server: Server, table: str, workspace: str = "alpha") -> list[dict[str, Any]]:
    t = schema.replicated[table]
    with server.engine.connect() as conn:
        found = conn.execute(sa.select(t).where(t.c.workspace_id == server.workspaces[workspace]))
        return [dict(r._mapping) for r in found]


def load(server: Server, kind: str, path: Path, **options: Any) -> ImportSummary:
    return import_file(server.engine, server.workspaces["alpha"], kind, path, **options)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


@pytest.fixture
def masters(server: Server, tmp_path: Path) -> Server:
    assert load(server, "materials", write(tmp_path / "mara.csv", MATERIALS)).written
    assert load(server, "brands", write(tmp_path / "brands.csv", BRANDS)).written
    return server


def test_every_kind_has_a_mapping_that_loads() -> None:
    for kind in KINDS:
        mapping = load_mapping(kind)
        assert mapping.table in schema.replicated, kind
        for rule in mapping.reference_fields:
            assert rule.references and rule.references[0] in schema.replicated


def test_a_mapping_that_gives_one_heading_to_two_fields_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(
        json.dumps(
            {
                "kind": "brands",
                "key": "code",
                "fields": {"code": {"aliases": ["Code"]}, "name": {"aliases": ["code "]}},
            }
        )
    )
    with pytest.raises(MappingError, match=r"bad\.json: the heading 'code ' is given for both"):
        load_mapping(path)


def test_cost_rates_name_materials_and_unknown_ones_are_rejected(
    masters: Server, tmp_path: Path
) -> None:
    text = (
        "Rate code;Process;Material;Dye class;Shade;Basis;Rate;Valid from;Source\n"
        "YRN-NE30;yarn;YRN-3001;;;kg;268,00;01.10.2026;Padma Yarns price list\n"
        "DYE-REA-D;dyeing;;reactive;dark;kg;130,00;01.10.2026;Dye house quotation\n"
        "TRIM;trim;TRM-77;;;pcs;0,55;01.10.2026;Supplier price list\n"
        "TRIM;trim;TRM-99;;;pcs;0,60;01.10.2026;Supplier price list\n"
        "EMB-FLAT;embroidery;;;;per 1.000 stitches;4,50;01.10.2026;\n"
        "OVH-FACT;overhead;;;;%;12;31.09.2026;\n"
        "KNT-SJ;knitting;;;;per yard;55;01.10.2026;\n"
    )
    path = write(tmp_path / "rates.csv", text, "cp1252")
    summary = load(masters, "cost_rates", path)
    assert (summary.rows_read, summary.rejected, summary.written) == (7, 3, False)
    assert rows(masters, "cost_rates") == []
    assert summary.problems == [
        "rates.csv, line 5, column 'Material' ('TRM-99'): no material with code 'TRM-99' in "
        "this workspace",
        "rates.csv, line 7, column 'Valid from' ('31.09.2026'): '31.09.2026' is not a date "
        "(use DD.MM.YYYY or YYYY-MM-DD)",
        "rates.csv, line 8, column 'Basis' ('per yard'): not one of per kg, per m, per piece, "
        "per 1000 stitches, per minute, percent",
    ]
    report = openpyxl.load_workbook(tmp_path / "rates.rejected.xlsx").active
    assert [r[1] for r in report.iter_rows(min_row=2, values_only=True)] == [5, 7, 8]

    partial = load(masters, "cost_rates", path, accept_partial=True)
    assert (partial.inserted, partial.written) == (4, True)
    written = {(r["rate_code"], r["material_id"]): r for r in rows(masters, "cost_rates")}
    material_ids = {r["code"]: r["id"] for r in rows(masters, "materials")}
    assert written[("YRN-NE30", material_ids["YRN-3001"])]["rate"] == "268.00"
    assert written[("TRIM", material_ids["TRM-77"])]["basis"] == "per piece"
    assert written[("EMB-FLAT", None)]["basis"] == "per 1000 stitches"
    dyeing = written[("DYE-REA-D", None)]
    assert (dyeing["dye_class"], dyeing["shade_depth"], dyeing["valid_from"]) == (
        "reactive",
        "dark",
        "2026-10-01",
    )
    assert dyeing["currency"] == "INR" and dyeing["description"] == ""

    again = load(masters, "cost_rates", path, accept_partial=True)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 4)
    # the same rate code from a later date is a new rate, not an update of the old one
    later = write(
        tmp_path / "later.csv",
        text.splitlines()[0] + "\nDYE-REA-D;dyeing;;reactive;dark;kg;136,00;01.12.2026;Dye house\n",
    )
    assert load(masters, "cost_rates", later).inserted == 1


def test_margin_rules_by_brand_with_percentages_and_quantity_breaks(
    masters: Server, tmp_path: Path
) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Margin rules 2026", None, None, None, None, None, None])  # a title row
    sheet.append(
        ["Brand", "Category", "Method", "Margin %", "Min margin", "MOQ from", "Valid from"]
    )
    sheet.append(["NRD", None, "margin on price", "28%", "15%", None, "2026-01-01"])
    sheet.append(["NRD", None, "margin", 0.26, 0.15, 5000, "2026-01-01"])
    sheet.append(["HLM", "knit tops", "markup on cost", "40%", None, 0, "2026-01-01"])
    sheet.append(["ZZZ", None, "margin", "0.3", None, 0, "2026-01-01"])
    sheet.append(["NRD", "*", "margin", 28, None, 0, "2026-01-01"])
    path = tmp_path / "margins.xlsx"
    book.save(path)
    summary = load(masters, "margin_rules", path)
    assert summary.written is False
    duplicate = (
        "column 'Brand' ('NRD / * / 0 / 2026-01-01'): duplicate: the same brand_id + "
        "category + moq_from + valid_from is on rows 3 and 7"
    )
    assert summary.problems == [
        f"margins.xlsx, row 3, {duplicate}",
        "margins.xlsx, row 6, column 'Brand' ('ZZZ'): no brand with code 'ZZZ' in this workspace",
        "margins.xlsx, row 7, column 'Margin %' ('28'): write a share as a fraction or a "
        "percentage (0.28 or 28%)",
        f"margins.xlsx, row 7, {duplicate}",
    ]
    fixed = tmp_path / "fixed.xlsx"
    sheet.delete_rows(6, 2)
    book.save(fixed)
    assert load(masters, "margin_rules", fixed).inserted == 3
    brand_ids = {r["code"]: r["id"] for r in rows(masters, "brands")}
    got = sorted(
        (r["brand_id"], r["category"], r["method"], r["rate"], r["min_margin"], r["moq_from"])
        for r in rows(masters, "margin_rules")
    )
    assert got == sorted(
        [
            (brand_ids["NRD"], "*", "margin", "0.28", "0.15", 0),
            (brand_ids["NRD"], "*", "margin", "0.26", "0.15", 5000),
            (brand_ids["HLM"], "knit tops", "markup", "0.4", None, 0),
        ]
    )
    assert load(masters, "margin_rules", fixed).unchanged == 3


def test_capacity_per_work_centre_and_day(server: Server, tmp_path: Path) -> None:
    centres = write(
        tmp_path / "crhd.txt",
        "ARBPL\tKTEXT\tProcess\tWERKS\n"
        "KNT-01\tCircular knitting hall A\tknitting\tTirupur\n"
        "SEW-01\tSewing line 1\tstitching\tTirupur\n",
    )
    assert load(server, "work_centres", centres).inserted == 2
    capacity = write(
        tmp_path / "capacity.csv",
        "Work centre|Date|Available|Booked\n"
        "KNT-01|24.11.2026|63.360|40.000\n"
        "KNT-01|25.11.2026|63.360|\n"
        "SEW-01|24.11.2026|19200|19200\n"
        "SEW-01|24.11.2026|19200|100\n"
        "CUT-09|24.11.2026|11520|0\n"
        "SEW-01|25.11.2026|-5|0\n",
    )
    # 63.360 reads both ways and nothing else in the file tells: the admin gives the mark
    summary = load(server, "capacity", capacity, decimal_mark=",")
    assert [p.split(": ", 1)[1] for p in summary.problems] == [
        "duplicate: the same work_centre_id + day is on lines 4 and 5",
        "duplicate: the same work_centre_id + day is on lines 4 and 5",
        "no work centre with code 'CUT-09' in this workspace",
        "negative: this column takes no numbers below zero",
    ]
    assert rows(server, "capacity") == []
    assert load(server, "capacity", capacity, accept_partial=True, decimal_mark=",").inserted == 2
    centre_codes = {r["id"]: r["code"] for r in rows(server, "work_centres")}
    got = sorted(
        (centre_codes[r["work_centre_id"]], r["day"], r["minutes_available"], r["minutes_booked"])
        for r in rows(server, "capacity")
    )
    assert got == [("KNT-01", "2026-11-24", 63360, 40000), ("KNT-01", "2026-11-25", 63360, 0)]
    sewing = {r["process"] for r in rows(server, "work_centres")}
    assert sewing == {"knitting", "sewing"}


def test_orders_from_an_sap_extract(masters: Server, tmp_path: Path) -> None:
    text = (
        "VBELN;KUNNR;Style;MATNR;Season;KWMENG;NETPR;WAERK;AUDAT;EDATU\n"
        "0004500012;NRD;TS-101;000000000000012345;SS27;12.000;3,45;EUR;02.11.2026;15.01.2027\n"
        "0004500012;NRD;TS-102;;SS27;2.500;4,10;EUR;02.11.2026;15.01.2027\n"
        "0004500013;XXX;PL-7;000000000000099999;SS27;0;3,00;EUR;03.11.2026;\n"
    )
    path = write(tmp_path / "vbap.csv", text)
    summary = load(masters, "orders", path)
    assert [p.split(": ", 1)[1] for p in summary.problems] == [
        "below the minimum of 1",
        "no brand with code 'XXX' in this workspace",
        "no material with code '000000000000099999' in this workspace",
    ]
    assert load(masters, "orders", path, accept_partial=True).inserted == 2
    material_ids = {r["code"]: r["id"] for r in rows(masters, "materials")}
    got = {r["style_code"]: r for r in rows(masters, "orders")}
    assert got["TS-101"]["order_no"] == "0004500012"
    assert got["TS-101"]["material_id"] == material_ids["000000000000012345"]
    assert (got["TS-101"]["quantity"], got["TS-101"]["unit_price"]) == (12000, "3.45")
    assert (got["TS-101"]["order_date"], got["TS-101"]["promised_date"]) == (
        "2026-11-02",
        "2027-01-15",
    )
    assert got["TS-102"]["material_id"] is None and got["TS-102"]["uom"] == "pc"


def test_references_are_looked_up_in_the_callers_workspace_only(
    masters: Server, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "margins.csv", "Brand,Method,Rate,Valid from\nNRD,margin,0.3,2026-01-01\n"
    )
    other = import_file(masters.engine, masters.workspaces["beta"], "margin_rules", path)
    assert other.problems == [
        "margins.csv, line 2, column 'Brand' ('NRD'): no brand with code 'NRD' in this workspace"
    ]


def test_imported_rates_reach_merchandisers_but_not_the_floor(
    masters: Server, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "rates.csv",
        "Rate code,Process,Basis,Rate,Valid from\nCPM-01,making,per minute,5.20,2026-10-01\n",
    )
    laptops = {}
    for role in ("merchandiser", "floor"):
        workspace, _, _ = sign_in(masters.url, f"{role}@alpha", PASSWORD, base=tmp_path / role)
        sync_workspace(workspace)
        laptops[role] = workspace
    assert load(masters, "cost_rates", path).written
    for workspace in laptops.values():
        sync_workspace(workspace)
    query = "SELECT rate_code, rate FROM cost_rates"
    got = {role: [tuple(r) for r in w.replica.conn.execute(query)] for role, w in laptops.items()}
    assert got == {"merchandiser": [("CPM-01", "5.20")], "floor": []}
    for workspace in laptops.values():
        workspace.close()


def test_the_import_command_takes_every_kind(masters: Server, tmp_path: Path) -> None:
    db = masters.engine.url.render_as_string(hide_password=False)
    db = db if not db.startswith("sqlite") else masters.engine.url.database
    path = write(tmp_path / "brands.csv", "Code,Name,Currency\nFJL,Fjell Outdoor,NOK\n")
    result = CliRunner().invoke(
        sync_cli, ["--db", db, "import", "brands", str(path), "--workspace", "alpha", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["inserted"] == 1
    assert "FJL" not in {r["code"] for r in rows(masters, "brands")}
    wrong = CliRunner().invoke(
        sync_cli, ["--db", db, "import", "styles", str(path), "--workspace", "alpha"]
    )
    assert wrong.exit_code == 2 and "'styles' is not one of" in wrong.output


def test_importing_over_http_for_admins(masters: Server, tmp_path: Path) -> None:
    from sync.client import SyncClient, SyncError
    from workbench.replica import open_replica

    replica = open_replica(tmp_path / "admin.sqlite")
    client = SyncClient(replica, masters.url, masters.login("admin@alpha"), retries=0)
    path = write(tmp_path / "brands.csv", "Kunde,Name,Currency\nFJL,Fjell Outdoor,NOK\n")
    # the heading "Kunde" is unknown to the shipped mapping: the admin names it
    refused = client.upload_import("brands", path)
    assert refused["written"] is False and refused["rejects_total"] == 1
    assert refused["rejects"][0]["message"].startswith("required column is missing")
    sent: list[tuple[int, int]] = []
    dry = client.upload_import(
        "brands",
        path,
        dry_run=True,
        columns={"code": "Kunde"},
        progress=lambda done, total: sent.append((done, total)),
    )
    assert (dry["inserted"], dry["written"], dry["dry_run"]) == (1, False, True)
    assert sent[-1] == (path.stat().st_size, path.stat().st_size)
    done = client.upload_import("brands", path, columns={"code": "Kunde"})
    assert done["written"] is True and "FJL" in {r["code"] for r in rows(masters, "brands")}
    for kind, options, message in (
        ("styles", {}, "there is no import for 'styles'"),
        ("brands", {"columns": {"colour": "Kunde"}}, "columns: brands has no field 'colour'"),
    ):
        with pytest.raises(SyncError, match=message):
            client.upload_import(kind, path, **options)
    with pytest.raises(SyncError, match=r"filename must name a \.xlsx"):
        client.upload_import("brands", write(tmp_path / "brands.pdf", "x"))
    client.close()
    replica.close()
