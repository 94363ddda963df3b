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
from PIL import Image

from workbench.export import export_table
from workbench.proposals import (
    Proposal,
    ProposalStyle,
    line_sheet,
    proposal_html,
    render_proposal_pdf,
)


def png(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 240), colour).save(out, "PNG")
    return out.getvalue()


def style(n: int, **changes: object) -> ProposalStyle:
    values = dict(
        style_code=f"NV-TEE-0{n}", title=f"Crew neck tee {n}", category="knit tops",
        fabric="Single jersey 180 GSM", composition="100% Organic Cotton",
        description="A soft, compact single jersey tee.", description_source="ai",
        price_per_piece=D("3.35") + n, price_per_dozen=(D("3.35") + n) * 12, currency="EUR",
        price_basis="Firm quote Q-2026-000042, valid until 2026-12-24", quantity=3000,
        lead_time=date(2027, 1, 7), lead_time_days=43, image=png("#2b6f97"),
        image_source="photo attached to the cost sheet",
        esg=("Global warming: 1.1 kg CO2e per piece (cradle-to-gate)",), certifications="GOTS",
    )  # fmt: skip
    values.update(changes)
    return ProposalStyle(**values)  # type: ignore[arg-type]


def proposal(*styles: ProposalStyle) -> Proposal:
    return Proposal(title="Spring/Summer 2027 knits", brand_name="Nordvik Outfitters",
                    brand_code="NORDV", issued_on=date(2026, 11, 25),
                    prepared_by="demo-merch@demo", styles=styles, mill="Kongu Mills")  # fmt: skip


def test_a_proposal_pdf_holds_every_style_price_and_picture() -> None:
    third = style(3, image=None, description="Standard text.", description_source="template",
                  price_basis="Estimate (not a firm quote)", lead_time=None)  # fmt: skip
    pdf = pdfium.PdfDocument(render_proposal_pdf(proposal(style(1), style(2), third)))
    assert len(pdf) == 5  # cover, three styles, summary and terms
    texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    assert "Nordvik Outfitters" in texts[0] and "Draft" in texts[0]
    for i, price in ((1, "4.35"), (2, "5.35"), (3, "6.35")):
        assert f"NV-TEE-0{i}" in texts[i] and f"EUR {price} per piece" in texts[i]
        assert f"NV-TEE-0{i}" in texts[4] and price in texts[4]
    assert "(standard text)" in texts[3] and "(standard text)" not in texts[1]
    assert "Estimate (not a firm quote)" in texts[3] and "on request" in texts[3]
    images = [sum(1 for o in pdf[i].get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE)
              for i in range(len(pdf))]  # fmt: skip
    assert images == [0, 1, 1, 0, 0]
    assert "picture to follow" in texts[3]


def test_text_is_escaped_never_markup() -> None:
    html = proposal_html(proposal(style(1, title="<script>alert(1)</script> & tee",
                                        description="<b>bold</b> claim")))  # fmt: skip
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_the_line_sheet(tmp_path: Path) -> None:
    headers, rows = line_sheet(proposal(style(1), style(2)))
    export_table(tmp_path / "line-sheet.xlsx", headers, rows)
    got = list(openpyxl.load_workbook(tmp_path / "line-sheet.xlsx").active.iter_rows(
        values_only=True))  # fmt: skip
    assert got[0][:3] == ("Style", "Description", "Category")
    assert [r[0] for r in got[1:]] == ["NV-TEE-01", "NV-TEE-02"]
    assert got[1][8] == 4.35 and got[1][9] == 52.2 and got[1][11] == "2027-01-07"
