"""The traceability page: what a buyer or auditor sees when they scan a label's QR code.

The server answers the label's own address: a GS1 Digital Link path (``/01/{GTIN}/10/{lot}``)
or the workspace ID path (``/id/{workspace}/{kind}/{code}/10/{lot}``), as HTML, or as JSON
when asked (``Accept: application/json``). It shows the item, the lot and production date
from the code itself, the mill, the materials with their composition and certifications, and
a fibre footprint with its scope; never a price.

Only what was published answers: a code is published when a label for it is printed (a
pushed ``label_jobs`` row marked printed) or when an admin publishes it
(``workbench-sync trace publish``). Anything else (an unknown workspace, kind or code, a code
that exists but was never printed, one deleted since) is the same 404 with the same message,
found by the same queries, so guessing codes tells nothing about the master data. Suppliers
(a material's supplier and its mill) are shown only where the workspace says so
(``workbench-sync trace settings --show-suppliers``).

Read-only and public by design (a label is printed for anyone to scan), so it reads through
the same workspace scope as every other handler, named by the code's own workspace.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.errors import WorkbenchError
from workbench.esg import EsgError, fibre_mix, load_matrix
from workbench.labels import LabelError, parse_digital_link
from workbench.replica.store import utc_now

#: what the page may show of a material: nothing priced
MATERIAL_FIELDS = (
    "code",
    "name",
    "material_type",
    "category",
    "composition",
    "construction",
    "gsm",
    "width_cm",
    "colour",
    "finish",
    "certifications",
    "supplier",
    "mill",
)

#: what the page tells of the item itself, besides its kind and code (an order's)
ITEM_FIELDS = ("style", "season", "mill", "quantity", "uom")


class NotFound(WorkbenchError, LookupError):
    pass


#: the one answer for every code that names nothing published (no telling which it was)
UNPUBLISHED = "no printed label carries this code"
#: the kinds of code a label can be traced by
TRACED_KINDS = ("order", "material")
#: what names a material's maker: shown only where the workspace allows it
SUPPLIER_FIELDS = ("supplier", "mill")


def publish(
    conn: sa.Connection, workspace_id: str, kind: str, code: str, source: str, actor: str
) -> bool:
    """Publish a code (in the caller's transaction); False if it already was."""
    p = schema.published_codes
    if conn.execute(
        sa.select(p.c.code).where(
            p.c.workspace_id == workspace_id, p.c.kind == kind, p.c.code == code
        )
    ).first():
        return False
    conn.execute(
        p.insert().values(
            workspace_id=workspace_id,
            kind=kind,
            code=code,
            source=source,
            published_by=actor,
            published_at=utc_now(),
        )
    )
    return True


def publish_printed_job(
    conn: sa.Connection, workspace_id: str, job: Mapping[str, Any], actor: str
) -> list[str]:
    """Publish the codes of a label job's items once it is printed; the codes published."""
    if job.get("state") != "printed" or job.get("deleted"):
        return []
    try:
        items = json.loads(job.get("items") or "[]")
    except ValueError:
        return []
    done = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict) or not isinstance(item.get("code"), str):
            continue  # a GTIN's page is the brand's resolver's, not ours
        kind = item.get("kind") or "material"
        if kind in TRACED_KINDS and publish(
            conn, workspace_id, kind, item["code"], f"label job {job.get('id')}", actor
        ):
            done.append(f"{kind}/{item['code']}")
    return done


def publish_printed_jobs(engine: sa.Engine) -> int:
    """Publish the codes of every label job already printed (a database from before codes
    were published); how many were published."""
    jobs = schema.replicated["label_jobs"]
    count = 0
    with writing(engine).begin() as conn:
        printed = conn.execute(
            sa.select(jobs).where(jobs.c.state == "printed", jobs.c.deleted == 0)
        ).all()
        for job in printed:
            count += len(
                publish_printed_job(
                    conn, job.workspace_id, job._asdict(), "before publication was kept"
                )
            )
    return count


def _published(conn: sa.Connection, workspace_id: str, kind: str, code: str) -> bool:
    p = schema.published_codes
    found = conn.execute(
        sa.select(p.c.code).where(
            p.c.workspace_id == workspace_id, p.c.kind == kind, p.c.code == code
        )
    ).first()
    return found is not None


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
    return {
        "global_warming_kg_co2e_per_kg_fibre": str(total.quantize(Decimal("0.001"))),
        "scope": "cradle-to-gate fibre (not the whole garment)",
        "sources": list(dict.fromkeys(sources)),
    }


def trace(engine: sa.Engine, url: str) -> dict[str, Any]:
    """What the label at ``url`` stands for (NotFound when it stands for nothing published)."""
    try:
        link = parse_digital_link(url)
    except LabelError as exc:
        raise NotFound(f"not a label code: {exc}") from None
    w = schema.workspaces
    with engine.connect() as conn:
        # the same two queries whatever the code names, before anything tells them apart
        ws = conn.execute(
            sa.select(w.c.id, w.c.name, w.c.trace_shows_suppliers).where(
                w.c.name == (link.workspace or "")
            )
        ).first()
        published = _published(conn, ws.id if ws else "", link.kind or "", link.code or "")
        if ws is None or link.gtin is not None or not published:
            raise NotFound(UNPUBLISHED)
        scope = WorkspaceScope(conn, ws.id)
        materials, orders = schema.replicated["materials"], schema.replicated["orders"]
        # every kind answers the same fields (None where it has none): the page and the
        # JSON's readers need not know which kind sets which
        item: dict[str, Any] = {"kind": link.kind, "code": link.code, **dict.fromkeys(ITEM_FIELDS)}
        material_ids: list[str] = []
        if link.kind == "order":
            found = scope.rows("orders", orders.c.order_no == link.code, orders.c.deleted == 0)
            if not found:
                raise NotFound(UNPUBLISHED)
            order = found[0]
            item.update(
                style=order["style_code"],
                season=order["season"],
                mill=order["mill"],
                quantity=order["quantity"],
                uom=order["uom"],
            )
            material_ids = [o["material_id"] for o in found if o["material_id"]]
        else:
            found = scope.rows("materials", materials.c.code == link.code, materials.c.deleted == 0)
            if not found:
                raise NotFound(UNPUBLISHED)
            material_ids = [found[0]["id"]]
        shown = []
        for row in scope.rows(
            "materials", materials.c.id.in_(material_ids or [""]), materials.c.deleted == 0
        ):
            fields = {k: row[k] for k in MATERIAL_FIELDS}
            if not ws.trace_shows_suppliers:
                fields.update(dict.fromkeys(SUPPLIER_FIELDS))
            fields["certifications"] = [c for c in (row["certifications"] or "").split(",") if c]
            fields["footprint"] = _fibre_footprint(row["composition"] or "")
            shown.append(fields)
    produced = link.attributes.get("11")
    return {
        "workspace": ws.name,
        "item": item,
        "lot": link.lot,
        "serial": link.serial,
        "variant": link.variant,
        "production_date": (
            f"20{produced[:2]}-{produced[2:4]}-{produced[4:6]}"
            if produced and produced[4:6] != "00"
            else produced
        ),
        "materials": shown,
    }


def show_suppliers(engine: sa.Engine, workspace: str, shown: bool, actor: str) -> None:
    """Whether the workspace's traceability pages name materials' suppliers and mills."""
    w = schema.workspaces
    with writing(engine).begin() as conn:
        ws = conn.execute(sa.select(w.c.id).where(w.c.name == workspace)).scalar()
        if ws is None:
            raise LookupError(f"there is no workspace named {workspace!r}")
        conn.execute(sa.update(w).where(w.c.id == ws).values(trace_shows_suppliers=shown))
        audit.append(
            conn,
            ws,
            actor=actor,
            action="trace.suppliers_shown" if shown else "trace.suppliers_hidden",
            subject=workspace,
        )


def publish_codes(
    engine: sa.Engine, workspace: str, kind: str, codes: list[str], actor: str
) -> int:
    """An admin publishes codes without printing labels; how many were newly published."""
    if kind not in TRACED_KINDS:
        raise LookupError(f"{kind} codes are not traced here; choose {', '.join(TRACED_KINDS)}")
    w = schema.workspaces
    with writing(engine).begin() as conn:
        ws = conn.execute(sa.select(w.c.id).where(w.c.name == workspace)).scalar()
        if ws is None:
            raise LookupError(f"there is no workspace named {workspace!r}")
        done = [c for c in codes if publish(conn, ws, kind, c, "admin", actor)]
        if done:
            audit.append(
                conn,
                ws,
                actor=actor,
                action="trace.published",
                subject=f"{kind} codes",
                details={"codes": done},
            )
    return len(done)
