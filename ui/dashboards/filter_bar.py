"""The dashboards' filter bar: brand, season, order dates and mill in one row, the selection
every tab is computed for, and what it offers (read on a worker).

Apart from the window so the selection can be read, shown and offered in one place; the
window decides when a change is computed (it debounces the bar's changes).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import pandas as pd
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

from ui.dashboards.widgets import MultiPick, season_key
from ui.date_field import DateField
from ui.formats import format_date
from ui.wheel_guard import guard_wheel
from workbench.analytics import ALL, Analytics, Filters


def filter_options(analytics: Analytics) -> dict[str, Any]:
    """The brands, seasons and mills that have orders, and the first and last order date:
    what the filter bar offers."""
    out: dict[str, Any] = {}
    for name in ("brand", "season", "mill"):
        values = [v for v in analytics.order_history(ALL, by=(name,))[name].tolist() if v]
        out[name] = sorted(values, key=season_key) if name == "season" else sorted(values)
    days = analytics.orders()["order_date"].dropna()
    out["dates"] = (
        (pd.Timestamp(days.min()).date(), pd.Timestamp(days.max()).date()) if len(days) else None
    )
    return out


def describe(filters: Filters) -> str:
    """A selection in words, for the header of an export: "Brands ALBA, NORDV · ordered
    from 01/03/2025"; "everything" when nothing is chosen."""
    parts = [
        f"{what} {', '.join(chosen)}"
        for what, chosen in (
            ("Brands", filters.brands),
            ("Seasons", filters.seasons),
            ("Mills", filters.mills),
        )
        if chosen
    ]
    if filters.date_from or filters.date_to:
        since = f" from {format_date(filters.date_from)}" if filters.date_from else ""
        until = f" to {format_date(filters.date_to)}" if filters.date_to else ""
        parts.append(f"ordered{since}{until}")
    return " · ".join(parts) or "everything (no filter)"


class FilterBar(QHBoxLayout):
    """The pickers and date bounds of the selection, and the button that clears them.

    A layout rather than a widget: it sits in the window's column with no margins of its own,
    level with the tabs below it.
    """

    def __init__(self, changed: Callable[[], None], reset: Callable[[], None]) -> None:
        """``changed`` is called on every edit of the selection, ``reset`` by the All button."""
        super().__init__()
        self.brands = MultiPick("Brand")
        self.seasons = MultiPick("Season")
        self.mills = MultiPick("Mill")
        self.date_from = DateField()
        self.date_to = DateField()
        for field in (self.date_from, self.date_to):
            guard_wheel(field)  # scrolling past a date never changes the figures' range
        self.reset_button = QPushButton("All")
        self.reset_button.setToolTip("Clear every filter: all brands, seasons, dates and mills")
        self.reset_button.clicked.connect(reset)
        for picker in (self.brands, self.seasons, self.mills):
            picker.changed.connect(changed)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(lambda _day: changed())
        self.addWidget(self.brands)
        self.addWidget(self.seasons)
        self.addWidget(QLabel("Ordered from"))
        self.addWidget(self.date_from)
        self.addWidget(QLabel("to"))
        self.addWidget(self.date_to)
        self.addWidget(self.mills)
        self.addWidget(self.reset_button)
        self.addStretch(1)

    def filters(self) -> Filters:
        """The selection (ValueError when the date range is backwards)."""
        return Filters(
            brands=tuple(self.brands.selected()),
            seasons=tuple(self.seasons.selected()),
            date_from=self.date_from.value(),
            date_to=self.date_to.value(),
            mills=tuple(self.mills.selected()),
        )

    def show_filters(self, filters: Filters) -> None:
        """Show ``filters`` quietly: whoever sets them decides what to compute."""
        self.brands.set_selected(filters.brands, emit=False)
        self.seasons.set_selected(filters.seasons, emit=False)
        self.mills.set_selected(filters.mills, emit=False)
        for edit, day in ((self.date_from, filters.date_from), (self.date_to, filters.date_to)):
            edit.blockSignals(True)
            edit.set_value(day)
            edit.blockSignals(False)

    def set_options(self, options: Mapping[str, Any]) -> None:
        """Offer what `filter_options` found, keeping what is still offered selected; the
        date calendars open at the first and last order."""
        self.brands.set_options(options["brand"])
        self.seasons.set_options(options["season"])
        self.mills.set_options(options["mill"])
        dates: tuple[date, date] | None = options.get("dates")
        if dates is not None:
            first, last = dates
            self.date_from.set_range(first, max(last, date.today()), first)
            self.date_to.set_range(first, max(last, date.today()), last)
