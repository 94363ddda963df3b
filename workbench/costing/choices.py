"""What the cost sheet editor offers to choose from, read from the replica: brands, mills
with a cost per minute, print techniques, embroidery rates, the priced yarns a fabric can be
made of, and a sensible starting style for a fabric (so a new sheet prices at once)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from workbench.costing.errors import CostingError
from workbench.costing.inputs import BodyMeasurements, Making, MarkerConsumption, Style
from workbench.costing.rates import fabric_spec


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _distinct(conn: sqlite3.Connection, sql: str, args: tuple[object, ...] = ()) -> list[Choice]:
    return [Choice(str(r[0]), str(r[1])) for r in conn.execute(sql, args)]


def brands(conn: sqlite3.Connection) -> list[Choice]:
    return _distinct(
        conn,
        "SELECT code, name || ' (' || currency || ')' FROM brands WHERE deleted = 0 ORDER BY name",
    )


def mills(conn: sqlite3.Connection) -> list[Choice]:
    return _distinct(
        conn,
        "SELECT DISTINCT technique, technique FROM cost_rates WHERE "
        "deleted = 0 AND process = 'making' AND technique IS NOT NULL "
        "ORDER BY technique",
    )


def print_techniques(conn: sqlite3.Connection) -> list[Choice]:
    return _distinct(
        conn,
        "SELECT DISTINCT technique, technique || ', ' || basis FROM "
        "cost_rates WHERE deleted = 0 AND process = 'printing' "
        "ORDER BY technique",
    )


def embroidery_rates(conn: sqlite3.Connection) -> list[Choice]:
    return _distinct(
        conn,
        "SELECT DISTINCT rate_code, description FROM cost_rates WHERE "
        "deleted = 0 AND process = 'embroidery' ORDER BY rate_code",
    )


def categories(conn: sqlite3.Connection) -> list[str]:
    """The product categories margin rules name (a category selects a brand's rule)."""
    found = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT category FROM margin_rules WHERE deleted = 0 AND category != '*' "
            "ORDER BY category"
        )
    ]
    return [*found, "other"]


def yarns_for(conn: sqlite3.Connection, composition: str = "") -> list[Choice]:
    """Priced yarns, those of the fabric's composition first."""
    rows = conn.execute(
        # IN (…) is worked out once; a correlated EXISTS would scan every yarn rate per yarn
        "SELECT m.id, m.code || '  ' || m.name, m.composition = ? AS same FROM materials m "
        "WHERE m.deleted = 0 AND m.material_type = 'yarn' AND m.id IN (SELECT material_id "
        "FROM cost_rates WHERE deleted = 0 AND process = 'yarn') "
        "ORDER BY same DESC, m.code LIMIT 200",
        (composition,),
    )
    return [Choice(r[0], r[1]) for r in rows]


def starting_style(conn: sqlite3.Connection, fabric_id: str, style_code: str) -> Style:
    """A first draft for a fabric: its spec with the first suitable yarn, consumption from
    typical T-shirt measurements (knits) or a 1.6 m marker (wovens), 8 % wastage, and the
    first mill's cost per minute. Every figure is there to be changed."""
    composition = conn.execute(
        "SELECT composition FROM materials WHERE id = ?", (fabric_id,)
    ).fetchone()
    if composition is None:
        raise CostingError(f"no fabric {fabric_id!r} in this workspace")
    yarns = yarns_for(conn, composition[0])
    if not yarns:
        raise CostingError("this workspace has no priced yarn to cost a fabric with")
    spec = fabric_spec(conn, fabric_id, yarn_material_id=yarns[0].value)
    mill = mills(conn)
    if not mill:
        raise CostingError("this workspace has no cost per minute for any mill")
    consumption: BodyMeasurements | MarkerConsumption
    if spec.kind == "knit":
        consumption = BodyMeasurements(Decimal(70), Decimal(20), Decimal(50))
    else:
        consumption = MarkerConsumption(Decimal("1.6"), "m")
    return Style(
        style_code=style_code,
        category="knit tops" if spec.kind == "knit" else "other",
        fabric=spec,
        consumption=consumption,
        making=Making(Decimal(12), mill[0].value, Decimal("0.6")),
        wastage=Decimal("0.08"),
    )
