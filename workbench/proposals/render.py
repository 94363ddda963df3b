"""A proposal as PDF (WeasyPrint) and as a line sheet (rows for .xlsx/.csv).

The template is Jinja2 with autoescaping: style names, descriptions (an AI's or a user's
words) and brand names are text, never markup. Images go in as data URIs, so the PDF is
self-contained and the renderer touches no network.
"""

from __future__ import annotations

import base64
import functools
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import jinja2

from workbench.export import DATE, INTEGER, MONEY, export_table
from workbench.formats import DocumentFormat
from workbench.paths import resources_dir
from workbench.proposals.model import Proposal

LINE_SHEET_HEADERS = (
    "Style",
    "Description",
    "Category",
    "Fabric",
    "Composition",
    "Certifications",
    "Quantity",
    "Currency",
    "Price per piece",
    "Price per dozen",
    "Price basis",
    "Ready by",
    "Lead time (days)",
    "Amount",
)
LINE_SHEET_FORMATS = (
    None,
    None,
    None,
    None,
    None,
    None,
    INTEGER,
    None,
    MONEY,
    MONEY,
    None,
    DATE,
    INTEGER,
    MONEY,
)


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources_dir() / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def proposal_html(proposal: Proposal) -> str:
    env = environment()
    css = (resources_dir() / "templates" / "proposal.css").read_text("utf-8")
    images = [
        f"data:{s.image_type};base64,{base64.b64encode(s.image).decode()}" if s.image else ""
        for s in proposal.styles
    ]
    logo = (
        f"data:{proposal.logo_type};base64,{base64.b64encode(proposal.logo).decode()}"
        if proposal.logo
        else ""
    )
    return env.get_template("proposal.html").render(
        p=proposal, css=css, images=images, logo=logo, fmt=DocumentFormat(proposal.locale)
    )


def render_proposal_pdf(proposal: Proposal) -> bytes:
    from weasyprint import HTML  # imported when a PDF is made: it is slow to import

    # WeasyPrint ships no types; write_pdf() without a target returns the document's bytes
    document = HTML(string=proposal_html(proposal), base_url=str(resources_dir()))
    return cast(bytes, document.write_pdf())


def line_sheet(proposal: Proposal) -> tuple[list[str], list[list[Any]]]:
    """The styles as a buyer's line sheet: one row each (one per colourway where the
    colourways are priced differently, "NV-TEE-01 Navy"), amounts and dates as values."""
    rows = []
    for s in proposal.styles:
        lines = (
            [
                (f"{s.style_code} {c.name}", c.pieces, c.price_per_piece, c.price_per_dozen)
                for c in s.colourways
            ]
            if s.priced_by_colourway
            else [(s.style_code, s.quantity, s.price_per_piece, s.price_per_dozen)]
        )
        for code, quantity, price, dozen in lines:
            rows.append(
                [
                    code,
                    s.title,
                    s.category,
                    s.fabric,
                    s.composition,
                    s.certifications,
                    quantity,
                    s.currency,
                    price,
                    dozen,
                    s.price_basis,
                    s.lead_time,
                    s.lead_time_days,
                    (price * quantity).quantize(Decimal("0.01"))
                    if s.priced_by_colourway
                    else s.amount,
                ]
            )
    return list(LINE_SHEET_HEADERS), rows


def export_line_sheet(proposal: Proposal, path: Path) -> int:
    """The line sheet as a workbook (or CSV): a header block saying which proposal, for whom
    and in what state, typed cells, a sheet named after the brand, the order total below."""
    headers, rows = line_sheet(proposal)
    totals = proposal.order_totals()
    for currency, total in totals.items():
        label = "Order total" + (f" in {currency}" if len(totals) > 1 else "")
        rows.append(
            [
                label,
                None,
                None,
                None,
                None,
                None,
                proposal.quantity_in(currency),
                currency,
                None,
                None,
                None,
                None,
                None,
                total,
            ]
        )
    header = [
        ("Proposal", proposal.title),
        ("Brand", f"{proposal.brand_code} — {proposal.brand_name}"),
        ("Date", proposal.issued_on),
        ("State", proposal.state),
    ]
    export_table(
        path,
        headers,
        rows,
        sheet_name=f"Line sheet {proposal.brand_code}",
        header=header,
        formats=LINE_SHEET_FORMATS,
    )
    return len(proposal.styles)
