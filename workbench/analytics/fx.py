"""Order values in one reporting currency, at the rate of each order's own date.

The replica's ``fx_rates`` hold rupee rates (1 INR = rate X) by date, as the treasury desk
publishes them; an order in EUR is worth ``value / rate(INR→EUR) × rate(INR→USD)`` dollars, both
rates the latest dated on or before the order date. An order older than every rate of a
currency is converted at that currency's earliest rate and flagged (``fx_fallback``), so a
dashboard can say how many of its orders rest on a rate from after their date.

Why a table of (currency, day) first: a million orders hold a few currencies and about a
thousand distinct days, so the as-of join (`pd.merge_asof`) runs on a few thousand pairs and
the orders then pick their rate by two integer codes, all in numpy.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.analytics.filters import to_days

BASE = "INR"


def fx_table(conn: sqlite3.Connection) -> pd.DataFrame:
    """The live INR rates: currency, as_of (datetime64), rate (float); one per currency and
    day (the highest version), sorted by as_of. Rates that are not positive numbers are left
    out: they would turn values into infinities."""
    rows = conn.execute(
        "SELECT upper(trim(to_currency)), as_of, rate, version FROM fx_rates "
        "WHERE deleted = 0 AND upper(trim(from_currency)) = ?",
        (BASE,),
    ).fetchall()
    table = pd.DataFrame(
        [tuple(r) for r in rows], columns=["currency", "as_of", "rate", "version"]
    ).astype({"currency": str, "as_of": str})
    table["as_of"] = to_days(table["as_of"])
    table["rate"] = pd.to_numeric(table["rate"], errors="coerce")
    table = table[table["as_of"].notna() & (table["rate"] > 0)]
    table = table.sort_values(["currency", "as_of", "version"]).drop_duplicates(
        ["currency", "as_of"], keep="last"
    )
    return table.drop(columns="version").sort_values("as_of", kind="stable").reset_index(drop=True)


def _rates_by_day(
    rates: pd.DataFrame, currencies: list[str], days: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(rate, fallback) matrices, one row per currency and one column per day: the rate in
    force on the day (NaN when the currency has none at all) and whether it is the earliest
    rate standing in for a day before it."""
    grid = pd.DataFrame(
        {
            "currency": np.repeat(np.asarray(currencies, dtype=object), len(days)),
            "day": np.tile(days, len(currencies)),
            "slot": np.arange(len(currencies) * len(days)),
        }
    ).astype({"currency": str})
    joined = pd.merge_asof(
        grid.sort_values("day", kind="stable"),
        rates,
        left_on="day",
        right_on="as_of",
        by="currency",
        direction="backward",
    ).sort_values("slot")
    rate = joined["rate"].to_numpy(dtype=float)
    earliest = rates.groupby("currency")["rate"].first()  # rates are sorted by as_of
    first = joined["currency"].map(earliest).to_numpy(dtype=float)
    fallback = np.isnan(rate) & ~np.isnan(first)
    rate = np.where(fallback, first, rate)
    for i, currency in enumerate(currencies):
        if currency == BASE:  # the rates' own currency: 1 INR = 1 INR
            rate[i * len(days) : (i + 1) * len(days)] = 1.0
            fallback[i * len(days) : (i + 1) * len(days)] = False
    shape = (len(currencies), len(days))
    return rate.reshape(shape), fallback.reshape(shape)


def convert(
    value: np.ndarray,
    currency: pd.Categorical,
    day: np.ndarray,
    rates: pd.DataFrame,
    reporting: str,
) -> tuple[np.ndarray, np.ndarray]:
    """``value`` (each in its order's ``currency``, dated ``day``) in ``reporting``, and a flag
    for the values converted at an earliest rate. NaN where a currency has no rate at all or
    the day is unknown."""
    reporting = reporting.strip().upper()
    labels = [str(c).strip().upper() for c in currency.categories]
    currencies = sorted({*labels, reporting})
    row_of = np.array([currencies.index(c) for c in labels] + [-1], dtype=np.intp)
    cur_rows = row_of[currency.codes]  # code -1 (no currency) → -1
    day_codes, days = pd.factorize(day)  # NaT → -1
    days = np.asarray(days, dtype="datetime64[ns]")
    if len(days) == 0:
        return np.full(len(value), np.nan), np.zeros(len(value), dtype=bool)
    rate, fallback = _rates_by_day(rates, currencies, days)
    known = (cur_rows >= 0) & (day_codes >= 0)
    rows, cols = np.where(known, cur_rows, 0), np.where(known, day_codes, 0)
    rep = currencies.index(reporting)
    factor = rate[rep, cols] / rate[rows, cols]
    factor = np.where(cur_rows == rep, 1.0, factor)  # no round trip through rupees
    factor = np.where(known, factor, np.nan)
    flagged = known & (cur_rows != rep) & (fallback[rows, cols] | fallback[rep, cols])
    return value * factor, flagged


def first_dates(rates: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """The date of each currency's earliest rate (what a fallback note names)."""
    return {str(k): v for k, v in rates.groupby("currency")["as_of"].min().items()}


def notes(frame: pd.DataFrame, reporting: str, first: Mapping[str, pd.Timestamp]) -> list[str]:
    """What a reader of the values of ``frame``'s orders should know: orders converted at a
    rate dated after them, orders left without a value."""
    out: list[str] = []
    flagged = frame.loc[frame["fx_fallback"].to_numpy(), "currency"]
    for currency, count in flagged.value_counts(sort=False).sort_index().items():
        if count:
            since = [
                f"INR→{c} from {first[c]:%Y-%m-%d}"
                for c in sorted({currency, reporting})
                if c in first and c != BASE
            ]
            out.append(
                f"{count:,} {currency} orders predate the first rates ({', '.join(since)}): "
                f"converted at those earliest rates"
            )
    missing = frame.loc[frame["value"].isna().to_numpy(), "currency"]
    for currency, count in missing.value_counts(sort=False).sort_index().items():
        if count:
            out.append(
                f"{count:,} {currency or 'no-currency'} orders have no value in {reporting}: "
                "no INR rate for their currency, or no order date"
            )
    return out
