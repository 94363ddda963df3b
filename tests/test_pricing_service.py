"""The pricing service over real HTTP: a firm quote equals the laptop's estimate for the same
inputs and master data; it is numbered, stored, audited and comes back through sync; floor
staff may not ask; a quote asked for offline is sent on reconnect. And the audit trail: intact
chains verify, a tampered entry is named."""

from __future__ import annotations

import contextlib
import itertools
import json
import uuid
from collections.abc import Iterator
from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.client import SyncClient, SyncError
from sync.server import schema
from sync.session import client_for, sign_in, sync_workspace
from tests.costing_examples import BOOK, SHIRT, TSHIRT
from tests.sync_fixtures import PASSWORD, Server, write_rows
from workbench import quotes
from workbench.costing import MarginRule, Rate, load_rate_book, price_style
from workbench.costing.report import price_report
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.replica import open_replica

STAMP = "2026-11-01T00:00:00Z"


def _row(**values: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "deleted": 0, "updated_at": STAMP, **values}


def rate_row(r: Rate) -> dict[str, Any]:
    """A rate as the server's cost_rates row (the replica states a loss in the description)."""
    return _row(
        rate_code=r.rate_code,
        process=r.process,
        description=r.description
        if r.process_loss is None
        else f"Dyeing (process loss {r.process_loss * 100:.0f} %)",
        material_id=r.material_id,
        dye_class=r.dye_class,
        shade_depth=r.shade_depth,
        technique=r.technique,
        basis=r.basis,
        rate=str(r.rate),
        currency=r.currency,
        valid_from=r.valid_from.isoformat(),
        source=r.source,
    )


def rule_row(m: MarginRule, rule_id: str) -> dict[str, Any]:
    """A margin rule as the server's margin_rules row."""
    return _row(
        id=rule_id,
        brand_id=m.brand_id,
        category=m.category,
        method=m.method,
        rate=str(m.rate),
        min_margin=None if m.min_margin is None else str(m.min_margin),
        moq_from=m.moq_from,
        price_rounding=None if m.price_rounding is None else str(m.price_rounding),
        valid_from=m.valid_from.isoformat(),
    )


def master_rows() -> dict[str, list[dict[str, Any]]]:
    """The worked examples' rates, brands, margin rules and FX rates as server rows."""
    rates = [rate_row(r) for r in BOOK.rates]
    brands = [
        _row(id=b.id, code=b.code, name=b.name, country=b.country, currency=b.currency)
        for b in BOOK.brands
    ]
    rules = [rule_row(m, f"rule-{i}") for i, m in enumerate(BOOK.margin_rules)]
    fx = [
        _row(
            from_currency=f.from_currency,
            to_currency=f.to_currency,
            rate=str(f.rate),
            as_of=f.as_of.isoformat(),
            source="Treasury",
        )
        for f in BOOK.fx_rates
    ]
    return {"cost_rates": rates, "brands": brands, "margin_rules": rules, "fx_rates": fx}


@pytest.fixture
def priced(server: Server) -> Server:
    for table, rows in master_rows().items():
        write_rows(server.engine, server.workspaces["alpha"], table, rows)
    return server


def sheet(style: Any = TSHIRT, brand: str = "NORDV", quantity: int = 3000) -> dict[str, Any]:
    return sheet_to_dict(CostSheet(style, brand, quantity))


def test_a_firm_quote_equals_the_local_estimate(priced: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    book = load_rate_book(workspace.replica.conn)
    client = client_for(workspace)
    try:
        for style, brand, quantity in ((TSHIRT, "NORDV", 3000), (SHIRT, "CSTL", 2400)):
            estimate = price_report(
                price_style(style, book, date.today(), brand=brand, quantity=quantity)
            )
            quote = client.request_quote(sheet(style, brand, quantity), "sheet-1")
            assert quote["report"] == estimate
            assert quote["price_per_piece"] == estimate["price_per_piece"]
    finally:
        client.close()
    first, second = [q["quote_no"] for q in _server_quotes(priced)]
    year = date.today().year
    assert (first, second) == (f"Q-{year}-000001", f"Q-{year}-000002")
    # the quotes reach the laptop through the change feed
    sync_workspace(workspace)
    mine = quotes.quotes_for_sheet(workspace.replica, "sheet-1")
    assert {q["quote_no"] for q in mine} == {first, second}
    stored = json.loads(mine[0]["body"])
    assert stored["report"]["lines"][0]["source"] == "Mill quotation 2026-10"
    assert D(mine[0]["price_per_piece"]) > D(mine[0]["cost_per_piece"])
    workspace.close()


def _server_quotes(server: Server) -> list[dict[str, Any]]:
    t = schema.replicated["quotes"]
    with server.engine.connect() as conn:
        return [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(t)
                .where(t.c.workspace_id == server.workspaces["alpha"])
                .order_by(t.c.quote_no)
            )
        ]


def test_floor_staff_may_not_ask_and_bad_sheets_are_named(priced: Server, tmp_path: Path) -> None:
    floor = SyncClient(
        open_replica(tmp_path / "f.sqlite"), priced.url, priced.login("floor@alpha"), retries=0
    )
    with pytest.raises(SyncError, match="firm quotes are for merchandisers and admins") as refused:
        floor.request_quote(sheet())
    assert refused.value.code == "forbidden"
    floor.close()
    merch = SyncClient(
        open_replica(tmp_path / "m.sqlite"),
        priced.url,
        priced.login("merchandiser@alpha"),
        retries=0,
    )
    with pytest.raises(SyncError, match="no margin rule for brand CSTL, category 'knit tops'"):
        merch.request_quote(sheet(TSHIRT, "CSTL"))
    broken = sheet()
    broken["style"]["making"]["sam"] = 12.5  # a float: money and minutes travel as text
    with pytest.raises(SyncError, match=r"style\.making\.sam must be a decimal string"):
        merch.request_quote(broken)
    merch.close()
    assert _server_quotes(priced) == []


def test_a_quote_asked_for_offline_is_fetched_on_reconnect(priced: Server, tmp_path: Path) -> None:
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    good = quotes.queue_request(workspace.replica, "sheet-7", sheet())
    bad = quotes.queue_request(workspace.replica, "sheet-8", sheet(TSHIRT, "CSTL"))
    assert [r.state for r in quotes.requests(workspace.replica)] == ["queued", "queued"]
    report = sync_workspace(workspace)
    assert report.quotes == 2
    states = {r.id: r for r in quotes.requests(workspace.replica)}
    assert states[good].state == "done" and states[good].quote_id
    assert states[bad].state == "failed" and "no margin rule" in (states[bad].error or "")
    [quote] = quotes.quotes_for_sheet(workspace.replica, "sheet-7")
    assert quote["id"] == states[good].quote_id
    assert sync_workspace(workspace).quotes == 0  # nothing asked twice
    workspace.close()


def _db(server: Server) -> str:
    db = server.engine.url.render_as_string(hide_password=False)
    return db if not db.startswith("sqlite") else str(server.engine.url.database)


def test_the_audit_trail_verifies_and_names_a_tampered_entry(
    priced: Server, tmp_path: Path
) -> None:
    merch = SyncClient(
        open_replica(tmp_path / "m.sqlite"),
        priced.url,
        priced.login("merchandiser@alpha"),
        retries=0,
    )
    quote = merch.request_quote(sheet())
    merch.close()
    runner = CliRunner()
    assert (
        runner.invoke(
            sync_cli, ["--db", _db(priced), "user", "set-role", "floor@alpha", "merchandiser"]
        ).exit_code
        == 0
    )
    ok = runner.invoke(sync_cli, ["--db", _db(priced), "audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "alpha:" in ok.output and "chain intact" in ok.output

    out = tmp_path / "audit.json"
    exported = runner.invoke(
        sync_cli,
        ["--db", _db(priced), "audit", "export", "--workspace", "alpha", "--out", str(out)],
    )
    assert exported.exit_code == 0, exported.output
    entries = json.loads(out.read_text("utf-8"))["entries"]
    actions = [e["action"] for e in entries]
    assert actions[:1] == ["workspace.created"]
    assert {"user.added", "device.registered", "quote.issued", "user.role_changed"} <= set(actions)
    issued = next(e for e in entries if e["action"] == "quote.issued")
    assert issued["subject"] == quote["quote_no"] and issued["actor"] == "merchandiser@alpha"
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(entries))

    # someone edits the stored price of the quote's audit entry
    log = schema.audit_log
    with priced.engine.begin() as conn:
        conn.execute(
            sa.update(log)
            .where(
                log.c.workspace_id == priced.workspaces["alpha"],
                log.c.seq == issued["seq"],
            )
            .values(details=json.dumps({**issued["details"], "price_per_piece": "9.99"}))
        )
    broken = runner.invoke(sync_cli, ["--db", _db(priced), "audit", "verify"])
    assert broken.exit_code == 1
    assert f"alpha: entry {issued['seq']} is broken: its content does not match its hash" in (
        broken.output
    )
    assert "beta:" in broken.output and "chain intact" in broken.output

    # or removes an entry outright
    with priced.engine.begin() as conn:
        conn.execute(
            sa.delete(log).where(log.c.workspace_id == priced.workspaces["alpha"], log.c.seq == 2)
        )
    gone = runner.invoke(sync_cli, ["--db", _db(priced), "audit", "verify", "--workspace", "alpha"])
    assert gone.exit_code == 1 and "alpha: entry 2 is broken: entry 2 is missing" in gone.output


def test_imports_and_device_revocations_are_audited(priced: Server, tmp_path: Path) -> None:
    from sync.server import accounts
    from sync.server.audit import entries
    from sync.server.importing import import_file

    path = tmp_path / "brands.csv"
    path.write_text("Code,Name,Currency\nFJL,Fjell Outdoor,NOK\n", encoding="utf-8")
    import_file(priced.engine, priced.workspaces["alpha"], "brands", path)
    import_file(priced.engine, priced.workspaces["alpha"], "brands", path)  # changes nothing
    priced.login("admin@alpha")
    device = accounts.list_devices(priced.engine, "alpha")[-1]
    accounts.revoke_device(priced.engine, device["id"])
    with priced.engine.connect() as conn:
        found = list(entries(conn, priced.workspaces["alpha"]))
    imports = [e for e in found if e.action == "import"]
    assert len(imports) == 1 and imports[0].details["inserted"] == 1
    assert imports[0].details["file"] == "brands.csv"
    revoked = [e for e in found if e.action == "device.revoked"]
    assert revoked[0].subject == device["id"]


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_the_cost_sheet_shows_the_firm_quote_beside_the_estimate(
    qtbot: Any, priced: Server, tmp_path: Path
) -> None:
    with sheet_on_screen(qtbot, priced, tmp_path) as (workspace, sheet):
        estimate = sheet.price.price_per_piece
        with qtbot.waitSignal(sheet.quoted, timeout=15_000) as blocker:
            sheet.ask_quote()
        quote = blocker.args[0]
        assert isinstance(quote, dict) and D(quote["price_per_piece"]) == estimate
        assert sheet.quote_label.text().startswith(f"<b>Firm quote {quote['quote_no']}</b>")
        assert "the same as the estimate" in sheet.quote_label.text()
        assert quotes.quotes_for_sheet(workspace.replica, sheet.sheet_id)[0]["id"] == quote["id"]


@contextlib.contextmanager
def sheet_on_screen(qtbot: Any, server: Server, tmp_path: Path) -> Iterator[tuple[Any, Any]]:
    """A merchandiser's synced workspace and a cost sheet window showing the worked tee for
    Nordvik at 3,000 pieces, priced; closed after."""
    from ui.main_window import MainWindow
    from ui.ops import OpRunner

    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win)
    try:
        sheet = win.menus.new_cost_sheet()
        qtbot.waitUntil(lambda: sheet.loaded is not None, timeout=10_000)
        sheet.show_sheet(CostSheet(TSHIRT, "NORDV", 3000))
        qtbot.waitUntil(lambda: sheet.price is not None, timeout=5_000)
        yield workspace, sheet
    finally:
        win.close()
        workspace.close()


def test_issuing_a_proposal_is_audited_with_its_pdf_hash(priced: Server, tmp_path: Path) -> None:
    import hashlib

    from sync.server.audit import entries
    from workbench.proposals.issue import issue_proposal, save_proposal

    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    draft = save_proposal(
        workspace.replica, title="SS27 knits", brand_code="NORDV", sheet_ids=["sheet-1"]
    )
    sync_workspace(workspace)
    pdf = b"%PDF-1.7 the proposal as issued"
    issue_proposal(workspace.replica, draft["id"], pdf)
    sync_workspace(workspace)
    with priced.engine.connect() as conn:
        issued = [
            e for e in entries(conn, priced.workspaces["alpha"]) if e.action == "proposal.issued"
        ]
    assert len(issued) == 1  # the draft was not an issue
    assert issued[0].subject == draft["id"] and issued[0].actor == "merchandiser@alpha"
    assert issued[0].details["pdf_sha256"] == hashlib.sha256(pdf).hexdigest()
    workspace.close()


def test_a_firm_quote_carries_the_landed_cost_to_the_brands_country(
    priced: Server, tmp_path: Path
) -> None:
    from workbench.costing import landed_terms

    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    book = load_rate_book(workspace.replica.conn)
    delivery = {
        "freight": D("0.22"),
        "insurance_rate": D("0.005"),
        "duty_rate": D("0.165"),
        "local_freight": D("0.06"),
    }
    body = sheet_to_dict(CostSheet(SHIRT, "CSTL", 2400, delivery=delivery))
    client = client_for(workspace)
    try:
        quote = client.request_quote(body, "sheet-2")
    finally:
        client.close()
    price = price_style(SHIRT, book, date.today(), brand="CSTL", quantity=2400)
    terms = landed_terms(price.price_per_piece, "US", delivery)
    assert quote["report"] == price_report(price, terms)
    landed = quote["report"]["delivery"]
    assert landed["valuation"] == "FOB" and "1401a" in landed["valuation_source"]
    assert D(landed["duty"]) == price.price_per_piece * D("0.165")
    assert [rung["incoterm"] for rung in landed["incoterms"]] == ["FOB", "CFR", "CIF", "Landed"]
    workspace.close()
