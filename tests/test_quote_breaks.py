"""A price-break quote over real HTTP: the firm quote answers with the price from each of the
brand's quantity breaks, and each break's figures are the ones the laptop's sheet shows from
its synced replica, figure by figure; a sheet with colourways is quoted one price per
colourway, as the laptop prices them, and each colourway at each break."""

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
from workbench.costing import RateBook, load_rate_book
from workbench.costing.breaks import colourway_breaks, price_breaks
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


def _publish_colour_rates(server: Server) -> None:
    """The dark and white reactive dyeing and Navy's hang tag (tests/test_colourways.py)."""
    extra = [r for r in COLOUR_BOOK.rates if r.rate_code in ("DYE-REA-D", "DYE-REA-W")]
    extra += [r for r in COLOUR_BOOK.rates if r.material_id == "hang-tag-navy"]
    write_rows(
        server.engine, server.workspaces["alpha"], "cost_rates", [rate_row(r) for r in extra]
    )


def _quote_colourways(server: Server, tmp_path: Path) -> tuple[dict[str, Any], RateBook, date]:
    """The firm quote of the tee in White, Navy and Charcoal, with the rate book the laptop
    holds once synced and the day it was quoted."""
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=tmp_path)
    sync_workspace(workspace)
    client = client_for(workspace)
    body = sheet_to_dict(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
    try:
        quote = client.request_quote(body, "sheet-2")
        book = load_rate_book(workspace.replica.conn)
    finally:
        client.close()
        workspace.close()
    return quote, book, date.fromisoformat(quote["costed_on"])


def test_a_colourway_quote(priced: Server, tmp_path: Path) -> None:  # noqa: F811
    _publish_colour_rates(priced)
    quote, book, on = _quote_colourways(priced, tmp_path)
    laptop = cost_colourways(TSHIRT, COLOURWAYS, book, on, brand="NORDV", quantity=3000)
    assert [(c["name"], c["pieces"], c["price_per_piece"]) for c in quote["colourways"]] == [
        ("White", 1200, "3.10"),
        ("Navy", 1200, "3.50"),
        ("Charcoal", 600, "3.80"),
    ]
    for answered, mine in zip(quote["colourways"], laptop.colourways, strict=True):
        assert mine.price is not None
        assert D(answered["cost_per_piece"]) == mine.price.cost_per_piece
        assert D(answered["price_per_piece"]) == mine.price.price_per_piece


def test_a_colourway_price_break_quote(priced: Server, tmp_path: Path) -> None:  # noqa: F811
    _publish_breaks(priced)
    _publish_colour_rates(priced)
    quote, book, on = _quote_colourways(priced, tmp_path)
    laptop = colourway_breaks(TSHIRT, COLOURWAYS, book, on, brand="NORDV")
    for answered, mine in zip(quote["colourways"], laptop, strict=True):
        assert answered["name"] == mine.colourway.name
        assert len(answered["breaks"]) == len(mine.breaks) == 3
        for b, shown in zip(answered["breaks"], mine.breaks, strict=True):
            assert b["quantity"] == shown.quantity
            assert b["currency"] == shown.currency == "EUR"
            assert D(b["price_per_piece"]) == shown.price_per_piece
            assert D(b["price_per_dozen"]) == shown.price_per_dozen
            assert D(b["margin"]) == shown.margin
    # by hand (docs/costing.md, "Quantity price breaks"): each colourway's cost ÷ (1 − 0.28,
    # 0.25, 0.22), up to €0.05; Charcoal's 2.7300376 ÷ 0.78 = 3.5000482 goes up to 3.55
    assert {
        c["name"]: [(b["quantity"], b["price_per_piece"]) for b in c["breaks"]]
        for c in (quote["colourways"])
    } == {
        "White": [(1, "3.10"), (5000, "3.00"), (10000, "2.90")],
        "Navy": [(1, "3.50"), (5000, "3.35"), (10000, "3.25")],
        "Charcoal": [(1, "3.80"), (5000, "3.65"), (10000, "3.55")],
    }
    # the order of 3,000 is in each colourway's first break, at its quoted price
    assert [c["price_per_piece"] for c in quote["colourways"]] == ["3.10", "3.50", "3.80"]
    # an app from before colourway breaks reads the top-level breaks: still the style's
    assert [b["price_per_piece"] for b in quote["breaks"]] == ["3.35", "3.20", "3.10"]


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


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_the_sheet_shows_each_colourways_breaks_and_their_quote(
    qtbot: Any,
    priced: Server,  # noqa: F811
    tmp_path: Path,
) -> None:
    _publish_breaks(priced)
    _publish_colour_rates(priced)
    with sheet_on_screen(qtbot, priced, tmp_path) as (_, sheet):
        sheet.show_sheet(CostSheet(TSHIRT, "NORDV", 3000, colourways=COLOURWAYS))
        qtbot.waitUntil(lambda: sheet.colourway_costing is not None, timeout=5_000)
        own = sheet.panel.breaks_label.text()
        with qtbot.waitSignal(sheet.quoted, timeout=15_000):
            sheet.ask_quote()
        quoted = sheet.quote_label.text()
    # by hand (docs/costing.md, "Breaks for a sheet with colourways")
    for name, first, *rest in (
        ("White", "3.10", "3.00", "2.90"),
        ("Navy", "3.50", "3.35", "3.25"),
        ("Charcoal", "3.80", "3.65", "3.55"),
    ):
        later = f"5,000+ pcs {rest[0]} EUR · 10,000+ pcs {rest[1]} EUR"
        assert (
            f"<b>Price breaks, {name}</b>: <b>1+ pcs {first} EUR (this order)</b> · {later}"
        ) in own
        assert f"Quoted breaks, {name}: 1+ pcs {first} EUR · {later}" in quoted
    # the style's breaks without colourways are no colour's price: shown nowhere
    assert "3.35 EUR · 5,000+ pcs 3.20 EUR" not in own + quoted
