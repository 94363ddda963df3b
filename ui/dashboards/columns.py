"""What the dashboards' tables call their columns, in which unit and currency, and how a
value of each is shown on screen and typed in a workbook.

`workbench.analytics` names columns as a program does (``on_time_share``, ``available`` in
minutes); a table shows "On time (%)" and "Available (h)". One entry per column name, so the
table on screen, "Export data…", a drill-down and its export all say the same. Capacity is
in hours everywhere, as in the Capacity window: minutes from analytics are divided here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ui.formats import (
    format_date,
    format_integer,
    format_money,
    format_month,
    format_number,
    format_percent,
)
from workbench.export import DATE, INTEGER, PERCENT, Cell

#: the kinds of column: how a value is shown and typed
TEXT, COUNT, NUMBER, MONEY, RATE, SHARE, CHANGE, DAY, MONTH, MINUTES, DAYS = (
    "text",
    "count",
    "number",
    "money",
    "rate",
    "share",
    "change",
    "date",
    "month",
    "minutes",
    "days",
)


@dataclass(frozen=True)
class Column:
    """A column as a person reads it: ``title`` ({currency} is filled in) and ``kind``: a
    ``MONEY`` column is in the table's currency, a ``RATE`` in each row's own ``currency``,
    ``MINUTES`` are shown as hours, ``SHARE`` (0.25) as a percentage."""

    title: str
    kind: str = TEXT


COLUMNS: dict[str, Column] = {
    # orders
    "season": Column("Season"),
    "brand": Column("Brand"),
    "mill": Column("Mill"),
    "orders": Column("Orders", COUNT),
    "pieces": Column("Pieces", COUNT),
    "value": Column("Value ({currency})", MONEY),
    "month": Column("Month", MONTH),
    "order_no": Column("Order"),
    "style_code": Column("Style"),
    "fabric_type": Column("Fabric type"),
    "quantity": Column("Quantity (pcs)", COUNT),
    "unit_price": Column("Unit price", RATE),
    "currency": Column("Currency"),
    "order_date": Column("Ordered", DAY),
    "promised_date": Column("Promised", DAY),
    "delivered_date": Column("Delivered", DAY),
    "days_late": Column("Days late", DAYS),
    "fx_fallback": Column("Later FX rate used"),
    # lead times
    "on_time": Column("On time (orders)", COUNT),
    "on_time_share": Column("On time (%)", SHARE),
    "mean_days_late": Column("Mean days late", DAYS),
    "median_days_late": Column("Median days late", DAYS),
    "p90_days_late": Column("Days late, 90th percentile", DAYS),
    # prices
    "process": Column("Process"),
    "rate_code": Column("Rate code"),
    "description": Column("Description"),
    "material_code": Column("Material"),
    "material_name": Column("Material name"),
    "technique": Column("Technique"),
    "dye_class": Column("Dye class"),
    "shade_depth": Column("Shade depth"),
    "basis": Column("Per"),
    "valid_from": Column("Valid from", DAY),
    "valid_to": Column("Valid to", DAY),
    "rate": Column("Rate", RATE),
    "previous_rate": Column("Previous rate", RATE),
    "change_pct": Column("Change (%)", CHANGE),
    "source": Column("Source"),
    # capacity
    "centre": Column("Work centre"),
    "centre_name": Column("Name"),
    "week": Column("Week of", DAY),
    "day": Column("Day", DAY),
    "iso_week": Column("ISO week"),
    "available": Column("Available (h)", MINUTES),
    "booked": Column("Booked (h)", MINUTES),
    "free": Column("Free (h)", MINUTES),
    "utilisation": Column("Utilisation (%)", SHARE),
    "calendar": Column("Calendar"),
    # cost structure
    "sheets": Column("Cost sheets", COUNT),
    "amount": Column("Cost per piece ({currency})", MONEY),
    "share": Column("Share of cost (%)", SHARE),
    "title": Column("Title"),
    "costed_on": Column("Costed on", DAY),
    "component": Column("Component"),
    "sheet_id": Column("Cost sheet id"),
}

#: Excel number formats per kind (money gets its currency in the format: see `typed`)
_FORMATS = {
    COUNT: INTEGER,
    NUMBER: "#,##0.00",
    SHARE: PERCENT,
    CHANGE: '+0.0" %";-0.0" %"',
    DAY: DATE,
    MONTH: "mmmm yyyy",
    MINUTES: '#,##0.0" h"',
    DAYS: "+0.0;-0.0;0",
}


def column(name: str, values: pd.Series | None = None) -> Column:
    """The column called ``name`` (one not listed reads as its words, numbers as numbers)."""
    found = COLUMNS.get(name)
    if found is not None:
        return found
    numeric = (
        values is not None
        and pd.api.types.is_numeric_dtype(values.dtype)
        and not pd.api.types.is_bool_dtype(values.dtype)
    )
    kind = NUMBER if numeric else TEXT
    return Column(name.replace("_", " ").capitalize(), kind)


def title(name: str, currency: str, values: pd.Series | None = None) -> str:
    """The header of column ``name``; money columns name ``currency`` (when there is one)."""
    text = column(name, values).title
    return text.format(currency=currency) if currency else text.replace(" ({currency})", "")


def is_missing(value: object) -> bool:
    """None, NaN or NaT: a gap a table shows empty and a spreadsheet leaves blank."""
    try:
        # pandas' stubs type isna for arrays and scalars they name, not any object it takes
        return bool(value is None or pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def shown(value: object, kind: str, currency: str = "") -> str:
    """How a table shows ``value`` of a column of ``kind``; ``currency`` for money."""
    if is_missing(value):
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | np.datetime64 | date):
        stamp = pd.Timestamp(value)
        return format_month(stamp) if kind == MONTH else format_date(stamp)
    if not isinstance(value, int | float | np.integer | np.floating):
        return str(value)
    number = float(value)
    if kind in (MONEY, RATE):
        return format_money(number, currency)
    if kind == SHARE:
        return format_percent(number)
    if kind == CHANGE:
        return ("+" if number > 0 else "") + format_number(number, 1) + " %"
    if kind == MINUTES:
        return format_number(number / 60, 0 if abs(number) >= 600 else 1)
    if kind == DAYS:
        return ("+" if number > 0 else "") + format_number(number, 1 if number % 1 else 0)
    if kind == COUNT or isinstance(value, int | np.integer):
        return format_integer(number)
    return format_number(number)


def typed(value: object, kind: str, currency: str = "") -> object:
    """``value`` as a workbook cell: a number, a date or text, with its number format."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp | np.datetime64 | date):
        stamp = pd.Timestamp(value)
        day = stamp.date() if stamp == stamp.normalize() else stamp.to_pydatetime()
        return Cell(day, _FORMATS.get(kind, DATE))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if kind in (MONEY, RATE):
        return Cell(value, f'#,##0.00" {currency}"' if currency else "#,##0.00")
    if kind == MINUTES:
        return Cell(value / 60, _FORMATS[MINUTES])
    return Cell(value, _FORMATS.get(kind))


def currency_of(frame: pd.DataFrame, row: int, kind: str, currency: str) -> str:
    """The currency of a money cell: a rate's own (the row's ``currency``), or the table's."""
    if kind == RATE and "currency" in frame.columns:
        own = frame["currency"].iloc[row]
        return "" if is_missing(own) else str(own)
    return currency if kind in (MONEY, RATE) else ""


Rows = list[list[object]]


def frame_rows(
    frame: pd.DataFrame, currency: str = "", columns: Sequence[str] | None = None
) -> tuple[list[str], Rows]:
    """Headers and typed cells of ``frame`` (its ``columns``, when given), for `export_table`."""
    names = [str(c) for c in (columns or frame.columns) if c in frame.columns]
    kinds = [column(n, frame[n]).kind for n in names]
    headers = [title(n, currency, frame[n]) for n in names]
    values = [frame[n].to_numpy(dtype=object) for n in names]
    rows = [
        [
            typed(values[c][r], kinds[c], currency_of(frame, r, kinds[c], currency))
            for c in range(len(names))
        ]
        for r in range(len(frame))
    ]
    return headers, rows
