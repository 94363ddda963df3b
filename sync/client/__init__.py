"""The sync client: keeps one replica in step with the server (architecture D4).

Pull applies the change feed page by page, each page and its cursor in one replica
transaction, so an interrupted pull resumes at the next page and never from zero. Network
errors and server hiccups are retried with exponential backoff and jitter; answers that will
not improve by retrying (401, 410, 426) become `SyncError`s with a message for the user.
Qt-free: the app runs it on a worker, the headless CLI and the tests call it directly.

`SyncClient` is the one face callers see; each of its jobs is a module of its own: `api`
(calls, retries, errors, signing in), `rows` (server rows into the replica), `feed` (pull),
`outbox` (push), `snapshot` (a snapshot's download) and `snapshot_import` (its import),
`uploads` (a file streamed up for the server to import) and `pricing` (quotes). They are
plain functions given what they need.
Composition, not mixins: the state stays here in one place (the replica, the connection, the
retry settings), and the client passes its own methods in, so a part calls the API or
applies a page through the client exactly as a caller would. What a sync did is returned
(`SyncOutcome`), never left on the client.
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from sync.client import (
    api,
    feed,
    outbox,
    pricing,
    rows,
    serials,
    snapshot,
    snapshot_import,
    uploads,
)
from sync.client.api import RETRY_STATUSES, SyncError, login
from sync.client.feed import PullSummary, RoleChanged
from sync.client.outbox import PUSH_BATCH, PushSummary
from sync.client.outcome import Bootstrapped, SyncOutcome
from sync.client.uploads import IMPORT_TIMEOUT_S, UPLOAD_CHUNK
from workbench.replica import REPLICATED_TABLES, Replica

__all__ = [
    "IMPORT_TIMEOUT_S",
    "PUSH_BATCH",
    "RETRY_STATUSES",
    "UPLOAD_CHUNK",
    "Bootstrapped",
    "PullSummary",
    "PushSummary",
    "SyncClient",
    "SyncError",
    "SyncOutcome",
    "login",
]


class SyncClient:
    """One replica's connection to its server: push, pull, the first sync from a snapshot,
    master-data uploads and quotes, over one HTTP connection signed in with ``token``."""

    def __init__(
        self,
        replica: Replica,
        base_url: str,
        token: str,
        *,
        page_rows: int = 2000,
        retries: int = 5,
        backoff_s: float = 0.5,
        timeout_s: float = 30.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.replica = replica
        #: called with each table's name once a snapshot import has committed it, and the
        #: search index the server sent with the snapshot (None: none, or a repair's): the
        #: callee may move that folder away; what is left of it is deleted after the import
        self.on_table_imported: Callable[[str, Path | None], None] | None = None
        self.page_rows = page_rows
        self.retries = retries
        self.backoff_s = backoff_s
        self._columns = rows.replica_columns(replica)
        #: told each new token the server hands this device (to keep it in the keyring)
        self.on_new_token: Callable[[str], None] | None = None
        #: the device's current token as kept (another connection may have been given a
        #: newer one): asked once when the server refuses this connection's token
        self.token_source: Callable[[], str | None] | None = None
        #: what the server said about this app being due for an update (None: nothing)
        self.update_due: str | None = None
        self.http = api.open_http(
            base_url, token, timeout_s, transport, self._new_token, self._update_due
        )

    def close(self) -> None:
        self.http.close()

    # -- HTTP with retries -------------------------------------------------------------------

    def request(
        self, method: str, path: str, cancel: threading.Event | None = None, **kw: Any
    ) -> Any:
        """One API call; retried on network errors and 429/5xx, with backoff and jitter, and
        once with the device's kept token when the server refuses this connection's."""
        try:
            return api.request(
                self.http,
                method,
                path,
                cancel,
                retries=self.retries,
                backoff_s=self.backoff_s,
                **kw,
            )
        except SyncError as exc:
            if exc.code != "unauthorized" or not self._take_kept_token():
                raise
        return api.request(
            self.http, method, path, cancel, retries=self.retries, backoff_s=self.backoff_s, **kw
        )

    def _update_due(self, message: str) -> None:
        self.update_due = message

    def _new_token(self, token: str) -> None:
        if self.on_new_token is not None:
            self.on_new_token(token)

    def _take_kept_token(self) -> bool:
        """Sign this connection in with the device's kept token, if it is another one."""
        kept = self.token_source() if self.token_source is not None else None
        if not kept or self.http.headers.get("Authorization") == f"Bearer {kept}":
            return False
        self.http.headers["Authorization"] = f"Bearer {kept}"
        return True

    # -- pull --------------------------------------------------------------------------------

    def apply_page(self, changes: list[Mapping[str, Any]], cursor: int) -> dict[str, int]:
        """Write one page of changes and the new cursor in a single transaction."""
        return rows.apply_page(self.replica, self._columns, changes, cursor)

    # -- push --------------------------------------------------------------------------------

    def push(self, cancel: threading.Event | None = None) -> PushSummary:
        """Send the outbox in batches until nothing is pending.

        Answers are applied in one transaction per batch: applied mutations leave the outbox
        and their rows take the server's version (and merged fields); conflicts keep the
        user's version in ``conflicts`` and the server's row in the table; rejected ones are
        set aside with the server's message, and the queue goes on. Later queued edits of a
        settled row are rebased on the server's row. Numbers the server has already used for
        other edits (a replica restored from an earlier copy) are given up for new ones.
        """
        return outbox.push(self.replica, self._columns, self.request, cancel)

    # -- first sync from a snapshot -----------------------------------------------------------

    def download_snapshot(
        self,
        cancel: threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> snapshot.Downloaded:
        """Fetch the server's current snapshot beside the replica; resumes a partial download.

        Returns the decompressed SQLite file, the sequence it reflects and the folder of the
        search index built from it (when the server sent one).
        """
        return snapshot.download(
            self.http, self.request, self.replica.path.parent, cancel, progress, self.replica.key
        )

    def bootstrap(
        self,
        progress: Callable[[str, int, int], None] | None = None,
        cancel: threading.Event | None = None,
        only: frozenset[str] | None = None,
        keep_newer: bool = False,
    ) -> Bootstrapped:
        """Replace the replica's replicated rows with the server's snapshot; returns its seq,
        the rows it brought and the tables it replaced.

        Tables are imported one transaction each, reference data first and order history
        last, so the app can search materials before the history has arrived. Documents with
        unsent edits keep the user's version. The cursor moves only when every table is in.

        With ``only``, just those tables are replaced (a repair after a count mismatch) and
        the cursor goes back to the snapshot's if it was ahead, so the next pull re-applies
        everything written since: no table is left behind the others.

        ``keep_newer`` (a first sync): rows the replica holds at a version after the
        snapshot's are kept, not taken back to the snapshot's older ones
        (`snapshot_import._replaced`).
        """
        got = self.download_snapshot(cancel)
        path, seq = got.path, got.seq
        # a repair leaves materials it does not replace: the server's index is not theirs
        shipped = got.search_index if only is None else None
        brought = 0

        def imported(table: str, inserted: int, n: int, total: int) -> None:
            nonlocal brought
            brought += inserted
            if progress is not None:
                progress(table, n, total)
            if self.on_table_imported is not None:
                self.on_table_imported(table, shipped)

        try:
            snapshot_import.import_tables(
                self.replica,
                self._columns,
                path,
                seq,
                imported,
                cancel,
                only,
                got.image,
                got.sealed,
                keep_newer,
            )
        finally:
            if got.search_index is not None:
                shutil.rmtree(got.search_index, ignore_errors=True)
        return Bootstrapped(seq, brought, frozenset(REPLICATED_TABLES) if only is None else only)

    # -- both --------------------------------------------------------------------------------

    def sync(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> SyncOutcome:
        """Push first (so the pull brings back the server's answers to it), then pull.

        An empty replica, or one whose cursor is older than the server keeps deletions for,
        starts from a snapshot and pulls the changes made since it.
        """
        pushed = self.push(cancel)
        # quotes asked for offline: their rows then come back with this very pull
        quotes = self.send_quote_requests(cancel)
        snapshots: list[Bootstrapped] = []
        if self.replica.cursor == 0:
            # rows newer than the snapshot are the answers to this laptop's own pushes
            snapshots.append(self.bootstrap(cancel=cancel, keep_newer=True))
        try:
            pulled = self.pull(progress, cancel)
        except RoleChanged as exc:
            # The replica holds the old role's rows: a snapshot of the new role's replaces
            # them (unsent edits kept), with the tables and prices the new role is not sent
            # gone and those it now is sent arrived. The role is written once the snapshot
            # is in: a sync that dies half-way takes the whole snapshot again next time.
            snapshots.append(self.bootstrap(cancel=cancel))
            self.replica.set_state("role", exc.role)
            pulled = self.pull(progress, cancel)
        except SyncError as exc:
            if exc.code != "must_refetch":
                raise
            snapshots.append(self.bootstrap(cancel=cancel))
            pulled = self.pull(progress, cancel)
        return SyncOutcome(pushed, pulled, quotes, tuple(snapshots))

    def pull(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PullSummary:
        """Apply every change after the replica's cursor; resumable page by page."""
        role = self.replica.get_state("role")
        pulled = feed.pull(
            self.request,
            self.apply_page,
            self.replica.cursor,
            self.page_rows,
            progress,
            cancel,
            role,
        )
        if role is None and pulled.role:  # signed in before replicas kept their role
            self.replica.set_state("role", pulled.role)
        return pulled

    def wait_for_changes(self, timeout_s: int = 25, cancel: threading.Event | None = None) -> bool:
        """Long-poll: return as soon as the server has changes after this replica's cursor
        (True), or when the wait times out (False). How edits on one laptop reach the others
        within a couple of seconds while they are online."""
        return feed.wait_for_changes(self.request, self.replica.cursor, timeout_s, cancel)

    def upload_import(
        self,
        kind: str,
        path: Path,
        *,
        dry_run: bool = False,
        accept_partial: bool = False,
        columns: Mapping[str, str] | None = None,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        decimal_mark: str | None = None,
    ) -> dict[str, Any]:
        """Send a master-data file for the server to import (admins); its summary back.
        ``decimal_mark`` (``comma`` or ``point``) is the file's, where the admin knows it.

        Not retried: an import is one deliberate act, and a second try after a lost answer
        is harmless anyway (re-importing the same rows changes nothing).
        """
        params: dict[str, Any] = {
            "filename": path.name,
            "dry_run": int(dry_run),
            "accept_partial": int(accept_partial),
        }
        if columns:
            params["columns"] = json.dumps(dict(columns))
        if decimal_mark:
            params["decimal_mark"] = decimal_mark
        return uploads.post_file(self.http, f"/v1/import/{kind}", path, params, progress, cancel)

    def request_quote(
        self,
        sheet: Mapping[str, Any],
        cost_sheet_id: str | None = None,
        cancel: threading.Event | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """A firm quote for a cost sheet from the server's pricing service (retried with one
        idempotency key: a retry is answered with the same quote)."""
        return pricing.request_quote(self.request, sheet, cost_sheet_id, cancel, idempotency_key)

    def send_quote_requests(self, cancel: threading.Event | None = None) -> int:
        """Ask for the quotes queued while offline; a refusal (a missing rate) is kept with
        its reason rather than retried forever. Returns how many were answered."""
        return pricing.send_quote_requests(self.replica, self.request_quote, cancel)

    def serial_run(
        self, series: str, count: int, cancel: threading.Event | None = None
    ) -> list[int]:
        """Serials for a label run printed now: the server's, or this station's reserved
        ones when the server cannot be reached (`sync.client.serials`)."""
        return serials.run_serials(self.replica, self.request, series, count, cancel)

    def reserve_serials(
        self, series: str, count: int, cancel: threading.Event | None = None
    ) -> dict[str, Any]:
        """Reserve a block of serials for printing offline, kept in the replica."""
        return serials.reserve(self.replica, self.request, series, count, cancel)

    def count_mismatches(self) -> dict[str, tuple[int, int]]:
        """Tables whose live row count differs from the server's: {table: (mine, server's)}."""
        return rows.count_mismatches(self.replica, self.request("GET", "/v1/counts")["counts"])
