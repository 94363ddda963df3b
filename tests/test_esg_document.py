"""docs/esg.md read back against the engine: the worked example's every line, total, missing figure
and what-if, the numbers in the text, and the page's data tables against the data, so the page
and the code cannot drift apart."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from typing import Any

import pytest

from tests.doc_tables import sections, tables
from tests.esg_examples import BOOK, DOC, ON, TEE, _tee
from workbench.costing import (
    cost_style,
)
from workbench.esg import (
    AREAS,
    load_matrix,
    what_if,
)

# -- reading the document -----------------------------------------------------------------------


def _table(title: str) -> list[list[str]]:
    example = sections(DOC.read_text("utf-8"))[
        "Worked example: a cotton single-jersey T-shirt knitted in India"
    ]
    (table,) = tables(sections(example, "### ")[title])
    return table


def _number(text: str) -> D:
    first = text.replace("−", "-").replace(",", "").split()[0]
    return D(re.sub(r"[^\d.\-]", "", first))


def _check(text: str, value: D | None, what: str) -> None:
    """``text`` shows ``value`` rounded half up to as many decimals ("—" shows None)."""
    if text == "—":
        assert value is None, f"{what}: the document says no figure, the engine {value}"
        return
    assert value is not None, f"{what}: the document says {text}, the engine has no figure"
    digits = text.replace("−", "-").replace(",", "").split()[0]
    places = len(digits.split(".")[1]) if "." in digits else 0
    shown = D(value).quantize(D(1).scaleb(-places), ROUND_HALF_UP)
    assert _number(text) == shown, f"{what}: the document says {text}, the engine {value}"


# -- the worked example, figure by figure -------------------------------------------------------

AREA_TABLES = {
    "Global warming": "global_warming",
    "Eutrophication": "eutrophication",
    "Water use (the water scarcity section)": "water_scarcity",
    "Energy (the fossil fuels section)": "fossil_depletion",
}


@pytest.mark.parametrize("title", list(AREA_TABLES))
def test_every_line_of_the_worked_example(title: str) -> None:
    section = _tee().section(AREA_TABLES[title])
    rows = _table(title)
    assert [r[0] for r in rows] == [line.component for line in section.lines]
    for (component, quantity, factor, amount, scope), line in zip(rows, section.lines, strict=True):
        _check(quantity, line.quantity, f"{title}: {component} quantity")
        _check(factor, line.factor, f"{title}: {component} factor")
        _check(amount, line.amount, f"{title}: {component} amount")
        assert scope == line.scope, f"{title}: {component} scope"


def test_the_masses_and_totals_of_the_worked_example() -> None:
    result = _tee()
    gw = result.section("global_warming")
    energy = result.section("fossil_depletion")
    figures = {
        "Finished fabric per piece (kg)": result.finished_kg,
        "Dyeing loss": result.dyeing_loss,
        "Grey fabric per piece (kg)": result.grey_kg,
        "Conversion loss": result.conversion_loss,
        "Fibre per piece (kg)": result.fibre_kg,
        "Global warming, cradle-to-gate fibre (kg CO2-eq)": gw.scope_total("cradle-to-gate fibre"),
        "Global warming, gate-to-gate process (kg CO2)": gw.scope_total("gate-to-gate process"),
        "Global warming, total of both scopes (kg CO2-eq)": gw.total,
        "Eutrophication, cradle-to-gate fibre (kg PO4-eq)": result.section(
            "eutrophication"
        ).scope_total("cradle-to-gate fibre"),
        "Water use, cradle-to-gate fibre (L)": result.section("water_scarcity").scope_total(
            "cradle-to-gate fibre"
        ),
        "Energy, cradle-to-gate fibre, primary (MJ)": energy.scope_total("cradle-to-gate fibre"),
        "Energy, gate-to-gate process, final (MJ)": energy.scope_total("gate-to-gate process"),
    }
    rows = _table("Masses") + _table("Totals")
    assert [r[0] for r in rows] == list(figures)
    for name, value in rows:
        _check(value, figures[name], name)
    assert gw.total_scopes == ("cradle-to-gate fibre", "gate-to-gate process")
    assert energy.total is None


def test_the_missing_figures_of_the_worked_example() -> None:
    result = _tee()
    titles = {a.key: a.title for a in AREAS}
    listed = [(titles[m.area], m.component) for m in result.missing]
    assert [tuple(r) for r in _table("Missing figures")] == listed


def test_the_what_if_of_the_worked_example() -> None:
    change = what_if(TEE, cost_style(TEE, BOOK, ON), "100% Cotton", {"cotton": "organic cotton"})
    rows = _table("What if: organic cotton")
    assert [r[0] for r in rows] == [c.title for c in change.changes]
    for (title, before, after, delta, percent), c in zip(rows, change.changes, strict=True):
        _check(before, c.before, f"{title} before")
        _check(after, c.after, f"{title} after")
        _check(delta, c.change, f"{title} change")
        _check(percent, c.percent, f"{title} change %")


def test_the_numbers_in_the_text() -> None:
    """The step-by-step arithmetic under the tables, at the precision the text gives."""
    example = sections(DOC.read_text("utf-8"))[
        "Worked example: a cotton single-jersey T-shirt knitted in India"
    ]
    gw = _tee().section("global_warming")
    claims = [
        ("= {} kg.", _tee().fibre_kg, 6),
        (
            "= {} MJ of electricity",
            gw.line("Knitting circular: electricity").quantity * D("3.6"),
            8,
        ),
        ("÷ 3.6 = {} kWh;\n  × 0.7117", gw.line("Knitting circular: electricity").quantity, 8),
        (
            "= {} kg CO2.\n- Dyeing, electricity",
            gw.line("Knitting circular: electricity").amount,
            8,
        ),
        ("÷ 3.6 = {} kWh; × 0.7117", gw.line("Dyeing reactive: electricity").quantity, 8),
        ("{} kg CO2.\n- Dyeing, heat", gw.line("Dyeing reactive: electricity").amount, 8),
        ("= {} kg CO2.\n- Spinning", gw.line("Dyeing reactive: heat").amount, 8),
        ("= {} kg CO2-eq per\npiece", gw.total, 8),
        ("{}; the total sums both scopes", gw.scope_total("gate-to-gate process"), 8),
    ]
    for pattern, value, places in claims:
        assert value is not None
        shown = D(value).quantize(D(1).scaleb(-places), ROUND_HALF_UP)
        assert pattern.format(shown) in example, (pattern, shown)


# -- the data tables of the document against the data -------------------------------------------


def test_the_documented_fibre_factors_are_the_data() -> None:
    matrix = load_matrix()
    doc = sections(DOC.read_text("utf-8"), "### ")[
        "Fibre factors (per 1000 kg of fibre, cradle-to-gate)"
    ]
    (rows,) = tables(doc)
    by_name = {f.name: f for f in matrix.fibres.values()}
    assert [r[0] for r in rows] == [f.name for f in matrix.fibres.values()]
    indicators = ("global_warming", "eutrophication", "water_use", "energy_demand")
    for name, *cells, basis, measured in rows:
        fibre = by_name[name]
        _primary_cell_is_the_data(name, measured, fibre.figures.values(), matrix)
        for cell, indicator in zip(cells, indicators, strict=True):
            figure = fibre.figures[indicator]
            if cell == "—":
                assert figure.value is None, (name, indicator)
            else:
                assert figure.value is not None and _number(cell) == figure.value, (name, cell)
        if any(f.derived for f in fibre.figures.values()):
            assert basis.startswith("derived:"), name


def _primary_cell_is_the_data(name: str, cell: str, figures: Any, matrix: Any) -> None:
    """The fibre table's "Primary study" cell: the compilation's footnotes behind the row,
    whether the study they name is confirmed, and every study a reduction was measured in."""
    read = [f for f in figures if f.value is not None]
    if not read:
        assert cell == "—", name
        return
    for note in sorted({f.footnote for f in read if f.footnote}):
        assert f"footnote {note}" in cell, (name, note)
    if any(f.footnote and not f.primary for f in read):
        assert "not yet confirmed" in cell, name
    for figure in read:
        for sid in figure.sources[2:]:
            assert matrix.sources[sid].short in cell, (name, sid)


def test_the_documented_process_energy_is_the_data() -> None:
    matrix = load_matrix()
    doc = sections(DOC.read_text("utf-8"), "### ")[
        "Process energy (Ecobalyse processes.json, gate-to-gate)"
    ]
    (rows,) = tables(doc)
    documented = {r[0]: r for r in rows}
    assert set(documented) == {k for k in matrix.processes if k != "spinning"}
    for key, record, unit, heat, elec in rows:
        process = matrix.processes[key]
        assert process.uuid in record and process.name in record
        assert unit == process.unit
        assert _number(heat) == process.figures["heat_MJ"].value
        if "elec_MJ" in process.figures:
            assert _number(elec) == process.figures["elec_MJ"].value
        else:
            assert elec == "—"
            assert f"elec_pppm {process.figures['elec_pppm'].value}" in record


def test_every_source_is_in_the_document_with_its_address() -> None:
    text = DOC.read_text("utf-8")
    for source in load_matrix().sources.values():
        assert source.url in text, source.id
