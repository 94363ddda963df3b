"""Issuing a proposal in the builder: the user confirms, the PDF issued carries no draft mark,
the SHA-256 recorded is that file's, and that version is locked."""

from __future__ import annotations

import hashlib

import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, preview_proposal, wheel
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def test_issuing_confirms_records_the_issued_file_and_locks_the_version(
    qtbot: QtBot, window: MainWindow
) -> None:
    builder, draft_pdf = preview_proposal(qtbot, window)
    assert "Draft" in pdf_text(draft_pdf)

    # Cancel issues nothing
    seen: list[str] = []
    answer_prompt(qtbot, "Cancel", seen)
    qtbot.mouseClick(builder.issue_button, Qt.MouseButton.LeftButton)
    assert seen and "NORDV" in seen[0] and builder.document is None

    answer_prompt(qtbot, "Issue", seen)
    with qtbot.waitSignal(builder.issued, timeout=30_000) as blocker:
        qtbot.mouseClick(builder.issue_button, Qt.MouseButton.LeftButton)
    issued = blocker.args[0]
    issued_pdf = builder.result.pdf
    assert "Draft" not in pdf_text(issued_pdf) and "Issued" in pdf_text(issued_pdf)
    assert issued["pdf_sha256"] == hashlib.sha256(issued_pdf).hexdigest()
    assert issued["pdf_sha256"] != hashlib.sha256(draft_pdf).hexdigest()
    assert not builder.issue_button.isEnabled() and builder.issue_button.text() == "Issued"
    assert not builder.preview_button.isEnabled() and not builder.sheets.isEnabled()
    assert builder.save_button.isEnabled()  # the issued file can still be saved
    qtbot.mouseClick(builder.issue_button, Qt.MouseButton.LeftButton)  # disabled: nothing
    assert len(seen) == 2


def test_the_wheel_over_the_brand_changes_nothing(qtbot: QtBot, window: MainWindow) -> None:
    """The brand decides the prices: scrolling past its box leaves it as chosen."""
    builder = window.menus.show_proposal_builder()
    builder.resize(*helpers.SCREEN)
    chosen = builder.brand.findData("NORDV")
    builder.brand.setCurrentIndex(chosen)
    builder.title_edit.setFocus()
    for turn in (-1, -1, +1, +1, +1):
        wheel(builder.brand, turn)
    assert builder.brand.currentIndex() == chosen
