"""Filling a proposal from the replica: for each chosen cost sheet its price (the newest firm
quote that is still valid, else the estimate, and the proposal says which), its lead time from
capacity, a description (the AI's, or the template's and a queued request), and a picture (a
photo attached to the fabric, or one the AI service made for the sheet).

Qt-free and offline-safe: without a network every part still comes out, marked for what it
is; the app runs this on a worker.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from workbench import quotes
from workbench.capacity import CapacityBook, CapacityError, lead_time
from workbench.capacity.routes import style_route
from workbench.costing import Brand, CostingError, RateBook, cost_style, price_style
from workbench.costing.breaks import colourway_breaks, price_breaks
from workbench.costing.colourways import cost_colourways, weighted
from workbench.costing.sheet import CostSheet, sheet_from_dict
from workbench.errors import WorkbenchError
from workbench.proposals.model import (
    ColourwayPrice,
    PriceBreak,
    Proposal,
    ProposalStyle,
    Sender,
    terms_for,
)
from workbench.replica import Replica
from workbench.services.ai import AIClient
from workbench.services.writer import latest_text, request_image, write_text

#: footprint lines for a style, when an ESG calculation is available: (sheet row) -> lines
EsgLines = Callable[[dict[str, Any]], tuple[str, ...]]


class ProposalError(WorkbenchError, ValueError):
    """A chosen sheet cannot be put in the proposal; the message names it and why."""


def _material(replica: Replica, material_id: str | None) -> dict[str, Any]:
    if not material_id:
        return {}
    row = replica.conn.execute(
        "SELECT name, composition, certifications, category, mill FROM materials "
        "WHERE id = ? AND deleted = 0",
        (material_id,),
    ).fetchone()
    return dict(row) if row else {}


def _picture(
    replica: Replica, sheet_id: str, material_id: str | None
) -> tuple[bytes | None, str, str]:
    """A photo attached to the fabric (newest first), else an AI image made for the sheet."""
    if material_id:
        row = replica.conn.execute(
            "SELECT attachment_b64, attachment_type, attachment_name FROM annotations "
            "WHERE material_id = ? AND deleted = 0 AND attachment_type LIKE 'image/%' "
            "ORDER BY updated_at DESC LIMIT 1",
            (material_id,),
        ).fetchone()
        if row:
            return base64.b64decode(row[0]), row[1], f"photo: {row[2]}"
    row = replica.conn.execute(
        "SELECT result FROM ai_jobs WHERE subject_id = ? AND kind = 'image' AND state = 'done' "
        "ORDER BY done_at DESC LIMIT 1",
        (sheet_id,),
    ).fetchone()
    if row:
        return base64.b64decode(row[0]), "image/png", "illustration generated for this proposal"
    return None, "image/png", ""


def _estimated_prices(
    sheet: CostSheet, book: RateBook, today: date, brand: Brand
) -> tuple[tuple[PriceBreak, ...], tuple[ColourwayPrice, ...]]:
    """The price at each of the brand's quantity breaks and each colourway's price with its
    own breaks, from the replica's rates (the estimate)."""
    breaks = tuple(
        PriceBreak(p.quantity, p.price_per_piece, p.price_per_dozen)
        for p in price_breaks(sheet.style, book, today, brand=brand)
    )
    colourways: tuple[ColourwayPrice, ...] = ()
    if sheet.colourways:
        costing = cost_colourways(
            sheet.style, sheet.colourways, book, today, brand=brand, quantity=sheet.quantity
        )
        each = colourway_breaks(sheet.style, sheet.colourways, book, today, brand=brand)
        colourways = tuple(
            ColourwayPrice(
                c.colourway.name,
                c.colourway.pieces,
                c.price.price_per_piece,
                c.price.price_per_dozen,
                tuple(PriceBreak(p.quantity, p.price_per_piece, p.price_per_dozen) for p in b),
            )
            for c, b in zip(costing.colourways, (e.breaks for e in each), strict=True)
            if c.price is not None
        )
    return breaks, colourways


def _quoted_prices(
    body: dict[str, Any],
) -> tuple[tuple[PriceBreak, ...], tuple[ColourwayPrice, ...]]:
    """The breaks and colourways a firm quote answered with (`sync.server.pricing`); a
    colourway quoted before colourways were priced at each break has none."""

    def breaks(answered: Any) -> tuple[PriceBreak, ...]:
        return tuple(
            PriceBreak(
                int(b["quantity"]), Decimal(b["price_per_piece"]), Decimal(b["price_per_dozen"])
            )
            for b in answered or ()
        )

    colourways = tuple(
        ColourwayPrice(
            c["name"],
            int(c["pieces"]),
            Decimal(c["price_per_piece"]),
            Decimal(c["price_per_dozen"]),
            breaks(c.get("breaks")),
        )
        for c in body.get("colourways") or ()
    )
    return breaks(body.get("breaks")), colourways


def build_proposal(
    replica: Replica,
    sheet_ids: Sequence[str],
    *,
    brand_code: str,
    book: RateBook,
    capacity: CapacityBook | None = None,
    ai: AIClient | None = None,
    esg: EsgLines | None = None,
    title: str = "",
    today: date | None = None,
    illustrate: bool = False,
    sender: Sender | None = None,
) -> Proposal:
    """``illustrate``: styles without a photo get an AI illustration (or one is queued);
    ``sender``: the company, its logo and the trade terms (the settings)."""
    sender = sender or Sender()
    today = today or date.today()
    brand = book.brand(brand_code)
    styles = []
    for sheet_id in sheet_ids:
        query = "SELECT * FROM cost_sheets WHERE id = ? AND deleted = 0"
        row = replica.conn.execute(query, (sheet_id,)).fetchone()
        if row is None:
            raise ProposalError(f"there is no cost sheet {sheet_id!r}")
        row = dict(row)
        sheet = sheet_from_dict(json.loads(row["body"]))
        style = sheet.style
        try:
            cost = cost_style(style, book, today)
            estimate = price_style(style, book, today, brand=brand, quantity=sheet.quantity)
            breaks, colourways = _estimated_prices(sheet, book, today, brand)
        except CostingError as exc:
            raise ProposalError(f"{style.style_code}: {exc}") from None
        price, dozen, currency = (
            estimate.price_per_piece,
            estimate.price_per_dozen,
            estimate.currency,
        )
        basis = "Estimate (not a firm quote)"
        for quote in quotes.quotes_for_sheet(replica, sheet_id):
            if quote["brand_id"] == brand.id and quote["valid_until"] >= today.isoformat():
                quoted = _quoted_prices(json.loads(quote["body"] or "{}"))
                if sheet.colourways and not quoted[1]:
                    continue  # quoted before the sheet had colourways: not its price
                price, dozen = Decimal(quote["price_per_piece"]), Decimal(quote["price_per_dozen"])
                currency = quote["currency"]
                basis = f"Firm quote {quote['quote_no']}, valid until {quote['valid_until']}"
                # the quote's own (none from a server that did not state them): a proposal
                # never mixes a firm price with estimated breaks
                breaks, colourways = quoted
                break
        if colourways:  # the order's price per piece: the colourways' weighted by pieces
            price = weighted([(c.pieces, c.price_per_piece) for c in colourways])
            dozen = price * 12
            # the style's breaks, costed without colourways, are no colour's prices: each
            # colourway carries its own
            breaks = ()
        planned = None
        if capacity is not None:
            try:
                planned = lead_time(capacity, style_route(style, cost), sheet.quantity, today)
            except CapacityError:
                planned = None
        fabric = _material(replica, style.fabric.material_id)
        facts = {
            "style_code": style.style_code,
            "category": style.category,
            "fabric": fabric.get("name") or style.fabric.name or style.fabric.construction,
            "composition": fabric.get("composition", ""),
            "gsm": style.fabric.gsm,
            "finish": style.fabric.finish,
            "mill": style.making.mill,
            "certifications": fabric.get("certifications", ""),
        }
        written = latest_text(replica, sheet_id, "style_description")
        if written is None:
            written = write_text(replica, ai, "style_description", sheet_id, facts)
        image, image_type, image_source = _picture(replica, sheet_id, style.fabric.material_id)
        if image is None and illustrate:
            made = request_image(replica, ai, "style_image", sheet_id, facts)
            if made is not None:
                image, image_type = made, "image/png"
                image_source = "illustration generated for this proposal"
        styles.append(
            ProposalStyle(
                style_code=style.style_code,
                title=sheet.title or style.category,
                category=style.category,
                fabric=facts["fabric"],
                composition=facts["composition"],
                description=written.text,
                description_source=written.source,
                price_per_piece=price,
                price_per_dozen=dozen,
                currency=currency,
                price_basis=basis,
                quantity=sheet.quantity,
                lead_time=planned.completion if planned else None,
                lead_time_days=planned.days if planned else None,
                image=image,
                image_type=image_type,
                image_source=image_source,
                esg=esg(row) if esg else (),
                certifications=facts["certifications"],
                breaks=breaks,
                colourways=colourways,
            )
        )
    return Proposal(
        title=title or f"Proposal for {brand.name}",
        brand_name=brand.name,
        brand_code=brand.code,
        issued_on=today,
        prepared_by=replica.get_state("username") or "",
        styles=tuple(styles),
        terms=terms_for(sender.incoterm, sender.named_place),
        mill=sender.company,
        logo=sender.logo,
        logo_type=sender.logo_type,
        incoterm=sender.incoterm,
        named_place=sender.named_place,
        locale=sender.locale,
    )
