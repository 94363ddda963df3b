"""A date field that may be left empty, typed whole or picked from a calendar.

Why not a plain `QDateEdit`: it edits a date section by section, so typing "2025-03-01" over
a selected date only changes the section under the cursor, and with an "any" special value
whatever is typed is ignored. Here the text is read whole when the user presses Enter or
leaves the field, in the locale's date format (`ui.formats.date_format`) or ISO
(2025-03-01); empty means no date. What cannot be read is said on the field (marked red, its
tooltip saying why) and the value stays as it was. The calendar opens at the date shown, or,
with none, at the edge of the data's range the field is for (``anchor``), not at some year
far from the data.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCalendarWidget,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QToolButton,
    QWidget,
    QWidgetAction,
)

from ui.formats import ISO_DATE, date_format, format_date

_REFUSED = "QLineEdit { border: 2px solid #c0392b; background: #fdecea; }"


# PySide6 converts between QDate and date at run time (`QDate(day)`, `toPython()`), but its
# stubs know neither conversion; these say it field by field, typed.
def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _day(day: QDate) -> date:
    return date(day.year(), day.month(), day.day())


def read_date(text: str) -> date | None:
    """``text`` as a date in the locale's format (day and month in one or two digits) or
    ISO; ValueError says what is expected. Empty text is no date (None)."""
    text = text.strip()
    if not text:
        return None
    local = date_format()
    loose = local.replace("dd", "d").replace("MM", "M")
    for fmt in dict.fromkeys((local, loose, ISO_DATE, "yyyy-M-d")):
        day = QDate.fromString(text, fmt)
        if day.isValid():
            return _day(day)
    example = format_date(date(2026, 3, 31))
    raise ValueError(f"{text!r} is not a date: type it as {example} or 2026-03-31")


class DateField(QWidget):
    """An optional date: a line to type it in and a button opening a calendar.

    ``dateChanged`` carries the new value (a `date` or None) once a typed date is confirmed
    (Enter, or leaving the field) or a day is picked."""

    dateChanged = Signal(object)
    #: what typed could not be read, and why (the value stays as it was)
    refused = Signal(str)

    def __init__(self, placeholder: str = "any", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value: date | None = None
        #: the first and last date the calendar offers, and where it opens with no date
        self._range: tuple[date, date] | None = None
        self.anchor: date | None = None
        #: why the text typed last could not be read ("" when it could)
        self.problem = ""
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.edit.setClearButtonEnabled(True)
        width = self.edit.fontMetrics().horizontalAdvance(format_date(date(2026, 12, 28)))
        self.edit.setMinimumWidth(width + 36)
        self.edit.setMaximumWidth(width + 60)
        self.edit.editingFinished.connect(self._typed)
        self.calendar = QCalendarWidget()
        self.calendar.setGridVisible(True)
        self.calendar.clicked.connect(self._picked)
        self.button = QToolButton()
        self.button.setText("▾")
        self.button.setToolTip("Pick a date from a calendar")
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.button)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        menu.aboutToShow.connect(self._opening)
        self.button.setMenu(menu)
        self.menu = menu
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.edit)
        row.addWidget(self.button)

    def value(self) -> date | None:
        return self._value

    def set_value(self, day: date | None) -> None:
        """Show ``day`` (None: empty); ``dateChanged`` when it is a change."""
        self._mark("")
        self.edit.setText(format_date(day) if day is not None else "")
        if day != self._value:
            self._value = day
            self.dateChanged.emit(day)

    def set_range(self, first: date, last: date, anchor: date | None = None) -> None:
        """The data's range: the calendar offers these dates and opens at ``anchor`` (by
        default ``first``) while the field is empty."""
        self._range = (first, last)
        self.anchor = anchor or first
        self.calendar.setDateRange(_qdate(first), _qdate(last))

    def _opening(self) -> None:
        shown = self._value or self.anchor or date.today()
        if self._value is not None:
            self.calendar.setSelectedDate(_qdate(self._value))
        self.calendar.setCurrentPage(shown.year, shown.month)

    def _typed(self) -> None:
        try:
            day = read_date(self.edit.text())
        except ValueError as exc:
            self._mark(str(exc))
            self.refused.emit(str(exc))
            return
        self.set_value(day)

    def _picked(self, day: QDate) -> None:
        self.menu.hide()
        self.set_value(_day(day))

    def _mark(self, problem: str) -> None:
        self.problem = problem
        self.edit.setStyleSheet(_REFUSED if problem else "")
        self.edit.setToolTip(problem)
