"""The ESG sheet of a style as a PDF (the same five sections, lines, scope totals, missing
figures and sources as the JSON and CSV exports), and the short footprint lines a proposal
prints under each style."""

from __future__ import annotations

from typing import cast

from workbench.esg.areas import CREDITED_SCOPE
from workbench.esg.footprint import Footprint
from workbench.esg.matrix import load_matrix
from workbench.formats import DocumentFormat

PLAIN = DocumentFormat()


def esg_sheet_html(footprint: Footprint, fmt: DocumentFormat = PLAIN) -> str:
    """``fmt``: the buyer's document locale, which writes every date and number."""
    from workbench.proposals.render import environment  # one template environment

    matrix = load_matrix()
    sources = [matrix.sources[sid] for sid in footprint.source_ids]
    return (
        environment().get_template("esg_sheet.html").render(f=footprint, sources=sources, fmt=fmt)
    )


def render_esg_pdf(footprint: Footprint, fmt: DocumentFormat = PLAIN) -> bytes:
    from weasyprint import HTML

    # WeasyPrint ships no types; write_pdf() without a target returns the document's bytes
    return cast(bytes, HTML(string=esg_sheet_html(footprint, fmt)).write_pdf())


def proposal_lines(footprint: Footprint, fmt: DocumentFormat = PLAIN) -> tuple[str, ...]:
    """A few lines for a proposal page: each area with a total, and what the total covers,
    numbers written as ``fmt`` (the proposal's document locale) writes them, to three
    significant figures so that a small footprint keeps its digits."""
    lines = []
    for section in footprint.sections:
        if section.total is None:
            continue
        scopes = " + ".join(section.total_scopes)
        missing = f"; {len(section.missing)} figure(s) missing" if section.missing else ""
        credited = section.scope_total(CREDITED_SCOPE)
        apart = (
            ""
            if credited is None
            else (
                "; fibre net of credits, not in the total: "
                f"{fmt.significant(credited)} {section.unit}"
            )
        )
        lines.append(
            f"{section.title}: {fmt.significant(section.total)} {section.unit} per piece "
            f"({scopes}{missing}{apart})"
        )
    return tuple(lines)
