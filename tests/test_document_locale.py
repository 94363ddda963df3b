"""A buyer's documents written in one locale, the document locale of Settings (this
computer's own by default): every date and number of an issued proposal and an ESG sheet,
read back from the PDF's text; the desk and the documents write a date and an amount alike;
the locale is picked in Settings with the keyboard and a wrong one in the file is refused."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, preview_proposal
from tests.esg_examples import _tee
from tests.test_proposals import proposal, style
from ui import formats as desk
from ui.main_window import MainWindow
from ui.settings_dialog import SettingsDialog
from workbench.esg import proposal_lines, render_esg_pdf
from workbench.formats import DocumentFormat
from workbench.proposals import render_proposal_pdf
from workbench.settings import Settings, SettingsError, load_settings, save_settings

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf))
    return " ".join(text.split())


# what each locale writes, spelled out: the issue date, a quote's validity, a ready-by date,
# a price, a quantity and the order total of the fixed proposal below
WRITTEN = {
    "de_DE": (
        "25.11.2026",
        "valid until 24.12.2026",
        "07.01.2027 (43 days)",
        "4,35 EUR per piece · 52,20 EUR per dozen",
        "3.000 pieces · 13.050,00 EUR",
        "19.470,00 EUR",
    ),
    "en_US": (
        "11/25/2026",
        "valid until 12/24/2026",
        "1/7/2027 (43 days)",
        "4.35 EUR per piece · 52.20 EUR per dozen",
        "3,000 pieces · 13,050.00 EUR",
        "19,470.00 EUR",
    ),
    "en_GB": (
        "25/11/2026",
        "valid until 24/12/2026",
        "07/01/2027 (43 days)",
        "4.35 EUR per piece · 52.20 EUR per dozen",
        "3,000 pieces · 13,050.00 EUR",
        "19,470.00 EUR",
    ),
}


@pytest.mark.parametrize("locale", sorted(WRITTEN))
def test_an_issued_proposal_writes_every_date_and_number_in_its_locale(locale: str) -> None:
    issued_on, valid, ready, price, quantity, total = WRITTEN[locale]
    p = replace(proposal(style(1), style(2, quantity=1200)), locale=locale, state="issued")
    text = pdf_text(render_proposal_pdf(p))
    assert f"Issued {issued_on}" in text and f"{issued_on} · 2 styles" in text
    assert valid in text and f"Lead time {ready}" in text
    assert price in text and quantity in text and total in text
    assert "Draft" not in text
    for english_way in ("25 November 2026", "07 Jan 2027", "2026-12-24", "EUR 4.35"):
        assert english_way not in text


def test_the_desk_and_the_documents_write_a_date_and_an_amount_alike() -> None:
    before = QLocale()
    try:
        for name in ("de_DE", "en_US", "en_GB", "en_IN"):
            QLocale.setDefault(QLocale(name))
            fmt = DocumentFormat(name)
            for day in (date(2027, 1, 7), date(2026, 12, 31)):
                assert desk.format_date(day) == fmt.date(day), name
            for amount in (D("19470.5"), D("-0.001"), D("1234567.891")):
                assert desk.format_money(float(amount), "EUR") == fmt.money(amount, "EUR"), name
            assert desk.format_integer(4200) == fmt.integer(4200)
    finally:
        QLocale.setDefault(before)


def test_the_esg_sheet_and_a_proposals_footprint_lines_follow_the_locale() -> None:
    footprint = replace(_tee(), on=date(2027, 1, 7))
    german = pdf_text(render_esg_pdf(footprint, DocumentFormat("de_DE")))
    assert "1,5728 kg CO2-eq" in german and "07.01.2027" in german
    assert "1.5728 kg CO2-eq" not in german
    lines = proposal_lines(footprint, DocumentFormat("de_DE"))
    assert lines[0].startswith("Global warming: 1,57 kg CO2-eq per piece")


def test_the_document_locale_is_picked_in_settings_and_a_wrong_one_refused(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = SettingsDialog(load_settings(tmp_path), tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    box = dialog.document_locale
    assert box.currentData() == "" and box.currentText().startswith("As this computer")
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Down)  # en_GB, the first offered
    while box.currentData() != "de_DE":
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert "31.12.2026" in box.currentText() and "1.234,50" in box.currentText()
    assert dialog.save() is not None
    assert load_settings(tmp_path).document_locale == "de_DE"
    with pytest.raises(SettingsError, match="not a locale") as refused:
        save_settings(Settings(document_locale="xx_Nowhere"), tmp_path)
    assert refused.value.field == "document_locale"


@pytest.mark.parametrize(
    ("locale", "day", "price"),
    [
        ("de_DE", r"\d{2}\.\d{2}\.\d{4}", r"\d+,\d{2} EUR per piece"),
        ("en_GB", r"\d{2}/\d{2}/\d{4}", r"\d+\.\d{2} EUR per piece"),
    ],
)
def test_the_builder_issues_in_the_document_locale_from_settings(
    qtbot: QtBot, window: MainWindow, locale: str, day: str, price: str
) -> None:
    save_settings(Settings(document_locale=locale))
    builder, draft = preview_proposal(qtbot, window)
    assert "Draft" in pdf_text(draft)
    seen: list[str] = []
    answer_prompt(qtbot, "Issue", seen)
    with qtbot.waitSignal(builder.issued, timeout=60_000):
        qtbot.mouseClick(builder.issue_button, Qt.MouseButton.LeftButton)
    text = pdf_text(builder.result.pdf)
    today = date.today()
    written = {"de_DE": f"{today:%d.%m.%Y}", "en_GB": f"{today:%d/%m/%Y}"}[locale]
    assert f"Issued {written}" in text and "Draft" not in text
    assert re.search(price, text), text
    assert re.search(rf"Lead time {day} \(\d+ days\)", text), text


def test_a_small_footprint_is_never_written_as_nothing() -> None:
    """A buyer read "Eutrophication 0.00": a footprint's totals are written to three
    significant figures, so a small one keeps its digits."""
    lines = dict(line.split(": ", 1) for line in proposal_lines(_tee()))
    assert lines["Eutrophication"].startswith("0.00608 kg PO4-eq per piece")
    assert lines["Global warming"].startswith("1.57 kg CO2-eq per piece")
    assert lines["Water scarcity"].startswith("1,584 L per piece")
    german = dict(line.split(": ", 1) for line in proposal_lines(_tee(), DocumentFormat("de_DE")))
    assert german["Eutrophication"].startswith("0,00608 kg PO4-eq")
