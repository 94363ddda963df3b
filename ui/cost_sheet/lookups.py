"""What the cost sheet form looks up in the replica as its user chooses: a fabric's starting
style with the priced yarns it can be made of, a trim's line and name. Each is called on a
`ui.ops` worker (the replica's connection is per thread) and its answer shown on the UI
thread, so choosing a material never waits on the replica."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from decimal import Decimal

from workbench.costing import Style, trim_line
from workbench.costing import choices as pick
from workbench.replica import queries

#: a trim as the form lists it: material id, "category: name", quantity per piece, packing
TrimEntry = tuple[str, str, Decimal, bool]


@dataclass(frozen=True)
class FabricStart:
    """A fabric's first draft of a style and the yarns the form offers with it."""

    fabric_id: str
    style: Style
    yarns: list[pick.Choice]


def yarns_of(conn: sqlite3.Connection, fabric_id: str | None) -> list[pick.Choice]:
    """The priced yarns offered for ``fabric_id`` (every priced yarn without a fabric), those
    of its composition first."""
    composition = ""
    if fabric_id:
        row = queries.material(conn, fabric_id)
        composition = (row["composition"] or "") if row else ""
    return pick.yarns_for(conn, composition)


def fabric_start(conn: sqlite3.Connection, fabric_id: str, style_code: str) -> FabricStart:
    """A first draft for ``fabric_id`` and its yarns; a CostingError says why the fabric
    cannot be costed."""
    style = pick.starting_style(conn, fabric_id, style_code)
    return FabricStart(fabric_id, style, yarns_of(conn, fabric_id))


def trim_entry(conn: sqlite3.Connection, material_id: str, quantity: Decimal) -> TrimEntry:
    """The form's line for a trim; a CostingError when it is not a trim of this workspace."""
    line = trim_line(conn, material_id, quantity)
    row = queries.material(conn, material_id)
    assert row is not None  # trim_line refuses a material not in the workspace
    return (material_id, f"{line.name}: {row['name']}", quantity, line.packing)
