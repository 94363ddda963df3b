"""What a footprint assumes, in sentences the sheet prints: the mass chain, the grid and fuel
factors, each fibre's notes, and every figure not yet confirmed in its primary source.

Those last sentences end in one of `UNCONFIRMED_ENDS`, so the footprint can list them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from workbench.esg.composition import FibreShare
from workbench.esg.matrix import Fibre, GridFactor, HeatFuel, Matrix


def assumptions_for(
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
    """The sentences the sheet prints under its figures, each once, in the order said."""
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
                f"{grid.figure.unconfirmed}{UNCONFIRMED_ENDS[1]}"
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
UNCONFIRMED_ENDS = (
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
        + UNCONFIRMED_ENDS[0]
    ]
