"""The ESG footprint (workbench/esg/): the impact matrix's every figure has a source, scope and
unit; docs/esg.md's worked example and data tables are read back and checked figure by figure
against the engine (so the page and the code cannot drift apart); compositions are read
strictly; missing figures are reported, never zeroed; scopes are never summed silently; and the
what-if reports its change only where before and after cover the same fibres."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from tests.doc_tables import sections, tables
from workbench.costing import (
    FabricSpec,
    Making,
    MarkerConsumption,
    PrintSpec,
    Rate,
    RateBook,
    Style,
    cost_style,
)
from workbench.esg import (
    AREAS,
    EsgDataError,
    EsgError,
    Footprint,
    fibre_mix,
    load_matrix,
    material_facts,
    style_footprint,
    to_csv_rows,
    to_json,
    what_if,
    yarn_count_nm,
)
from workbench.esg.matrix import SCOPES
from workbench.paths import resources_dir

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "esg.md"
DATA = resources_dir() / "esg"

# -- the worked example's style (docs/esg.md) ----------------------------------------------------

ON = date(2025, 1, 15)
VALID = date(2024, 10, 1)


def _r(code: str, process: str, basis: str, amount: str, **keys: Any) -> Rate:
    return Rate(code, process, basis, D(amount), VALID, "ESG worked example", **keys)


BOOK = RateBook(
    rates=(
        _r("YRN-NE30", "yarn", "per kg", "290", material_id="yarn-ne30"),
        _r("YRN-NE40", "yarn", "per kg", "330", material_id="yarn-ne40"),
        _r("KNT-SINGLE", "knitting", "per kg", "55", technique="24G single knit"),
        _r("WEA-POPLIN", "weaving", "per m", "24", technique="1/1 plain 133x72"),
        _r(
            "DYE-REA-M",
            "dyeing",
            "per kg",
            "102",
            dye_class="reactive",
            shade_depth="medium",
            process_loss=D("0.10"),
        ),
        _r("FIN-COMPAC", "finishing", "per kg", "18", technique="compacted"),
        _r("FIN-EASYCA", "finishing", "per kg", "35", technique="easy care"),
        _r("PRT-PLASTI", "printing", "per piece", "8", technique="plastisol placement"),
        _r("PRT-PIGPL", "printing", "per piece", "6", technique="pigment placement"),
        _r("PRT-PIGAO", "printing", "per m", "40", technique="pigment all-over"),
        _r("CPM", "making", "per minute", "3", technique="Kongu Unit 1"),
    )
)

JERSEY = FabricSpec(
    kind="knit",
    gsm=180,
    width_cm=180,
    construction="24G single knit, open width",
    yarn_material_id="yarn-ne30",
    yarn_count="Ne 30/1",
    dye_class="reactive",
    shade_depth="medium",
    finish="compacted",
    name="Single jersey 180, reactive medium",
)
TEE = Style(
    style_code="ESG-TEE-01",
    category="knit tops",
    fabric=JERSEY,
    consumption=MarkerConsumption(D("0.25"), "kg"),
    making=Making(sam=D(12), mill="Kongu Unit 1", line_efficiency=D("0.65")),
    factory_overheads=(),
    commercial_costs=(),
)
POPLIN = FabricSpec(
    kind="woven",
    gsm=120,
    width_cm=147,
    construction="1/1 plain 133x72",
    yarn_material_id="yarn-ne40",
    yarn_count="Ne 40/1",
    finish="easy care",
    name="Poplin 133x72, greige",
)
SHIRT = Style(
    style_code="ESG-SHIRT-01",
    category="woven shirts",
    fabric=POPLIN,
    consumption=MarkerConsumption(D("1.65"), "m"),
    making=Making(sam=D(24), mill="Kongu Unit 1", line_efficiency=D("0.55")),
    factory_overheads=(),
    commercial_costs=(),
)


def _tee(composition: str = "100% Cotton", **options: Any) -> Footprint:
    return style_footprint(TEE, cost_style(TEE, BOOK, ON), composition, **options)


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
    for name, *cells, basis in rows:
        fibre = by_name[name]
        for cell, indicator in zip(cells, indicators, strict=True):
            figure = fibre.figures[indicator]
            if cell == "—":
                assert figure.value is None, (name, indicator)
            else:
                assert figure.value is not None and _number(cell) == figure.value, (name, cell)
        if any(f.derived for f in fibre.figures.values()):
            assert basis.startswith("derived:"), name


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


# -- the data -----------------------------------------------------------------------------------


def _walk(node: Any, path: str) -> list[tuple[str, dict[str, Any]]]:
    """Every figure object of a JSON tree: an object with a value or a derivation."""
    found = []
    if isinstance(node, dict):
        if "value" in node or "derived" in node:
            found.append((path, node))
        for key, child in node.items():
            found += _walk(child, f"{path}.{key}")
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found += _walk(child, f"{path}[{i}]")
    return found


def test_every_figure_in_the_data_has_a_source_scope_and_unit() -> None:
    sources = json.loads((DATA / "sources.json").read_text("utf-8"))["sources"]
    walked = 0
    for name in ("fibres.json", "processes.json", "grid.json", "heat.json"):
        for path, figure in _walk(json.loads((DATA / name).read_text("utf-8")), name):
            walked += 1
            for field in ("unit", "scope", "source"):
                assert figure.get(field), f"{path}: no {field}"
            assert figure["scope"] in SCOPES, path
            assert figure["source"] in sources, path
            if "derived" in figure:
                assert figure["derived"]["reduction_source"] in sources, path
                assert figure["derived"]["reduction_table"], path
                assert figure["note"].startswith("derived:"), path
            elif figure["value"] is None:
                assert figure.get("note"), f"{path}: a missing figure needs a note"
            else:
                assert figure.get("table"), f"{path}: no table or field it was read from"
    assert walked > 50
    for sid, source in sources.items():
        assert source["url"].startswith(("http://", "https://")), sid
        assert source["citation"] and source["scope"], sid


def test_the_loaded_matrix_gives_every_figure_a_source_scope_and_unit() -> None:
    matrix = load_matrix()
    figures = list(matrix.figures())
    assert figures
    for figure in figures:
        assert figure.unit and figure.scope in SCOPES, figure.key
        assert all(sid in matrix.sources for sid in (figure.source, *figure.sources)), figure.key
        assert figure.value is not None or figure.note, figure.key
    organic = matrix.fibre("organic cotton").figures["global_warming"]
    assert organic.value == D(2000) * (1 - D("0.46"))
    assert organic.sources == ("frontiers-2021", "textile-exchange-2014")
    assert "derived: Frontiers 2021 cotton × Textile Exchange 2014 reduction" in organic.derived


def _broken(tmp_path: Path, name: str, change: Any) -> Path:
    folder = tmp_path / "esg"
    shutil.copytree(DATA, folder)
    data = json.loads((folder / name).read_text("utf-8"))
    change(data)
    (folder / name).write_text(json.dumps(data), "utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        (
            "fibres.json",
            lambda d: d["fibres"]["cotton"]["figures"]["global_warming"].pop("source"),
            "fibres.json: cotton.global_warming: no 'source'",
        ),
        (
            "fibres.json",
            lambda d: d["fibres"]["cotton"]["figures"]["water_use"].update(unit="gallons"),
            "fibres.json: cotton.water_use: unit 'gallons'",
        ),
        (
            "fibres.json",
            lambda d: d["fibres"]["modal"]["figures"]["water_use"].pop("note"),
            "fibres.json: modal.water_use: a missing (null) figure needs a note",
        ),
        (
            "processes.json",
            lambda d: d["processes"]["dyeing-fabric"]["figures"]["heat_MJ"].update(source="blog"),
            "processes.json: dyeing-fabric.heat_MJ: source 'blog' is not in sources.json",
        ),
        (
            "grid.json",
            lambda d: d["factors"][0].update(scope="cradle-to-grave"),
            "grid.json: factors[0]: scope 'cradle-to-grave'",
        ),
        (
            "heat.json",
            lambda d: d["fuels"]["coal"].pop("table"),
            "heat.json: coal: 'table' must be non-empty text",
        ),
    ],
)
def test_a_broken_matrix_is_refused_naming_file_and_key(
    tmp_path: Path, name: str, change: Any, message: str
) -> None:
    with pytest.raises(EsgDataError, match=re.escape(message)):
        load_matrix(_broken(tmp_path, name, change))


# -- compositions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60% Cotton 40% Polyester", [("cotton", "0.6"), ("polyester", "0.4")]),
        ("100% Organic Cotton", [("organic cotton", "1")]),
        ("95% Cotton 5% Elastane", [("cotton", "0.95"), ("elastane", "0.05")]),
        ("65% Polyester, 35% Cotton", [("polyester", "0.65"), ("cotton", "0.35")]),
        (
            "50% Organic Cotton / 50% rPET",
            [("organic cotton", "0.5"), ("recycled polyester", "0.5")],
        ),
        ("92 % polyester 8 % spandex", [("polyester", "0.92"), ("elastane", "0.08")]),
        ("100% Tencel", [("lyocell", "1")]),
        (
            "33.3% Cotton 33.3% Modal 33.4% Linen",
            [("cotton", "0.333"), ("modal", "0.333"), ("linen", "0.334")],
        ),
    ],
)
def test_compositions_are_read_into_shares(text: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.fibre, s.share) for s in fibre_mix(text)] == [(f, D(s)) for f, s in expected]


def test_plain_viscose_is_read_as_asian_viscose_and_says_so() -> None:
    cotton, viscose = fibre_mix("70% Cotton 30% Viscose")
    assert viscose.fibre == "viscose asia"
    assert "Viscose (Asia)" in viscose.note and not cotton.note
    assert fibre_mix("100% Viscose Austria")[0].fibre == "viscose austria"
    assert any("Viscose (Asia)" in a for a in _tee("70% Cotton 30% Viscose").assumptions)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the composition is empty"),
        ("Cotton", "write each fibre as '<percent>% <fibre>'"),
        ("Cotton 100%", "write each fibre as '<percent>% <fibre>'"),
        ("60% Cotton 30% Polyester", "adds up to 90 %, not 100 %"),
        ("100% Kevlar", "no fibre called 'Kevlar' in the impact matrix (known: cotton"),
        ("50% Cotton 50% cotton", "names Cotton twice"),
        ("120% Cotton", "120% of Cotton is not a share"),
        ("60% Cotton 40%", "40% of what?"),
    ],
)
def test_a_bad_composition_is_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(EsgError, match=re.escape(message)):
        fibre_mix(text)


# -- missing figures, scopes --------------------------------------------------------------------


def test_a_fibre_without_figures_is_reported_missing_not_zero() -> None:
    result = _tee("95% Cotton 5% Elastane")
    for key in ("global_warming", "eutrophication", "water_scarcity", "fossil_depletion"):
        section = result.section(key)
        line = section.line("Fibre: Elastane")
        assert line.amount is None and line.factor is None
        assert line.quantity == result.fibre_kg * D("0.05")
        assert "Fibre: Elastane" in [m.component for m in section.missing]
        assert not section.complete and "incomplete" in section.total_note
        cotton = section.line("Fibre: Cotton").amount
        assert section.scope_total("cradle-to-gate fibre") == cotton  # elastane adds nothing
    assert all(m.reason for m in result.missing)


def test_no_grid_factor_or_boiler_fuel_leaves_the_co2_missing() -> None:
    result = _tee(mill_country="BD", heat_fuel=None)
    gw = result.section("global_warming")
    electricity = gw.line("Knitting circular: electricity")
    heat = gw.line("Dyeing reactive: heat")
    assert electricity.amount is None and "no grid emission factor" in electricity.note
    assert heat.amount is None and heat.quantity == D("7.11425")
    assert gw.total_scopes == ("cradle-to-gate fibre",)
    missing = {m.component: m.reason for m in gw.missing}
    assert "boiler fuel is not stated" in missing["Dyeing reactive: heat"]
    # the energy itself is still known: only its CO2 is missing
    assert result.section("fossil_depletion").line("Dyeing reactive: heat").amount


def test_the_grid_factor_is_the_one_dated_for_the_mill() -> None:
    def factor(on: date) -> D | None:
        line = _tee(on=on).section("global_warming").line("Dyeing reactive: electricity")
        return line.factor

    assert factor(date(2024, 1, 15)) == D("0.7290")  # FY 2023-24
    assert factor(date(2024, 4, 1)) == D("0.7117")  # FY 2024-25
    later = _tee(on=date(2026, 6, 1))
    assert later.section("global_warming").line("Dyeing reactive: electricity").factor == D(
        "0.7117"
    )
    assert any("the latest published, FY 2024-25, is used" in a for a in later.assumptions)
    assert factor(date(2020, 1, 1)) is None


def test_coal_heat_uses_its_own_factor() -> None:
    heat = _tee(heat_fuel="coal").section("global_warming").line("Dyeing reactive: heat")
    assert heat.factor == D("0.0946") and heat.amount == D("7.11425") * D("0.0946")
    with pytest.raises(EsgError, match="no heat fuel called 'peat'"):
        _tee(heat_fuel="peat")


def test_scopes_are_never_mixed_silently() -> None:
    result = _tee("60% Cotton 40% Polyester")
    for section in result.sections:
        if section.total is not None:
            assert section.total_scopes, section.key
            assert section.total == sum(
                (amount for scope, amount in section.scope_totals if scope in section.total_scopes),
                D(0),
            )
            assert section.total_note.startswith("sums " + " + ".join(section.total_scopes))
        else:
            assert not section.total_scopes and section.total_note
        scopes = {line.scope for line in section.lines}
        assert scopes <= set(SCOPES)
        for line in section.lines:
            if line.amount is not None:
                assert line.amount == line.quantity * line.factor, line.component
    energy = result.section("fossil_depletion")
    assert energy.total is None and "not summed" in energy.total_note
    assert len(energy.scope_totals) == 2
    gw = result.section("global_warming")
    assert "CO2 only" in gw.total_note and "life-cycle GWP" in gw.total_note


def test_the_report_has_the_five_higg_areas() -> None:
    result = _tee()
    assert [s.title for s in result.sections] == [
        "Global warming",
        "Eutrophication",
        "Water scarcity",
        "Abiotic resource depletion, fossil fuels",
        "Chemistry",
    ]
    water = result.section("water_scarcity")
    assert "not scarcity-weighted" in water.indicator
    assert "Water scarcity (scarcity-weighted)" in [m.component for m in water.missing]
    chemistry = result.section("chemistry")
    assert chemistry.total is None and not chemistry.lines
    assert "Dye class: reactive (medium shade)" in chemistry.notes
    certified = _tee(certifications=("GOTS", "OEKO-TEX")).section("chemistry")
    assert any("GOTS, OEKO-TEX" in n for n in certified.notes)


# -- processes ---------------------------------------------------------------------------------


def test_weaving_follows_ecobalyse_picks() -> None:
    cost = cost_style(SHIRT, BOOK, ON)
    result = style_footprint(SHIRT, cost, "100% Cotton")
    grey = cost.consumption_kg * 1  # greige: no dyeing loss
    assert result.grey_kg == grey
    nm = D(40) * D("768.096") / D("453.59237")
    picks = D(120) * nm / 100 / 2 / D("1.08") * (grey * 1000 / 120) * 100
    energy = result.section("fossil_depletion").line("Weaving: electricity")
    assert energy.quantity == picks and energy.factor == D("0.0003145") * D("3.6")
    co2 = result.section("global_warming").line("Weaving: electricity")
    assert co2.quantity == picks * D("0.0003145")
    # easy care matches the (proxy) chemical finishing process, applied to the finished fabric
    finish = result.section("fossil_depletion").line("Finishing easy care: heat")
    assert finish.quantity == cost.consumption_kg and finish.factor == D("10.74")
    lines = result.section("fossil_depletion").lines
    assert not any(line.component.startswith("Dyeing") for line in lines)  # greige: no dyeing


@pytest.mark.parametrize(
    ("count", "nm"),
    [
        ("Ne 30/1", D(30) * D("768.096") / D("453.59237")),
        ("Ne 40/2", D(20) * D("768.096") / D("453.59237")),
        ("30s", D(30) * D("768.096") / D("453.59237")),
        ("Nm 50", D(50)),
        ("150D/48F", D(9000) / D(150)),
        ("167 dtex", D(10000) / D(167)),
        ("20 tex", D(50)),
        ("slub", None),
    ],
)
def test_yarn_counts_are_read_as_metric(count: str, nm: D | None) -> None:
    found = yarn_count_nm(count)
    if nm is None:
        assert found is None
    else:
        assert found is not None and found.quantize(D("1e-20")) == nm.quantize(D("1e-20"))


def test_prints_need_a_sourced_technique_and_an_area() -> None:
    cost = cost_style(_with_print(TEE, "plastisol placement"), BOOK, ON)
    plastisol = style_footprint(_with_print(TEE, "plastisol placement"), cost, "100% Cotton")
    line = plastisol.section("global_warming").line("Printing plastisol placement")
    assert line.amount is None and "print technique 'plastisol placement'" in line.note

    placed = _with_print(TEE, "pigment placement")
    cost = cost_style(placed, BOOK, ON)
    unknown = style_footprint(placed, cost, "100% Cotton")
    reasons = [m.reason for m in unknown.missing if m.component == "Printing pigment placement"]
    assert reasons and "printed area per piece is not given" in reasons[0]
    known = style_footprint(placed, cost, "100% Cotton", print_area_m2=D("0.06"))
    heat = known.section("fossil_depletion").line("Printing pigment placement: heat")
    assert heat.quantity == D("0.06") and heat.amount == D("0.06") * D("7.25")

    allover = _with_print(TEE, "pigment all-over")
    cost = cost_style(allover, BOOK, ON)
    whole = style_footprint(allover, cost, "100% Cotton")
    line = whole.section("fossil_depletion").line("Printing pigment all-over: electricity")
    assert line.quantity == cost.consumption_kg * 1000 / 180


def _with_print(style: Style, technique: str) -> Style:
    return Style(
        style.style_code,
        style.category,
        style.fabric,
        style.consumption,
        style.making,
        printing=PrintSpec(technique),
        factory_overheads=(),
        commercial_costs=(),
    )


# -- what-if -----------------------------------------------------------------------------------


def test_organic_cotton_lowers_global_warming_and_water() -> None:
    result = what_if(TEE, cost_style(TEE, BOOK, ON), "100% Cotton", {"cotton": "organic cotton"})
    assert result.after.composition == "100% Organic cotton"
    for area in ("global_warming", "water_scarcity"):
        change = result.change(area)
        assert change.after < change.before and change.change == change.after - change.before
        assert change.change < 0 and change.percent is not None
    assert result.change("water_scarcity").percent == D("-91.00")
    assert any("mixes two studies" in n for n in result.notes)
    # the process lines are the same before and after: only the fibre changed
    before = result.before.section("global_warming").scope_total("gate-to-gate process")
    assert result.after.section("global_warming").scope_total("gate-to-gate process") == before


def test_recycled_polyester_reports_only_comparable_changes() -> None:
    cost = cost_style(TEE, BOOK, ON)
    swap = {"polyester": "recycled polyester"}
    result = what_if(TEE, cost, "60% Cotton 40% Polyester", swap)
    gw = result.change("global_warming")
    assert gw.change is not None and gw.change < 0
    assert gw.change == result.after.fibre_kg * D("0.4") * (D("3.075") - D("4.1"))
    for area in ("water_scarcity", "eutrophication", "fossil_depletion"):
        change = result.change(area)
        assert change.change is None and change.percent is None
        assert "not comparable" in change.note, area


def test_a_swap_must_name_a_fibre_of_the_composition() -> None:
    cost = cost_style(TEE, BOOK, ON)
    with pytest.raises(EsgError, match="has no polyester to swap"):
        what_if(TEE, cost, "100% Cotton", {"polyester": "recycled polyester"})
    with pytest.raises(EsgError, match="for itself"):
        what_if(TEE, cost, "100% Cotton", {"cotton": "conventional cotton"})
    with pytest.raises(EsgError, match="no fibre called 'hemp'"):
        what_if(TEE, cost, "100% Cotton", {"cotton": "hemp"})
    merged = what_if(TEE, cost, "50% Cotton 50% Organic Cotton", {"cotton": "organic cotton"})
    assert [(s.fibre, s.share) for s in merged.after.fibres] == [("organic cotton", D(1))]


# -- exports and inputs -------------------------------------------------------------------------


def test_the_json_export_keeps_decimals_and_missing_as_null() -> None:
    data = json.loads(to_json(_tee()))
    gw = next(s for s in data["sections"] if s["key"] == "global_warming")
    spinning = next(line for line in gw["lines"] if line["component"] == "Spinning")
    assert spinning["amount"] is None and spinning["factor"] is None
    fibre = next(line for line in gw["lines"] if line["component"] == "Fibre: Cotton")
    assert D(fibre["amount"]) == D("0.55275")
    assert gw["total_scopes"] == ["cradle-to-gate fibre", "gate-to-gate process"]
    assert data["sources"]["frontiers-2021"]["url"].startswith("https://pmc.ncbi.nlm.nih.gov/")
    assert "higg-msi" in data["sources"]
    assert {m["component"] for m in data["missing"]} >= {"Spinning", "Chemistry score"}
    json.loads(
        to_json(
            what_if(TEE, cost_style(TEE, BOOK, ON), "100% Cotton", {"cotton": "organic cotton"})
        )
    )


def test_the_csv_rows_give_lines_totals_and_missing() -> None:
    rows = to_csv_rows(_tee())
    header, body = rows[0], rows[1:]
    assert header[:3] == ["kind", "area", "component"]
    assert all(len(r) == len(header) for r in body)
    amount = header.index("amount")
    spinning = next(r for r in body if r[0] == "line" and r[2] == "Spinning")
    assert spinning[amount] == ""
    total = next(r for r in body if r[0] == "total" and r[1] == "Global warming")
    assert D(total[amount]) == _tee().section("global_warming").total
    assert total[header.index("scope")] == "cradle-to-gate fibre + gate-to-gate process"
    assert any(r[0] == "missing" and r[2] == "Finishing compacted" for r in body)
    changes = to_csv_rows(
        what_if(TEE, cost_style(TEE, BOOK, ON), "100% Cotton", {"cotton": "organic cotton"})
    )
    assert changes[0][0] == "area" and len(changes) == 5


def test_composition_and_certifications_come_from_the_materials_row() -> None:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE TABLE materials (id TEXT, composition TEXT, certifications TEXT, deleted INTEGER)"
    )
    conn.execute("INSERT INTO materials VALUES ('fab-1', '100% Organic Cotton', 'GOTS, OCS', 0)")
    facts = material_facts(conn, "fab-1")
    assert facts.composition == "100% Organic Cotton"
    assert facts.certifications == ("GOTS", "OCS")
    with pytest.raises(EsgError, match="no material 'fab-2'"):
        material_facts(conn, "fab-2")


def test_the_cost_sheet_must_be_the_styles() -> None:
    with pytest.raises(EsgError, match="the cost sheet is for ESG-SHIRT-01"):
        style_footprint(TEE, cost_style(SHIRT, BOOK, ON), "100% Cotton")


def test_shares_given_directly_must_add_up() -> None:
    cost = cost_style(TEE, BOOK, ON)
    half = fibre_mix("50% Cotton 50% Polyester")[:1]
    with pytest.raises(EsgError, match="adding up to 100 %"):
        style_footprint(TEE, cost, half)
    with pytest.raises(EsgError, match="needs the fabric's composition"):
        style_footprint(TEE, cost, ())
