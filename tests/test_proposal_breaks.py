"""The proposal lists a style's price at each of the brand's quantity breaks, with currency
and quantity, the firm quote's when there is one; a sheet with colourways priced differently
is offered at one price per colourway, and the order's amount is each colourway's pieces at
its own price. Read back from the rendered PDF's text (pypdfium2)."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal as D
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from workbench import documents
from workbench.costing import choices as pick
from workbench.costing import load_rate_book
from workbench.costing.breaks import colourway_breaks, price_breaks
from workbench.costing.colourways import Colourway, cost_colourways
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.proposals import render_proposal_pdf
from workbench.proposals.build import build_proposal
from workbench.replica import Replica, open_replica


def _text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.get_textpage().get_text_range().split()) for page in pdfium.PdfDocument(pdf)
    )


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    opened = open_replica(tmp_path / "r.sqlite")
    generate_demo(opened, materials=400, seed=5)
    return opened


def _save(replica: Replica, sheet: CostSheet) -> str:
    row = documents.save_document(
        replica,
        "cost_sheets",
        {
            "style_code": sheet.style.style_code,
            "title": "Tee",
            "body": json.dumps(sheet_to_dict(sheet)),
        },
    )
    return str(row["id"])


def _tee(replica: Replica) -> CostSheet:
    fabric_id = replica.conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' AND construction LIKE "
        "'24G single knit%' AND dye_class = 'reactive' ORDER BY code LIMIT 1"
    ).fetchone()[0]
    # "other": the brand's "*" rules, whose margin falls from 5,000 pieces
    style = replace(pick.starting_style(replica.conn, fabric_id, "NV-001"), category="other")
    return CostSheet(style, "NORDV", 2400)


def test_the_proposal_lists_the_price_at_each_break(replica: Replica) -> None:
    sheet = _tee(replica)
    sheet_id = _save(replica, sheet)
    book = load_rate_book(replica.conn)
    proposal = build_proposal(replica, [sheet_id], brand_code="NORDV", book=book)
    [style] = proposal.styles
    expected = price_breaks(sheet.style, book, proposal.issued_on, brand="NORDV")
    assert [b.quantity for b in expected] == [1, 5000]
    assert [(b.quantity, b.price_per_piece) for b in style.breaks] == [
        (p.quantity, p.price_per_piece) for p in expected
    ]
    text = _text(render_proposal_pdf(proposal))
    shown = " · ".join(
        f"{p.quantity:,}+ pieces: {p.price_per_piece:,.2f} EUR per piece" for p in expected
    )
    assert f"Price breaks {shown}" in text
    assert expected[1].price_per_piece < expected[0].price_per_piece


def test_a_firm_quotes_breaks_replace_the_estimates(replica: Replica) -> None:
    sheet_id = _save(replica, _tee(replica))
    brand_id = replica.conn.execute("SELECT id FROM brands WHERE code = 'NORDV'").fetchone()[0]
    breaks = [
        {"quantity": 1, "currency": "EUR", "price_per_piece": "4.05", "price_per_dozen": "48.60"},
        {
            "quantity": 5000,
            "currency": "EUR",
            "price_per_piece": "3.90",
            "price_per_dozen": "46.80",
        },
    ]
    replica.conn.execute(
        "INSERT INTO quotes (id, quote_no, cost_sheet_id, style_code, brand_id, quantity, "
        "currency, cost_per_piece, price_per_piece, price_per_dozen, margin, costed_on, "
        "valid_until, body, version, updated_at) VALUES ('q1', 'Q-2026-000007', ?, 'NV-001', "
        "?, 2400, 'EUR', '3.00', '4.05', '48.60', '0.26', '2026-11-20', '2099-12-31', ?, 1, "
        "'2026-11-20T00:00:00Z')",
        (sheet_id, brand_id, json.dumps({"breaks": breaks})),
    )
    replica.conn.commit()
    proposal = build_proposal(
        replica, [sheet_id], brand_code="NORDV", book=load_rate_book(replica.conn)
    )
    text = _text(render_proposal_pdf(proposal))
    assert "Price breaks 1+ pieces: 4.05 EUR per piece · 5,000+ pieces: 3.90 EUR per piece" in text
    assert "Firm quote Q-2026-000007" in text


def test_colourways_priced_differently_get_one_price_each(replica: Replica) -> None:
    tee = _tee(replica)
    colourways = (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
    )
    sheet = replace(tee, colourways=colourways)
    sheet_id = _save(replica, sheet)
    book = load_rate_book(replica.conn)
    proposal = build_proposal(replica, [sheet_id], brand_code="NORDV", book=book)
    [style] = proposal.styles
    costing = cost_colourways(
        sheet.style, colourways, book, proposal.issued_on, brand="NORDV", quantity=2400
    )
    white, navy = (c.price for c in costing.colourways)
    assert white is not None and navy is not None and white.price_per_piece < navy.price_per_piece
    assert style.amount == (1200 * white.price_per_piece + 1200 * navy.price_per_piece)
    assert style.breaks == ()  # the style's breaks are not this order's prices
    text = _text(render_proposal_pdf(proposal))
    for name, price in (("White", white), ("Navy", navy)):
        assert (
            f"{name}: {price.price_per_piece:,.2f} EUR per piece · "
            f"{price.price_per_dozen:,.2f} EUR per dozen · 1,200 pieces"
        ) in text
    assert f"{style.amount:,.2f} EUR" in text
    assert style.amount == D(style.amount).quantize(D("0.01"))


def test_the_line_sheet_has_a_row_per_colourway_priced_differently(replica: Replica) -> None:
    from workbench.proposals import line_sheet

    tee = _tee(replica)
    colourways = (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
    )
    sheet_id = _save(replica, replace(tee, colourways=colourways))
    proposal = build_proposal(
        replica, [sheet_id], brand_code="NORDV", book=load_rate_book(replica.conn)
    )
    [style] = proposal.styles
    _, rows = line_sheet(proposal)
    assert [(r[0], r[6], r[8]) for r in rows] == [
        (f"NV-001 {c.name}", c.pieces, c.price_per_piece) for c in style.colourways
    ]
    assert sum(r[13] for r in rows) == style.amount


def test_a_colourway_sheet_takes_only_a_quote_that_priced_its_colourways(
    replica: Replica,
) -> None:
    colourways = (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
    )
    sheet_id = _save(replica, replace(_tee(replica), colourways=colourways))
    brand_id = replica.conn.execute("SELECT id FROM brands WHERE code = 'NORDV'").fetchone()[0]
    priced = {
        "colourways": [
            {
                "name": "White",
                "pieces": 1200,
                "price_per_piece": "3.90",
                "price_per_dozen": "46.80",
            },
            {"name": "Navy", "pieces": 1200, "price_per_piece": "4.20", "price_per_dozen": "50.40"},
        ]
    }
    for quote_no, body, day in (
        ("Q-2026-000008", {}, "2026-11-21"),  # asked before the sheet had colourways
        ("Q-2026-000009", priced, "2026-11-20"),
    ):
        replica.conn.execute(
            "INSERT INTO quotes (id, quote_no, cost_sheet_id, style_code, brand_id, quantity, "
            "currency, cost_per_piece, price_per_piece, price_per_dozen, margin, costed_on, "
            "valid_until, body, version, updated_at) VALUES (?, ?, ?, 'NV-001', ?, 2400, 'EUR', "
            "'3.00', '4.05', '48.60', '0.26', ?, '2099-12-31', ?, 1, ?)",
            (quote_no, quote_no, sheet_id, brand_id, day, json.dumps(body), f"{day}T00:00:00Z"),
        )
    replica.conn.commit()
    proposal = build_proposal(
        replica, [sheet_id], brand_code="NORDV", book=load_rate_book(replica.conn)
    )
    [style] = proposal.styles
    assert style.price_basis.startswith("Firm quote Q-2026-000009")
    assert [(c.name, c.price_per_piece) for c in style.colourways] == [
        ("White", D("3.90")),
        ("Navy", D("4.20")),
    ]
    assert style.amount == D("9720.00")  # 1,200 × 3.90 + 1,200 × 4.20
    text = _text(render_proposal_pdf(proposal))
    assert "White: 3.90 EUR per piece" in text and "Navy: 4.20 EUR per piece" in text


def _shown(name: str, breaks: tuple[tuple[int, D], ...]) -> str:
    return f"{name} — " + " · ".join(f"{q:,}+ pieces: {p:,.2f} EUR per piece" for q, p in breaks)


def test_each_colourway_is_offered_at_each_break(replica: Replica) -> None:
    colourways = (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
    )
    sheet = replace(_tee(replica), colourways=colourways)
    sheet_id = _save(replica, sheet)
    book = load_rate_book(replica.conn)
    proposal = build_proposal(replica, [sheet_id], brand_code="NORDV", book=book)
    [style] = proposal.styles
    laptop = colourway_breaks(sheet.style, colourways, book, proposal.issued_on, brand="NORDV")
    expected = [
        (c.colourway.name, tuple((p.quantity, p.price_per_piece) for p in c.breaks)) for c in laptop
    ]
    assert [q for q, _ in expected[0][1]] == [1, 5000]
    assert [
        (c.name, tuple((b.quantity, b.price_per_piece) for b in c.breaks)) for c in style.colourways
    ] == expected
    # each colourway's own cost at each break: the first is its price for this order of 2,400
    assert [c.price_per_piece for c in style.colourways] == [b[0][1] for _, b in expected]
    assert expected[0][1] != expected[1][1]
    text = _text(render_proposal_pdf(proposal))
    assert f"Price breaks {_shown(*expected[0])} {_shown(*expected[1])}" in text


def test_a_firm_quotes_colourway_breaks_are_the_proposals(replica: Replica) -> None:
    colourways = (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
    )
    sheet_id = _save(replica, replace(_tee(replica), colourways=colourways))
    brand_id = replica.conn.execute("SELECT id FROM brands WHERE code = 'NORDV'").fetchone()[0]

    def priced(name: str, first: str, second: str) -> dict[str, object]:
        breaks = [
            {
                "quantity": q,
                "currency": "EUR",
                "price_per_piece": p,
                "price_per_dozen": str(D(p) * 12),
            }
            for q, p in ((1, first), (5000, second))
        ]
        return {
            "name": name,
            "pieces": 1200,
            "price_per_piece": first,
            "price_per_dozen": str(D(first) * 12),
            "breaks": breaks,
        }

    body = {"colourways": [priced("White", "3.90", "3.75"), priced("Navy", "4.20", "4.05")]}
    replica.conn.execute(
        "INSERT INTO quotes (id, quote_no, cost_sheet_id, style_code, brand_id, quantity, "
        "currency, cost_per_piece, price_per_piece, price_per_dozen, margin, costed_on, "
        "valid_until, body, version, updated_at) VALUES ('q3', 'Q-2026-000010', ?, 'NV-001', "
        "?, 2400, 'EUR', '3.00', '4.05', '48.60', '0.26', '2026-11-20', '2099-12-31', ?, 1, "
        "'2026-11-20T00:00:00Z')",
        (sheet_id, brand_id, json.dumps(body)),
    )
    replica.conn.commit()
    proposal = build_proposal(
        replica, [sheet_id], brand_code="NORDV", book=load_rate_book(replica.conn)
    )
    text = _text(render_proposal_pdf(proposal))
    assert "Firm quote Q-2026-000010" in text
    assert (
        "Price breaks White — 1+ pieces: 3.90 EUR per piece · 5,000+ pieces: 3.75 EUR per piece "
        "Navy — 1+ pieces: 4.20 EUR per piece · 5,000+ pieces: 4.05 EUR per piece"
    ) in text
