"""Plain SQL search: what answers while the index is missing, damaged or being rebuilt.

Same request, same filters, simpler matching: every word must appear (``LIKE``) somewhere in
the material's text; no typo tolerance. Slower on big replicas, but always there.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from workbench.replica.queries import SORTABLE
from workbench.search.request import SearchRequest
from workbench.search.text import parse

_TEXT = (
    "code || ' ' || name || ' ' || material_type || ' ' || category || ' ' || composition "
    "|| ' ' || construction || ' ' || coalesce(yarn_count, '') || ' ' || colour || ' ' || "
    "finish || ' ' || certifications || ' ' || coalesce(dye_class, '') || ' ' || supplier "
    "|| ' ' || mill || ' ' || description"
)


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def where_clause(request: SearchRequest) -> tuple[str, list[Any]]:
    parsed = parse(request.text)
    conditions = ["deleted = 0"]
    params: list[Any] = []
    words = [f"({_TEXT}) LIKE ? ESCAPE '\\'" for _ in parsed.words]
    if words:
        conditions.append(f"({' OR '.join(words)})" if request.match_any else " AND ".join(words))
        params += [_like(word) for word in parsed.words]
    for phrase in parsed.phrases:
        conditions.append(f"({_TEXT}) LIKE ? ESCAPE '\\'")
        params.append(_like(" ".join(phrase)))
    for column, value in parsed.fields:
        conditions.append(f"coalesce({column}, '') LIKE ? ESCAPE '\\'")
        params.append(_like(" ".join(value)))
    if request.material_types:
        conditions.append(f"material_type IN ({', '.join('?' * len(request.material_types))})")
        params += sorted(request.material_types)
    if request.suppliers:
        conditions.append(f"supplier IN ({', '.join('?' * len(request.suppliers))})")
        params += sorted(request.suppliers)
    for cert in sorted(request.certifications):
        conditions.append("(',' || certifications || ',') LIKE ?")
        params.append(f"%,{cert},%")
    for column, low, high in (
        ("gsm", request.gsm_min, request.gsm_max),
        ("width_cm", request.width_min_cm, request.width_max_cm),
    ):
        if low is not None:
            conditions.append(f"{column} >= ?")
            params.append(low)
        if high is not None:
            conditions.append(f"{column} <= ?")
            params.append(high)
    return " AND ".join(conditions), params


def search_sql(conn: sqlite3.Connection, request: SearchRequest) -> tuple[list[str], int]:
    """(ids in order, total matches)."""
    where, params = where_clause(request)
    total = conn.execute(f"SELECT count(*) FROM materials WHERE {where}", params).fetchone()[0]
    order = "code"
    if request.sort in SORTABLE:
        direction = "DESC" if request.descending else "ASC"
        order = f"{SORTABLE[request.sort]} {direction} NULLS LAST, code"
    ids = [
        row[0]
        for row in conn.execute(
            f"SELECT id FROM materials WHERE {where} ORDER BY {order} LIMIT ?",
            [*params, request.limit],
        )
    ]
    return ids, total
