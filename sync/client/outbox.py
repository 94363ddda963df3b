"""The outbox pushed: sent in batches, and the server's answer to each mutation settled in the
replica (applied, a conflict kept for the user, or rejected with the server's message).

Its own module because settling is where the replica's queued edits meet the server's
versions: later edits of a row are rebased here, so they are never merged twice.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync.client.api import Request, SyncError
from sync.client.rows import Columns, write_row
from workbench.replica import Replica
from workbench.replica.store import utc_now

PUSH_BATCH = 200


@dataclass(frozen=True)
class PushSummary:
    sent: int
    applied: int
    conflicts: int
    rejected: int


def push(
    replica: Replica, columns: Columns, request: Request, cancel: threading.Event | None = None
) -> PushSummary:
    """Send the outbox in batches of `PUSH_BATCH` until nothing is pending, each batch's
    answers applied in one transaction (see `SyncClient.push`)."""
    sent = applied = conflicted = rejected = 0
    while True:
        batch = replica.conn.execute(
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
        answer = request("POST", "/v1/push", cancel, json={"mutations": mutations})
        results = answer["results"]
        if len(results) != len(batch):
            raise SyncError("the sync server answered a push with the wrong number of results")
        with replica.transaction() as conn:
            for m, result in zip(batch, results, strict=True):
                status = result["status"]
                if status == "applied":
                    applied += 1
                    _settle(conn, columns, m, result.get("row"))
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
                    _settle(conn, columns, m, result.get("row"))
                else:
                    rejected += 1
                    conn.execute(
                        "UPDATE outbox SET status = 'rejected', message = ? WHERE seq = ?",
                        (str(result.get("message", "rejected by the server")), m["seq"]),
                    )
        sent += len(batch)


def _settle(
    conn: Any, columns: Columns, mutation: Mapping[str, Any], row: Mapping[str, Any] | None
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
        write_row(conn, columns, table, row)
