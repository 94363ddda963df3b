"""What the cost sheet editor writes to files: the breakdown as a workbook with the price under
it, and the style's ESG sheet as PDF with JSON and CSV beside it.

Apart from the window so that it only asks where to write; the ESG files are written here on
the worker the window hands them to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ui.cost_sheet.amounts import money
from workbench.costing import RateBook
from workbench.costing.pricing import PriceResult
from workbench.esg import render_esg_pdf
from workbench.esg import to_csv_rows as esg_csv_rows
from workbench.esg import to_json as esg_to_json
from workbench.export import export_table
from workbench.proposals.esg import sheet_footprint
from workbench.replica import Replica


def export_breakdown(
    path: Path, headers: list[str], rows: list[list[Any]], price: PriceResult | None
) -> int:
    """The breakdown's rows, then the cost, price and margin when there is a price."""
    if (p := price) is not None:
        rows += [[], ["Cost per piece (INR)", "", "", money(p.cost.total)],
                 [f"Price per piece ({p.currency})", "", "", f"{p.price_per_piece:.2f}"],
                 [f"Price per dozen ({p.currency})", "", "", f"{p.price_per_dozen:.2f}"],
                 ["Margin on selling price", "", "", f"{p.margin * 100:.2f} %"]]  # fmt: skip
    return export_table(path, headers, rows)


def esg_paths(path: Path) -> list[Path]:
    """The ESG sheet's three files: the name chosen, with .pdf, .json and .csv."""
    return [path.with_suffix(".pdf"), path.with_suffix(".json"), path.with_suffix(".csv")]


def write_esg_sheet(
    replica: Replica, book: RateBook, row: dict[str, Any], written: list[Path]
) -> list[Path]:
    """Work out the saved sheet's footprint and write it to ``written`` (see `esg_paths`)."""
    footprint = sheet_footprint(replica, book, row)
    written[0].write_bytes(render_esg_pdf(footprint))
    written[1].write_text(esg_to_json(footprint), encoding="utf-8")
    export_table(written[2], *_csv_parts(esg_csv_rows(footprint)))
    return written


def _csv_parts(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    return [str(c) for c in rows[0]], rows[1:]
