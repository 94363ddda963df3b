"""A proposal as PDF (WeasyPrint) and as a line sheet (rows for .xlsx/.csv).

The template is Jinja2 with autoescaping: style names, descriptions (an AI's or a user's
words) and brand names are text, never markup. Images go in as data URIs, so the PDF is
self-contained and the renderer touches no network.
"""

from __future__ import annotations

import base64
import functools
from typing import Any

import jinja2

from workbench.paths import resources_dir
from workbench.proposals.model import Proposal

LINE_SHEET_HEADERS = ("Style", "Description", "Category", "Fabric", "Composition",
                      "Certifications", "Quantity", "Currency", "Price per piece",
                      "Price per dozen", "Price basis", "Ready by", "Lead time (days)")  # fmt: skip


@functools.cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(resources_dir() / "templates"),
        autoescape=True, undefined=jinja2.StrictUndefined,
    )  # fmt: skip


def proposal_html(proposal: Proposal) -> str:
    env = environment()
    css = (resources_dir() / "templates" / "proposal.css").read_text("utf-8")
    images = [
        f"data:{s.image_type};base64,{base64.b64encode(s.image).decode()}" if s.image else ""
        for s in proposal.styles
    ]
    return env.get_template("proposal.html").render(p=proposal, css=css, images=images)


def render_proposal_pdf(proposal: Proposal) -> bytes:
    from weasyprint import HTML  # imported when a PDF is made: it is slow to import

    return HTML(string=proposal_html(proposal), base_url=str(resources_dir())).write_pdf()


def line_sheet(proposal: Proposal) -> tuple[list[str], list[list[Any]]]:
    """The styles as a buyer's line sheet: one row each."""
    rows = [
        [s.style_code, s.title, s.category, s.fabric, s.composition, s.certifications,
         s.quantity, s.currency, float(s.price_per_piece), float(s.price_per_dozen),
         s.price_basis, s.lead_time.isoformat() if s.lead_time else "", s.lead_time_days]
        for s in proposal.styles
    ]  # fmt: skip
    return list(LINE_SHEET_HEADERS), rows
