"""The pricing service: a firm quote for a cost sheet, from the server's master data.

A laptop's estimate uses its replica's rates, which may be a sync behind; a firm quote is
computed here with the same engine (`workbench.costing`) from the workspace's current rates,
margin rules and FX rates on today's date, numbered (Q-2026-000042), given a validity date,
stored with every rate it used, written to the audit trail, and sent back to every
merchandiser's replica through the change feed. Floor staff may not ask (no costs on the
floor). Each quote also states its lead time, planned on the workspace's capacity and
work-centre calendars (`sync.server.lead_times`), the price from each of the brand's quantity
breaks (`breaks`, as the laptop's sheet shows them) and, for a sheet with colourways, each
colourway's price at the order's quantity and from each break (`colourways`, each with its
own `breaks`); the quote's own figures and its top-level `breaks` are the style's as the sheet
costs it without colourways, which is what an app from before colourway breaks reads.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import Caller
from sync.server.db import writing
from sync.server.lead_times import quote_lead_time
from sync.server.scoping import WorkspaceScope
from workbench.costing import price_style
from workbench.costing.breaks import colourway_breaks, price_breaks
from workbench.costing.colourways import cost_colourways
from workbench.costing.rates import FX_COLUMNS, RATE_COLUMNS, RULE_COLUMNS, rate_book_from_rows
from workbench.costing.report import breaks_report, colourways_report, price_report
from workbench.costing.sheet import sheet_from_dict
from workbench.costing.terms import landed_terms
from workbench.errors import WorkbenchError
from workbench.replica.store import utc_now

QUOTE_VALID_DAYS = 30
PRICING_ROLES = frozenset({"merchandiser", "admin"})


class QuoteRefused(WorkbenchError, PermissionError):
    """The caller's role may not ask for quotes."""


class KeyReused(WorkbenchError, ValueError):
    """An idempotency key already used for another request."""


def request_digest(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _earlier_quote(
    conn: sa.Connection, caller: Caller, key: str, digest: str, on: date
) -> tuple[dict[str, Any] | None, bool]:
    """The quote already issued for ``key`` to this user while it is valid on ``on``, and
    whether the key was used before at all."""
    k = schema.quote_keys
    found = conn.execute(
        sa.select(k.c.request_sha256, k.c.quote_id).where(
            k.c.workspace_id == caller.workspace_id, k.c.user_id == caller.user_id, k.c.key == key
        )
    ).first()
    if found is None:
        return None, False
    if found.request_sha256 != digest:
        raise KeyReused(
            "this idempotency key was used for another quote request: "
            "send a new key with each new request"
        )
    quote = WorkspaceScope(conn, caller.workspace_id).get("quotes", found.quote_id)
    if quote is None or quote["deleted"] or quote["valid_until"] < on.isoformat():
        return None, True
    body = json.loads(quote["body"])
    return {
        **quote,
        **{k: body[k] for k in ("breaks", "colourways") if k in body},
        "report": body.get("report"),
        "lead_time": body.get("lead_time"),
    }, True


def _columns(table: str, names: tuple[str, ...]) -> list[sa.ColumnElement[Any]]:
    t = schema.replicated[table]
    return [t.c[n] for n in names]


def issue_quote(
    engine: sa.Engine,
    caller: Caller,
    body: dict[str, Any],
    today: date | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Price the sheet in ``body`` and store the quote; raises CostingError for bad input.

    With an ``idempotency_key``, the quote issued earlier for the same key and request to the
    same user is returned again while it is valid (`KeyReused` for the key with another
    request); two requests with one key at once make one quote between them.
    """
    if caller.role not in PRICING_ROLES:
        raise QuoteRefused("firm quotes are for merchandisers and admins")
    on = today or date.today()
    if idempotency_key is None:
        return _issue(engine, caller, body, on, None)
    digest = request_digest(body)
    with engine.connect() as conn:
        earlier, _ = _earlier_quote(conn, caller, idempotency_key, digest, on)
    if earlier is not None:
        return earlier
    try:
        return _issue(engine, caller, body, on, (idempotency_key, digest))
    except sa.exc.IntegrityError:
        # the same key, at the same moment, from a request that got there first
        with engine.connect() as conn:
            earlier, _ = _earlier_quote(conn, caller, idempotency_key, digest, on)
        if earlier is None:
            raise
        return earlier


def _issue(
    engine: sa.Engine,
    caller: Caller,
    body: dict[str, Any],
    on: date,
    keyed: tuple[str, str] | None,
) -> dict[str, Any]:
    sheet = sheet_from_dict(body.get("sheet"))
    cost_sheet_id = body.get("cost_sheet_id")
    style = sheet.style
    material_ids = sorted(
        {
            style.fabric.yarn_material_id,
            *(t.material_id for t in style.trims),
            *(t.material_id for c in sheet.colourways for t in c.trims),
        }
    )
    rates = schema.replicated["cost_rates"]
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, caller.workspace_id)
        used = False
        if keyed is not None:  # again, in the writing transaction (SQLite: one at a time)
            earlier, used = _earlier_quote(conn, caller, keyed[0], keyed[1], on)
            if earlier is not None:
                return earlier

        def rows(
            table: str, names: tuple[str, ...], *where: sa.ColumnElement[bool]
        ) -> list[dict[str, Any]]:
            t = schema.replicated[table]
            stmt = scope.select(table, t.c.deleted == 0, *where)
            return [
                dict(r._mapping)
                for r in conn.execute(stmt.with_only_columns(*_columns(table, names)))
            ]

        book = rate_book_from_rows(
            rates=rows(
                "cost_rates",
                RATE_COLUMNS,
                sa.or_(rates.c.material_id.is_(None), rates.c.material_id.in_(material_ids)),
            ),
            brands=rows("brands", ("id", "code", "name", "currency", "country")),
            margin_rules=rows("margin_rules", RULE_COLUMNS),
            fx_rates=rows("fx_rates", FX_COLUMNS),
        )
        price = price_style(style, book, on, brand=sheet.brand, quantity=sheet.quantity)
        terms = (
            None
            if not sheet.delivery
            else landed_terms(price.price_per_piece, price.brand.country, sheet.delivery)
        )
        report = price_report(price, terms)
        # the price from each of the brand's quantity breaks, as the laptop's sheet shows them
        breaks = breaks_report(price_breaks(style, book, on, brand=price.brand))
        colourways = (
            colourways_report(
                cost_colourways(
                    style, sheet.colourways, book, on, brand=price.brand, quantity=sheet.quantity
                ),
                colourway_breaks(style, sheet.colourways, book, on, brand=price.brand),
            )
            if sheet.colourways
            else None
        )
        lead = quote_lead_time(rows, style, price.cost, sheet.quantity, on)
        seq = scope.next_seq(1)  # takes the workspace's lock: quote numbers never repeat
        number = scope.count("quotes", live_only=False) + 1
        quote: dict[str, Any] = {
            "id": str(uuid.uuid4()),
            "quote_no": f"Q-{on.year}-{number:06d}",
            "cost_sheet_id": cost_sheet_id if isinstance(cost_sheet_id, str) else None,
            "style_code": style.style_code,
            "brand_id": price.brand.id,
            "quantity": sheet.quantity,
            "currency": price.currency,
            "cost_per_piece": str(price.cost_per_piece),
            "price_per_piece": str(price.price_per_piece),
            "price_per_dozen": str(price.price_per_dozen),
            "margin": str(price.margin),
            "costed_on": on.isoformat(),
            "valid_until": (on + timedelta(days=QUOTE_VALID_DAYS)).isoformat(),
            "body": json.dumps(
                {
                    "sheet": body.get("sheet"),
                    "report": report,
                    "lead_time": lead,
                    "breaks": breaks,
                    **({} if colourways is None else {"colourways": colourways}),
                }
            ),
            "created_by": caller.username,
            "version": seq,
            "deleted": 0,
            "updated_at": utc_now(),
        }
        scope.insert("quotes", [quote])
        if keyed is not None:
            k = schema.quote_keys
            mine = (
                k.c.workspace_id == caller.workspace_id,
                k.c.user_id == caller.user_id,
                k.c.key == keyed[0],
            )
            if used:  # for a quote that has expired since
                conn.execute(sa.delete(k).where(*mine))
            conn.execute(
                k.insert().values(
                    workspace_id=caller.workspace_id,
                    user_id=caller.user_id,
                    key=keyed[0],
                    request_sha256=keyed[1],
                    quote_id=quote["id"],
                    created_at=utc_now(),
                )
            )
        audit.append(
            conn,
            caller.workspace_id,
            actor=caller.username,
            action="quote.issued",
            subject=quote["quote_no"],
            details={
                "style_code": style.style_code,
                "brand": price.brand.code,
                "quantity": sheet.quantity,
                "currency": price.currency,
                "price_per_piece": quote["price_per_piece"],
                "valid_until": quote["valid_until"],
            },
        )
    return {
        **quote,
        "report": report,
        "lead_time": lead,
        "breaks": breaks,
        **({} if colourways is None else {"colourways": colourways}),
    }
