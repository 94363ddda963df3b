"""Footprints for proposal pages: each style's ESG lines from its cost sheet and fabric, or
none (and never a made-up figure) when the fabric's fibres have no sourced factors."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from workbench.costing import RateBook, cost_style
from workbench.costing.sheet import sheet_from_dict
from workbench.esg import EsgError, material_facts, proposal_lines, style_footprint
from workbench.esg.footprint import Footprint
from workbench.formats import DocumentFormat
from workbench.replica import Replica


def sheet_footprint(
    replica: Replica, book: RateBook, row: dict[str, Any], today: date | None = None
) -> Footprint:
    """The footprint of a saved cost sheet's style (EsgError when it cannot be worked out)."""
    sheet = sheet_from_dict(json.loads(row["body"]))
    style = sheet.style
    if not style.fabric.material_id:
        raise EsgError(
            f"{style.style_code}: its fabric is not from the material master, so "
            "its fibres are unknown"
        )
    facts = material_facts(replica.conn, style.fabric.material_id)
    cost = cost_style(style, book, today or date.today())
    return style_footprint(
        style, cost, facts.composition, certifications=facts.certifications, on=today
    )


def esg_lines_for(
    replica: Replica, book: RateBook, today: date | None = None, locale: str = ""
) -> Callable[[dict[str, Any]], tuple[str, ...]]:
    """Each style's footprint lines, numbers written in ``locale`` (the proposal's)."""
    fmt = DocumentFormat(locale)

    def lines(row: dict[str, Any]) -> tuple[str, ...]:
        try:
            return proposal_lines(sheet_footprint(replica, book, row, today), fmt)
        except (EsgError, ValueError):
            return ()

    return lines
