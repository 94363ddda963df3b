"""The choice of locale a buyer's proposal and ESG sheet are written in (Settings →
Proposals): this computer's own by default, or the buyer's, each shown with how a date and an
amount then look, so the choice is made by what the buyer will read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QComboBox

from workbench.formats import DocumentFormat, locale_label, locale_problem

#: the locales offered; any other a settings file names is offered too
OFFERED = (
    "en_GB",
    "en_US",
    "en_IN",
    "de_DE",
    "fr_FR",
    "it_IT",
    "es_ES",
    "nl_NL",
    "da_DK",
    "sv_SE",
    "pl_PL",
    "pt_PT",
    "tr_TR",
    "ja_JP",
)


def app_locale() -> str:
    """This computer's locale as the documents name it ("en_GB"; "C" where none is set)."""
    return QLocale().name()


def _shown(name: str) -> str:
    fmt = DocumentFormat(name)
    sample = f"{fmt.date(date(2026, 12, 31))} · {fmt.number(Decimal('1234.5'))}"
    return f"{locale_label(name)} — {sample}"


def document_locale_box(current: str) -> QComboBox:
    """A combo box whose data is the locale name ("" for this computer's own)."""
    box = QComboBox()
    box.addItem(f"As this computer: {_shown(app_locale())}", "")
    names = list(OFFERED)
    if current and current not in names and not locale_problem(current):
        names.append(current)
    for name in names:
        box.addItem(_shown(name), name)
    box.setCurrentIndex(max(0, box.findData(current)))
    box.setToolTip(
        "How dates, prices and quantities are written in the proposals and ESG sheets a "
        "buyer receives"
    )
    return box
