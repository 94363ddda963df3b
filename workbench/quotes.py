"""Firm quotes on the laptop: the ones the server issued (replicated into ``quotes``), and the
ones asked for while offline, kept in ``quote_requests`` until the next sync sends them.

A queued request holds the cost sheet as it was when asked, so the quote prices what the
merchandiser saw, even if they edit the sheet before the network comes back.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

from workbench.replica import Replica
from workbench.replica.store import utc_now


@dataclass(frozen=True)
class QuoteRequest:
    id: str
    cost_sheet_id: str
    sheet: dict[str, Any]
    state: str
    quote_id: str | None
    error: str | None
    created_at: str


def queue_request(replica: Replica, cost_sheet_id: str, sheet: dict[str, Any]) -> str:
    request_id = str(uuid.uuid4())
    with replica.transaction() as conn:
        conn.execute(
            "INSERT INTO quote_requests (id, cost_sheet_id, request, state, created_at) "
            "VALUES (?, ?, ?, 'queued', ?)",
            (request_id, cost_sheet_id, json.dumps(sheet), utc_now()),
        )
    return request_id


def _request(row: Any) -> QuoteRequest:
    return QuoteRequest(
        row["id"],
        row["cost_sheet_id"],
        json.loads(row["request"]),
        row["state"],
        row["quote_id"],
        row["error"],
        row["created_at"],
    )


def requests(replica: Replica, state: str | None = None) -> list[QuoteRequest]:
    sql = "SELECT * FROM quote_requests"
    args: tuple[object, ...] = ()
    if state is not None:
        sql += " WHERE state = ?"
        args = (state,)
    return [_request(r) for r in replica.conn.execute(sql + " ORDER BY created_at, id", args)]


def mark_done(replica: Replica, request_id: str, quote_id: str) -> None:
    with replica.transaction() as conn:
        conn.execute(
            "UPDATE quote_requests SET state = 'done', quote_id = ?, error = NULL WHERE id = ?",
            (quote_id, request_id),
        )


def mark_failed(replica: Replica, request_id: str, error: str) -> None:
    """The server refused to price it (a missing rate, say): kept, with the reason, to show."""
    with replica.transaction() as conn:
        conn.execute(
            "UPDATE quote_requests SET state = 'failed', error = ? WHERE id = ?",
            (error, request_id),
        )


def quotes_for_sheet(replica: Replica, cost_sheet_id: str) -> list[dict[str, Any]]:
    """The sheet's firm quotes, newest first."""
    rows = replica.conn.execute(
        "SELECT * FROM quotes WHERE cost_sheet_id = ? AND deleted = 0 "
        "ORDER BY costed_on DESC, quote_no DESC",
        (cost_sheet_id,),
    )
    return [dict(r) for r in rows]


def store_quote(replica: Replica, quote: dict[str, Any]) -> None:
    """Keep a quote the server just returned, before the change feed brings it (same row,
    same version: the feed's copy then changes nothing)."""
    columns = [r[1] for r in replica.conn.execute("PRAGMA table_info(quotes)")]
    row = {c: quote.get(c) for c in columns}
    marks = ", ".join("?" * len(columns))
    with replica.transaction() as conn:
        conn.execute(
            f"INSERT OR REPLACE INTO quotes ({', '.join(columns)}) VALUES ({marks})",
            [row[c] for c in columns],
        )
