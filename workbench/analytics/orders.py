"""Order dashboards: history by brand, season, fabric type and mill; the month by month series;
promised against actual delivery; and the order rows behind any of their cells.

Every function here works on the *order frame*, one row per live order, built once per sync
cursor (`order_frame`) and only filtered and grouped afterwards, so a dashboard costs a mask
and a group-by over arrays already in memory. Amounts are floats: these are charts and totals
for reading, not the money of a quote (that is the costing engine's, in `Decimal`).

The order frame's columns:

- ``rowid`` (int): the order's row in the replica, for drill-down;
- ``brand`` (the brand's code; the brand id when the brand is gone), ``season``, ``mill``,
  ``fabric_type`` (the material's category for fabrics, "yarn" or "trim" for the others, ""
  without a material), ``currency``: categoricals, "" where the order has none;
- ``quantity`` (int), ``unit_price`` (float, in ``currency``);
- ``order_date``, ``promised_date``, ``delivered_date`` (datetime64, NaT when absent);
- ``month``, ``due_month``: the first day of the order date's and the promised date's month;
- ``value_local`` = quantity × unit_price; ``value``: the same in the reporting currency
  (``frame.attrs["currency"]``, see `workbench.analytics.fx`), NaN without a rate;
  ``fx_fallback``: the value used a rate dated after the order;
- ``days_late`` = delivered − promised in days (negative: early), NaN unless both are known.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date, timedelta

import numpy as np
import pandas as pd

from workbench.analytics import fx
from workbench.analytics.filters import (
    ALL,
    ORDER_DIMENSIONS,
    Filters,
    check_dimensions,
    order_mask,
)
from workbench.analytics.reading import OrderStore

_DAY = np.timedelta64(1, "D")


def _relabel(cat: pd.Categorical, labels: Iterable[str]) -> pd.Categorical[str]:
    """``cat`` with each category replaced by its label (labels may repeat: two brand ids
    with one code become one brand), missing values labelled ""."""
    names = [str(label) for label in labels]
    unique = sorted({*names, ""})
    index = {name: i for i, name in enumerate(unique)}
    recode = np.asarray([index[n] for n in names] + [index[""]], dtype=np.int32)
    return pd.Categorical.from_codes(recode[cat.codes], categories=pd.Index(unique, dtype=str))


def _month(days: np.ndarray) -> np.ndarray:
    """The first day of each day's month; worked out once per distinct day (a million orders
    hold about a thousand), which is several times faster than on every row."""
    codes, unique = pd.factorize(days)
    months = np.asarray(unique, dtype="datetime64[ns]").astype("datetime64[M]")
    table = np.append(months.astype("datetime64[ns]"), np.datetime64("NaT", "ns"))
    return table[codes]


def order_frame(
    conn: sqlite3.Connection,
    currency: str = "USD",
    store: OrderStore | None = None,
) -> pd.DataFrame:
    """The order frame (see the module docstring) from a replica connection, from the orders
    ``store`` when given (else the orders are read now), with brands, materials and FX rates
    read now: these change with the cursor too, so the frame is rebuilt whenever it moves."""
    raw = (OrderStore.load(conn, 0) if store is None else store).raw
    brands = dict(conn.execute("SELECT id, code FROM brands WHERE deleted = 0").fetchall())
    kinds = {
        r[0]: (r[2] if r[1] == "fabric" else r[1]) or ""
        for r in conn.execute(
            "SELECT id, material_type, category FROM materials WHERE deleted = 0"
        ).fetchall()
    }
    brand_ids = raw["brand_id"].array
    materials = raw["material_id"].array
    kind_of = [kinds.get(m, "") for m in materials.categories.tolist()]
    cur = raw["currency"].array
    frame = pd.DataFrame(
        {
            "rowid": raw["rowid"].to_numpy(),
            "brand": _relabel(brand_ids, [brands.get(b, b) for b in brand_ids.categories.tolist()]),
            "season": _relabel(raw["season"].array, raw["season"].array.categories),
            "mill": _relabel(raw["mill"].array, raw["mill"].array.categories),
            "fabric_type": _relabel(materials, kind_of),
            "currency": _relabel(cur, [str(c).strip().upper() for c in cur.categories.tolist()]),
            "quantity": raw["quantity"].to_numpy(),
            "unit_price": raw["unit_price"].to_numpy(dtype=float),
            "order_date": raw["order_date"].to_numpy(),
            "promised_date": raw["promised_date"].to_numpy(),
            "delivered_date": raw["delivered_date"].to_numpy(),
        },
        copy=False,
    )
    frame["month"] = _month(frame["order_date"].to_numpy())
    frame["due_month"] = _month(frame["promised_date"].to_numpy())
    frame["value_local"] = frame["quantity"].to_numpy() * frame["unit_price"].to_numpy()
    rates = fx.fx_table(conn)
    value, flagged = fx.convert(
        frame["value_local"].to_numpy(),
        frame["currency"].array,
        frame["order_date"].to_numpy(),
        rates,
        currency,
    )
    frame["value"] = value
    frame["fx_fallback"] = flagged
    late = frame["delivered_date"].to_numpy() - frame["promised_date"].to_numpy()
    frame["days_late"] = late / _DAY  # NaT → NaN
    frame.attrs.update(currency=currency.strip().upper(), fx_first=fx.first_dates(rates))
    return frame


def _frame(conn: sqlite3.Connection, frame: pd.DataFrame | None, currency: str) -> pd.DataFrame:
    return order_frame(conn, currency) if frame is None else frame


def _selected(
    frame: pd.DataFrame,
    filters: Filters,
    columns: list[str],
    cell: Mapping[str, object] | None = None,
) -> pd.DataFrame:
    mask = order_mask(frame, filters, dict(cell or {}))
    return frame[columns] if mask is None else frame.loc[mask, columns]


def _with_notes(out: pd.DataFrame, frame: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    currency = frame.attrs.get("currency", "USD")
    out.attrs["currency"] = currency
    out.attrs["notes"] = fx.notes(rows, currency, frame.attrs["fx_first"])
    return out


def order_history(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    by: Iterable[str] = ("brand", "season", "fabric_type", "mill"),
    *,
    frame: pd.DataFrame | None = None,
    currency: str = "USD",
) -> pd.DataFrame:
    """Orders, pieces and value by ``by`` (any of `ORDER_DIMENSIONS`): columns ``*by``,
    ``orders``, ``pieces`` (the sum of quantities), ``value`` (in the frame's reporting
    currency, ``attrs["currency"]``; orders without a rate count as 0, see
    ``attrs["notes"]``). Only combinations with orders. ``frame`` is the order frame
    (read from ``conn`` in ``currency`` when None)."""
    frame = _frame(conn, frame, currency)
    keys = list(check_dimensions(by, ORDER_DIMENSIONS))
    if not keys:
        raise ValueError("order history needs at least one dimension to group by")
    rows = _selected(
        frame, filters, [*dict.fromkeys([*keys, "currency"]), "quantity", "value", "fx_fallback"]
    )
    out = (
        rows.groupby(keys, observed=True, sort=True)
        .agg(orders=("quantity", "size"), pieces=("quantity", "sum"), value=("value", "sum"))
        .reset_index()
    )
    for key in keys:
        if isinstance(out[key].dtype, pd.CategoricalDtype):
            out[key] = out[key].astype(str)
    return _with_notes(out, frame, rows)


def month_to_date(month: date, end: date) -> bool:
    """Whether the month starting ``month`` is not over at ``end`` (today, or the last day a
    date range takes in): its figures are to date, not a whole month's, and a chart must not
    show them as a fall."""
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return month <= end < following - timedelta(days=1)


def order_months(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    frame: pd.DataFrame | None = None,
    currency: str = "USD",
) -> pd.DataFrame:
    """The month by month series: ``month`` (first day), ``orders``, ``pieces``, ``value``;
    every month from the first to the last with orders, months without any at 0."""
    frame = _frame(conn, frame, currency)
    rows = _selected(frame, filters, ["month", "currency", "quantity", "value", "fx_fallback"])
    out = rows.groupby("month", sort=True).agg(
        orders=("quantity", "size"), pieces=("quantity", "sum"), value=("value", "sum")
    )
    out = out[out.index.notna()]
    if len(out):
        span = pd.date_range(out.index.min(), out.index.max(), freq="MS", name="month")
        out = out.reindex(span, fill_value=0)
    out = out.rename_axis("month").reset_index().astype({"orders": "int64"})
    return _with_notes(out, frame, rows)


def lead_times(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    by: Iterable[str] = ("brand",),
    *,
    frame: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Promised against delivered, for the orders with both dates, by ``by`` (any of
    `ORDER_DIMENSIONS`; ``due_month`` is the promised month, the usual month of an on-time
    report; ``()`` for one overall row). Columns: ``*by``, ``orders``, ``on_time`` (delivered
    on or before the promised day), ``on_time_share``, ``mean_days_late``,
    ``median_days_late``, ``p90_days_late`` (days late are delivered − promised, negative
    when early; p90 interpolates linearly)."""
    frame = _frame(conn, frame, "USD")
    keys = list(check_dimensions(by, ORDER_DIMENSIONS))
    rows = _selected(frame, filters, [*keys, "days_late"], {"lead_time": True})
    late = rows["days_late"]
    rows = rows.assign(on_time=late <= 0)
    if keys:
        groups = rows.groupby(keys, observed=True, sort=True)
        out = groups.agg(
            orders=("days_late", "size"),
            on_time=("on_time", "sum"),
            mean_days_late=("days_late", "mean"),
            median_days_late=("days_late", "median"),
        )
        out["p90_days_late"] = groups["days_late"].quantile(0.9)
        out = out.reset_index()
        for key in keys:
            if isinstance(out[key].dtype, pd.CategoricalDtype):
                out[key] = out[key].astype(str)
    else:
        out = pd.DataFrame(
            {
                "orders": [len(rows)],
                "on_time": [int(rows["on_time"].sum())],
                "mean_days_late": [late.mean()],
                "median_days_late": [late.median()],
                "p90_days_late": [late.quantile(0.9)],
            }
        )
    out["on_time"] = out["on_time"].astype("int64")
    out.insert(
        list(out.columns).index("on_time") + 1,
        "on_time_share",
        out["on_time"] / out["orders"].where(out["orders"] > 0),
    )
    return out


#: The columns `order_rows` returns.
ORDER_ROW_COLUMNS = (
    "order_no",
    "style_code",
    "brand",
    "season",
    "mill",
    "fabric_type",
    "quantity",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "delivered_date",
    "value",
    "days_late",
)


def order_rows(
    conn: sqlite3.Connection,
    filters: Filters = ALL,
    *,
    frame: pd.DataFrame | None = None,
    currency: str = "USD",
    limit: int | None = None,
    where: Mapping[str, object] | None = None,
    **cell: object,
) -> pd.DataFrame:
    """The orders behind a cell: those the filters select with every ``cell`` value (brand,
    season, fabric_type, mill, currency, month or due_month as a date or "YYYY-MM"; and
    ``lead_time=True`` for the orders a lead-time figure counts, ``on_time=True/False``).
    The keyword ``currency`` is the reporting currency: a cell naming an order currency is
    given as ``where`` (the cell as a mapping, joined to the keywords).
    Columns `ORDER_ROW_COLUMNS`, by order date then order number; at most ``limit`` rows."""
    frame = _frame(conn, frame, currency)
    columns = ["rowid", *(c for c in ORDER_ROW_COLUMNS if c in frame.columns)]
    rows = _selected(frame, filters, columns, {**cell, **(where or {})})
    rows = rows.sort_values(["order_date", "rowid"], kind="stable")
    if limit is not None:
        rows = rows.head(limit)
    ids = rows["rowid"].tolist()
    found = dict.fromkeys(ids, ("", ""))
    cursor = conn.cursor()
    cursor.row_factory = None
    for start in range(0, len(ids), 200_000):
        part = json.dumps(ids[start : start + 200_000])
        for rowid, order_no, style in cursor.execute(
            "SELECT rowid, order_no, style_code FROM orders "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            (part,),
        ):
            found[rowid] = (order_no, style)
    names = [found[i] for i in ids]
    out = rows.drop(columns="rowid").reset_index(drop=True)
    out.insert(0, "order_no", [n for n, _ in names])
    out.insert(1, "style_code", [s for _, s in names])
    for key in ("brand", "season", "mill", "fabric_type", "currency"):
        out[key] = out[key].astype(str)
    out = out.sort_values(["order_date", "order_no"], kind="stable").reset_index(drop=True)
    return out[list(ORDER_ROW_COLUMNS)]
