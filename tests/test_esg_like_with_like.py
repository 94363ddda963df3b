"""ESG what-ifs compare like with like: a fibre figure that nets off credits (biogenic carbon
stored in the fibre, energy and by-products exported by the mill) is reported on its own line,
flagged and outside the total, never netted against a fibre whose figure takes no credit; and
every factor is cited to its primary publication."""

from __future__ import annotations

import json

from tests.esg_examples import BOOK, DATA, DOC, ON, TEE
from workbench.costing import cost_style
from workbench.esg import load_matrix, style_footprint, to_csv_rows, to_json, what_if

CREDITED = "cradle-to-gate fibre, net of credits"


def test_a_cotton_to_austrian_viscose_what_if_shows_no_unexplained_negative_line() -> None:
    result = what_if(TEE, cost_style(TEE, BOOK, ON), "100% Cotton", {"cotton": "viscose austria"})
    after = result.after.section("global_warming")
    fibre = after.line("Fibre: Viscose (Austria)")
    # the source's −250 kg CO2-eq per t stands on its own line, flagged with what it nets off
    assert fibre.amount is not None and fibre.amount < 0
    assert fibre.scope == CREDITED and fibre.credited
    assert "biogenic" in fibre.note and "credits" in fibre.note
    # every negative amount of the sheet is such a flagged line
    for section in (result.before, result.after):
        for s in section.sections:
            for line in s.lines:
                if line.amount is not None and line.amount < 0:
                    assert line.credited and line.note, line.component
    # the total adds no credited figure, and says so
    assert after.total == after.scope_total("gate-to-gate process")
    assert after.scope_total(CREDITED) == fibre.amount
    assert "Viscose (Austria)" in after.total_note and "not in the total" in after.total_note
    assert any(m.component == "Fibre: Viscose (Austria)" for m in after.missing)
    # cotton's figure takes no credit: the change in global warming is not computed
    change = result.change("global_warming")
    assert change.change is None and change.percent is None
    assert "not comparable" in change.note and "Viscose (Austria)" in change.note
    assert "credits" in change.note
    # water use takes no credit: that change stands
    assert result.change("water_scarcity").change is not None


def test_lyocell_is_flagged_like_austrian_viscose_and_asian_viscose_is_not() -> None:
    cost = cost_style(TEE, BOOK, ON)
    lyocell = style_footprint(TEE, cost, "100% Lyocell").section("global_warming")
    assert lyocell.line("Fibre: Lyocell (Tencel)").credited
    asia = style_footprint(TEE, cost, "100% Viscose").section("global_warming")
    line = asia.line("Fibre: Viscose (Asia)")
    assert not line.credited and line.scope == "cradle-to-gate fibre"
    assert asia.total == sum(amount for _, amount in asia.scope_totals)
    # two credited fibres compare like with like
    both = what_if(TEE, cost, "100% Lyocell", {"lyocell": "viscose austria"})
    assert both.change("global_warming").change is not None


def test_the_indian_grid_factor_cites_the_cea_publication() -> None:
    matrix = load_matrix()
    for factor in json.loads((DATA / "grid.json").read_text("utf-8"))["factors"]:
        if factor["country"] == "IN":
            source = matrix.sources[factor["source"]]
            assert source.url.startswith("https://cea.nic.in/"), source.url
            assert "batchwise" not in source.citation.casefold()
    assert "batchwise" not in DOC.read_text("utf-8").casefold()


def test_the_credited_fibres_cite_the_study_their_figures_come_from() -> None:
    matrix = load_matrix()
    for key in ("viscose austria", "lyocell"):
        figure = matrix.fibres[key].figures["global_warming"]
        assert "shen-2010" in figure.sources, key
    assert "S092134491000217X" in matrix.sources["shen-2010"].url


def test_the_sheet_flags_the_credited_line_and_the_proposal_keeps_it_apart() -> None:
    import pypdfium2 as pdfium

    from workbench.esg import proposal_lines, render_esg_pdf

    footprint = style_footprint(TEE, cost_style(TEE, BOOK, ON), "50% Cotton 50% Viscose Austria")
    pdf = pdfium.PdfDocument(render_esg_pdf(footprint))
    page = pdf[0]
    page.render(scale=2).to_pil().save("/tmp/esg_credited.png")
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    text = " ".join(text.split())
    assert "net of credits, not in the total" in text
    assert "biogenic carbon" in text and "not in the total: Viscose (Austria)" in text
    gw = proposal_lines(footprint)[0]
    assert gw.startswith("Global warming:") and "fibre net of credits, not in the total: -" in gw


def test_the_exports_carry_the_flag() -> None:
    footprint = style_footprint(TEE, cost_style(TEE, BOOK, ON), "100% Viscose Austria")
    rows = to_csv_rows(footprint)
    flagged = [r for r in rows if r[0] == "line net of credits"]
    assert [(r[1], r[2]) for r in flagged] == [("Global warming", "Fibre: Viscose (Austria)")]
    lines = json.loads(to_json(footprint))["sections"][0]["lines"]
    assert [line["credited"] for line in lines if line["component"].startswith("Fibre")] == [True]
