"""A style's ESG footprint per piece: fibre (cradle-to-gate) plus mill processes
(gate-to-gate energy × grid and boiler-fuel factors), reported in Higg MSI's five impact areas.

The pieces, each in a module named after it: the report's five areas and the scopes
(`areas`), the style's route through the mill (`route`), the fibre and mill process lines of
each area (`fibre_lines`, `process_lines`, every line with its quantity, factor, amount, scope
and source: `lines`), each area's totals per scope (`sections`) and the sentences saying what
the figures assume (`assumptions`). This module joins them for one style.

The masses follow the cost sheet's chain (docs/costing.md), so the ESG sheet and the cost
sheet describe the same fabric: finished fabric per piece F (the costing's consumption,
wastage included); grey fabric G = F × (1 + dyeing loss); yarn = G × (1 + conversion loss);
fibre = yarn (fibre lost in spinning has no sourced figure and is reported missing).
Knitting, weaving and dyeing apply to G, finishing to F, printing to the printed area.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.costing import CostResult, Style
from workbench.costing.fabric import DEFAULT_CONVERSION_LOSS
from workbench.esg.areas import AREA_GAPS, AREAS
from workbench.esg.assumptions import UNCONFIRMED_ENDS, assumptions_for
from workbench.esg.composition import FibreShare, composition_text, fibre_mix
from workbench.esg.errors import EsgError
from workbench.esg.fibre_lines import fibre_lines
from workbench.esg.lines import Missing
from workbench.esg.matrix import Matrix, load_matrix
from workbench.esg.process_lines import mill_step_lines
from workbench.esg.route import route
from workbench.esg.sections import Section, area_section, chemistry_section

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class Footprint:
    """A style's footprint per piece on ``on`` for a mill in ``mill_country``."""

    style_code: str
    composition: str
    fibres: tuple[FibreShare, ...]
    mill_country: str
    on: date
    heat_fuel: str | None
    finished_kg: Decimal
    grey_kg: Decimal
    fibre_kg: Decimal
    dyeing_loss: Decimal
    conversion_loss: Decimal
    sections: tuple[Section, ...]
    assumptions: tuple[str, ...]
    source_ids: tuple[str, ...]
    #: what the sheet says of every figure it used that is not yet confirmed in its primary
    #: source (a compilation's cell, a grid factor read from a tabulation); no quantities, so
    #: the sentences read the same in every document locale
    unconfirmed: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def missing(self) -> tuple[Missing, ...]:
        return tuple(m for s in self.sections for m in s.missing)


# -- the fabric facts a footprint needs that the cost sheet does not carry ----------------------


@dataclass(frozen=True)
class MaterialFacts:
    """What the materials table says about a fabric's fibres and certifications."""

    composition: str
    certifications: tuple[str, ...]


def material_facts(conn: sqlite3.Connection, material_id: str) -> MaterialFacts:
    """The composition and certifications of material ``material_id`` in a replica (the
    costing's `FabricSpec` does not carry them: pass ``style.fabric.material_id``)."""
    row = conn.execute(
        "SELECT composition, certifications FROM materials WHERE id = ? AND deleted = 0",
        (material_id,),
    ).fetchone()
    if row is None:
        raise EsgError(f"no material {material_id!r} in this workspace")
    certs = tuple(c.strip() for c in (row[1] or "").split(",") if c.strip())
    return MaterialFacts(row[0] or "", certs)


# -- the footprint ------------------------------------------------------------------------------


def style_footprint(
    style: Style,
    cost: CostResult,
    composition: str | Sequence[FibreShare],
    *,
    mill_country: str = "IN",
    on: date | None = None,
    heat_fuel: str | None = "natural gas",
    certifications: Iterable[str] = (),
    print_area_m2: Decimal | None = None,
    matrix: Matrix | None = None,
) -> Footprint:
    """The footprint of one piece of ``style``, whose cost sheet is ``cost`` (from
    `workbench.costing.cost_style`: it gives the fabric consumption and the losses).

    ``composition`` is the fabric's ("60% Cotton 40% Polyester", or shares); the grid factor
    is the one of ``mill_country`` dated for ``on`` (default: the costing date); process heat
    is taken as burning ``heat_fuel`` (None: heat CO2 is reported missing). A print's area
    per piece is ``print_area_m2`` (all-over prints default to the whole fabric).
    """
    matrix = matrix or load_matrix()
    if cost.style_code != style.style_code:
        raise EsgError(
            f"the cost sheet is for {cost.style_code}, not for the style {style.style_code}"
        )
    on = on or cost.on
    if isinstance(composition, str):
        shares = fibre_mix(composition, matrix)
    else:
        shares = tuple(composition)
        if not shares:
            raise EsgError("a footprint needs the fabric's composition")
        unknown = [s.fibre for s in shares if s.fibre not in matrix.fibres]
        if unknown or sum((s.share for s in shares), ZERO) != ONE:
            raise EsgError("fibre shares must be fibres of the matrix adding up to 100 %")
    text = composition if isinstance(composition, str) else composition_text(shares, matrix)

    finished = cost.consumption_kg
    dyeing_loss, conversion_loss = _losses(cost)
    grey = finished * (ONE + dyeing_loss)
    fibre_kg = grey * (ONE + conversion_loss)
    area_m2 = finished * 1000 / Decimal(style.fabric.gsm)

    grid, grid_note = matrix.grid_factor(mill_country, on)
    fuel = matrix.heat_fuel(heat_fuel) if heat_fuel else None
    steps = route(style, matrix, fibre_kg, grey, finished, area_m2, print_area_m2)

    sections = []
    for area in AREAS:
        if area.key == "chemistry":
            sections.append(chemistry_section(style, tuple(certifications)))
            continue
        lines, missing = fibre_lines(area, shares, fibre_kg, matrix)
        for step in steps:
            step_lines, step_missing = mill_step_lines(area, step, grid, grid_note, fuel, matrix)
            lines += step_lines
            missing += step_missing
        if area.key in AREA_GAPS:
            missing.append(Missing(area.key, *AREA_GAPS[area.key]))
        sections.append(area_section(area, lines, missing))

    assumptions = assumptions_for(
        shares,
        matrix,
        finished,
        grey,
        fibre_kg,
        dyeing_loss,
        conversion_loss,
        grid,
        grid_note,
        fuel,
        mill_country,
    )
    unconfirmed = tuple(a for a in assumptions if a.endswith(UNCONFIRMED_ENDS))
    used = {sid for s in sections for line in s.lines for sid in line.source_ids}
    used.add("higg-msi")
    source_ids = tuple(sid for sid in matrix.sources if sid in used)
    return Footprint(
        style_code=style.style_code,
        composition=text,
        fibres=shares,
        mill_country=mill_country,
        on=on,
        heat_fuel=fuel.key if fuel else None,
        finished_kg=finished,
        grey_kg=grey,
        fibre_kg=fibre_kg,
        dyeing_loss=dyeing_loss,
        conversion_loss=conversion_loss,
        sections=tuple(sections),
        assumptions=assumptions,
        source_ids=source_ids,
        unconfirmed=unconfirmed,
    )


def _losses(cost: CostResult) -> tuple[Decimal, Decimal]:
    """The dyeing and conversion losses the cost sheet used: the yarn line's quantity is
    1 + conversion loss (kg of yarn per kg of grey), the "Grey fabric lost in dyeing" line's
    the dyeing loss (kg of grey lost per kg of dyed fabric)."""
    dyeing = ZERO
    conversion = DEFAULT_CONVERSION_LOSS
    for line in cost.fabric.lines:
        if line.process == "yarn":
            conversion = line.quantity - ONE
        elif line.process == "dyeing" and line.component.startswith("Grey fabric lost"):
            dyeing = line.quantity
    return dyeing, conversion
