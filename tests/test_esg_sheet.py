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


def test_the_lines_a_proposal_prints() -> None:
    lines = proposal_lines(_tee())
    assert lines[0].startswith(
        "Global warming: 1.57 kg CO2-eq per piece (cradle-to-gate fibre "
        "+ gate-to-gate process; 2 figure(s) missing)"
    )
    assert not any(line.startswith("Abiotic") for line in lines)  # no total: unlike energies
