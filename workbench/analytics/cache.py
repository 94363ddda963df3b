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

All three numbers come from one query of a few microseconds, made only when something was
committed to the replica since they were last read: every commit, by any connection of any
process, rewrites the WAL-index header beside the replica, which is read without a statement
(`Replica.commit_stamp`). A statement costs more through SQLCipher's binding than through
Python's own, and a result served from this cache otherwise costs little more than it.
The results sit in a `cachetools.LRUCache` (the least recently used goes past ``max_results``);
what is ours is only the token in each key and dropping a scope's results when its token moves.

A moved cursor does not mean reading a million orders again: the order frame is brought up to
date from the rows whose version is above the cursor it was read at (`OrderStore.refreshed`).
Nor does opening the workspace again: the order store is kept in a file beside the replica
(`store_file`), read on the first call and brought up to the cursor the same way. The file is
written on a thread of its own after a whole read of the table, or once the cursor moved
`SAVE_AFTER_CHANGES` past the file's, so neither a dashboard nor a sync waits for it and a sync
page does not rewrite it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
from cachetools import LRUCache

from workbench.analytics import capacity as cap
from workbench.analytics import costs, orders, rates, store_file
from workbench.analytics.filters import ALL, Filters, as_day
from workbench.analytics.reading import OrderStore
from workbench.replica import Replica

log = logging.getLogger(__name__)
T = TypeVar("T")
#: The file is written again once the cursor moved this far past it: the cursor counts every
#: table's changes, so fewer orders than that changed since, half the delta past which a refresh
#: reads the table whole (`OrderStore.refreshed`): a lagging file still opens by a delta.
SAVE_AFTER_CHANGES = 50_000
_STATE = (
    "SELECT (SELECT value FROM sync_state WHERE key = 'cursor'), "
    "(SELECT seq FROM sqlite_sequence WHERE name = 'outbox'), (SELECT count(*) FROM outbox)"
)


def prepare_order_file(replica_path: Path, key: bytes | None = None) -> bool:
    """Write the order file of the replica at ``replica_path`` if it has none, or one that lags
    `SAVE_AFTER_CHANGES` behind (`store_file.prepare`): the app runs it after a sync, so a
    laptop's first dashboards open from the file. True if it was written."""
    return store_file.prepare(replica_path, lag=SAVE_AFTER_CHANGES, key=key) is not None


class Analytics:
    """The dashboards of ``replica``, values in ``currency``, each result cached by (what it
    reads has not changed, method, filters, arguments). Results are shared: treat them as
    read-only. Safe to call from several threads (one computes at a time)."""

    def __init__(
        self,
        replica: Replica,
        *,
        currency: str = "USD",
        max_results: int = 256,
        keep_orders: bool = True,
    ):
        """``keep_orders``: keep the order store in a file beside the replica between sessions
        (`store_file`); off, every session reads the orders table."""
        self.replica = replica
        self.currency = currency.strip().upper()
        self.max_results = max_results
        #: where the order store is kept between sessions (None: not kept)
        self.order_file: Path | None = store_file.path_for(replica.path) if keep_orders else None
        self._lock = threading.RLock()
        #: the results, the least recently used going first past ``max_results``
        self._results: LRUCache[tuple[object, ...], Any] = LRUCache(maxsize=max_results)
        self._tokens: dict[str, object] = {}
        #: the replica's commit stamp and the state read after it (`_state`)
        self._seen: tuple[bytes, tuple[int, int, int]] | None = None
        self._store: OrderStore | None = None
        self._frame: pd.DataFrame | None = None
        self._frame_cursor = -1
        #: results computed (not served from the cache) since creation
        self.computed = 0
        #: how the order frame was last brought up to date: "how" is "full" (the table read
        #: whole), "delta" (changed rows applied) or "file" (the file, already current);
        #: "source" is "memory", "file" or "table"; and the times
        self.last_refresh: dict[str, object] = {}
        #: the cursor of the file written or read last (None: no file is known to be current)
        self._file_cursor: int | None = None
        self._save_guard = threading.Lock()
        self._to_save: tuple[OrderStore, str | None] | None = None
        self._saver: threading.Thread | None = None
        #: the last write of the order file: its cursor, rows and milliseconds, or the error
        self.last_save: dict[str, object] = {}

    # -- change detection ------------------------------------------------------------------

    def _state(self) -> tuple[int, int, int]:
        """The cursor, the outbox's sequence and its count; asked of the replica only when
        something was committed since they were last read (`Replica.commit_stamp`)."""
        conn = self.replica.conn
        if conn.in_transaction:  # a stamp read now may be newer than what this reads
            return self._read_state(conn)
        stamp = self.replica.commit_stamp()  # read first: the query sees at least as much
        seen = self._seen
        if stamp is not None and seen is not None and seen[0] == stamp:
            return seen[1]
        state = self._read_state(conn)
        if stamp is not None:
            self._seen = (stamp, state)
        return state

    @staticmethod
    def _read_state(conn: sqlite3.Connection) -> tuple[int, int, int]:
        cursor, seq, pending = conn.execute(_STATE).fetchone()
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
            if self.order_file is not None:  # it describes the rows before that write
                with self._save_guard:
                    self._to_save = None
                self.wait_saved()
                store_file.remove(self.order_file)
                self._file_cursor = None

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

    def _cached(
        self, scope: str, name: str, args: tuple[object, ...], compute: Callable[[], T]
    ) -> T:
        token = self._token(scope)
        key = (scope, token, name, args)
        with self._lock:
            try:  # a hit counts as the most recent use
                found: T = self._results[key]  # the same name and args: the same kind of answer
            except KeyError:
                pass
            else:
                return found
            if self._tokens.get(scope) != token:  # drop results of other data, even if the
                # cursor should come back to theirs (a repair): they would be stale then
                for old in [k for k in self._results if k[0] == scope and k[1] != token]:
                    del self._results[old]
                self._tokens[scope] = token
            value = compute()
            self.computed += 1
            self._results[key] = value  # the least recently used goes past ``max_results``
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
                    store, how, source = self._open_store(conn, cursor)
                else:
                    (store, how), source = self._store.refreshed(conn, cursor), "memory"
                read = time.perf_counter()
                frame = orders.order_frame(conn, self.currency, store)
                identity = store_file.replica_id(conn) if self.order_file is not None else None
            done = time.perf_counter()
            self._store, self._frame, self._frame_cursor = store, frame, cursor
            self.last_refresh = {
                "how": how,
                "source": source,
                "read_ms": round((read - started) * 1000, 1),
                "frame_ms": round((done - read) * 1000, 1),
            }
            self._keep(store, how, identity)
            return frame

    def _open_store(self, conn: sqlite3.Connection, cursor: int) -> tuple[OrderStore, str, str]:
        """The order store at ``cursor`` on the first call: the file brought up to date when it
        is this replica's, else the table read whole. Returns the store, how and the source."""
        if self.order_file is not None:
            try:
                kept = store_file.load(self.order_file, conn, cursor, self.replica.key)
            except FileNotFoundError:
                pass
            except store_file.Unusable as exc:
                log.info("the order file %s is not used: %s", self.order_file, exc)
            else:
                self._file_cursor = kept.cursor
                store, how = kept.refreshed(conn, cursor)
                return store, "file" if how == "unchanged" else how, "file"
        return OrderStore.load(conn, cursor), "full", "table"

    # -- the order file -------------------------------------------------------------------------

    def _keep(self, store: OrderStore, how: str, identity: str | None) -> None:
        """Have ``store`` written to the order file if the file is missing or lags far behind:
        on a thread of its own, the newest store only when several wait. ``identity`` is the
        replica's id read with the store (None: the writer mints one)."""
        if self.order_file is None:
            return
        behind = self._file_cursor is None or store.cursor - self._file_cursor >= SAVE_AFTER_CHANGES
        if how != "full" and not behind:
            return
        self._file_cursor = store.cursor
        with self._save_guard:
            self._to_save = (store, identity)
            if self._saver is None:
                self._saver = threading.Thread(target=self._save_loop, name="order-file")
                self._saver.start()

    def _save_loop(self) -> None:
        assert self.order_file is not None
        try:
            while True:
                with self._save_guard:  # the thread ends in the guard: a store queued after
                    waiting, self._to_save = self._to_save, None  # that starts another
                    if waiting is None:
                        self._saver = None
                        return
                store, identity = waiting
                started = time.perf_counter()
                try:
                    identity = identity or store_file.minted_replica_id(self.replica)
                    store_file.save(
                        self.order_file, self.replica.path, store, identity, self.replica.key
                    )
                except Exception as exc:  # not written: the next session reads the table
                    log.warning("the order file %s was not written: %s", self.order_file, exc)
                    self.last_save = {"cursor": store.cursor, "error": str(exc)}
                else:
                    took = round((time.perf_counter() - started) * 1000, 1)
                    self.last_save = {"cursor": store.cursor, "rows": len(store.raw), "ms": took}
        except BaseException:  # out of memory, say: `wait_saved` must not wait for it
            with self._save_guard:
                self._saver = None
            raise

    def wait_saved(self, timeout: float | None = None) -> bool:
        """Wait until the order file written in the background is on disk (closing a
        workspace, a test); False if ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._save_guard:
                saver = self._saver
            if saver is None:
                return True
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            saver.join(left)

    # -- dashboards ---------------------------------------------------------------------------

    def order_history(
        self,
        filters: Filters = ALL,
        by: Iterable[str] = ("brand", "season", "fabric_type", "mill"),
    ) -> pd.DataFrame:
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
                self.replica.conn, filters, frame=self.orders(), limit=limit, where=cell
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

    def rate_trends(self, filters: Filters = ALL, by: Iterable[str] = ("process",)) -> pd.DataFrame:
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

    def capacity(
        self, filters: Filters = ALL, *, start: date | str | None = None, weeks: int = 12
    ) -> pd.DataFrame:
        """`capacity.capacity_weeks` from ``start``'s week (today's when None)."""
        first = as_day(start) or date.today()
        return self._cached(
            "reference",
            "capacity",
            (filters, first, weeks),
            lambda: cap.capacity_weeks(self.replica.conn, filters, start=first, weeks=weeks),
        )

    def capacity_heatmap(
        self, filters: Filters = ALL, *, start: date | str | None = None, weeks: int = 12
    ) -> pd.DataFrame:
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

    def capacity_days(self, filters: Filters = ALL, *, centre: str, week: object) -> pd.DataFrame:
        """`capacity.capacity_days`: the daily rows behind a capacity cell, ``centre``'s days
        of ``week`` (a day in it, or its label "2026-W10")."""
        monday = cap.week_of(week)
        return self._cached(
            "reference",
            "capacity_days",
            (filters, centre, monday),
            lambda: cap.capacity_days(self.replica.conn, filters, start=monday, centre=centre),
        )

    def cost_structure(self, filters: Filters = ALL, *, today: date | None = None) -> pd.DataFrame:
        """`costs.cost_structure`: every breakdown line of the saved cost sheets."""
        on = today or date.today()
        return self._cached(
            "documents",
            "cost_structure",
            (filters, on),
            lambda: costs.cost_structure(self.replica.conn, filters, today=on),
        )

    def cost_by_process(
        self, filters: Filters = ALL, by: Iterable[str] = ("process",), *, today: date | None = None
    ) -> pd.DataFrame:
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

    def cost_lines(
        self, filters: Filters = ALL, *, today: date | None = None, **cell: object
    ) -> pd.DataFrame:
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
