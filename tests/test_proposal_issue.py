"""Issuing a proposal in the builder: the user confirms, the PDF issued carries no draft mark,
the SHA-256 recorded is that file's, and that version is locked."""

from __future__ import annotations

import hashlib

import pypdfium2 as pdfium
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, knit_fabric, open_sheet
from ui.main_window import MainWindow

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))


def test_issuing_confirms_records_the_issued_file_and_locks_the_version(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    row = sheet.save()
    assert row is not None
    builder = window.menus.show_proposal_builder()
    qtbot.waitUntil(lambda: builder.is_listed, timeout=10_000)
    builder.resize(*helpers.SCREEN)
    builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
    builder.check(row["id"])
    with qtbot.waitSignal(builder.rendered, timeout=30_000) as blocker:
        qtbot.mouseClick(builder.preview_button, Qt.MouseButton.LeftButton)
    draft_pdf = blocker.args[0].pdf
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
