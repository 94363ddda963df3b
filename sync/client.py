"""The sync client: keeps one replica in step with the server (DESIGN D4).

Pull applies the change feed page by page, each page and its cursor in one replica
transaction, so an interrupted pull resumes at the next page and never from zero. Network
errors and server hiccups are retried with exponential backoff and jitter; answers that will
not improve by retrying (401, 410, 426) become `SyncError`s with a message for the user.
Qt-free: the app runs it on a worker, the headless CLI and the tests call it directly.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sync import protocol
from workbench import quotes
from workbench.replica import REPLICATED_TABLES, Replica
from workbench.replica.store import utc_now

RETRY_STATUSES = frozenset({429, 502, 503, 504})
PUSH_BATCH = 200
UPLOAD_CHUNK = 256 * 1024
#: how long an import may take on the server before the app gives up waiting
IMPORT_TIMEOUT_S = 900.0


class SyncError(RuntimeError):
    """Sync cannot go on; ``code`` is the server's error code when it gave one."""

    def __init__(self, message: str, code: str = "error") -> None:
        super().__init__(message)
        self.code = code


class Cancelled(SyncError):
    def __init__(self) -> None:
        super().__init__("sync was cancelled", "cancelled")


@dataclass(frozen=True)
class PushSummary:
    sent: int
    applied: int
    conflicts: int
    rejected: int


@dataclass(frozen=True)
class PullSummary:
    pages: int
    rows: int
    cursor: int
    #: table name -> ids written (tombstones included), for incremental re-indexing
    changed: Mapping[str, int]


class SyncClient:
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
        #: whether this client replaced the replica's rows from a snapshot, and how many
        self.bootstrapped = False
        self.snapshot_rows = 0
        #: quote requests queued offline that the last sync sent and got answered
        self.quotes_answered = 0
        #: called with each table's name once a snapshot import has committed it
        self.on_table_imported: Callable[[str], None] | None = None
        self.page_rows = page_rows
        self.retries = retries
        self.backoff_s = backoff_s
        self._columns = {t: self._replica_columns(t) for t in REPLICATED_TABLES}
        self.http = httpx.Client(
            base_url=base_url.rstrip("/"),
            timeout=timeout_s,
            transport=transport,
            headers={
                "Authorization": f"Bearer {token}",
                protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
                protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
            },
        )

    def close(self) -> None:
        self.http.close()

    # -- HTTP with retries -------------------------------------------------------------------

    def request(
        self, method: str, path: str, cancel: threading.Event | None = None, **kw: Any
    ) -> Any:
        """One API call; retried on network errors and 429/5xx, with backoff and jitter."""
        attempt = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            try:
                answer = self.http.request(method, path, **kw)
            except httpx.TransportError as exc:
                problem: str = f"cannot reach the sync server ({exc.__class__.__name__})"
            else:
                if answer.status_code < 400:
                    return answer.json()
                if answer.status_code not in RETRY_STATUSES:
                    raise _error_from(answer)
                problem = f"the sync server answered {answer.status_code}"
            attempt += 1
            if attempt > self.retries:
                raise SyncError(f"{problem}; gave up after {self.retries} retries", "offline")
            delay = self.backoff_s * 2 ** (attempt - 1)
            wait = random.uniform(delay / 2, delay * 1.5)
            if cancel is not None:
                if cancel.wait(wait):
                    raise Cancelled()
            else:
                time.sleep(wait)

    # -- pull --------------------------------------------------------------------------------

    def _replica_columns(self, table: str) -> tuple[str, ...]:
        return tuple(r[1] for r in self.replica.conn.execute(f"PRAGMA table_info({table})"))

    def apply_page(self, changes: list[Mapping[str, Any]], cursor: int) -> dict[str, int]:
        """Write one page of changes and the new cursor in a single transaction."""
        written: dict[str, int] = {}
        with self.replica.transaction() as conn:
            pending = {
                (r[0], r[1])
                for r in conn.execute(
                    "SELECT table_name, row_id FROM outbox WHERE status = 'pending'"
                )
            }
            for change in changes:
                table, row = change["table"], change["row"]
                if table not in self._columns:
                    raise SyncError(f"the server sent rows of an unknown table {table!r}")
                if (table, row["id"]) in pending:
                    # the user's unsent edit stays; the push answer settles it
                    continue
                self._write_row(conn, table, row)
                written[table] = written.get(table, 0) + 1
            self.replica.set_state("cursor", str(cursor), conn)
        return written

    def _write_row(self, conn: Any, table: str, row: Mapping[str, Any]) -> None:
        cols = [c for c in self._columns[table] if c in row]
        updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "id")
        conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}) "
            f"VALUES ({', '.join('?' * len(cols))}) "
            f"ON CONFLICT (id) DO UPDATE SET {updates}",
            [row[c] for c in cols],
        )

    # -- push --------------------------------------------------------------------------------

    def push(self, cancel: threading.Event | None = None) -> PushSummary:
        """Send the outbox in batches until nothing is pending.

        Answers are applied in one transaction per batch: applied mutations leave the outbox
        and their rows take the server's version (and merged fields); conflicts keep the
        user's version in ``conflicts`` and the server's row in the table; rejected ones are
        set aside with the server's message, and the queue goes on.
        """
        sent = applied = conflicted = rejected = 0
        while True:
            batch = self.replica.conn.execute(
                "SELECT * FROM outbox WHERE status = 'pending' ORDER BY seq LIMIT ?",
                (PUSH_BATCH,),
            ).fetchall()
            if not batch:
                return PushSummary(sent, applied, conflicted, rejected)
            mutations = [
                {
                    "seq": m["seq"],
                    "mutation_id": m["mutation_id"],
                    "table": m["table_name"],
                    "op": m["op"],
                    "row_id": m["row_id"],
                    "base_version": m["base_version"] or 0,
                    "base": json.loads(m["base"]) if m["base"] else None,
                    "row": json.loads(m["payload"]),
                }
                for m in batch
            ]
            answer = self.request("POST", "/v1/push", cancel, json={"mutations": mutations})
            results = answer["results"]
            if len(results) != len(batch):
                raise SyncError("the sync server answered a push with the wrong number of results")
            with self.replica.transaction() as conn:
                for m, result in zip(batch, results, strict=True):
                    status = result["status"]
                    if status == "applied":
                        applied += 1
                        self._settle(conn, m, result.get("row"))
                    elif status == "conflict":
                        conflicted += 1
                        conn.execute(
                            "INSERT INTO conflicts (table_name, row_id, mine, theirs, created_at) "
                            "VALUES (?, ?, ?, ?, ?)",
                            (
                                m["table_name"],
                                m["row_id"],
                                m["payload"],
                                json.dumps(result.get("row")),
                                utc_now(),
                            ),
                        )
                        self._settle(conn, m, result.get("row"))
                    else:
                        rejected += 1
                        conn.execute(
                            "UPDATE outbox SET status = 'rejected', message = ? WHERE seq = ?",
                            (str(result.get("message", "rejected by the server")), m["seq"]),
                        )
            sent += len(batch)

    def _settle(
        self, conn: Any, mutation: Mapping[str, Any], row: Mapping[str, Any] | None
    ) -> None:
        """Take a mutation out of the outbox and the server's row into the table.

        Later edits of the same row still queued are rebased on the server's new version, so
        they apply directly instead of being merged against a version they already include.
        """
        table, row_id, seq = mutation["table_name"], mutation["row_id"], mutation["seq"]
        conn.execute("DELETE FROM outbox WHERE seq = ?", (seq,))
        if row is None:
            return
        later = conn.execute(
            "SELECT 1 FROM outbox WHERE status = 'pending' AND table_name = ? AND row_id = ?",
            (table, row_id),
        ).fetchone()
        if later:
            conn.execute(
                "UPDATE outbox SET base_version = ?, base = ? "
                "WHERE status = 'pending' AND table_name = ? AND row_id = ?",
                (row["version"], json.dumps(row), table, row_id),
            )
            conn.execute(f"UPDATE {table} SET version = ? WHERE id = ?", (row["version"], row_id))
        else:
            self._write_row(conn, table, row)

    # -- first sync from a snapshot -----------------------------------------------------------

    def download_snapshot(
        self,
        cancel: threading.Event | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[Path, int]:
        """Fetch the server's current snapshot beside the replica; resumes a partial download.

        Returns the path of the decompressed SQLite file and the sequence it reflects.
        """
        info = self.request("GET", "/v1/snapshot", cancel)
        folder = self.replica.path.parent
        part = folder / f"{info['name']}.part"
        for stale in folder.glob("*.sqlite.gz.part"):
            if stale != part:
                stale.unlink()
        while True:
            have = part.stat().st_size if part.exists() else 0
            if have >= info["size"]:
                break
            headers = {"Accept-Encoding": "identity"}
            if have:
                headers.update(Range=f"bytes={have}-", **{"If-Range": info["sha256"]})
            try:
                with self.http.stream(
                    "GET", f"/v1/snapshot/{info['name']}", headers=headers
                ) as answer:
                    if answer.status_code >= 400:
                        answer.read()
                        raise _error_from(answer)
                    mode = "ab" if answer.status_code == 206 else "wb"
                    with part.open(mode) as out:
                        for chunk in answer.iter_bytes(1024 * 1024):
                            if cancel is not None and cancel.is_set():
                                raise Cancelled()
                            out.write(chunk)
                            if progress is not None:
                                progress(out.tell(), info["size"])
            except httpx.TransportError:
                # resume from what arrived; the request helper's backoff paces the retries
                self.request("GET", "/v1/health", cancel)
        digest = hashlib.sha256()
        with part.open("rb") as f:
            while chunk := f.read(1024 * 1024):
                digest.update(chunk)
        if digest.hexdigest() != info["sha256"]:
            part.unlink()
            raise SyncError("the downloaded snapshot was damaged; it will be fetched again")
        target = folder / "snapshot.sqlite"
        with gzip.open(part, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        part.unlink()
        return target, int(info["seq"])

    def bootstrap(
        self,
        progress: Callable[[str, int, int], None] | None = None,
        cancel: threading.Event | None = None,
        only: frozenset[str] | None = None,
    ) -> int:
        """Replace the replica's replicated rows with the server's snapshot; returns its seq.

        Tables are imported one transaction each, reference data first and order history
        last, so the app can search materials before the history has arrived. Documents with
        unsent edits keep the user's version. The cursor moves only when every table is in.

        With ``only``, just those tables are replaced (a repair after a count mismatch) and
        the cursor goes back to the snapshot's if it was ahead, so the next pull re-applies
        everything written since: no table is left behind the others.
        """
        path, seq = self.download_snapshot(cancel)
        conn = self.replica.conn
        conn.execute("ATTACH DATABASE ? AS snap", (str(path),))
        try:
            snap_tables = {
                r[0] for r in conn.execute("SELECT name FROM snap.sqlite_master WHERE type='table'")
            }
            tables = [
                t for t in REPLICATED_TABLES if t in snap_tables and (only is None or t in only)
            ]
            for n, table in enumerate(tables, start=1):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                cols = ", ".join(
                    c
                    for c in self._columns[table]
                    if c in {r[1] for r in conn.execute(f"PRAGMA snap.table_info({table})")}
                )
                keep = "SELECT row_id FROM main.outbox WHERE status = 'pending' AND table_name = ?"
                with self.replica.transaction():
                    conn.execute(f"DELETE FROM main.{table} WHERE id NOT IN ({keep})", (table,))
                    inserted = conn.execute(
                        f"INSERT OR IGNORE INTO main.{table} ({cols}) "
                        f"SELECT {cols} FROM snap.{table}"
                    ).rowcount
                self.snapshot_rows += max(inserted, 0)
                if progress is not None:
                    progress(table, n, len(tables))
                if self.on_table_imported is not None:
                    self.on_table_imported(table)
            with self.replica.transaction() as tx:
                cursor = seq if only is None else min(seq, self.replica.cursor)
                self.replica.set_state("cursor", str(cursor), tx)
            self.bootstrapped = only is None
        finally:
            conn.execute("DETACH DATABASE snap")
            path.unlink(missing_ok=True)
        return seq

    # -- both --------------------------------------------------------------------------------

    def sync(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[PushSummary, PullSummary]:
        """Push first (so the pull brings back the server's answers to it), then pull.

        An empty replica, or one whose cursor is older than the server keeps deletions for,
        starts from a snapshot and pulls the changes made since it.
        """
        pushed = self.push(cancel)
        # quotes asked for offline: their rows then come back with this very pull
        self.quotes_answered = self.send_quote_requests(cancel)
        if self.replica.cursor == 0:
            self.bootstrap(cancel=cancel)
        try:
            pulled = self.pull(progress, cancel)
        except SyncError as exc:
            if exc.code != "must_refetch":
                raise
            self.bootstrap(cancel=cancel)
            pulled = self.pull(progress, cancel)
        return pushed, pulled

    def pull(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> PullSummary:
        """Apply every change after the replica's cursor; resumable page by page."""
        cursor = self.replica.cursor
        pages = rows = 0
        changed: dict[str, int] = {}
        while True:
            page = self.request(
                "GET",
                "/v1/changes",
                cancel,
                params={"after": cursor, "limit": self.page_rows},
            )
            written = self.apply_page(page["changes"], int(page["next"]))
            for table, n in written.items():
                changed[table] = changed.get(table, 0) + n
            cursor = int(page["next"])
            pages += 1
            rows += len(page["changes"])
            if progress is not None:
                progress(cursor, int(page["seq"]))
            if not page["more"]:
                return PullSummary(pages, rows, cursor, changed)

    def wait_for_changes(self, timeout_s: int = 25, cancel: threading.Event | None = None) -> bool:
        """Long-poll: return as soon as the server has changes after this replica's cursor
        (True), or when the wait times out (False). How edits on one laptop reach the others
        within a couple of seconds while they are online."""
        answer = self.request(
            "GET",
            "/v1/wait",
            cancel,
            params={"after": self.replica.cursor, "timeout": timeout_s},
            timeout=timeout_s + 10,
        )
        return bool(answer["changed"])

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
    ) -> dict[str, Any]:
        """Send a master-data file for the server to import (admins); its summary back.

        Not retried: an import is one deliberate act, and a second try after a lost answer
        is harmless anyway (re-importing the same rows changes nothing).
        """
        size = path.stat().st_size

        def chunks() -> Any:
            sent = 0
            with path.open("rb") as f:
                while block := f.read(UPLOAD_CHUNK):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled()
                    sent += len(block)
                    if progress:
                        progress(sent, size)
                    yield block

        params: dict[str, Any] = {"filename": path.name, "dry_run": int(dry_run),
                                  "accept_partial": int(accept_partial)}  # fmt: skip
        if columns:
            params["columns"] = json.dumps(dict(columns))
        try:
            answer = self.http.post(
                f"/v1/import/{kind}", params=params, content=chunks(),
                headers={"content-type": "application/octet-stream",
                         "content-length": str(size)},
                timeout=httpx.Timeout(30.0, read=IMPORT_TIMEOUT_S),
            )  # fmt: skip
        except httpx.TransportError as exc:
            raise SyncError(f"cannot reach the sync server ({exc.__class__.__name__})",
                            "offline") from exc  # fmt: skip
        if answer.status_code >= 400:
            raise _error_from(answer)
        return answer.json()

    def request_quote(
        self, sheet: Mapping[str, Any], cost_sheet_id: str | None = None,
        cancel: threading.Event | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """A firm quote for a cost sheet from the server's pricing service."""
        body: dict[str, Any] = {"sheet": dict(sheet)}
        if cost_sheet_id:
            body["cost_sheet_id"] = cost_sheet_id
        return self.request("POST", "/v1/pricing/quote", cancel, json=body)["quote"]

    def send_quote_requests(self, cancel: threading.Event | None = None) -> int:
        """Ask for the quotes queued while offline; a refusal (a missing rate) is kept with
        its reason rather than retried forever. Returns how many were answered."""
        answered = 0
        for queued in quotes.requests(self.replica, "queued"):
            try:
                quote = self.request_quote(queued.sheet, queued.cost_sheet_id, cancel)
            except SyncError as exc:
                if exc.code in ("cannot_price", "invalid", "forbidden"):
                    quotes.mark_failed(self.replica, queued.id, str(exc))
                    answered += 1
                    continue
                raise
            quotes.store_quote(self.replica, quote)
            quotes.mark_done(self.replica, queued.id, quote["id"])
            answered += 1
        return answered

    def count_mismatches(self) -> dict[str, tuple[int, int]]:
        """Tables whose live row count differs from the server's: {table: (mine, server's)}."""
        answer = self.request("GET", "/v1/counts")
        mismatches = {}
        for table, expected in answer["counts"].items():
            mine = self.replica.conn.execute(
                f"SELECT count(*) FROM {table} WHERE deleted = 0"
            ).fetchone()[0]
            if mine != expected:
                mismatches[table] = (mine, expected)
        return mismatches


def _error_from(answer: httpx.Response) -> SyncError:
    try:
        body = answer.json()
        code, message = str(body.get("error", "error")), str(body.get("message", ""))
    except ValueError:
        code, message = "error", answer.text[:200]
    return SyncError(message or f"the sync server answered {answer.status_code}", code)


def login(
    base_url: str,
    username: str,
    password: str,
    device_name: str,
    *,
    transport: httpx.BaseTransport | None = None,
) -> protocol.Login:
    """Sign in and register this device; the token is for the keyring, never a file."""
    headers = {
        protocol.PROTOCOL_HEADER: str(protocol.PROTOCOL_VERSION),
        protocol.SCHEMA_HEADER: str(protocol.SCHEMA_VERSION),
    }
    try:
        with httpx.Client(base_url=base_url.rstrip("/"), timeout=30, transport=transport) as http:
            answer = http.post(
                "/v1/login",
                headers=headers,
                json={"username": username, "password": password, "device_name": device_name},
            )
    except httpx.TransportError as exc:
        raise SyncError(f"cannot reach the sync server at {base_url}: {exc}", "offline") from exc
    if answer.status_code >= 400:
        raise _error_from(answer)
    return protocol.Login.from_json(answer.json())
