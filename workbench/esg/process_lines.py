"""A section's mill process lines: a step's electricity and heat as final energy (fossil
fuels), or as CO2 through the grid's and the boiler fuel's factors (global warming).

A step, area or factor with no sourced figure is a line with no amount and a `Missing`
entry, never a zero.
"""

from __future__ import annotations

from decimal import Decimal

from workbench.esg.areas import PROCESS_SCOPE, Area
from workbench.esg.lines import Line, Missing
from workbench.esg.matrix import GridFactor, HeatFuel, Matrix
from workbench.esg.route import Step

#: 1 kWh = 3.6 MJ (by definition of the joule and the watt-hour).
MJ_PER_KWH = Decimal("3.6")


def mill_step_lines(
    area: Area,
    step: Step,
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


def _gap(area: Area, step: Step, reason: str, source_id: str) -> tuple[list[Line], list[Missing]]:
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
