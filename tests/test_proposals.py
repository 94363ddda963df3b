"""Proposals rendered to PDF and opened again: pages, the styles' codes and prices in the text
layer, the pictures embedded; the line sheet written to .xlsx and read back; user and AI text
escaped, never markup."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pypdfium2 as pdfium
import pytest
from PIL import Image

from workbench.export import export_table
from workbench.proposals import (
    Proposal,
    ProposalStyle,
    line_sheet,
    proposal_html,
    render_proposal_pdf,
)
from workbench.proposals.model import terms_for


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 240), colour).save(out, "PNG")
    return out.getvalue()


def style(n: int, **changes: object) -> ProposalStyle:
    values = dict(
        style_code=f"NV-TEE-0{n}",
        title=f"Crew neck tee {n}",
        category="knit tops",
        fabric="Single jersey 180 GSM",
        composition="100% Organic Cotton",
        description="A soft, compact single jersey tee.",
        description_source="ai",
        price_per_piece=D("3.35") + n,
        price_per_dozen=(D("3.35") + n) * 12,
        currency="EUR",
        price_basis="Firm quote Q-2026-000042, valid until 2026-12-24",
        quantity=3000,
        lead_time=date(2027, 1, 7),
        lead_time_days=43,
        image=png("#2b6f97"),
        image_source="photo attached to the cost sheet",
        esg=("Global warming: 1.1 kg CO2e per piece (cradle-to-gate)",),
        certifications="GOTS",
    )
    values.update(changes)
    return ProposalStyle(**values)  # type: ignore[arg-type]


def proposal(*styles: ProposalStyle) -> Proposal:
    return Proposal(
        title="Spring/Summer 2027 knits",
        brand_name="Nordvik Outfitters",
        brand_code="NORDV",
        issued_on=date(2026, 11, 25),
        prepared_by="demo-merch@demo",
        styles=styles,
        mill="Kongu Mills",
    )


def test_a_proposal_pdf_holds_every_style_price_and_picture() -> None:
    third = style(
        3,
        image=None,
        description="Standard text.",
        description_source="template",
        price_basis="Estimate (not a firm quote)",
        lead_time=None,
    )
    pdf = pdfium.PdfDocument(render_proposal_pdf(proposal(style(1), style(2), third)))
    assert len(pdf) == 5  # cover, three styles, summary and terms
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert "Nordvik Outfitters" in texts[0] and "Draft" in texts[0]
    for i, price in ((1, "4.35"), (2, "5.35"), (3, "6.35")):
        assert f"NV-TEE-0{i}" in texts[i] and f"{price} EUR per piece" in texts[i]
        assert f"NV-TEE-0{i}" in texts[4] and price in texts[4]
    assert "(standard text)" in texts[3] and "(standard text)" not in texts[1]
    assert "Estimate (not a firm quote)" in texts[3] and "on request" in texts[3]
    images = [
        sum(1 for o in pdf[i].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
        for i in range(len(pdf))
    ]
    assert images == [0, 1, 1, 0, 0]
    assert "picture to follow" not in texts[3]  # a style without a picture shows none


def test_text_is_escaped_never_markup() -> None:
    html = proposal_html(
        proposal(style(1, title="<script>alert(1)</script> & tee", description="<b>bold</b> claim"))
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_line_sheet(tmp_path: Path) -> None:
    headers, rows = line_sheet(proposal(style(1), style(2)))
    export_table(tmp_path / "line-sheet.xlsx", headers, rows)
    got = list(
        openpyxl.load_workbook(tmp_path / "line-sheet.xlsx").active.iter_rows(values_only=True)
    )
    assert got[0][:3] == ("Style", "Description", "Category")
    assert [r[0] for r in got[1:]] == ["NV-TEE-01", "NV-TEE-02"]
    assert got[1][8] == 4.35 and got[1][9] == 52.2 and got[1][11].date() == date(2027, 1, 7)


def test_the_line_sheet_workbook_has_a_header_block_and_an_order_total(tmp_path: Path) -> None:
    from workbench.proposals import export_line_sheet

    path = tmp_path / "lines.xlsx"
    assert export_line_sheet(proposal(style(1), style(2)), path) == 2
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Line sheet NORDV"]
    got = list(book.active.iter_rows(values_only=True))
    assert got[0][:2] == ("Proposal", "Spring/Summer 2027 knits") and got[3][1] == "draft"
    assert got[5][0] == "Style" and [r[0] for r in got[6:]] == [
        "NV-TEE-01",
        "NV-TEE-02",
        "Order total",
    ]
    assert got[8][6] == 6000 and got[8][13] == 29100  # 3,000 × 4.35 + 3,000 × 5.35


def test_building_a_proposal_from_the_replica_offline(tmp_path: Path) -> None:
    import json

    from tests.fake_ai import PNG
    from workbench import documents
    from workbench.capacity import load_capacity
    from workbench.costing import choices as pick
    from workbench.costing import load_rate_book
    from workbench.costing.sheet import CostSheet, sheet_to_dict
    from workbench.demo import generate_demo
    from workbench.proposals.build import build_proposal
    from workbench.replica import open_replica
    from workbench.services.writer import pending

    replica = open_replica(tmp_path / "r.sqlite")
    generate_demo(replica, materials=400, seed=5)
    conn = replica.conn
    fabrics = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM materials WHERE material_type = 'fabric' AND construction LIKE "
            "'24G single knit%' ORDER BY code LIMIT 2"
        )
    ]
    sheet_ids = []
    for n, fabric_id in enumerate(fabrics):
        style = pick.starting_style(conn, fabric_id, f"NV-{n + 1:03d}")
        row = documents.save_document(
            replica,
            "cost_sheets",
            {
                "style_code": style.style_code,
                "title": f"Tee {n + 1}",
                "body": json.dumps(sheet_to_dict(CostSheet(style, "NORDV", 2400))),
            },
        )
        sheet_ids.append(row["id"])
    photo = tmp_path / "fabric.png"
    photo.write_bytes(PNG)
    documents.add_annotation(replica, fabrics[0], "Lab dip approved", "me", photo)
    brand_id = conn.execute("SELECT id FROM brands WHERE code = 'NORDV'").fetchone()[0]
    conn.execute(
        "INSERT INTO quotes (id, quote_no, cost_sheet_id, style_code, brand_id, quantity, "
        "currency, cost_per_piece, price_per_piece, price_per_dozen, margin, costed_on, "
        "valid_until, body, version, updated_at) VALUES ('q1', 'Q-2026-000007', ?, 'NV-001', "
        "?, 2400, 'EUR', '3.00', '4.05', '48.60', '0.26', '2026-11-20', '2099-12-31', '{}', 1, "
        "'2026-11-20T00:00:00Z')",
        (sheet_ids[0], brand_id),
    )
    conn.commit()

    proposal = build_proposal(
        replica,
        sheet_ids,
        brand_code="NORDV",
        book=load_rate_book(conn),
        capacity=load_capacity(conn),
    )
    first, second = proposal.styles
    assert (first.price_per_piece, first.price_basis) == (
        D("4.05"),
        "Firm quote Q-2026-000007, valid until 2099-12-31",
    )
    assert second.price_basis == "Estimate (not a firm quote)" and second.currency == "EUR"
    assert first.image == PNG and first.image_source == "photo: fabric.png"
    assert second.image is None
    assert first.description_source == "template" and "NV-001" in first.description
    assert pending(replica) == 2  # the AI writes them once online
    assert first.lead_time is not None and first.lead_time_days > 0
    pdf = pdfium.PdfDocument(render_proposal_pdf(proposal))
    assert len(pdf) == 4 and "4.05 EUR per piece" in pdf[1].get_textpage().get_text_range()


def test_a_proposal_carries_each_styles_footprint(tmp_path: Path) -> None:
    import json

    from workbench import documents
    from workbench.costing import choices as pick
    from workbench.costing import load_rate_book
    from workbench.costing.sheet import CostSheet, sheet_to_dict
    from workbench.demo import generate_demo
    from workbench.proposals.build import build_proposal
    from workbench.proposals.esg import esg_lines_for
    from workbench.replica import open_replica

    replica = open_replica(tmp_path / "r.sqlite")
    generate_demo(replica, materials=400, seed=5)
    conn = replica.conn
    known = (
        "100% Cotton",
        "100% Organic Cotton",
        "60% Cotton 40% Polyester",
        "65% Polyester 35% Cotton",
        "100% Polyester",
        "100% Viscose",
        "100% Lyocell",
    )
    query = (
        "SELECT id FROM materials WHERE material_type = 'fabric' AND construction LIKE "
        "'%single knit%' AND composition IN (SELECT value FROM json_each(?)) "
        "ORDER BY code LIMIT 1"
    )
    fabric_id = conn.execute(query, (json.dumps(known),)).fetchone()[0]
    style = pick.starting_style(conn, fabric_id, "ESG-1")
    body = json.dumps(sheet_to_dict(CostSheet(style, "NORDV")))
    row = documents.save_document(replica, "cost_sheets", {"style_code": "ESG-1", "body": body})
    book = load_rate_book(conn)
    proposal = build_proposal(
        replica, [row["id"]], brand_code="NORDV", book=book, esg=esg_lines_for(replica, book)
    )
    [first] = proposal.styles
    assert first.esg and first.esg[0].startswith("Global warming: ")
    text = pdfium.PdfDocument(render_proposal_pdf(proposal))[1].get_textpage().get_text_range()
    assert "Footprint" in text and "kg CO2-eq per piece" in text


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def test_every_price_has_its_currency_and_the_order_its_total() -> None:
    p = proposal(style(1), style(2, quantity=1200))
    text = pdf_text(render_proposal_pdf(p))
    assert "4.35 EUR per piece · 52.20 EUR per dozen" in text
    assert "52.20 EUR" in text and "64.20 EUR" in text  # the summary's per-dozen column too
    # 3,000 × 4.35 + 1,200 × 5.35 = 13,050.00 + 6,420.00
    assert "13,050.00 EUR" in text and "6,420.00 EUR" in text
    assert "Order total" in text and "4,200 pieces" in text and "19,470.00 EUR" in text
    assert p.order_totals() == {"EUR": D("19470.00")}


def test_a_line_without_data_is_left_out() -> None:
    bare = style(1, composition="", fabric="", certifications="", price_basis="", esg=())
    html = proposal_html(proposal(bare))
    for heading in ("Composition", "Fabric", "Certifications", "Footprint"):
        assert f">{heading}<" not in html
    assert '<td class="basis">' not in html


def test_a_lead_time_without_its_count_of_days_shows_the_date_alone() -> None:
    # a style can carry a completion date with no count of days (a proposal stored by hand or
    # by an older release); the page shows the date rather than failing to render
    text = pdf_text(render_proposal_pdf(proposal(style(1, lead_time_days=None))))
    assert "Lead time 2027-01-07\r\n" in text and "days)" not in text


def test_an_issued_proposal_carries_no_draft_mark() -> None:
    from dataclasses import replace

    draft = proposal(style(1))
    assert "Draft" in pdf_text(render_proposal_pdf(draft))
    issued = pdf_text(render_proposal_pdf(replace(draft, state="issued")))
    assert "Draft" not in issued and "Issued 2026-11-25" in issued


def test_the_cover_names_the_company_with_its_logo_and_the_terms_the_incoterms_place(
    tmp_path: Path, private_data_dir: Path
) -> None:
    from dataclasses import replace

    from workbench.settings import Settings, SettingsError, proposal_sender, save_settings

    logo = tmp_path / "kongu.png"
    logo.write_bytes(png("#c0392b"))
    save_settings(
        Settings(
            company_name="Kongu Mills Ltd",
            company_logo=str(logo),
            incoterm="FOB",
            incoterm_place="Tuticorin",
        )
    )
    sender = proposal_sender()
    assert sender.company == "Kongu Mills Ltd" and sender.logo == logo.read_bytes()
    p = replace(
        proposal(style(1)),
        mill=sender.company,
        logo=sender.logo,
        terms=terms_for(sender.incoterm, sender.named_place),
    )
    pdf = pdfium.PdfDocument(render_proposal_pdf(p))
    cover = pdf[0].get_textpage().get_text_range()
    assert "Kongu Mills Ltd" in cover and "Mill Workbench" not in cover
    assert sum(1 for o in pdf[0].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE) == 1
    text = pdf_text(render_proposal_pdf(p))
    assert "FOB Tuticorin (Incoterms 2020)" in " ".join(text.split())
    # no company set: the cover names none rather than the program
    bare = pdf_text(render_proposal_pdf(replace(p, mill="", logo=None)))
    assert "Mill Workbench" not in bare
    with pytest.raises(SettingsError, match="Incoterms 2020") as refused:
        save_settings(Settings(incoterm="FOBB"))
    assert refused.value.field == "incoterm"
    with pytest.raises(SettingsError, match="PNG or JPEG") as refused:
        save_settings(Settings(company_logo=str(tmp_path / "logo.gif")))
    assert refused.value.field == "company_logo"
    logo.unlink()  # a logo moved away: the proposal is made without it
    assert proposal_sender().logo is None
