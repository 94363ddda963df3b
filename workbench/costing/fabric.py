"""Fabric cost per kg and per metre: yarn → knitting or weaving (grey fabric) → dyeing with
its process loss → printing → finishing, following the trade's costing sheet (docs/costing.md):

    grey cost per kg  = (yarn kg per 100 kg grey, incl. conversion loss × yarn price
                         + conversion charge × 100) / 100
    dyed cost per kg  = (grey kg per 100 kg dyed, incl. dyeing loss × grey cost per kg
                         + dyeing charge × 100) / 100

so with a 0.5 % knitting loss and a 10 % dyeing loss one kg of finished fabric costs
1.10 × (1.005 × yarn + knitting) + dyeing. The breakdown keeps the loss as its own line ("Grey
fabric lost in dyeing 10 %": 0.10 kg of grey at the grey cost) rather than hiding it in the
yarn and dyeing lines.

Why per kg of *finished* fabric as the working unit: knit fabric is bought, dyed and sold by
weight, and the garment's consumption is a weight. Per-metre rates (weaving, all-over prints)
are converted with the fabric's weight per linear metre,

    kg per m = GSM × cuttable width (cm) / 100 / 1000   (= GSM × width (in) / 39.37 / 1000),

so a weaving rate of ₹27 per m on a 120 GSM, 150 cm cloth (0.18 kg/m) is ₹150 per kg.
Printing and finishing are charged on finished fabric.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.costing.breakdown import BreakdownLine, total_of
from workbench.costing.errors import CostingError
from workbench.costing.inputs import FabricSpec, PrintSpec, Rate
from workbench.costing.money import HUNDRED, ONE, percent_text
from workbench.costing.ratebook import RateBook

#: Used when neither the style nor the dyeing rate states a loss: the trade's usual figure.
DEFAULT_DYEING_LOSS = Decimal("0.10")
#: Yarn lost in knitting or weaving when the style does not say: 0.5 kg per 100 kg of grey.
DEFAULT_CONVERSION_LOSS = Decimal("0.005")


def kg_per_metre(gsm: int, width_cm: int | Decimal) -> Decimal:
    """Weight of one linear metre of fabric: GSM × cuttable width (cm) / 100 / 1000."""
    return Decimal(gsm) * Decimal(width_cm) / HUNDRED / Decimal(1000)


@dataclass(frozen=True)
class FabricCost:
    """A fabric's cost: ``lines`` are per kg of finished fabric (quantities per kg), so
    ``per_kg`` is their sum and ``per_m = per_kg × kg_per_m``.

    ``grey_per_kg`` is the grey fabric one kg of finished fabric takes (1 + the dyeing loss
    the costing used; 1 when undyed): capacity loads knitting, weaving and dyeing with it, so
    the machines are loaded with the mass the costing pays for."""

    spec: FabricSpec
    kg_per_m: Decimal
    lines: tuple[BreakdownLine, ...]
    per_kg: Decimal
    per_m: Decimal
    grey_per_kg: Decimal = ONE


def _require_unit(rate: Rate, *units: str) -> str:
    if rate.unit not in units:
        raise CostingError(
            f"{rate.process} rate {rate.rate_code} is {rate.basis!r}; expected "
            + " or ".join(f"per {u}" for u in units)
        )
    return rate.unit


def print_rate(book: RateBook, printing: PrintSpec, on: date) -> Rate:
    """The rate for a print technique (per m: part of the fabric; per piece: of the garment)."""
    rate = book.find("printing", on, technique=printing.technique)
    _require_unit(rate, "m", "pc")
    return rate


def cost_fabric(
    spec: FabricSpec, book: RateBook, on: date, printing: PrintSpec | None = None
) -> FabricCost:
    """Cost one kg and one metre of the finished fabric with the rates in force on ``on``.

    A ``printing`` charged per metre (all-over print) is part of the fabric; one charged per
    piece is left to the garment.
    """
    memo = (spec, printing, on)
    known: FabricCost | None = book.fabric_costs.get(memo)
    if known is not None:
        return known
    result = _cost_fabric(spec, book, on, printing)
    book.fabric_costs[memo] = result
    return result


def _cost_fabric(
    spec: FabricSpec, book: RateBook, on: date, printing: PrintSpec | None
) -> FabricCost:
    kg_m = kg_per_metre(spec.gsm, spec.width_cm)
    metres_per_kg = ONE / kg_m
    lines: list[BreakdownLine] = []
    grey_per_kg = ONE

    yarn = book.find(
        "yarn",
        on,
        material_id=spec.yarn_material_id,
        label=f"yarn {spec.yarn_count} (material {spec.yarn_material_id!r})",
    )
    _require_unit(yarn, "kg")
    conversion_loss = spec.conversion_loss
    if conversion_loss is None:
        conversion_loss = DEFAULT_CONVERSION_LOSS
    lines.append(BreakdownLine.from_rate(f"Yarn {spec.yarn_count}", yarn, ONE + conversion_loss))

    if spec.kind == "knit":
        knit = book.find("knitting", on, technique=spec.construction, technique_prefix=True)
        _require_unit(knit, "kg")
        lines.append(BreakdownLine.from_rate("Knitting", knit, ONE))
    else:
        weave = book.find("weaving", on, technique=spec.construction, technique_prefix=True)
        if _require_unit(weave, "m", "kg") == "m":
            lines.append(BreakdownLine.from_rate("Weaving", weave, metres_per_kg))
        else:
            lines.append(BreakdownLine.from_rate("Weaving", weave, ONE))

    if spec.dye_class is not None:
        dye = book.find("dyeing", on, dye_class=spec.dye_class, shade_depth=spec.shade_depth)
        _require_unit(dye, "kg")
        lines.append(
            BreakdownLine.from_rate(f"Dyeing {spec.dye_class} {spec.shade_depth}", dye, ONE)
        )
        loss = spec.dyeing_loss
        if loss is None:
            loss = dye.process_loss if dye.process_loss is not None else DEFAULT_DYEING_LOSS
        grey_per_kg = ONE + loss
        if loss:
            # The grey fabric that dyeing loses, at the grey cost: one kg of dyed fabric
            # takes (1 + loss) kg of grey.
            grey = total_of(lines[:-1])
            lines.append(
                BreakdownLine(
                    component=f"Grey fabric lost in dyeing {percent_text(loss)}",
                    process="dyeing",
                    quantity=loss,
                    unit="kg",
                    basis="per kg",
                    rate=grey,
                    amount=grey * loss,
                    rate_code=dye.rate_code,
                    source=dye.source,
                    valid_from=dye.valid_from,
                )
            )

    if printing is not None:
        rate = print_rate(book, printing, on)
        if rate.unit == "m":
            lines.append(
                BreakdownLine.from_rate(f"Print {printing.technique}", rate, metres_per_kg)
            )

    if spec.finish.strip():
        finish = book.find("finishing", on, technique=spec.finish)
        _require_unit(finish, "kg")
        lines.append(BreakdownLine.from_rate(f"Finishing {spec.finish}", finish, ONE))

    per_kg = total_of(lines)
    return FabricCost(spec, kg_m, tuple(lines), per_kg, per_kg * kg_m, grey_per_kg)
