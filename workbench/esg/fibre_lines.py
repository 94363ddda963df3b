"""A section's fibre lines: each fibre's share of the yarn mass × its cradle-to-gate figure.

A figure net of credits (biogenic carbon, exported energy) goes on a line of its own scope,
outside the total, and its gross figure is reported missing: like is added only to like.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from workbench.esg.areas import CREDITED_SCOPE, Area
from workbench.esg.composition import FibreShare
from workbench.esg.lines import Line, Missing
from workbench.esg.matrix import Matrix


def fibre_lines(
    area: Area, shares: Sequence[FibreShare], fibre_kg: Decimal, matrix: Matrix
) -> tuple[list[Line], list[Missing]]:
    """The area's line for each fibre of the blend (none for an area no fibre figure serves),
    and the figures missing among them."""
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
