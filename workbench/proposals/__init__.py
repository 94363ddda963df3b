"""Buyer proposals: a collection of styles for one brand, each with its picture, fabric, price
(the firm quote where there is one, else the estimate, and saying which), lead time and
footprint, rendered to PDF from the templates in ``resources/templates/`` and exported as a
line sheet (.xlsx)."""

from workbench.proposals.model import Proposal, ProposalStyle, Sender
from workbench.proposals.render import (
    export_line_sheet,
    line_sheet,
    proposal_html,
    render_proposal_pdf,
)

__all__ = [
    "Proposal",
    "ProposalStyle",
    "Sender",
    "export_line_sheet",
    "line_sheet",
    "proposal_html",
    "render_proposal_pdf",
]
