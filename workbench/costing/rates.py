"""Building the engine's `RateBook` and style inputs from a SQLite replica.

Why the only module here that reads SQL: the engine runs unchanged on the sync server (which
has its own database) and in tests (which build books by hand); keeping the replica's tables,
tombstones and decimal text in one adapter keeps the engine pure. Rows with ``deleted = 1``
are ignored; every version of a rate is loaded, and the engine picks the one in force on the
costing date. FX rates have no table yet: callers pass them in.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

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
    fx_rates: Iterable[FxRate] = (),
    material_ids: Iterable[str] | None = None,
    currency: str = "INR",
) -> RateBook:
    """Every live cost rate (all versions), brand and margin rule in the replica.

    ``material_ids`` limits the rates tied to one material (yarn, trim prices: most of the
    table in a large workspace) to those the styles at hand use; process rates are always
    loaded. ``fx_rates`` are passed through to the book.
    """
    sql = (
        "SELECT rate_code, process, description, material_id, dye_class, shade_depth, "
        "technique, basis, rate, currency, valid_from, source FROM cost_rates WHERE deleted = 0"
    )
    params: tuple[str, ...] = ()
    if material_ids is not None:
        sql += " AND (material_id IS NULL OR material_id IN (SELECT value FROM json_each(?)))"
        params = (json.dumps(sorted(set(material_ids))),)
    rates = []
    for row in conn.execute(sql, params):
        code, process, description, material_id, dye, shade, technique, basis = tuple(row[:8])
        amount, rate_currency, valid_from, source = tuple(row[8:])
        what = f"cost rate {code} ({process})"
        rates.append(
            Rate(
                rate_code=code, process=process, basis=basis,
                rate=to_decimal(amount, f"{what} rate"), valid_from=_date(valid_from, what),
                source=source or "", description=description or "", currency=rate_currency,
                material_id=material_id, dye_class=dye, shade_depth=shade, technique=technique,
                process_loss=_process_loss(description),
            )
        )  # fmt: skip
    brands = [
        Brand(id=r[0], code=r[1], name=r[2], currency=r[3], country=r[4] or "")
        for r in conn.execute(
            "SELECT id, code, name, currency, country FROM brands WHERE deleted = 0"
        )
    ]
    rules = []
    for r in conn.execute(
        "SELECT id, brand_id, category, method, rate, min_margin, moq_from, price_rounding, "
        "valid_from FROM margin_rules WHERE deleted = 0"
    ):
        rule_id, brand_id, category, method, rate, floor, moq, rounding, valid_from = tuple(r)
        what = f"margin rule {rule_id}"
        rules.append(
            MarginRule(
                brand_id=brand_id, method=method, rate=to_decimal(rate, f"{what} rate"),
                valid_from=_date(valid_from, what), category=category or "*",
                min_margin=None if floor in (None, "") else to_decimal(floor, f"{what} minimum"),
                moq_from=int(moq or 0),
                price_rounding=(
                    None if rounding in (None, "") else to_decimal(rounding, f"{what} rounding")
                ),
                id=rule_id,
            )
        )  # fmt: skip
    return RateBook(
        rates=tuple(rates),
        margin_rules=tuple(rules),
        brands=tuple(brands),
        fx_rates=tuple(fx_rates),
        currency=currency,
    )


def _material(conn: sqlite3.Connection, material_id: str, material_type: str) -> sqlite3.Row:
    row = conn.execute(
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
    width = int(row[9]) * (2 if "tubular" in construction.casefold() else 1)
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
        "AND m.yarn_count = ? AND EXISTS (SELECT 1 FROM cost_rates r WHERE r.deleted = 0 "
        "AND r.process = 'yarn' AND r.material_id = m.id)"
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
