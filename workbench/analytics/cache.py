"""`Analytics`: the dashboards of one replica, each result kept until the data under it changes.

What "changed" means, and why it is cheap and right:

- Reference data (orders, brands, materials, FX rates, cost rates, capacity) is written on a
  laptop only by a sync (or a demo/snapshot fill), and every such write moves the sync cursor
  in the same transaction. So results over reference data are keyed by ``replica.cursor``.
- Documents (cost sheets) are also written locally, and every local write enqueues an outbox
  mutation in the same transaction; a push that settles a mutation deletes it (and may write
  the server's merged row). So results over documents are keyed by the cursor *and* the
  outbox's AUTOINCREMENT sequence *and* its row count: the sequence only grows (every local
  write moves it), the count drops on every settle, and the pair can never return to an
  earlier value, so an edit is never mistaken for "nothing changed".
- Not ``PRAGMA data_version``: on the replica's per-thread connection it does not see commits
  made on that same connection (the UI thread saves sheets on the connection it reads
  dashboards with), and on a private connection it moves with every commit to any table (AI
  jobs, label jobs, sync bookkeeping), each of which would throw away a million-row frame.
  Not ``max(rowid)`` of the outbox alone: it falls when a push empties the queue and can come
  back to an earlier value.

All three numbers come from one query of a few microseconds, made on every call. A moved cursor
does not mean reading a million orders again: the order frame is brought up to date from the
rows whose version is above the cursor it was read at (`OrderStore.refreshed`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, TypeVar

import pandas as pd

from workbench.analytics import capacity as cap
from workbench.analytics import costs, orders, rates
from workbench.analytics.filters import ALL, Filters, as_day
from workbench.analytics.reading import OrderStore
from workbench.replica import Replica

T = TypeVar("T")
_STATE = (
    "SELECT (SELECT value FROM sync_state WHERE key = 'cursor'), "
    "(SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), (SELECT count(*) FROM outbox)"
)


class Analytics:
    """The dashboards of ``replica``, values in ``currency``, each result cached by (what it
    reads has not changed, method, filters, arguments). Results are shared: treat them as
    read-only. Safe to call from several threads (one computes at a time)."""

    def __init__(self, replica: Replica, *, currency: str = "USD", max_results: int = 256):
        self.replica = replica
        self.currency = currency.strip().upper()
        self.max_results = max_results
        self._lock = threading.RLock()
        self._results: OrderedDict[tuple, Any] = OrderedDict()
        self._tokens: dict[str, object] = {}
        self._store: OrderStore | None = None
        self._frame: pd.DataFrame | None = None
        self._frame_cursor = -1
        #: results computed (not served from the cache) since creation
        self.computed = 0
        #: how the order frame was last brought up to date: "full" / "delta", and the times
        self.last_refresh: dict[str, object] = {}

    # -- change detection ------------------------------------------------------------------

    def _state(self) -> tuple[int, int, int]:
        cursor, seq, pending = self.replica.conn.execute(_STATE).fetchone()
        return int(cursor or 0), int(seq or 0), int(pending or 0)

    def _token(self, scope: str) -> object:
        state = self._state()
        return state[0] if scope == "reference" else state

    def invalidate(self) -> None:
        """Forget every result and the order frame (after a write that bypassed the sync and
        the outbox: a repair from a snapshot that left the cursor where it was)."""
        with self._lock:
            self._results.clear()
            self._tokens.clear()
            self._store, self._frame, self._frame_cursor = None, None, -1

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: the cursor and the rows read in it are one snapshot."""
        conn = self.replica.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")  # nothing was written

    def _cached(self, scope: str, name: str, args: tuple, compute: Callable[[], T]) -> T:
        token = self._token(scope)
        key = (scope, token, name, args)
        with self._lock:
            if key in self._results:
                self._results.move_to_end(key)
                return self._results[key]  # type: ignore[no-any-return]
            if self._tokens.get(scope) != token:  # drop results of other data, even if the
                # cursor should come back to theirs (a repair): they would be stale then
                for old in [k for k in self._results if k[0] == scope and k[1] != token]:
                    del self._results[old]
                self._tokens[scope] = token
            value = compute()
            self.computed += 1
            self._results[key] = value
            while len(self._results) > self.max_results:
                self._results.popitem(last=False)
            return value

    # -- the order frame ----------------------------------------------------------------------

    def orders(self) -> pd.DataFrame:
        """The order frame (`workbench.analytics.orders`) as of the replica's cursor."""
        cursor = self._state()[0]
        with self._lock:
            if self._frame is not None and self._frame_cursor == cursor:
                return self._frame
            started = time.perf_counter()
            with self._read() as conn:
                cursor = self.replica.cursor
                if self._store is None:
                    store, how = OrderStore.load(conn, cursor), "full"
                else:
                    store, how = self._store.refreshed(conn, cursor)
                read = time.perf_counter()
                frame = orders.order_frame(conn, self.currency, store)
            done = time.perf_counter()
            self._store, self._frame, self._frame_cursor = store, frame, cursor
            self.last_refresh = {"how": how, "read_ms": round((read - started) * 1000, 1),
                                 "frame_ms": round((done - read) * 1000, 1)}  # fmt: skip
            return frame

    # -- dashboards ---------------------------------------------------------------------------

    def order_history(
        self, filters: Filters = ALL,
        by: Iterable[str] = ("brand", "season", "fabric_type", "mill"),
    ) -> pd.DataFrame:  # fmt: skip
        """`orders.order_history`: orders, pieces and value by ``by``."""
        by = tuple(by)
        return self._cached(
            "reference",
            "order_history",
            (filters, by),
            lambda: orders.order_history(self.replica.conn, filters, by, frame=self.orders()),
        )

    def order_months(self, filters: Filters = ALL) -> pd.DataFrame:
        """`orders.order_months`: month, orders, pieces, value."""
        return self._cached(
            "reference",
            "order_months",
            (filters,),
            lambda: orders.order_months(self.replica.conn, filters, frame=self.orders()),
        )

    def lead_times(self, filters: Filters = ALL, by: Iterable[str] = ("brand",)) -> pd.DataFrame:
        """`orders.lead_times`: on-time share and days late by ``by``."""
        by = tuple(by)
        return self._cached(
            "reference",
            "lead_times",
            (filters, by),
            lambda: orders.lead_times(self.replica.conn, filters, by, frame=self.orders()),
        )

    def order_rows(
        self, filters: Filters = ALL, *, limit: int | None = None, **cell: object
    ) -> pd.DataFrame:
        """`orders.order_rows`: the orders behind a cell of the order dashboards."""
        args = (filters, limit, tuple(sorted(cell.items())))
        return self._cached(
            "reference",
            "order_rows",
            args,
            lambda: orders.order_rows(
                self.replica.conn, filters, frame=self.orders(), limit=limit, **cell
            ),
        )

    def _rate_versions(self) -> pd.DataFrame:
        return self._cached(
            "reference", "rate_versions", (), lambda: rates.all_rate_versions(self.replica.conn)
        )

    def rate_history(self, filters: Filters = ALL) -> pd.DataFrame:
        """`rates.rate_history`: every version of every rate, with its change."""
        return self._cached(
            "reference",
            "rate_history",
            (filters,),
            lambda: rates.rate_history(self.replica.conn, filters, versions=self._rate_versions()),
        )

    def rate_trends(self, filters: Filters = ALL, by: Iterable[str] = ("process",)
                    ) -> pd.DataFrame:  # fmt: skip
        """`rates.rate_trends`: the changes per process (or ``by``) and version date."""
        by = tuple(by)
        return self._cached(
            "reference",
            "rate_trends",
            (filters, by),
            lambda: rates.rate_trends(
                self.replica.conn, filters, by, history=self.rate_history(filters)
            ),
        )

    def rate_rows(self, filters: Filters = ALL, **cell: object) -> pd.DataFrame:
        """`rates.rate_rows`: the versions behind a rate-trend cell."""
        return self._cached(
            "reference",
            "rate_rows",
            (filters, tuple(sorted(cell.items()))),
            lambda: rates.rate_rows(
                self.replica.conn, filters, history=self.rate_history(filters), **cell
            ),
        )

    def capacity(self, filters: Filters = ALL, *, start: date | str | None = None,
                 weeks: int = 12) -> pd.DataFrame:  # fmt: skip
        """`capacity.capacity_weeks` from ``start``'s week (today's when None)."""
        first = as_day(start) or date.today()
        return self._cached(
            "reference",
            "capacity",
            (filters, first, weeks),
            lambda: cap.capacity_weeks(self.replica.conn, filters, start=first, weeks=weeks),
        )

    def capacity_heatmap(self, filters: Filters = ALL, *, start: date | str | None = None,
                         weeks: int = 12) -> pd.DataFrame:  # fmt: skip
        """`capacity.capacity_heatmap`: centre × ISO week, utilisation in the cells."""
        first = as_day(start) or date.today()
        return self._cached(
            "reference",
            "capacity_heatmap",
            (filters, first, weeks),
            lambda: cap.capacity_heatmap(
                self.replica.conn,
                filters,
                start=first,
                weeks=weeks,
                table=self.capacity(filters, start=first, weeks=weeks),
            ),
        )

    def capacity_days(self, filters: Filters = ALL, *, centre: str, week: object
                      ) -> pd.DataFrame:  # fmt: skip
        """`capacity.capacity_days`: the daily rows behind a capacity cell, ``centre``'s days
        of ``week`` (a day in it, or its label "2026-W10")."""
        monday = cap.week_of(week)
        return self._cached(
            "reference",
            "capacity_days",
            (filters, centre, monday),
            lambda: cap.capacity_days(self.replica.conn, filters, start=monday, centre=centre),
        )

    def cost_structure(self, filters: Filters = ALL, *, today: date | None = None
                       ) -> pd.DataFrame:  # fmt: skip
        """`costs.cost_structure`: every breakdown line of the saved cost sheets."""
        on = today or date.today()
        return self._cached(
            "documents",
            "cost_structure",
            (filters, on),
            lambda: costs.cost_structure(self.replica.conn, filters, today=on),
        )

    def cost_by_process(self, filters: Filters = ALL, by: Iterable[str] = ("process",), *,
                        today: date | None = None) -> pd.DataFrame:  # fmt: skip
        """`costs.cost_by_process`: the structure summed up by process (or ``by``)."""
        by, on = tuple(by), today or date.today()
        return self._cached(
            "documents",
            "cost_by_process",
            (filters, by, on),
            lambda: costs.cost_by_process(
                self.replica.conn,
                filters,
                by,
                today=on,
                structure=self.cost_structure(filters, today=on),
            ),
        )

    def cost_lines(self, filters: Filters = ALL, *, today: date | None = None, **cell: object
                   ) -> pd.DataFrame:  # fmt: skip
        """`costs.cost_lines`: the breakdown lines behind a cost cell."""
        on = today or date.today()
        args = (filters, on, tuple(sorted(cell.items())))
        return self._cached(
            "documents",
            "cost_lines",
            args,
            lambda: costs.cost_lines(
                self.replica.conn,
                filters,
                today=on,
                structure=self.cost_structure(filters, today=on),
                **cell,
            ),
        )
