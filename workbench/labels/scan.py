"""What a scan at the label station names, and the quantity the operator types on a label.

A barcode scanner types an order or lot number and presses Enter; :func:`look_up` finds it
in the replica (an order with its material's colour and name, a material code, one of the
station's own QR labels read back from its URI, or a lot an earlier job printed) and suggests
the label to print; anything else is a new lot, which the station asks about before it prints
one (a misread or mistyped number must not become a label). :func:`parse_quantity` reads the
label's quantity as typed.

In the Qt-free core because none of it needs Qt and it reads the replica: the label station
(`ui/station/window.py`) runs :func:`look_up` on a worker, and the tests call both directly on
a replica.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workbench.labels import LabelError, LabelItem, parse_digital_link
from workbench.labels.jobs import find_lot
from workbench.replica import Replica

__all__ = ["Scan", "look_up", "parse_quantity", "quantity_text"]


@dataclass(frozen=True)
class Scan:
    """What a scanned or typed number is, and the label it suggests."""

    #: "order", "material", or "lot" (printed before, or, when not ``found``, a new one)
    kind: str
    item: LabelItem
    #: one line for the operator: what was found
    summary: str
    found: bool


_ORDER_SQL = """
SELECT o.order_no, o.style_code, o.quantity, o.uom, o.mill, o.season,
       m.code AS material_code, m.name AS material_name, m.colour AS colour
FROM orders o LEFT JOIN materials m ON m.id = o.material_id AND m.deleted = 0
WHERE {match} AND o.deleted = 0
ORDER BY o.order_date DESC LIMIT 1
"""


def _text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _order(replica: Replica, number: str, today: date) -> Scan | None:
    conn = replica.conn
    row = conn.execute(_ORDER_SQL.format(match="o.order_no = ?"), (number,)).fetchone()
    if row is None:  # typed by hand in another case: slower (a scan of orders), so second
        row = conn.execute(
            _ORDER_SQL.format(match="upper(o.order_no) = upper(?)"), (number,)
        ).fetchone()
    if row is None:
        return None
    item = LabelItem(
        code=row["order_no"],
        kind="order",
        style=_text(row["style_code"]),
        colour=_text(row["colour"]),
        quantity=Decimal(row["quantity"]) if row["quantity"] is not None else None,
        unit=_text(row["uom"]) or "pc",
        production_date=today,
        mill=_text(row["mill"]),
        description=_text(row["material_name"]),
    )
    parts = [f"Order {row['order_no']}", row["style_code"], f"{row['quantity']:,} {row['uom']}"]
    parts += [p for p in (row["season"], row["material_code"], row["mill"]) if p]
    return Scan("order", item, " · ".join(str(p) for p in parts), True)


def _material(replica: Replica, code: str, today: date) -> Scan | None:
    row = replica.conn.execute(
        "SELECT code, name, colour, mill, uom, supplier FROM materials "
        "WHERE code = ? AND deleted = 0 LIMIT 1",
        (code,),
    ).fetchone()
    if row is None:
        return None
    item = LabelItem(
        code=row["code"],
        kind="material",
        colour=_text(row["colour"]),
        mill=_text(row["mill"]),
        description=_text(row["name"]),
        production_date=today,
    )
    parts = [f"Material {row['code']}", row["name"], row["supplier"]]
    return Scan("material", item, " · ".join(p for p in parts if p), True)


def _known_lot(replica: Replica, lot: str) -> Scan | None:
    found = find_lot(replica, lot)
    if found is None:
        return None
    item, job = found
    when = job.created_at[:10]
    parts = [f"Lot {item.lot}", f"printed before on {when}"]
    if item.code and item.code != item.lot:
        parts.append(f"{item.kind} {item.code}")
    return Scan("lot", item, " · ".join(parts), True)


def look_up(replica: Replica, text: str, today: date | None = None) -> Scan:
    """What ``text`` (a scan or typing) names: an order number, a material code, one of
    our own label URIs (its order or material, with its lot), a lot an earlier job printed,
    or else (``found`` False) a new lot number."""
    today = today or date.today()
    text = text.strip()
    if not text:
        raise LabelError("scan or type an order or lot number")
    lot = None
    if text.lower().startswith(("http://", "https://")):
        link = parse_digital_link(text)  # LabelError: not one of ours, said so
        lot = link.lot
        if link.code is None:
            raise LabelError(f"{text}: a GTIN label; scan the order or lot number instead")
        text = link.code
    scan = _order(replica, text, today) or _material(replica, text, today)
    if scan is not None:
        return replace(scan, item=replace(scan.item, lot=lot)) if lot else scan
    known = _known_lot(replica, text)
    if known is not None:
        return known
    item = LabelItem(
        code=text, kind="lot", lot=text if len(text) <= 20 else None, production_date=today
    )
    return Scan("lot", item, f"{text} is not an order, material or lot here", False)


_QUANTITY = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*(\S+)?\s*$")


def parse_quantity(text: str, default_unit: str | None) -> tuple[Decimal | None, str | None]:
    """A typed quantity ("1200 pc", "52,5 kg", or "40" with ``default_unit``) and its unit."""
    if not text.strip():
        return None, None
    match = _QUANTITY.match(text)
    if match is None:
        raise LabelError(f"quantity {text!r}: write a number and a unit, as 1200 pc or 52.5 kg")
    try:
        quantity = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation:
        raise LabelError(f"quantity {text!r} is not a number") from None
    unit = match.group(2) or default_unit
    if not unit:
        raise LabelError(f"quantity {text!r}: give its unit (kg, m, pc, ...)")
    return quantity, unit


def quantity_text(item: LabelItem) -> str:
    """The label's quantity as the form shows it ("1200 pc"), or "" when it has none."""
    return item.value("quantity") or ""
