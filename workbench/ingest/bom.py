"""A style's bill of materials from CLO 3D (or any PLM's BOM export), matched to our materials.

A BOM line names its material the way the designer's tool knows it. Where it carries one of
our codes, the match is certain. Otherwise the closest names from the material search are
offered, best first, for the merchandiser to confirm: a guess is never taken silently, since
a wrong fabric makes a wrong cost.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from workbench.ingest.mapping import Mapping, load_mapping
from workbench.ingest.problems import Problem
from workbench.ingest.readers import read_table
from workbench.ingest.validate import validate
from workbench.replica.queries import materials_by_ids
from workbench.search.request import SearchRequest, SearchResult

CANDIDATES = 3

#: what BOM tools call a line's type -> our material type
_TYPES = {
    "fabric": "fabric",
    "main fabric": "fabric",
    "lining": "fabric",
    "rib": "fabric",
    "yarn": "yarn",
    "thread": "trim",
    "sewing thread": "trim",
    "trim": "trim",
    "trims": "trim",
    "button": "trim",
    "zipper": "trim",
    "zip": "trim",
    "label": "trim",
    "tape": "trim",
    "elastic": "trim",
    "packing": "trim",
    "packaging": "trim",
    "hangtag": "trim",
    "drawcord": "trim",
    "snap": "trim",
    "rivet": "trim",
    "eyelet": "trim",
}


class Searcher(Protocol):
    def search(self, request: SearchRequest) -> SearchResult: ...


@dataclass(frozen=True)
class Candidate:
    material_id: str
    code: str
    name: str
    supplier: str


@dataclass
class BomLine:
    """One line of the BOM and what it matched.

    ``status``: ``matched`` (by our code: certain), ``confirm`` (closest names offered, the
    first preselected) or ``unmatched`` (nothing close; pick by hand or leave out).
    """

    row: int
    values: dict[str, Any]
    status: str
    material_id: str | None = None
    candidates: tuple[Candidate, ...] = ()

    @property
    def name(self) -> str:
        return str(self.values.get("name") or "")

    @property
    def quantity(self) -> Decimal | None:
        q = self.values.get("quantity")
        return None if q is None else Decimal(str(q))


@dataclass
class BomMatch:
    file: str
    lines: list[BomLine] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"matched": 0, "confirm": 0, "unmatched": 0}
        for line in self.lines:
            out[line.status] += 1
        return out


def _search_text(values: dict[str, Any]) -> str:
    """The line's words for a search, without the characters our query syntax reads as
    phrases or field names (a BOM name like ``Rib 1x1 "collar"`` is just words)."""
    text = " ".join(str(values.get(k) or "") for k in ("name", "composition"))
    return " ".join(re.sub(r"[^\w%/.-]+", " ", text).split())


def _material_type(kind: str) -> frozenset[str]:
    found = _TYPES.get(kind.strip().lower())
    return frozenset({found}) if found else frozenset()


def match_bom(
    path: Path | str,
    conn: sqlite3.Connection,
    search: Searcher,
    mapping: Mapping | None = None,
) -> BomMatch:
    path = Path(path)
    table = validate(read_table(path), mapping or load_mapping("bom"))
    result = BomMatch(file=path.name, problems=list(table.problems))
    codes = sorted({str(v["material_code"]) for _, v in table.rows if v.get("material_code")})
    by_code: dict[str, tuple[str, str, str, str]] = {}
    for start in range(0, len(codes), 500):
        chunk = codes[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            "SELECT id, code, name, supplier FROM materials WHERE deleted = 0 "
            f"AND code IN ({marks})",
            chunk,
        ):
            by_code[row[1]] = (row[0], row[1], row[2], row[3])
    for number, values in table.rows:
        code = str(values.get("material_code") or "")
        if code in by_code:
            hit = Candidate(*by_code[code])
            result.lines.append(BomLine(number, values, "matched", hit.material_id, (hit,)))
            continue
        text = _search_text(values)
        found = (
            search.search(
                SearchRequest(
                    text=text,
                    match_any=True,
                    limit=CANDIDATES,
                    material_types=_material_type(str(values.get("kind") or "")),
                )
            )
            if text
            else None
        )
        rows = materials_by_ids(conn, list(found.ids)) if found else []
        candidates = tuple(Candidate(r["id"], r["code"], r["name"], r["supplier"]) for r in rows)
        if candidates:
            result.lines.append(
                BomLine(number, values, "confirm", candidates[0].material_id, candidates)
            )
        else:
            result.lines.append(BomLine(number, values, "unmatched"))
    return result
