"""A style's route through the mill: each step with its process record and the quantity the
record's figures apply to.

Knitting, weaving and dyeing apply to the grey fabric, finishing to the finished fabric,
printing to the printed area, spinning to the yarn; weaving counts picks (pick·m) from the
yarn count, as Ecobalyse's weavingImpacts does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from workbench.costing import Style
from workbench.esg.matrix import Matrix, Process

#: English cotton count: Ne hanks of 840 yd per lb; 840 × 0.9144 m = 768.096 m per
#: 453.59237 g (yard and pound are exact by definition), so Nm = Ne × 768.096 / 453.59237.
NM_PER_NE = Decimal("768.096") / Decimal("453.59237")


@dataclass(frozen=True)
class Step:
    """A mill step of the style's route: its process record (None: no figure) and the
    quantity the record's figures apply to (kg, m² or picks; None: unknown)."""

    label: str
    process: Process | None
    quantity: Decimal | None
    quantity_unit: str
    reason: str = ""
    note: str = ""


def route(
    style: Style,
    matrix: Matrix,
    yarn_kg: Decimal,
    grey_kg: Decimal,
    finished_kg: Decimal,
    fabric_m2: Decimal,
    print_area_m2: Decimal | None,
) -> list[Step]:
    """The mill steps of the style, each with its process record and the quantity it
    applies to."""
    spec = style.fabric
    steps = [Step("Spinning", matrix.process_for("spinning", ""), yarn_kg, "kg")]
    if spec.kind == "knit":
        knit = matrix.process_for("knitting", spec.construction)
        label = f"Knitting {knit.key.removeprefix('knitting-')}" if knit else "Knitting"
        steps.append(Step(label, knit, grey_kg, "kg", "no knitting process in the matrix"))
    else:
        steps.append(_weaving(spec.yarn_count, spec.gsm, grey_kg, matrix))
    if spec.dye_class is not None:
        dyeing = matrix.process_for("dyeing", spec.dye_class)
        steps.append(
            Step(
                f"Dyeing {spec.dye_class}", dyeing, grey_kg, "kg", "no dyeing process in the matrix"
            )
        )
    if style.printing is not None:
        steps.append(_printing(style, matrix, fabric_m2, print_area_m2))
    if spec.finish.strip():
        finishing = matrix.process_for("finishing", spec.finish)
        steps.append(
            Step(
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
) -> Step:
    assert style.printing is not None
    technique = style.printing.technique
    label = f"Printing {technique}"
    process = matrix.process_for("printing", technique)
    if process is None:
        return Step(
            label, None, None, "m2", f"no sourced figure for the print technique {technique!r}"
        )
    if print_area_m2 is not None:
        return Step(label, process, print_area_m2, "m2")
    if re.search(r"all[\s-]?over", technique, re.I):
        return Step(label, process, fabric_m2, "m2", note="all-over: the whole fabric area")
    return Step(label, process, None, "m2", "the printed area per piece is not given")


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


def _weaving(yarn_count: str, gsm: int, grey_kg: Decimal, matrix: Matrix) -> Step:
    """Weaving's quantity is picks (pick·m), as Ecobalyse's weavingImpacts computes them."""
    process = matrix.process_for("weaving", "")
    if process is None:
        return Step("Weaving", None, None, "pick.m", "no weaving process in the matrix")
    nm = yarn_count_nm(yarn_count)
    if nm is None:
        return Step(
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
    return Step(
        "Weaving",
        process,
        picks,
        "pick.m",
        note=f"{density:.2f} threads/cm × {surface:.4f} m² × 100",
    )
