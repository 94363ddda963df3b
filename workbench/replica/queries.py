"""Read queries over the replica that the app's views and the search fallback share.

All of them skip tombstones (``deleted = 0``). Column names that reach SQL from outside are
checked against an allow-list; values always travel as parameters.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from workbench.replica.cipher import as_dict

MATERIAL_COLUMNS: tuple[str, ...] = (
    "id",
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "construction",
    "yarn_count",
    "gsm",
    "width_cm",
    "colour",
    "shade_depth",
    "dye_class",
    "finish",
    "certifications",
    "supplier",
    "mill",
    "uom",
    "price",
    "currency",
    "description",
    "version",
    "updated_at",
)

#: Columns a material list may be sorted by, mapped to the SQL expression that sorts them.
SORTABLE: dict[str, str] = {
    "code": "code",
    "name": "name COLLATE NOCASE",
    "material_type": "material_type",
    "category": "category",
    "composition": "composition",
    "gsm": "gsm",
    "width_cm": "width_cm",
    "colour": "colour",
    "supplier": "supplier",
    "mill": "mill",
    "price": "CAST(price AS REAL)",
    "certifications": "certifications",
}


def _rows(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    return [as_dict(row) for row in cursor.fetchall()]


def material(conn: sqlite3.Connection, material_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        f"SELECT {', '.join(MATERIAL_COLUMNS)} FROM materials WHERE id = ? AND deleted = 0",
        (material_id,),
    ).fetchone()
    return None if row is None else as_dict(row)


def materials_by_ids(conn: sqlite3.Connection, ids: Sequence[str]) -> list[dict[str, Any]]:
    """Rows for ``ids`` in the order given (missing or deleted ids are left out)."""
    found: dict[str, dict[str, Any]] = {}
    cols = ", ".join(MATERIAL_COLUMNS)
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ", ".join("?" * len(chunk))
        for row in conn.execute(
            f"SELECT {cols} FROM materials WHERE deleted = 0 AND id IN ({marks})", chunk
        ):
            found[row["id"]] = as_dict(row)
    return [found[i] for i in ids if i in found]


def sort_ids(
    conn: sqlite3.Connection,
    ids: Sequence[str],
    column: str,
    descending: bool = False,
    limit: int | None = None,
) -> list[str]:
    """``ids`` reordered by a material column (ties keep code order), the first ``limit``.

    The ids travel as one JSON array, so SQLite looks each up by primary key and sorts just
    those rows, whatever the size of the table.
    """
    if column not in SORTABLE:
        raise ValueError(f"materials cannot be sorted by {column!r}")
    direction = "DESC" if descending else "ASC"
    rows = conn.execute(
        f"SELECT id FROM materials WHERE id IN (SELECT value FROM json_each(?)) "
        f"AND deleted = 0 ORDER BY {SORTABLE[column]} {direction} NULLS LAST, code LIMIT ?",
        (json.dumps(list(ids)), -1 if limit is None else limit),
    ).fetchall()
    return [row[0] for row in rows]


def cost_rates_for_material(conn: sqlite3.Connection, material_id: str) -> list[dict[str, Any]]:
    """The rates that price this material: its own (yarn, trim) and, for a fabric, the
    current knitting or weaving, dyeing and finishing rates its construction, dye class,
    shade and finish select. Newest first within each process."""
    found = conn.execute(
        "SELECT construction, dye_class, shade_depth, finish FROM materials WHERE id = ?",
        (material_id,),
    ).fetchone()
    if found is None:
        return []
    construction, dye_class, shade, finish = tuple(found)
    return _rows(
        conn.execute(
            "SELECT rate_code, process, description, basis, rate, currency, valid_from, source "
            "FROM cost_rates WHERE deleted = 0 AND ("
            "  material_id = :id"
            "  OR (process IN ('knitting', 'weaving') AND :construction != ''"
            "      AND :construction LIKE technique || '%')"
            "  OR (process = 'dyeing' AND dye_class = :dye AND shade_depth = :shade)"
            "  OR (process = 'finishing' AND technique = :finish)"
            ") ORDER BY CASE process WHEN 'yarn' THEN 0 WHEN 'knitting' THEN 1 "
            "WHEN 'weaving' THEN 1 WHEN 'dyeing' THEN 2 WHEN 'finishing' THEN 3 ELSE 4 END, "
            "valid_from DESC",
            {
                "id": material_id,
                "construction": construction or "",
                "dye": dye_class,
                "shade": shade,
                "finish": finish or None,
            },
        )
    )


def orders_for_material(
    conn: sqlite3.Connection, material_id: str, limit: int = 50
) -> list[dict[str, Any]]:
    return _rows(
        conn.execute(
            "SELECT o.order_no, o.style_code, o.season, b.name AS brand, o.mill, o.quantity, "
            "o.uom, o.unit_price, o.currency, o.order_date, o.promised_date, o.delivered_date "
            "FROM orders o LEFT JOIN brands b ON b.id = o.brand_id "
            "WHERE o.material_id = ? AND o.deleted = 0 "
            "ORDER BY o.order_date DESC LIMIT ?",
            (material_id, limit),
        )
    )


def table_counts(conn: sqlite3.Connection, tables: Iterable[str]) -> dict[str, int]:
    """Live (non-deleted) row counts per table."""
    from workbench.replica.declaration import REPLICATED_TABLES

    counts: dict[str, int] = {}
    for table in tables:
        if table not in REPLICATED_TABLES:
            raise ValueError(f"{table!r} is not a replicated table")
        counts[table] = conn.execute(f"SELECT count(*) FROM {table} WHERE deleted = 0").fetchone()[
            0
        ]
    return counts


def distinct_values(conn: sqlite3.Connection, column: str, limit: int = 500) -> list[str]:
    """The values a material facet can take, most common first (for filter pickers)."""
    if column == "certifications":
        counts: dict[str, int] = {}
        for value, n in conn.execute(
            "SELECT certifications, count(*) FROM materials "
            "WHERE deleted = 0 AND certifications != '' GROUP BY certifications"
        ):
            for cert in value.split(","):
                counts[cert] = counts.get(cert, 0) + n
        return sorted(counts, key=lambda c: (-counts[c], c))[:limit]
    if column not in ("material_type", "supplier", "mill", "category", "dye_class", "colour"):
        raise ValueError(f"no facet values for column {column!r}")
    return [
        row[0]
        for row in conn.execute(
            f"SELECT {column} FROM materials WHERE deleted = 0 AND {column} IS NOT NULL "
            f"AND {column} != '' GROUP BY {column} ORDER BY count(*) DESC, {column} LIMIT ?",
            (limit,),
        )
    ]


def materials_changed_since(conn: sqlite3.Connection, version: int) -> sqlite3.Cursor:
    """Every material row (tombstones included) written after change sequence ``version``."""
    return conn.execute(
        f"SELECT {', '.join(MATERIAL_COLUMNS)}, deleted FROM materials WHERE version > ? "
        "ORDER BY version",
        (version,),
    )


def max_version(conn: sqlite3.Connection, table: str = "materials") -> int:
    from workbench.replica.declaration import REPLICATED_TABLES

    if table not in REPLICATED_TABLES:
        raise ValueError(f"{table!r} is not a replicated table")
    return int(conn.execute(f"SELECT coalesce(max(version), 0) FROM {table}").fetchone()[0])


def material_detail(conn: sqlite3.Connection, material_id: str) -> dict[str, Any] | None:
    """Everything the detail pane shows: the material, its cost rates, where it was ordered."""
    found = material(conn, material_id)
    if found is None:
        return None
    return {
        "material": found,
        "cost_rates": cost_rates_for_material(conn, material_id),
        "orders": orders_for_material(conn, material_id),
    }


def brands(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """The brands (id, code, name) by code: what a list of cost sheets is filtered by."""
    return _rows(conn.execute("SELECT id, code, name FROM brands WHERE deleted = 0 ORDER BY code"))


def brand_id(conn: sqlite3.Connection, code: str) -> str | None:
    """The id of the brand with ``code``, which a saved sheet refers to; None when there is
    none (a sheet keeps its brand's code in its body either way)."""
    row = conn.execute("SELECT id FROM brands WHERE code = ? AND deleted = 0", (code,)).fetchone()
    return None if row is None else str(row[0])


def newest_order_no(conn: sqlite3.Connection) -> str | None:
    """The number of the order placed last, or None without orders: what the label station's
    picture scans, so it shows a label filled in."""
    row = conn.execute(
        "SELECT order_no FROM orders WHERE deleted = 0 ORDER BY order_date DESC LIMIT 1"
    ).fetchone()
    return None if row is None else str(row[0])
