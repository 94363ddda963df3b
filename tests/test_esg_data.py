"""The impact matrix's data: every figure has a source, scope and unit, in the files and once
loaded, and a broken file is refused naming the file and the key."""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal as D
from pathlib import Path
from typing import Any

import pytest

from tests.esg_examples import DATA
from workbench.esg import (
    EsgDataError,
    load_matrix,
)
from workbench.esg.matrix import SCOPES, SOURCE_KINDS

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
        assert source["kind"] in SOURCE_KINDS, sid


def test_every_cell_read_from_a_compilation_names_its_primary_study_or_says_it_is_unread() -> None:
    """A compilation (Frontiers 2021 Table 3) is where a figure was read, not where it was
    measured: each of its cells names the footnote behind it and either the primary study,
    read in its own text, or what stands unconfirmed and what was searched."""
    sources = json.loads((DATA / "sources.json").read_text("utf-8"))["sources"]
    compilations = {sid for sid, s in sources.items() if s["kind"] == "compilation"}
    assert "frontiers-2021" in compilations
    cells = 0
    for name in ("fibres.json", "processes.json", "grid.json", "heat.json"):
        for path, figure in _walk(json.loads((DATA / name).read_text("utf-8")), name):
            if figure["source"] not in compilations or "derived" in figure:
                continue
            if figure["value"] is None:
                continue
            cells += 1
            primary = figure.get("primary")
            assert isinstance(primary, dict), f"{path}: a compilation's cell names no primary"
            assert str(primary.get("footnote", "")).strip(), f"{path}: no footnote"
            study = primary.get("source")
            if study is None:
                assert len(primary.get("unconfirmed", "")) > 40, f"{path}: says nothing"
            else:
                assert sources[study]["kind"] == "primary", path
                assert primary.get("table"), f"{path}: no table of the primary study"
    assert cells == 20  # cotton, polyester, lyocell and both viscoses, four indicators each


def test_a_reduction_read_from_a_compilation_names_the_study_that_measured_it() -> None:
    """WRAP's page quotes a 25-75 % carbon saving for recycled polyester; the saving is
    cited to the study that measured it (Shen, Worrell & Patel 2010, PET bottle-to-fibre),
    whose own abstract gives the range against virgin PET fibre."""
    sources = json.loads((DATA / "sources.json").read_text("utf-8"))["sources"]
    assert sources["wrap-ckh-recycled-polyester"]["kind"] == "compilation"
    for path, figure in _walk(json.loads((DATA / "fibres.json").read_text("utf-8")), "fibres"):
        spec = figure.get("derived")
        if not spec or sources[spec["reduction_source"]]["kind"] != "compilation":
            continue
        primary = spec.get("reduction_primary")
        assert primary, f"{path}: a compilation's reduction names no primary study"
        assert sources[primary]["kind"] == "primary", path
        assert spec.get("reduction_primary_table"), path
    recycled = load_matrix().fibre("recycled polyester").figures["global_warming"]
    assert recycled.sources == (
        "frontiers-2021",
        "wrap-ckh-recycled-polyester",
        "shen-2010-pet-recycling",
    )
    assert "GWP savings of 25-75 %" in recycled.table


def test_a_grid_factor_read_through_a_tabulation_says_so() -> None:
    """The Indian grid factors are cited to CEA but were read from a third-party tabulation;
    until a reading of CEA's own workbook confirms them, the data and the report say so."""
    factors = json.loads((DATA / "grid.json").read_text("utf-8"))["factors"]
    for factor in factors:
        assert "tabulation" in factor.get("unconfirmed", ""), factor["period"]
    matrix = load_matrix()
    assert all("tabulation" in g.figure.unconfirmed for g in matrix.grid)


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
        (
            "fibres.json",
            lambda d: d["fibres"]["cotton"]["figures"]["water_use"].pop("primary"),
            "fibres.json: cotton.water_use: read from a compilation (Frontiers 2021 (PMC8044815))"
            ": 'primary' must name the footnote",
        ),
        (
            "fibres.json",
            lambda d: d["fibres"]["polyester"]["figures"]["water_use"]["primary"].update(
                source="frontiers-2021"
            ),
            "fibres.json: polyester.water_use: primary source 'frontiers-2021' is a compilation",
        ),
        (
            "fibres.json",
            lambda d: d["fibres"]["recycled polyester"]["figures"]["global_warming"]["derived"].pop(
                "reduction_primary"
            ),
            "fibres.json: recycled polyester.global_warming: the reduction is read from a "
            "compilation (WRAP Clothing Knowledge Hub, recycled polyester): "
            "'reduction_primary' must name the study that measured it",
        ),
        (
            "sources.json",
            lambda d: d["sources"]["cea-co2-baseline-v21"].update(kind="blog"),
            "sources.json: cea-co2-baseline-v21: kind 'blog' is not one of primary, compilation",
        ),
    ],
)
def test_a_broken_matrix_is_refused_naming_file_and_key(
    tmp_path: Path, name: str, change: Any, message: str
) -> None:
    with pytest.raises(EsgDataError, match=re.escape(message)):
        load_matrix(_broken(tmp_path, name, change))
