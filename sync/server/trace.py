"""The traceability page: what a buyer or auditor sees when they scan a label's QR code.

The server answers the label's own address: a GS1 Digital Link path (``/01/{GTIN}/10/{lot}``)
or the workspace ID path (``/id/{workspace}/{kind}/{code}/10/{lot}``), as HTML, or as JSON
when asked (``Accept: application/json``). It shows the item, the lot and production date
from the code itself, the mill, the materials with their composition and certifications, and
a fibre footprint with its scope; never a price. A code that names nothing live in the
workspace (unknown, deleted) is a 404 page, not an empty one.

Read-only and public by design (a label is printed for anyone to scan), so it reads through
the same workspace scope as every other handler, named by the code's own workspace.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.scoping import WorkspaceScope
from workbench.esg import EsgError, fibre_mix, load_matrix
from workbench.labels import LabelError, parse_digital_link

#: what the page may show of a material: nothing priced
MATERIAL_FIELDS = (
    "code", "name", "material_type", "category", "composition", "construction", "gsm",
    "width_cm", "colour", "finish", "certifications", "supplier", "mill",
)  # fmt: skip

#: what the page tells of the item itself, besides its kind and code (an order's)
ITEM_FIELDS = ("style", "season", "mill", "quantity", "uom")


class NotFound(LookupError):
    pass


def _fibre_footprint(composition: str) -> dict[str, Any] | None:
    """Cradle-to-gate global warming of the fibres in one kg of the fabric, when every fibre
    of the composition has a sourced figure (else nothing rather than a partial number)."""
    try:
        shares = fibre_mix(composition)
    except (EsgError, ValueError):
        return None
    matrix = load_matrix()
    total, sources = Decimal(0), []
    for share in shares:
        fibre = matrix.fibres[share.fibre]
        value, _unit = fibre.per_kg("global_warming")
        if value is None:
            return None
        total += share.share * value
        figure = fibre.figures["global_warming"]
        sources += [matrix.sources[s].citation for s in (figure.sources or (figure.source,))]
    return {"global_warming_kg_co2e_per_kg_fibre": str(total.quantize(Decimal("0.001"))),
            "scope": "cradle-to-gate fibre (not the whole garment)",
            "sources": list(dict.fromkeys(sources))}  # fmt: skip


def trace(engine: sa.Engine, url: str) -> dict[str, Any]:
    """What the label at ``url`` stands for (NotFound when it stands for nothing live)."""
    try:
        link = parse_digital_link(url)
    except LabelError as exc:
        raise NotFound(f"not a label code: {exc}") from None
    w = schema.workspaces
    with engine.connect() as conn:
        if link.gtin is not None:
            raise NotFound(f"GTIN {link.gtin} is not registered with this server")
        ws = conn.execute(sa.select(w.c.id, w.c.name).where(w.c.name == link.workspace)).first()
        if ws is None:
            raise NotFound(f"no workspace {link.workspace!r} on this server")
        scope = WorkspaceScope(conn, ws.id)
        materials, orders = schema.replicated["materials"], schema.replicated["orders"]
        # every kind answers the same fields (None where it has none): the page and the
        # JSON's readers need not know which kind sets which
        item: dict[str, Any] = {"kind": link.kind, "code": link.code, **dict.fromkeys(ITEM_FIELDS)}
        material_ids: list[str] = []
        if link.kind == "order":
            found = scope.rows("orders", orders.c.order_no == link.code, orders.c.deleted == 0)
            if not found:
                raise NotFound(f"no order {link.code!r} in this workspace")
            order = found[0]
            item.update(style=order["style_code"], season=order["season"], mill=order["mill"],
                        quantity=order["quantity"], uom=order["uom"])  # fmt: skip
            material_ids = [o["material_id"] for o in found if o["material_id"]]
        elif link.kind == "material":
            found = scope.rows("materials", materials.c.code == link.code,
                               materials.c.deleted == 0)  # fmt: skip
            if not found:
                raise NotFound(f"no material {link.code!r} in this workspace")
            material_ids = [found[0]["id"]]
        else:
            raise NotFound(f"{link.kind} codes are not traced here")
        shown = []
        for row in scope.rows("materials", materials.c.id.in_(material_ids or [""]),
                              materials.c.deleted == 0):  # fmt: skip
            fields = {k: row[k] for k in MATERIAL_FIELDS}
            fields["certifications"] = [c for c in (row["certifications"] or "").split(",") if c]
            fields["footprint"] = _fibre_footprint(row["composition"] or "")
            shown.append(fields)
    produced = link.attributes.get("11")
    return {"workspace": ws.name, "item": item, "lot": link.lot, "serial": link.serial,
            "variant": link.variant,
            "production_date": (f"20{produced[:2]}-{produced[2:4]}-{produced[4:6]}"
                                if produced and produced[4:6] != "00" else produced),
            "materials": shown}  # fmt: skip
