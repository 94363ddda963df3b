"""The ESG sheet rendered to PDF and read back: the five areas, the worked style's figures,
the missing figures named, the sources listed; and the lines a proposal prints."""

from __future__ import annotations

import pypdfium2 as pdfium

from tests.esg_examples import _tee
from workbench.esg import proposal_lines, render_esg_pdf


def test_the_esg_sheet_pdf() -> None:
    footprint = _tee()
    pdf = pdfium.PdfDocument(render_esg_pdf(footprint))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    for title in (
        "Global warming",
        "Eutrophication",
        "Water scarcity",
        "Abiotic resource depletion, fossil fuels",
        "Chemistry",
    ):
        assert title in text
    assert "ESG sheet — ESG-TEE-01" in text
    assert "1.5728 kg CO2-eq" in text  # docs/esg.md's worked total
    assert "missing" in text and "Spinning" in text
    assert "https://pmc.ncbi.nlm.nih.gov/articles/PMC8044815/table/T3" in text.replace("\r\n", "")


def test_the_sheet_names_every_figure_not_yet_confirmed_in_its_primary_source() -> None:
    """A buyer reads on the sheet itself which figures stand on a compilation or a
    tabulation, not only in the data behind it."""
    pdf = pdfium.PdfDocument(render_esg_pdf(_tee()))
    text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    flat = " ".join(text.replace("\r\n", " ").replace("\n", " ").split())
    assert "Not yet confirmed in a primary source" in flat
    assert (
        "Cotton: figures read from Frontiers 2021 (PMC8044815) Table 3, a compilation "
        "(footnote 1); the study behind them is not yet confirmed in its own text." in flat
    )
    assert (
        "Grid electricity factor, India FY 2024-25 (CEA CO2 Baseline Database, version 21.0 "
        "(November 2025)): read from a third-party tabulation of CEA's database; CEA's own "
        "v21.0 User Guide and workbook have not been read; not yet confirmed in the primary "
        "source." in flat
    )


def test_the_lines_a_proposal_prints() -> None:
    lines = proposal_lines(_tee())
    assert lines[0].startswith(
        "Global warming: 1.57 kg CO2-eq per piece (cradle-to-gate fibre "
        "+ gate-to-gate process; 2 figure(s) missing)"
    )
    assert not any(line.startswith("Abiotic") for line in lines)  # no total: unlike energies
