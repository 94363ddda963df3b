"""The outbox pushed: sent in batches, and the server's answer to each mutation settled in the
replica (applied, a conflict kept for the user, or rejected with the server's message).

Its own module because settling is where the replica's queued edits meet the server's
versions: once a batch is answered, the later queued edits of each row it touched are rebased
on the server's row (`sync.client.rebase`), so they carry only what the user changed and are
never merged twice.

And where the outbox's numbers meet the server's: each edit is numbered (``outbox.seq``) and
the server applies each number once. A replica restored from an earlier copy of itself numbers
its new edits with numbers its lost edits had used; the server refuses such a push whole
(``mutation_seq_reused``, with the last number it has), and the queued edits from the refused
number on are numbered again after it, in the same order, and pushed again.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync.client.api import Request, SyncError
from sync.client.rebase import QueuedEdit, rebase
from sync.client.rows import Columns, write_row
from workbench.replica import Replica
from workbench.replica.store import utc_now

PUSH_BATCH = 200
#: the server's code for a push whose numbers it has already used for other edits
SEQ_REUSED = "mutation_seq_reused"
#: how often one push numbers the queue again before giving up: once is enough unless
#: another copy of this replica is pushing with the same device at the same time
RENUMBER_TRIES = 3


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
    sent = applied = conflicted = rejected = renumbered = 0
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
        try:
            answer = request("POST", "/v1/push", cancel, json={"mutations": mutations})
        except SyncError as exc:
            if exc.code != SEQ_REUSED or renumbered >= RENUMBER_TRIES:
                raise
            renumbered += 1
            renumber(replica, exc)
            continue
        results = answer["results"]
        if len(results) != len(batch):
            raise SyncError("the sync server answered a push with the wrong number of results")
        with replica.transaction() as conn:
            # the server's row after this batch, for each row it answered with one
            server_rows: dict[tuple[str, str], Mapping[str, Any]] = {}
            for m, result in zip(batch, results, strict=True):
                _check_answer(m, result)
                status = result["status"]
                if status == "rejected":
                    rejected += 1
                    conn.execute(
                        "UPDATE outbox SET status = 'rejected', message = ? WHERE seq = ?",
                        (str(result.get("message", "rejected by the server")), m["seq"]),
                    )
                    continue
                if status == "applied":
                    applied += 1
                else:
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
                conn.execute("DELETE FROM outbox WHERE seq = ?", (m["seq"],))
                if result.get("row") is not None:
                    server_rows[(m["table_name"], m["row_id"])] = result["row"]
            _settle(conn, columns, server_rows)
        sent += len(batch)


def renumber(replica: Replica, refusal: SyncError) -> None:
    """Number the queued edits again after the server's last number (``refusal``: its
    ``mutation_seq_reused`` answer), from the number it refused on, keeping their order.

    One transaction. The outbox's AUTOINCREMENT sequence is moved up with them: the next edit
    is numbered after them, and the sequence, which the dashboards read as a change stamp
    (`workbench.analytics.cache`), only ever grows. Without the refused number (a server that
    did not say), every queued edit is numbered again.
    """
    last, first = refusal.details.get("last_mutation_seq"), refusal.details.get("seq", 0)
    if not isinstance(last, int) or not isinstance(first, int):
        raise SyncError(
            f"{refusal}; the sync server did not say which numbers it has, so this laptop "
            "cannot number its edits again: ask your administrator to update the server",
            refusal.code,
        ) from refusal
    with replica.transaction() as conn:
        low, high = conn.execute(
            "SELECT min(seq), max(seq) FROM outbox WHERE status = 'pending' AND seq >= ?",
            (first,),
        ).fetchone()
        if low is None:
            return
        top = max(
            last,
            conn.execute("SELECT coalesce(max(seq), 0) FROM outbox").fetchone()[0],
            conn.execute(
                "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'"
            ).fetchone()[0],
        )
        # every new number is above every number in use, so none collides on the way
        shift = top + 1 - low
        conn.execute(
            "UPDATE outbox SET seq = seq + ? WHERE status = 'pending' AND seq >= ?",
            (shift, first),
        )
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'outbox'")
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('outbox', ?)", (high + shift,)
        )


def _check_answer(mutation: Mapping[str, Any], result: Mapping[str, Any]) -> None:
    """Refuse an answer that is not about this mutation, before anything is written: settling
    it would put another edit's row (perhaps of another table) in this one's place."""
    row = result.get("row")
    if result.get("seq", mutation["seq"]) != mutation["seq"] or (
        row is not None and row.get("id") != mutation["row_id"]
    ):
        raise SyncError(
            f"the sync server answered this laptop's edit {mutation['seq']} with the answer to "
            "another edit, so nothing was taken from it; the server may be older than this "
            "app: ask your administrator to update it",
            "wrong_answer",
        )


def _settle(
    conn: Any, columns: Columns, server_rows: Mapping[tuple[str, str], Mapping[str, Any]]
) -> None:
    """Take the server's rows into the tables, with the row's later queued edits rebased.

    A row with no queued edit left takes the server's row as it is. One with later edits
    still queued takes the last of them rebased on the server's row (`rebase.rebase`), at the
    server's version: the user's latest edit stays on screen, with what the server merged in.
    """
    if not server_rows:
        return
    later: dict[tuple[str, str], list[QueuedEdit]] = {}
    row_ids = sorted({row_id for _table, row_id in server_rows})
    marks = ", ".join("?" * len(row_ids))
    for q in conn.execute(
        f"SELECT seq, table_name, row_id, op, payload, base FROM outbox "
        f"WHERE status = 'pending' AND row_id IN ({marks}) ORDER BY seq",
        row_ids,
    ):
        key = (q["table_name"], q["row_id"])
        if key in server_rows:
            base = json.loads(q["base"]) if q["base"] else None
            edit = QueuedEdit(q["seq"], q["op"], json.loads(q["payload"]), base)
            later.setdefault(key, []).append(edit)
    for (table, _row_id), row in server_rows.items():
        edits = later.get((table, _row_id))
        if not edits:
            write_row(conn, columns, table, row)
            continue
        rebased, shown = rebase(row, edits)
        conn.executemany(
            "UPDATE outbox SET base_version = ?, base = ?, payload = ? WHERE seq = ?",
            [(r.base_version, json.dumps(r.base), json.dumps(r.payload), r.seq) for r in rebased],
        )
        write_row(conn, columns, table, shown)
