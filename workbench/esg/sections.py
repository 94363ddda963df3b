"""A footprint's sections: one impact area's lines added up per scope, and the chemistry
section, which has declarations and no figures.

Scopes are never mixed silently: each section gives a total per scope, and its grand total
says which scopes it adds up (or why it adds none, as for energy, where fibre figures are
primary energy and process figures final energy).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workbench.costing import Style
from workbench.esg.areas import AREA_GAPS, AREAS, CREDITED_SCOPE, Area
from workbench.esg.lines import Line, Missing

ZERO = Decimal(0)


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


def area_section(area: Area, lines: list[Line], missing: list[Missing]) -> Section:
    """An area's section: a total per scope, and the grand total only where the area may add
    its scopes up; a figure net of credits is never in it."""
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


def chemistry_section(style: Style, certifications: tuple[str, ...]) -> Section:
    """The chemistry section: what the fabric spec and the material declare, no figure (our
    sources have no quantitative chemistry figure)."""
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
    gap = Missing("chemistry", *AREA_GAPS["chemistry"])
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
