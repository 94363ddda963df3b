"""A priced style as plain JSON: the figures, the breakdown with each rate's source and date,
and the rule and FX rate used. The server stores it with a firm quote; the app shows an
estimate from the same shape, so the two can be compared figure by figure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from workbench.costing.breakdown import BreakdownLine
from workbench.costing.breaks import ColourwayBreaks
from workbench.costing.colourways import ColourwayCosting
from workbench.costing.pricing import PriceResult
from workbench.costing.terms import Terms


def _line(line: BreakdownLine) -> dict[str, Any]:
    return {
        "component": line.component,
        "process": line.process,
        "quantity": str(line.quantity),
        "unit": line.unit,
        "basis": line.basis,
        "rate": str(line.rate),
        "amount": str(line.amount),
        "share": str(line.share),
        "rate_code": line.rate_code,
        "source": line.source,
        "valid_from": line.valid_from.isoformat(),
    }


def breaks_report(breaks: Sequence[PriceResult]) -> list[dict[str, Any]]:
    """The price from each quantity break (`workbench.costing.breaks`), lowest first: the
    quantity it starts at, the price per piece and per dozen in its currency, the margin and
    the rule that sets it."""
    return [
        {
            "quantity": p.quantity,
            "currency": p.currency,
            "price_per_piece": str(p.price_per_piece),
            "price_per_dozen": str(p.price_per_dozen),
            "margin": str(p.margin),
            "rule_id": p.rule.id,
        }
        for p in breaks
    ]


def colourways_report(
    costing: ColourwayCosting, breaks: Sequence[ColourwayBreaks] = ()
) -> list[dict[str, Any]]:
    """Each colourway's pieces, cost and price (`workbench.costing.colourways`) and, given
    ``breaks`` (one per colourway, in order), its price from each quantity break under
    ``breaks`` in `breaks_report`'s shape."""
    by_name = {b.colourway.name: b.breaks for b in breaks}
    return [
        {
            "name": c.colourway.name,
            "pieces": c.colourway.pieces,
            "cost_total": str(c.cost.total),
            **(
                {}
                if c.price is None
                else {
                    "currency": c.price.currency,
                    "cost_per_piece": str(c.price.cost_per_piece),
                    "price_per_piece": str(c.price.price_per_piece),
                    "price_per_dozen": str(c.price.price_per_dozen),
                    "margin": str(c.price.margin),
                }
            ),
            **(
                {}
                if c.colourway.name not in by_name
                else {"breaks": breaks_report(by_name[c.colourway.name])}
            ),
        }
        for c in costing.colourways
    ]


def delivery_report(terms: Terms) -> dict[str, Any]:
    """The landed cost to the brand's country: every figure in full precision, the basis
    duty was charged on and its source, and each Incoterm's lines as shown."""
    return {
        "valuation": terms.valuation,
        "valuation_source": terms.valuation_source,
        **{
            name: str(getattr(terms, name))
            for name in (
                "fob",
                "freight",
                "insurance",
                "cif",
                "commission",
                "buying_agent",
                "customs_value",
                "duty",
                "local_freight",
                "landed",
            )
        },
        "incoterms": [
            {
                "incoterm": rung.incoterm,
                "total": str(rung.total),
                "lines": [[name, str(amount)] for name, amount in rung.lines],
            }
            for rung in terms.incoterms()
        ],
    }


def price_report(price: PriceResult, terms: Terms | None = None) -> dict[str, Any]:
    """The price as JSON; with ``terms``, its landed cost too (under "delivery")."""
    cost = price.cost
    rule, fx = price.rule, price.fx
    return {
        "style_code": cost.style_code,
        "costed_on": cost.on.isoformat(),
        "cost_currency": cost.currency,
        "cost_total": str(cost.total),
        "manufacturing_cost": str(cost.manufacturing_cost),
        "factory_cost": str(cost.factory_cost),
        "consumption_kg": str(cost.consumption_kg),
        "fabric_per_kg": str(cost.fabric.per_kg),
        "fabric_per_m": str(cost.fabric.per_m),
        "brand": price.brand.code,
        "brand_id": price.brand.id,
        "quantity": price.quantity,
        "currency": price.currency,
        "cost_per_piece": str(price.cost_per_piece),
        "price_before_rounding": str(price.price_before_rounding),
        "price_per_piece": str(price.price_per_piece),
        "price_per_dozen": str(price.price_per_dozen),
        "margin": str(price.margin),
        "markup": str(price.markup),
        "min_margin_applied": price.min_margin_applied,
        "notes": list(price.notes),
        "rule": {
            "id": rule.id,
            "method": rule.method,
            "rate": str(rule.rate),
            "category": rule.category,
            "moq_from": rule.moq_from,
            "min_margin": None if rule.min_margin is None else str(rule.min_margin),
            "price_rounding": None if rule.price_rounding is None else str(rule.price_rounding),
            "valid_from": rule.valid_from.isoformat(),
        },
        "fx": None
        if fx is None
        else {
            "from": fx.from_currency,
            "to": fx.to_currency,
            "rate": str(fx.rate),
            "as_of": fx.as_of.isoformat(),
        },
        "lines": [_line(line) for line in cost.lines],
        **({} if terms is None else {"delivery": delivery_report(terms)}),
    }
