"""What the cost sheet editor writes to files: the breakdown as a workbook with the price under
it, and the style's ESG sheet as PDF with JSON and CSV beside it.

Apart from the window so that it only asks where to write; the ESG files are written here on
the worker the window hands them to.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from workbench.costing import CostResult, RateBook
from workbench.costing.colourways import ColourwayCosting
from workbench.costing.pricing import PriceResult
from workbench.costing.sheet import CostSheet
from workbench.costing.terms import Terms
from workbench.esg import render_esg_pdf
from workbench.esg import to_csv_rows as esg_csv_rows
from workbench.esg import to_json as esg_to_json
from workbench.export import DATE, INTEGER, MONEY, PERCENT, Cell, export_table
from workbench.formats import DocumentFormat
from workbench.proposals.esg import sheet_footprint
from workbench.replica import Replica

#: the cost sheet workbook's table
BREAKDOWN_COLUMNS = (
    "Component",
    "Quantity",
    "Unit",
    "Rate (₹)",
    "Amount (₹)",
    "Share",
    "Rate code",
    "Source",
    "Valid from",
)
_FORMATS = (None, "#,##0.0000", None, MONEY, MONEY, PERCENT, None, None, DATE)


def _in(currency: str) -> str:
    return f'#,##0.00 "{currency}"'


def export_breakdown(
    path: Path,
    sheet: CostSheet,
    cost: CostResult,
    price: PriceResult | None,
    brand: str,
    terms: Terms | None = None,
    colourways: ColourwayCosting | None = None,
) -> int:
    """The sheet as a workbook Excel users keep: a header block (style, brand, quantity,
    currency, dates), the breakdown with typed cells, then cost, price and margin, and the
    delivered prices when the sheet has a delivery, and each colourway's pieces, cost and
    price with the order's weighted by pieces; the sheet is named after the style.
    Returns the number of breakdown lines written."""
    style = sheet.style
    header: list[tuple[str, Any]] = [("Style", style.style_code)]
    if sheet.title:
        header.append(("Title", sheet.title))
    if brand:
        header.append(("Brand", brand))
    header += [
        ("Category", style.category),
        ("Quantity (pcs)", sheet.quantity),
        ("Currency", price.currency if price else cost.currency),
        ("Costs in", cost.currency),
        ("Costed on", cost.on),
        ("Exported", datetime.now().replace(microsecond=0)),
    ]
    rows: list[list[Any]] = []
    for line in cost.lines:
        percent = line.basis == "percent"
        rows.append(
            [
                line.component,
                Cell(line.quantity, MONEY) if percent else line.quantity,
                "₹" if percent else line.unit,
                Cell(line.rate / 100, PERCENT) if percent else line.rate,
                line.amount,
                line.share,
                line.rate_code,
                line.source,
                line.valid_from,
            ]
        )
    rows += [[], [f"Cost per piece ({cost.currency})", None, None, None, cost.total]]
    if (p := price) is not None:
        rows += [
            [
                f"Price per piece ({p.currency})",
                None,
                None,
                None,
                Cell(p.price_per_piece, _in(p.currency)),
            ],
            [
                f"Price per dozen ({p.currency})",
                None,
                None,
                None,
                Cell(p.price_per_dozen, _in(p.currency)),
            ],
            ["Margin on selling price", None, None, None, Cell(p.margin, PERCENT)],
        ]
        if terms is not None:
            rows += _delivered(terms, p.currency)
    if colourways is not None:
        rows += _colourways(colourways, cost.currency)
    export_table(
        path,
        BREAKDOWN_COLUMNS,
        rows,
        sheet_name=f"Cost sheet {style.style_code}",
        header=header,
        formats=_FORMATS,
    )
    return len(cost.lines)


def _colourways(costing: ColourwayCosting, cost_currency: str) -> list[list[Any]]:
    """One row per colourway (its pieces, cost per piece and price per piece in full
    precision), then the order's figures weighted by pieces."""
    priced = costing.colourways[0].price
    currency = priced.currency if priced else cost_currency
    rows: list[list[Any]] = [
        [],
        [
            "Colourway",
            "Pieces",
            None,
            None,
            f"Cost per piece ({cost_currency})",
            f"Price per piece ({currency})" if priced else None,
        ],
    ]
    for c in costing.colourways:
        rows.append(
            [
                c.colourway.name,
                Cell(c.colourway.pieces, INTEGER),
                "pcs",
                None,
                c.cost.total,
                Cell(c.price.price_per_piece, _in(currency)) if c.price else None,
            ]
        )
    price = costing.price
    rows.append(
        [
            "Order, weighted by pieces",
            Cell(sum(c.colourway.pieces for c in costing.colourways), INTEGER),
            "pcs",
            None,
            costing.cost,
            Cell(price, _in(currency)) if price is not None else None,
        ]
    )
    return rows


def _delivered(terms: Terms, currency: str) -> list[list[Any]]:
    """The delivered prices under the price: each figure in full precision (Excel shows it to
    the cent) and the law the duty's basis follows."""
    money = _in(currency)
    figures = [
        ("Freight", terms.freight),
        ("Insurance", terms.insurance),
        ("CIF price", terms.cif),
        ("Commission", terms.commission),
        ("Buying agent", terms.buying_agent),
    ]
    rows: list[list[Any]] = [[]]
    rows += [
        [f"{name} per piece ({currency})", None, None, None, Cell(value, money)]
        for name, value in figures
        if value or name == "CIF price"
    ]
    rows += [
        [
            f"Duty on the {terms.valuation} value ({currency})",
            None,
            None,
            None,
            Cell(terms.duty, money),
        ],
        [
            f"Local freight per piece ({currency})",
            None,
            None,
            None,
            Cell(terms.local_freight, money),
        ],
        [f"Landed cost per piece ({currency})", None, None, None, Cell(terms.landed, money)],
        [f"Customs value on {terms.valuation}: {terms.valuation_source}"],
    ]
    return rows


def esg_paths(path: Path) -> list[Path]:
    """The ESG sheet's three files: the name chosen, with .pdf, .json and .csv."""
    return [path.with_suffix(".pdf"), path.with_suffix(".json"), path.with_suffix(".csv")]


def write_esg_sheet(
    replica: Replica,
    book: RateBook,
    row: dict[str, Any],
    written: list[Path],
    locale: str = "",
) -> list[Path]:
    """Work out the saved sheet's footprint and write it to ``written`` (see `esg_paths`),
    the PDF in the buyer's document ``locale``."""
    footprint = sheet_footprint(replica, book, row)
    written[0].write_bytes(render_esg_pdf(footprint, DocumentFormat(locale)))
    written[1].write_text(esg_to_json(footprint), encoding="utf-8")
    export_table(written[2], *_csv_parts(esg_csv_rows(footprint)))
    return written


def _csv_parts(rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    return [str(c) for c in rows[0]], rows[1:]
