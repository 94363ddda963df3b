"""Building the engine's `RateBook` and style inputs from a SQLite replica.

Why the only module here that reads SQL: the engine runs unchanged on the sync server (which
has its own database) and in tests (which build books by hand); keeping the replica's tables,
tombstones and decimal text in one adapter keeps the engine pure. Rows with ``deleted = 1``
are ignored; every version of a rate is loaded, and the engine picks the one in force on the
costing date. `rate_book_from_rows` is the one reading of the rows themselves, shared with the
server's pricing service, which fetches the same columns from its own tables.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any, Literal

from workbench.costing.errors import CostingError
from workbench.costing.inputs import Brand, FabricSpec, FxRate, MarginRule, Rate, TrimLine
from workbench.costing.money import HUNDRED, to_decimal
from workbench.costing.ratebook import RateBook

#: Trim categories that are packing rather than garment trims, for the breakdown's naming.
PACKING_CATEGORIES = frozenset({"poly bag", "carton", "packing"})

_LOSS = re.compile(r"process loss\s*(\d+(?:[.,]\d+)?)\s*%", re.IGNORECASE)


def _date(text: str, what: str) -> date:
    try:
        return date.fromisoformat(str(text)[:10])
    except ValueError:
        raise CostingError(f"{what} has valid-from {text!r}, not an ISO date") from None


def _process_loss(description: str) -> Decimal | None:
    """The loss a rate's description states ("… (process loss 10 %)") as a fraction."""
    found = _LOSS.search(description or "")
    return None if found is None else Decimal(found.group(1).replace(",", ".")) / HUNDRED


def load_rate_book(
    conn: sqlite3.Connection,
    *,
    fx_rates: Iterable[FxRate] | None = None,
    material_ids: Iterable[str] | None = None,
    currency: str = "INR",
) -> RateBook:
    """Every live cost rate (all versions), brand, margin rule and FX rate in the replica.

    ``material_ids`` limits the rates tied to one material (yarn, trim prices: most of the
    table in a large workspace) to those the styles at hand use; process rates are always
    loaded. ``fx_rates`` replaces the replica's FX rates (a what-if, or a test).
    """
    sql = f"SELECT {', '.join(RATE_COLUMNS)} FROM cost_rates WHERE deleted = 0"
    params: tuple[str, ...] = ()
    if material_ids is not None:
        sql += " AND (material_id IS NULL OR material_id IN (SELECT value FROM json_each(?)))"
        params = (json.dumps(sorted(set(material_ids))),)

    def rows(query: str, args: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        cursor = conn.execute(query, args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    return rate_book_from_rows(
        rates=rows(sql, params),
        brands=rows("SELECT id, code, name, currency, country FROM brands WHERE deleted = 0"),
        margin_rules=rows(f"SELECT {', '.join(RULE_COLUMNS)} FROM margin_rules WHERE deleted = 0"),
        fx_rates=rows(f"SELECT {', '.join(FX_COLUMNS)} FROM fx_rates WHERE deleted = 0"),
        extra_fx=fx_rates,
        currency=currency,
    )


RATE_COLUMNS = (
    "rate_code",
    "process",
    "description",
    "material_id",
    "dye_class",
    "shade_depth",
    "technique",
    "basis",
    "rate",
    "currency",
    "valid_from",
    "source",
)
RULE_COLUMNS = (
    "id",
    "brand_id",
    "category",
    "method",
    "rate",
    "min_margin",
    "moq_from",
    "price_rounding",
    "valid_from",
)
FX_COLUMNS = ("id", "from_currency", "to_currency", "rate", "as_of")


def rate_book_from_rows(
    *,
    rates: Iterable[Mapping[str, Any]],
    brands: Iterable[Mapping[str, Any]],
    margin_rules: Iterable[Mapping[str, Any]],
    fx_rates: Iterable[Mapping[str, Any]],
    extra_fx: Iterable[FxRate] | None = None,
    currency: str = "INR",
) -> RateBook:
    """A rate book from rows as the replica (or the server's tables) hold them: the one
    reading of decimal text and ISO dates, so a laptop and the server build the same book."""
    book_rates = []
    for row in rates:
        what = f"cost rate {row['rate_code']} ({row['process']})"
        book_rates.append(
            Rate(
                rate_code=row["rate_code"],
                process=row["process"],
                basis=row["basis"],
                rate=to_decimal(row["rate"], f"{what} rate"),
                valid_from=_date(row["valid_from"], what),
                source=row["source"] or "",
                description=row["description"] or "",
                currency=row["currency"],
                material_id=row["material_id"],
                dye_class=row["dye_class"],
                shade_depth=row["shade_depth"],
                technique=row["technique"],
                process_loss=_process_loss(row["description"]),
            )
        )
    book_brands = [
        Brand(
            id=r["id"],
            code=r["code"],
            name=r["name"],
            currency=r["currency"],
            country=r["country"] or "",
        )
        for r in brands
    ]
    rules = []
    for r in margin_rules:
        what = f"margin rule {r['id']}"
        floor, rounding = r["min_margin"], r["price_rounding"]
        rules.append(
            MarginRule(
                brand_id=r["brand_id"],
                method=r["method"],
                rate=to_decimal(r["rate"], f"{what} rate"),
                valid_from=_date(r["valid_from"], what),
                category=r["category"] or "*",
                min_margin=None if floor in (None, "") else to_decimal(floor, f"{what} minimum"),
                moq_from=int(r["moq_from"] or 0),
                price_rounding=(
                    None if rounding in (None, "") else to_decimal(rounding, f"{what} rounding")
                ),
                id=r["id"],
            )
        )
    if extra_fx is not None:
        book_fx = tuple(extra_fx)
    else:
        book_fx = tuple(
            FxRate(
                r["from_currency"],
                r["to_currency"],
                to_decimal(r["rate"], f"FX rate {r['id']}"),
                _date(r["as_of"], "FX rate"),
            )
            for r in fx_rates
        )
    return RateBook(
        rates=tuple(book_rates),
        margin_rules=tuple(rules),
        brands=tuple(book_brands),
        fx_rates=book_fx,
        currency=currency,
    )


def _material(conn: sqlite3.Connection, material_id: str, material_type: str) -> sqlite3.Row:
    row: sqlite3.Row | None = conn.execute(
        "SELECT id, code, name, material_type, category, composition, construction, yarn_count, "
        "gsm, width_cm, shade_depth, dye_class, finish, uom FROM materials "
        "WHERE id = ? AND deleted = 0",
        (material_id,),
    ).fetchone()
    if row is None:
        raise CostingError(f"no {material_type} material {material_id!r} in this workspace")
    if row[3] != material_type:
        raise CostingError(f"material {row[1]} is a {row[3]}, not a {material_type}")
    return row


def _has_rate(conn: sqlite3.Connection, process: str, construction: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM cost_rates WHERE deleted = 0 AND process = ? AND technique != '' "
        "AND lower(?) LIKE lower(technique) || '%' LIMIT 1",
        (process, construction),
    ).fetchone()
    return found is not None


def fabric_spec(conn: sqlite3.Connection, material_id: str, *, yarn_material_id: str) -> FabricSpec:
    """The `FabricSpec` of a fabric material, knitted or woven from the given yarn.

    Knitted or woven is decided by which conversion rate its construction selects (the
    materials table does not say). A tubular knit's listed width is the flat tube, so its
    cuttable width is twice that.
    """
    row = _material(conn, material_id, "fabric")
    code, construction = row[1], row[6] or ""
    kind: Literal["knit", "woven"]
    if _has_rate(conn, "knitting", construction):
        kind = "knit"
    elif _has_rate(conn, "weaving", construction):
        kind = "woven"
    else:
        raise CostingError(
            f"fabric {code}: no knitting or weaving rate matches its construction {construction!r}"
        )
    if row[8] is None or row[9] is None:
        raise CostingError(f"fabric {code} has no GSM or width: it cannot be costed by weight")
    width = Decimal(str(row[9])) * (2 if "tubular" in construction.casefold() else 1)
    yarn = _material(conn, yarn_material_id, "yarn")
    return FabricSpec(
        kind=kind,
        gsm=int(row[8]),
        width_cm=width,
        construction=construction,
        yarn_material_id=yarn[0],
        yarn_count=yarn[7] or yarn[2],
        dye_class=row[11] or None,
        shade_depth=row[10] or None,
        finish=row[12] or "",
        material_id=row[0],
        name=row[2],
    )


def find_yarn(conn: sqlite3.Connection, yarn_count: str, composition: str | None = None) -> str:
    """The id of a live yarn material of ``yarn_count`` (and ``composition``, if given) that has
    a yarn rate; the lowest code first, so the choice is stable."""
    sql = (
        "SELECT m.id FROM materials m WHERE m.deleted = 0 AND m.material_type = 'yarn' "
        "AND m.yarn_count = ? AND m.id IN (SELECT material_id FROM cost_rates "
        "WHERE deleted = 0 AND process = 'yarn')"
    )
    params: list[str] = [yarn_count]
    if composition is not None:
        sql += " AND m.composition = ?"
        params.append(composition)
    row = conn.execute(sql + " ORDER BY m.code LIMIT 1", params).fetchone()
    if row is None:
        blend = f" in {composition}" if composition else ""
        raise CostingError(f"no priced {yarn_count} yarn{blend} in this workspace")
    return str(row[0])


def trim_line(
    conn: sqlite3.Connection, material_id: str, quantity: Decimal, *, packing: bool | None = None
) -> TrimLine:
    """A `TrimLine` for a trim material, named by its category ("button", "poly bag");
    packing categories are marked as packing unless ``packing`` says otherwise."""
    row = _material(conn, material_id, "trim")
    category = row[4] or row[2]
    if packing is None:
        packing = category.casefold() in PACKING_CATEGORIES
    return TrimLine(material_id=row[0], name=category, quantity=quantity, packing=packing)
