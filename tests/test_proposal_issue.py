"""Issuing a proposal in the builder: the user confirms, the PDF issued carries no draft mark,
the SHA-256 recorded is that file's, and that version is locked."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, press, preview_proposal, wheel
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


def test_closing_or_quitting_with_a_proposal_neither_issued_nor_saved_asks_first(
    qtbot: QtBot, window: MainWindow
) -> None:
    builder, _pdf = preview_proposal(qtbot, window)
    seen: list[str] = []

    # Ctrl+Q in the main window asks about the previewed proposal; Cancel keeps everything open
    answer_prompt(qtbot, "Cancel", seen)
    press(qtbot, window.search_view.search_box, "Ctrl+Q")
    assert seen and "proposal" in seen[0] and "NORDV" in seen[0]
    assert window.isVisible() and builder.isVisible() and builder.result is not None

    # Ctrl+W in the builder asks too; Discard closes it and only it
    answer_prompt(qtbot, "Discard", seen)
    press(qtbot, builder.title_edit, "Ctrl+W")
    assert len(seen) == 2 and not builder.isVisible() and window.isVisible()


def test_a_proposal_issued_or_saved_as_a_pdf_closes_without_a_question(
    qtbot: QtBot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder, _pdf = preview_proposal(qtbot, window)
    target = tmp_path / "proposal.pdf"
    monkeypatch.setattr("ui.proposal_builder.ask_save_path", lambda *_args: target)
    qtbot.mouseClick(builder.save_button, Qt.MouseButton.LeftButton)
    assert target.read_bytes() == builder.result.pdf
    press(qtbot, builder.title_edit, "Ctrl+W")  # no question box: the test would hang on one
    assert not builder.isVisible()
