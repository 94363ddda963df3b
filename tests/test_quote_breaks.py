"""A price-break quote over real HTTP: the firm quote answers with the price from each of the
brand's quantity breaks, and each break's figures are the ones the laptop's sheet shows from
its synced replica, figure by figure; a sheet with colourways is quoted one price per
colourway, as the laptop prices them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from sync.session import client_for, sign_in, sync_workspace
from tests.costing_examples import TSHIRT
from tests.sync_fixtures import PASSWORD, Server, write_rows
from tests.test_colourways import COLOUR_BOOK, COLOURWAYS
from tests.test_price_breaks import RULES
from tests.test_pricing_service import (  # noqa: F401 (fixture)
    priced,
    rate_row,
    rule_row,
    sheet,
    sheet_on_screen,
)
from workbench.costing import load_rate_book
from workbench.costing.breaks import price_breaks
from workbench.costing.colourways import cost_colourways
from workbench.costing.sheet import CostSheet, sheet_to_dict


def _publish_breaks(server: Server) -> None:
    """Nordvik's margin falls at 5,000 and 10,000 pieces (tests/test_price_breaks.py)."""
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "margin_rules",
        [rule_row(rule, f"break-{i}") for i, rule in enumerate(RULES)],
    )


def test_a_price_break_quote(priced: Server, tmp_path: Path) -> None:  # noqa: F811
    _publish_breaks(priced)
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    client = client_for(workspace)
    try:
        quote = client.request_quote(sheet(TSHIRT, "NORDV", 3000), "sheet-1")
    finally:
        client.close()
    on = date.fromisoformat(quote["costed_on"])
    laptop = price_breaks(TSHIRT, load_rate_book(workspace.replica.conn), on, brand="NORDV")
    workspace.close()
    assert len(quote["breaks"]) == len(laptop) == 3
    for answered, shown in zip(quote["breaks"], laptop, strict=True):
        assert answered["quantity"] == shown.quantity
        assert answered["currency"] == shown.currency == "EUR"
        assert D(answered["price_per_piece"]) == shown.price_per_piece
        assert D(answered["price_per_dozen"]) == shown.price_per_dozen
        assert D(answered["margin"]) == shown.margin
    # by hand (docs/costing.md, "Quantity price breaks"): €3.35 from 1, €3.20 from 5,000 and
    # €3.10 from 10,000; the order of 3,000 is quoted at the first
    assert [(b["quantity"], b["price_per_piece"]) for b in quote["breaks"]] == [
        (1, "3.35"),
        (5000, "3.20"),
        (10000, "3.10"),
    ]
    assert quote["price_per_piece"] == "3.35"


def test_a_colourway_quote(priced: Server, tmp_path: Path) -> None:  # noqa: F811
    extra = [r for r in COLOUR_BOOK.rates if r.rate_code in ("DYE-REA-D", "DYE-REA-W")]
    extra += [r for r in COLOUR_BOOK.rates if r.material_id == "hang-tag-navy"]
    write_rows(
        priced.engine, priced.workspaces["alpha"], "cost_rates", [rate_row(r) for r in extra]
    )
    workspace, _, _ = sign_in(priced.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    client = client_for(workspace)
    body = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
    try:
        quote = client.request_quote(body, "sheet-2")
    finally:
        client.close()
    on = date.fromisoformat(quote["costed_on"])
    book = load_rate_book(workspace.replica.conn)
    laptop = cost_colourways(TSHIRT, COLOURWAYS, book, on, brand="NORDV", quantity=3000)
    workspace.close()
    assert [(c["name"], c["pieces"], c["price_per_piece"]) for c in quote["colourways"]] == [
        ("White", 1200, "3.10"),
        ("Navy", 1200, "3.50"),
        ("Charcoal", 600, "3.80"),
    ]
    for answered, mine in zip(quote["colourways"], laptop.colourways, strict=True):
        assert mine.price is not None
        assert D(answered["cost_per_piece"]) == mine.price.cost_per_piece
        assert D(answered["price_per_piece"]) == mine.price.price_per_piece


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_the_sheet_shows_the_quoted_breaks_beside_its_own(
    qtbot: Any,
    priced: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    _publish_breaks(priced)
    with sheet_on_screen(qtbot, priced, tmp_path) as (_, sheet):
        with qtbot.waitSignal(sheet.quoted, timeout=15_000) as blocker:
            sheet.ask_quote()
        quote = blocker.args[0]
        own = sheet.panel.breaks_label.text()
        quoted = sheet.quote_label.text()
        for b in quote["breaks"]:
            cell = f"{b['quantity']:,}+ pcs {D(b['price_per_piece']):,.2f} EUR"
            assert cell in own and cell in quoted  # the sheet's own break, figure by figure
        assert "Quoted breaks: 1+ pcs 3.35 EUR · 5,000+ pcs 3.20 EUR · 10,000+ pcs 3.10 EUR" in (
            quoted
        )
