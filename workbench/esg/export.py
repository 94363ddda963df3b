"""The ESG sheet's exports: JSON for systems, CSV rows for people.

Why decimals travel as text: the figures are `Decimal`s kept at full precision, and a JSON
float would round them in binary; a missing figure is ``null`` in JSON and an empty cell in
CSV — never 0, so a reader cannot mistake "no figure" for "no impact".
"""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from workbench.esg.footprint import Footprint
from workbench.esg.matrix import Matrix, load_matrix
from workbench.esg.whatif import WhatIf

LINE_HEADERS = (
    "kind",
    "area",
    "component",
    "quantity",
    "quantity_unit",
    "factor",
    "factor_unit",
    "amount",
    "unit",
    "indicator",
    "scope",
    "source",
    "note",
)
CHANGE_HEADERS = ("area", "basis", "unit", "before", "after", "change", "change_percent", "note")


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_json(result: Footprint | WhatIf, matrix: Matrix | None = None) -> str:
    """The footprint (or what-if) as JSON text, with the full citation of every source used."""
    matrix = matrix or load_matrix()
    data = _plain(result)
    ids = (
        result.source_ids
        if isinstance(result, Footprint)
        else tuple(dict.fromkeys((*result.before.source_ids, *result.after.source_ids)))
    )
    data["sources"] = {sid: _plain(matrix.sources[sid]) for sid in ids}
    if isinstance(result, Footprint):
        data["missing"] = _plain(result.missing)
    return json.dumps(data, ensure_ascii=False, indent=2)


def to_csv_rows(result: Footprint | WhatIf) -> list[list[str]]:
    """Rows for a CSV (headers first): for a footprint, every line, the totals per scope and
    per area (saying which scopes they sum), then every missing figure; for a what-if, the
    change per area."""
    if isinstance(result, WhatIf):
        rows = [list(CHANGE_HEADERS)]
        for c in result.changes:
            rows.append(
                [
                    c.title,
                    c.basis,
                    c.unit,
                    _cell(c.before),
                    _cell(c.after),
                    _cell(c.change),
                    _cell(c.percent),
                    c.note,
                ]
            )
        return rows
    rows = [list(LINE_HEADERS)]
    for s in result.sections:
        for line in s.lines:
            rows.append(
                [
                    "line net of credits" if line.credited else "line",
                    s.title,
                    line.component,
                    _cell(line.quantity),
                    line.quantity_unit,
                    _cell(line.factor),
                    line.factor_unit,
                    _cell(line.amount),
                    line.unit,
                    line.indicator,
                    line.scope,
                    line.source,
                    line.note,
                ]
            )
        for scope, amount in s.scope_totals:
            rows.append(
                [
                    "scope total",
                    s.title,
                    f"Total {scope}",
                    "",
                    "",
                    "",
                    "",
                    _cell(amount),
                    s.unit,
                    "",
                    scope,
                    "",
                    "",
                ]
            )
        rows.append(
            [
                "total",
                s.title,
                "Total",
                "",
                "",
                "",
                "",
                _cell(s.total),
                s.unit,
                "",
                " + ".join(s.total_scopes),
                "",
                s.total_note,
            ]
        )
        for note in s.notes:
            rows.append(["note", s.title, note] + [""] * (len(LINE_HEADERS) - 3))
    for m in result.missing:
        rows.append(
            [
                "missing",
                next(s.title for s in result.sections if s.key == m.area),
                m.component,
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                m.reason,
            ]
        )
    return rows


def _cell(value: Decimal | None) -> str:
    return "" if value is None else format(value, "f")
