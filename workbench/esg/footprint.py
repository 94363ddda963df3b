"""A style's ESG footprint per piece: fibre (cradle-to-gate) plus mill processes
(gate-to-gate energy × grid and boiler-fuel factors), reported in Higg MSI's five impact areas.

Why this shape:

- The report has Higg MSI's five sections (global warming, eutrophication, water scarcity,
  abiotic resource depletion — fossil fuels, chemistry) because buyers read ESG sheets in
  those terms; where our sources have no figure for an area the section says so and gives
  what we do have under its own name (plain water use is *not* water scarcity).
- Every line carries its quantity, factor, amount, scope and source, so the sheet can be
  defended figure by figure; a figure nobody could source is a line with no amount plus an
  entry in ``missing`` — never a zero, which would understate the footprint and hide it.
- Scopes are never mixed silently: each section gives a total per scope, and its grand total
  says which scopes it adds up (or why it adds none, as for energy, where fibre figures are
  primary energy and process figures final energy).

The masses follow the cost sheet's chain (docs/costing.md), so the ESG sheet and the cost
sheet describe the same fabric: finished fabric per piece F (the costing's consumption,
wastage included); grey fabric G = F × (1 + dyeing loss); yarn = G × (1 + conversion loss);
fibre = yarn (fibre lost in spinning has no sourced figure and is reported missing).
Knitting, weaving and dyeing apply to G, finishing to F, printing to the printed area.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from workbench.costing import CostResult, Style
from workbench.costing.fabric import DEFAULT_CONVERSION_LOSS
from workbench.esg.composition import FibreShare, composition_text, fibre_mix
from workbench.esg.errors import EsgError
from workbench.esg.matrix import Fibre, GridFactor, HeatFuel, Matrix, Process, load_matrix

ZERO = Decimal(0)
ONE = Decimal(1)
#: 1 kWh = 3.6 MJ (by definition of the joule and the watt-hour).
MJ_PER_KWH = Decimal("3.6")
#: English cotton count: Ne hanks of 840 yd per lb; 840 × 0.9144 m = 768.096 m per
#: 453.59237 g (yard and pound are exact by definition), so Nm = Ne × 768.096 / 453.59237.
NM_PER_NE = Decimal("768.096") / Decimal("453.59237")

FIBRE_SCOPE = "cradle-to-gate fibre"
PROCESS_SCOPE = "gate-to-gate process"
#: A fibre figure that nets off credits a plain cradle-to-gate figure does not take (biogenic
#: carbon, exported energy): its own scope, reported and totalled apart, never in a total.
CREDITED_SCOPE = "cradle-to-gate fibre, net of credits"


@dataclass(frozen=True)
class Area:
    """One of the report's five sections: Higg MSI's impact area ``title`` and what this
    report can put in it (``indicator``, ``unit``). ``sums_scopes`` says whether its lines of
    different scopes may be added into one total; ``caveat`` is said with that total."""

    key: str
    title: str
    indicator: str
    unit: str
    fibre_indicator: str | None
    sums_scopes: bool
    caveat: str


AREAS = (
    Area(
        key="global_warming",
        title="Global warming",
        indicator="greenhouse gases: fibre life-cycle GWP (kg CO2-eq) and process-energy CO2 "
        "(kg CO2)",
        unit="kg CO2-eq",
        fibre_indicator="global_warming",
        sums_scopes=True,
        caveat="the fibre figures are life-cycle GWP in CO2-eq; the process figures are CO2 "
        "only, from grid electricity and boiler fuel combustion (no CH4 or N2O, no fuel supply "
        "chain)",
    ),
    Area(
        key="eutrophication",
        title="Eutrophication",
        indicator="eutrophication potential (kg PO4-eq)",
        unit="kg PO4-eq",
        fibre_indicator="eutrophication",
        sums_scopes=True,
        caveat="",
    ),
    Area(
        key="water_scarcity",
        title="Water scarcity",
        indicator="water use (L) as the fibre source reports it — not scarcity-weighted, so "
        "not Higg's water scarcity",
        unit="L",
        fibre_indicator="water_use",
        sums_scopes=True,
        caveat="",
    ),
    Area(
        key="fossil_depletion",
        title="Abiotic resource depletion, fossil fuels",
        indicator="energy (MJ): fibre primary energy demand, process final energy used at the "
        "mill — not abiotic depletion",
        unit="MJ",
        fibre_indicator="energy_demand",
        sums_scopes=False,
        caveat="the fibre figure is primary energy demand (cradle-to-gate) and the process "
        "figures are final energy used at the mill (gate-to-gate): adding them would count "
        "unlike quantities",
    ),
    Area(
        key="chemistry",
        title="Chemistry",
        indicator="qualitative: dye class, finish, print and certifications",
        unit="",
        fibre_indicator=None,
        sums_scopes=False,
        caveat="",
    ),
)
AREA_KEYS = tuple(a.key for a in AREAS)

#: What a section cannot give at all, whatever the style.
_AREA_GAPS = {
    "water_scarcity": (
        "Water scarcity (scarcity-weighted)",
        "no scarcity characterisation (e.g. AWARE) in the sources: the section reports plain "
        "water use, which is not water scarcity",
    ),
    "fossil_depletion": (
        "Abiotic resource depletion, fossil fuels",
        "no abiotic-depletion (fossil) figure in the sources: the section reports energy",
    ),
    "chemistry": (
        "Chemistry score",
        "no quantitative chemistry figure in the sources: Higg MSI scores chemistry from "
        "certifications; this section lists the declarations only",
    ),
}


@dataclass(frozen=True)
class Line:
    """``quantity`` (``quantity_unit``) × ``factor`` (``factor_unit``) = ``amount`` (``unit``)
    of ``indicator``, in ``scope``, from ``source``. A missing figure leaves ``factor`` and
    ``amount`` None (never zero); ``note`` then says why."""

    component: str
    quantity: Decimal | None
    quantity_unit: str
    factor: Decimal | None
    factor_unit: str
    amount: Decimal | None
    unit: str
    indicator: str
    scope: str
    source: str
    note: str = ""
    source_ids: tuple[str, ...] = ()
    #: the figure nets off credits (``note`` says which): flagged, and outside the total
    credited: bool = False


@dataclass(frozen=True)
class Missing:
    """A figure the report lacks: in ``area``, for ``component``, because ``reason``."""

    area: str
    component: str
    reason: str


@dataclass(frozen=True)
class Section:
    """One impact area: its lines, a total per scope, and a ``total`` that says in
    ``total_scopes`` which scopes it adds up (None when the section adds none)."""

    key: str
    title: str
    indicator: str
    unit: str
    lines: tuple[Line, ...]
    scope_totals: tuple[tuple[str, Decimal], ...]
    total: Decimal | None
    total_scopes: tuple[str, ...]
    total_note: str
    missing: tuple[Missing, ...]
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.missing

    def scope_total(self, scope: str) -> Decimal | None:
        return dict(self.scope_totals).get(scope)

    def line(self, component: str) -> Line:
        for line in self.lines:
            if line.component == component:
                return line
        raise KeyError(component)


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


@dataclass(frozen=True)
class _Step:
    """A mill step of the style's route: its process record (None: no figure) and the
    quantity the record's figures apply to (kg, m² or picks; None: unknown)."""

    label: str
    process: Process | None
    quantity: Decimal | None
    quantity_unit: str
    reason: str = ""
    note: str = ""


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
    steps = _route(style, matrix, fibre_kg, grey, finished, area_m2, print_area_m2)

    sections = []
    for area in AREAS:
        if area.key == "chemistry":
            sections.append(_chemistry(style, tuple(certifications)))
            continue
        lines, missing = _fibre_lines(area, shares, fibre_kg, matrix)
        for step in steps:
            step_lines, step_missing = _step_lines(area, step, grid, grid_note, fuel, matrix)
            lines += step_lines
            missing += step_missing
        if area.key in _AREA_GAPS:
            missing.append(Missing(area.key, *_AREA_GAPS[area.key]))
        sections.append(_section(area, lines, missing))

    assumptions = _assumptions(
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
    unconfirmed = tuple(a for a in assumptions if a.endswith(_UNCONFIRMED_ENDS))
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


def _route(
    style: Style,
    matrix: Matrix,
    yarn_kg: Decimal,
    grey_kg: Decimal,
    finished_kg: Decimal,
    fabric_m2: Decimal,
    print_area_m2: Decimal | None,
) -> list[_Step]:
    """The mill steps of the style, each with its process record and the quantity it
    applies to."""
    spec = style.fabric
    steps = [_Step("Spinning", matrix.process_for("spinning", ""), yarn_kg, "kg")]
    if spec.kind == "knit":
        knit = matrix.process_for("knitting", spec.construction)
        label = f"Knitting {knit.key.removeprefix('knitting-')}" if knit else "Knitting"
        steps.append(_Step(label, knit, grey_kg, "kg", "no knitting process in the matrix"))
    else:
        steps.append(_weaving(spec.yarn_count, spec.gsm, grey_kg, matrix))
    if spec.dye_class is not None:
        dyeing = matrix.process_for("dyeing", spec.dye_class)
        steps.append(
            _Step(
                f"Dyeing {spec.dye_class}", dyeing, grey_kg, "kg", "no dyeing process in the matrix"
            )
        )
    if style.printing is not None:
        steps.append(_printing(style, matrix, fabric_m2, print_area_m2))
    if spec.finish.strip():
        finishing = matrix.process_for("finishing", spec.finish)
        steps.append(
            _Step(
                f"Finishing {spec.finish}",
                finishing,
                finished_kg,
                "kg",
                f"no sourced figure for the finish {spec.finish!r}: the matrix's only finishing "
                "process is a chemical finish",
            )
        )
    return steps


def _printing(
    style: Style, matrix: Matrix, fabric_m2: Decimal, print_area_m2: Decimal | None
) -> _Step:
    assert style.printing is not None
    technique = style.printing.technique
    label = f"Printing {technique}"
    process = matrix.process_for("printing", technique)
    if process is None:
        return _Step(
            label, None, None, "m2", f"no sourced figure for the print technique {technique!r}"
        )
    if print_area_m2 is not None:
        return _Step(label, process, print_area_m2, "m2")
    if re.search(r"all[\s-]?over", technique, re.I):
        return _Step(label, process, fabric_m2, "m2", note="all-over: the whole fabric area")
    return _Step(label, process, None, "m2", "the printed area per piece is not given")


def yarn_count_nm(yarn_count: str) -> Decimal | None:
    """The metric count (Nm, km per kg) of a yarn count written as Ne ("Ne 30/1", "30s"),
    Nm, tex, dtex or denier ("150D/48F"); None when it cannot be read. Ne x/y is y plies of
    Ne x (resultant Ne x ÷ y)."""
    text = yarn_count.strip().casefold()
    number = r"(\d+(?:\.\d+)?)"
    if m := re.fullmatch(rf"(ne|nm)\s*{number}(?:\s*/\s*(\d+))?\s*s?", text):
        count = Decimal(m.group(2)) / Decimal(m.group(3) or 1)
        return count * NM_PER_NE if m.group(1) == "ne" else count
    if m := re.fullmatch(rf"{number}\s*s(?:\s*/\s*(\d+))?", text):
        return Decimal(m.group(1)) / Decimal(m.group(2) or 1) * NM_PER_NE
    if m := re.match(rf"{number}\s*(dtex|tex|d|den|denier)\b", text):
        per_gram = {"dtex": 10000, "tex": 1000}.get(m.group(2), 9000)
        value = Decimal(m.group(1))
        return Decimal(per_gram) / value if value else None
    return None


def _weaving(yarn_count: str, gsm: int, grey_kg: Decimal, matrix: Matrix) -> _Step:
    """Weaving's quantity is picks (pick·m), as Ecobalyse's weavingImpacts computes them."""
    process = matrix.process_for("weaving", "")
    if process is None:
        return _Step("Weaving", None, None, "pick.m", "no weaving process in the matrix")
    nm = yarn_count_nm(yarn_count)
    if nm is None:
        return _Step(
            "Weaving",
            process,
            None,
            "pick.m",
            f"yarn count {yarn_count!r} is not readable as Ne, Nm, tex, dtex or denier, "
            "so the picks cannot be worked out",
        )
    take_up = process.figures["take_up"].value
    assert take_up is not None
    density = Decimal(gsm) * nm / 100 / 2 / take_up  # threads per cm
    surface = grey_kg * 1000 / Decimal(gsm)  # m² of woven cloth
    picks = density * surface * 100
    return _Step(
        "Weaving",
        process,
        picks,
        "pick.m",
        note=f"{density:.2f} threads/cm × {surface:.4f} m² × 100",
    )


def _fibre_lines(
    area: Area, shares: Sequence[FibreShare], fibre_kg: Decimal, matrix: Matrix
) -> tuple[list[Line], list[Missing]]:
    lines: list[Line] = []
    missing: list[Missing] = []
    if area.fibre_indicator is None:
        return lines, missing
    indicator = (
        "primary energy demand"
        if area.key == "fossil_depletion"
        else "life-cycle GWP (CO2-eq)"
        if area.key == "global_warming"
        else area.indicator
    )
    for share in shares:
        fibre = matrix.fibres[share.fibre]
        figure = fibre.figures[area.fibre_indicator]
        factor, factor_unit = fibre.per_kg(area.fibre_indicator)
        quantity = fibre_kg * share.share
        component = f"Fibre: {fibre.name}"
        source = matrix.sources[figure.source]
        cited = f"{source.short}, {figure.table}"
        if factor is None:
            missing.append(Missing(area.key, component, figure.note))
            lines.append(
                Line(
                    component,
                    quantity,
                    "kg",
                    None,
                    factor_unit,
                    None,
                    _unit_of(factor_unit),
                    indicator,
                    figure.scope,
                    source.short,
                    figure.note,
                    figure.sources,
                )
            )
            continue
        if figure.credits:
            # Like with like: a figure net of credits is not added to figures that take none.
            # Its gross figure (before credits) has no source, so it is reported missing.
            study = matrix.sources[figure.sources[-1]].short
            lines.append(
                Line(
                    component,
                    quantity,
                    "kg",
                    factor,
                    factor_unit,
                    quantity * factor,
                    _unit_of(factor_unit),
                    f"{indicator}, net of credits",
                    CREDITED_SCOPE,
                    f"{cited}; {study}",
                    f"{fibre.name}'s figure {figure.credits}",
                    figure.sources,
                    credited=True,
                )
            )
            missing.append(
                Missing(
                    area.key,
                    component,
                    f"no sourced figure before credits: {fibre.name}'s figure "
                    f"{figure.credits}; it is reported on its own line, outside "
                    "the total",
                )
            )
            continue
        lines.append(
            Line(
                component,
                quantity,
                "kg",
                factor,
                factor_unit,
                quantity * factor,
                _unit_of(factor_unit),
                indicator,
                figure.scope,
                cited,
                figure.derived,
                figure.sources,
            )
        )
    return lines, missing


def _unit_of(per_kg_unit: str) -> str:
    return per_kg_unit.removesuffix(" per kg")


def _step_lines(
    area: Area,
    step: _Step,
    grid: GridFactor | None,
    grid_note: str,
    fuel: HeatFuel | None,
    matrix: Matrix,
) -> tuple[list[Line], list[Missing]]:
    """A mill step's lines in one area: energy CO2 (global warming), energy (fossil), or a
    missing line where the process data has no figure for the area."""
    process = step.process
    if process is None:
        return _gap(area, step, step.reason, "")
    figures = process.figures
    nulls = [f for f in figures.values() if f.value is None]
    if nulls:
        return _gap(area, step, nulls[0].note, nulls[0].source)
    if area.key in ("eutrophication", "water_scarcity"):
        gap = matrix.missing_process_indicators.get(
            "eutrophication" if area.key == "eutrophication" else "water_use"
        )
        reason = gap.note if gap else "no process figure for this area"
        return _gap(area, step, reason, gap.source if gap else "")
    if step.quantity is None:
        return _gap(area, step, step.reason, figures["heat_MJ"].source)

    elec_source = matrix.sources[figures["heat_MJ"].source].short
    where = f"{elec_source}: {process.name} ({process.alias or process.key})"
    # electricity: MJ per unit × quantity, or kWh per pick·m × picks (weaving)
    elec_factor: Decimal | None
    if process.unit == "pick.m":
        pppm = figures["elec_pppm"].value
        assert pppm is not None
        elec_factor, elec_factor_unit = pppm * MJ_PER_KWH, "MJ per pick.m"
        elec_field, kwh_field = "elec_pppm × 3.6 MJ/kWh", "elec_pppm × picks"
    else:
        elec_factor = figures["elec_MJ"].value
        assert elec_factor is not None
        elec_factor_unit = f"MJ per {step.quantity_unit}"
        elec_field, kwh_field = "elec_MJ", "elec_MJ ÷ 3.6 MJ/kWh"
    heat_factor = figures["heat_MJ"].value
    assert heat_factor is not None
    elec_mj = step.quantity * elec_factor
    heat_mj = step.quantity * heat_factor
    elec_names = ("elec_pppm", "take_up") if process.unit == "pick.m" else ("elec_MJ",)
    elec_ids = tuple(dict.fromkeys(sid for n in elec_names for sid in figures[n].sources))
    heat_ids = figures["heat_MJ"].sources

    lines: list[Line] = []
    missing: list[Missing] = []
    if area.key == "fossil_depletion":
        if elec_mj:
            lines.append(
                Line(
                    f"{step.label}: electricity",
                    step.quantity,
                    step.quantity_unit,
                    elec_factor,
                    elec_factor_unit,
                    elec_mj,
                    "MJ",
                    "final energy at the mill",
                    PROCESS_SCOPE,
                    f"{where}, {elec_field}",
                    step.note,
                    elec_ids,
                )
            )
        if heat_mj:
            lines.append(
                Line(
                    f"{step.label}: heat",
                    step.quantity,
                    step.quantity_unit,
                    heat_factor,
                    f"MJ per {step.quantity_unit}",
                    heat_mj,
                    "MJ",
                    "final energy at the mill",
                    PROCESS_SCOPE,
                    f"{where}, heat_MJ",
                    step.note,
                    heat_ids,
                )
            )
        return lines, missing

    # global warming: kWh × grid factor; heat MJ × fuel factor
    if elec_mj:
        kwh = elec_mj / MJ_PER_KWH
        component = f"{step.label}: electricity"
        if grid is None:
            missing.append(Missing(area.key, component, grid_note))
            lines.append(
                Line(
                    component,
                    kwh,
                    "kWh",
                    None,
                    "kg CO2 per kWh",
                    None,
                    "kg CO2",
                    "combustion CO2",
                    PROCESS_SCOPE,
                    f"{where}, {kwh_field}",
                    grid_note,
                    elec_ids,
                )
            )
        else:
            grid_source = matrix.sources[grid.figure.source].short
            note = "; ".join(n for n in (step.note, grid_note) if n)
            lines.append(
                Line(
                    component,
                    kwh,
                    "kWh",
                    grid.kg_co2_per_kwh,
                    "kg CO2 per kWh",
                    kwh * grid.kg_co2_per_kwh,
                    "kg CO2",
                    "combustion CO2",
                    PROCESS_SCOPE,
                    f"{where}, {kwh_field} × {grid_source} {grid.version}, "
                    f"{grid.country_name} {grid.period}",
                    note,
                    (*elec_ids, grid.figure.source),
                )
            )
    if heat_mj:
        component = f"{step.label}: heat"
        if fuel is None:
            reason = "the boiler fuel is not stated, so heat CO2 cannot be worked out"
            missing.append(Missing(area.key, component, reason))
            lines.append(
                Line(
                    component,
                    heat_mj,
                    "MJ",
                    None,
                    "kg CO2 per MJ",
                    None,
                    "kg CO2",
                    "combustion CO2",
                    PROCESS_SCOPE,
                    f"{where}, heat_MJ",
                    reason,
                    heat_ids,
                )
            )
        else:
            fuel_source = matrix.sources[fuel.figure.source].short
            lines.append(
                Line(
                    component,
                    heat_mj,
                    "MJ",
                    fuel.kg_co2_per_mj,
                    "kg CO2 per MJ",
                    heat_mj * fuel.kg_co2_per_mj,
                    "kg CO2",
                    "combustion CO2",
                    PROCESS_SCOPE,
                    f"{where}, heat_MJ × {fuel_source}, {fuel.key}",
                    "heat taken as fuel burnt: boiler losses not included",
                    (*heat_ids, fuel.figure.source),
                )
            )
    return lines, missing


def _gap(area: Area, step: _Step, reason: str, source_id: str) -> tuple[list[Line], list[Missing]]:
    unit = "L" if area.key == "water_scarcity" else area.unit
    line = Line(
        step.label,
        step.quantity,
        step.quantity_unit,
        None,
        "",
        None,
        unit,
        "",
        PROCESS_SCOPE,
        source_id,
        reason,
        (source_id,) if source_id else (),
    )
    return [line], [Missing(area.key, step.label, reason)]


def _section(area: Area, lines: list[Line], missing: list[Missing]) -> Section:
    by_scope: dict[str, Decimal] = {}
    for line in lines:
        if line.amount is not None:
            by_scope[line.scope] = by_scope.get(line.scope, ZERO) + line.amount
    summed = {scope: amount for scope, amount in by_scope.items() if scope != CREDITED_SCOPE}
    scopes = tuple(summed)
    if area.sums_scopes and summed:
        total: Decimal | None = sum(summed.values(), ZERO)
        note = "sums " + " + ".join(scopes)
        if len(scopes) > 1 and area.caveat:
            note += f": {area.caveat}"
        total_scopes = scopes
    else:
        total, total_scopes = None, ()
        note = f"not summed: {area.caveat}" if area.caveat else "no figure to sum"
    credited = [line.component.removeprefix("Fibre: ") for line in lines if line.credited]
    if credited:
        note += (
            f"; not in the total: {', '.join(credited)}, whose figure nets off credits "
            "(biogenic carbon, exported energy) that the other figures do not take, "
            f"reported on its own line ({CREDITED_SCOPE})"
        )
    if missing:
        note += f"; incomplete: {len(missing)} figure(s) missing"
    return Section(
        area.key,
        area.title,
        area.indicator,
        area.unit,
        tuple(lines),
        tuple(by_scope.items()),
        total,
        total_scopes,
        note,
        tuple(missing),
    )


def _chemistry(style: Style, certifications: tuple[str, ...]) -> Section:
    spec = style.fabric
    notes = [
        f"Dye class: {spec.dye_class} ({spec.shade_depth} shade)"
        if spec.dye_class
        else "No dyeing on the fabric spec (greige or yarn-dyed)",
    ]
    if spec.finish.strip():
        notes.append(f"Finish: {spec.finish}")
    if style.printing is not None:
        notes.append(f"Print: {style.printing.technique}")
    notes.append(
        "Certifications declared: "
        + ", ".join(certifications)
        + " (as recorded on the material; not verified by this report)"
        if certifications
        else "No chemistry certification recorded (e.g. GOTS, OEKO-TEX, bluesign)"
    )
    area = next(a for a in AREAS if a.key == "chemistry")
    gap = Missing("chemistry", *_AREA_GAPS["chemistry"])
    return Section(
        area.key,
        area.title,
        area.indicator,
        area.unit,
        (),
        (),
        None,
        (),
        "no figure to sum; qualitative only",
        (gap,),
        tuple(notes),
    )


def _assumptions(
    shares: Sequence[FibreShare],
    matrix: Matrix,
    finished: Decimal,
    grey: Decimal,
    fibre_kg: Decimal,
    dyeing_loss: Decimal,
    conversion_loss: Decimal,
    grid: GridFactor | None,
    grid_note: str,
    fuel: HeatFuel | None,
    country: str,
) -> tuple[str, ...]:
    said = [
        f"Fibre = yarn mass: {fibre_kg:.4f} kg = finished fabric {finished:.4f} kg × (1 + "
        f"dyeing loss {dyeing_loss}) × (1 + conversion loss {conversion_loss}), as the cost "
        "sheet; fibre lost in spinning is not counted (no sourced figure).",
        f"Grey fabric {grey:.4f} kg is what knitting, weaving and dyeing process.",
    ]
    if grid is not None:
        said.append(
            f"Grid electricity: {grid.country_name} {grid.period}, {grid.figure.value} "
            f"{grid.figure.unit} ({matrix.sources[grid.figure.source].short}, version "
            f"{grid.version}, {grid.figure.table})" + (f"; {grid_note}" if grid_note else "") + "."
        )
        if grid.figure.unconfirmed:
            said.append(
                f"Grid electricity factor, {grid.country_name} {grid.period} "
                f"({matrix.sources[grid.figure.source].short}, version {grid.version}): "
                f"{grid.figure.unconfirmed}{_UNCONFIRMED_ENDS[1]}"
            )
    else:
        said.append(f"Grid electricity: {grid_note} (mill country {country}).")
    if fuel is not None:
        said.append(
            f"Process heat from {fuel.key}: {fuel.figure.value} {fuel.figure.unit} "
            f"({matrix.sources[fuel.figure.source].short}), applied to the heat the process "
            "uses; boiler losses are not included, so heat CO2 is understated by them."
        )
    else:
        said.append("Boiler fuel not stated: process heat CO2 is reported missing.")
    for share in shares:
        fibre = matrix.fibres[share.fibre]
        if share.note:
            said.append(share.note)
        if fibre.note:
            said.append(f"{fibre.name}: {fibre.note}")
        said.extend(_unconfirmed_fibre(fibre, matrix))
    return tuple(dict.fromkeys(said))


#: How the sentences saying a figure is not yet confirmed in its primary source end, so the
#: footprint can list them apart.
_UNCONFIRMED_ENDS = (
    "; the study behind them is not yet confirmed in its own text.",
    "; not yet confirmed in the primary source.",
)


def _unconfirmed_fibre(fibre: Fibre, matrix: Matrix) -> list[str]:
    """What the sheet says of a fibre whose figures were read from a compilation and not yet
    in the study its footnotes name: the buyer sees which figures stand on a compilation."""
    read = [f for f in fibre.figures.values() if f.value is not None and f.footnote]
    unread = [f for f in read if not f.primary]
    if not unread:
        return []
    compilation = matrix.sources[unread[0].source].short
    table = unread[0].table.split(",")[0]
    notes = sorted({f.footnote for f in unread})
    marks = f"footnote{'s' if len(notes) > 1 else ''} {', '.join(notes)}"
    return [
        f"{fibre.name}: figures read from {compilation} {table}, a compilation ({marks})"
        + _UNCONFIRMED_ENDS[0]
    ]


def areas() -> Mapping[str, Area]:
    """The report's five areas by key, in report order."""
    return {a.key: a for a in AREAS}
