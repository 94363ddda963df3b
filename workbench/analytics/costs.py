"""Cost structure of the saved cost sheets: what each style's cost per piece is made of, and
the same summed up by process.

Each live sheet is costed afresh by the costing engine (`cost_style`) with the replica's rate
book on the sheet's costing date (``costed_on``, or today for a sheet that follows the current
rates), so the structure is what the sheet costs now, exactly as the cost sheet editor would
show it. A sheet that cannot be costed (a rate missing on its date, a body that is not a
sheet) is left out and listed in ``attrs["skipped"]`` with the reason, in the engine's words.

Of the filters, brands select the sheet's brand, mills the mill that makes the style, and the
date range its costing date; sheets have no season.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from workbench.analytics.filters import ALL, Filters, check_dimensions
from workbench.costing import CostingError, cost_style, load_rate_book
from workbench.costing.sheet import CostSheet, sheet_from_dict

#: The columns `cost_structure` returns.
STRUCTURE_COLUMNS = (
    "sheet_id",
    "style_code",
    "title",
    "brand",
    "costed_on",
    "component",
    "process",
    "amount",
    "share",
    "currency",
)
#: What `cost_by_process` may group by (``process`` is always among them).
COST_DIMENSIONS = ("brand", "style_code", "sheet_id", "component", "process")


def _sheets(
    conn: sqlite3.Connection, filters: Filters, today: date
) -> tuple[list[tuple[str, str, str, str, CostSheet, date]], list[dict[str, str]]]:
    """The filtered sheets as (id, style code, brand, title, sheet, costing date), and those
    that are no sheet."""
    rows = conn.execute(
        "SELECT s.id, s.style_code, s.title, b.code, s.body FROM cost_sheets s "
        "LEFT JOIN brands b ON b.id = s.brand_id AND b.deleted = 0 "
        "WHERE s.deleted = 0 ORDER BY s.style_code, s.id"
    ).fetchall()
    brands = {f.casefold() for f in filters.brands}
    mills = {m.casefold() for m in filters.mills}
    chosen, skipped = [], []
    for sheet_id, style_code, title, brand_code, body in rows:
        try:
            sheet = sheet_from_dict(json.loads(body or "{}"))
        except (CostingError, json.JSONDecodeError) as exc:
            skipped.append({"sheet_id": sheet_id, "style_code": style_code, "reason": str(exc)})
            continue
        brand = brand_code or sheet.brand or ""
        on = sheet.costed_on or today
        if brands and brand.casefold() not in brands:
            continue
        if mills and sheet.style.making.mill.strip().casefold() not in mills:
            continue
        if not filters.within(on):
            continue
        chosen.append(
            (sheet_id, style_code or sheet.style.style_code, brand, title or sheet.title, sheet, on)
        )
    return chosen, skipped


def cost_structure(
    conn: sqlite3.Connection, filters: Filters = ALL, *, today: date | None = None
) -> pd.DataFrame:
    """One row per breakdown line of every filtered sheet: columns `STRUCTURE_COLUMNS`, with
    ``amount`` the line's cost per piece (float, in ``currency``, the rate book's), ``share``
    its share of the sheet's total (the engine's: four decimals, summing to exactly 1 per
    sheet), ``costed_on`` the costing date (datetime64). ``attrs["skipped"]`` lists the sheets
    left out: dicts of ``sheet_id``, ``style_code``, ``reason``."""
    today = today or date.today()
    chosen, skipped = _sheets(conn, filters, today)
    wanted: set[str] = set()
    for *_, sheet, _on in chosen:
        wanted.add(sheet.style.fabric.yarn_material_id)
        wanted.update(t.material_id for t in sheet.style.trims)
    book = load_rate_book(conn, material_ids=wanted)  # process rates and these materials' prices
    records = []
    for sheet_id, style_code, brand, title, sheet, on in chosen:
        try:
            result = cost_style(sheet.style, book, on)
            lines = result.lines
        except CostingError as exc:
            skipped.append({"sheet_id": sheet_id, "style_code": style_code, "reason": str(exc)})
            continue
        for line in lines:
            records.append(
                (
                    sheet_id,
                    style_code,
                    title,
                    brand,
                    on,
                    line.component,
                    line.process,
                    float(line.amount),
                    float(line.share),
                    result.currency,
                )
            )
    out = pd.DataFrame(records, columns=list(STRUCTURE_COLUMNS))
    out["costed_on"] = pd.to_datetime(out["costed_on"]).astype("datetime64[ns]")
    out["amount"] = out["amount"].astype(float)
    out["share"] = out["share"].astype(float)
    out.attrs["skipped"] = skipped
    return out


def cost_by_process(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    by: Iterable[str] = ("process",),
    *,
    today: date | None = None,
    structure: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """A `cost_structure` summed up by ``by`` (of `COST_DIMENSIONS`; ``process`` is added if
    missing): ``*by``, ``sheets`` (sheets with such lines), ``amount`` (the sum of their cost
    per piece), ``share`` (of the amount of all processes with the same other keys: by
    process alone, the share of the whole). ``structure``: the filtered `cost_structure`,
    worked out when None."""
    if structure is None:
        structure = cost_structure(conn, filters, today=today)
    keys = list(check_dimensions(by, COST_DIMENSIONS))
    if "process" not in keys:
        keys.append("process")
    out = (
        structure.groupby(keys, sort=True, observed=True)
        .agg(sheets=("sheet_id", "nunique"), amount=("amount", "sum"))
        .reset_index()
    )
    others = [k for k in keys if k != "process"]
    totals = out.groupby(others)["amount"].transform("sum") if others else out["amount"].sum()
    out["share"] = out["amount"] / np.where(totals == 0, np.nan, totals)
    out.attrs["skipped"] = list(structure.attrs.get("skipped", []))
    return out


def cost_lines(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    today: date | None = None,
    structure: pd.DataFrame | None = None,
    **cell: object,
) -> pd.DataFrame:
    """The breakdown lines behind a `cost_by_process` cell (``process="dyeing",
    brand="NORDV"``: any `COST_DIMENSIONS`)."""
    if structure is None:
        structure = cost_structure(conn, filters, today=today)
    keep = np.ones(len(structure), dtype=bool)
    for key, value in cell.items():
        if key not in COST_DIMENSIONS:
            known = ", ".join(COST_DIMENSIONS)
            raise ValueError(f"a cost cell has no {key!r}; it may name {known}")
        keep &= np.asarray(structure[key] == value)
    return structure.loc[keep].reset_index(drop=True)
