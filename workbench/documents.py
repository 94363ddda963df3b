"""User documents on the laptop: written locally, queued for the server (architecture D2, D4).

Writing a document and queueing its mutation happen in one transaction, so a crash can never
leave an edit that will not be sent, or a queued edit that was never saved. The local row keeps
the server version the edit started from; the outbox entry carries that version and the
field values it started from, which lets the server merge edits to different fields.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.costing import register
from workbench.errors import WorkbenchError
from workbench.replica import APPEND_ONLY_TABLES, DOCUMENT_TABLES, Replica, cipher, validation
from workbench.replica.store import utc_now

MAX_ATTACHMENT_BYTES = 4 * 1024 * 1024


class DocumentError(WorkbenchError, ValueError):
    """A document that cannot be saved as asked; the message says why."""


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    row_id: str
    #: the user's version; None when the user's edit was to delete it
    mine: Mapping[str, Any] | None
    #: the server's row; None when it is gone from the server
    theirs: Mapping[str, Any] | None
    created_at: str


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]


def _check_table(table: str) -> None:
    if table not in DOCUMENT_TABLES:
        raise DocumentError(f"{table!r} is not a document that can be edited on this laptop")


def _enqueue(
    conn: sqlite3.Connection,
    table: str,
    row_id: str,
    op: str,
    row: Mapping[str, Any] | None,
    base: Mapping[str, Any] | None,
) -> None:
    conn.execute(
        "INSERT INTO outbox (mutation_id, table_name, row_id, op, payload, base_version, base, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            str(uuid.uuid4()),
            table,
            row_id,
            op,
            json.dumps(row),
            int(base["version"]) if base else 0,
            json.dumps(base) if base else None,
            utc_now(),
        ),
    )


def save_document(replica: Replica, table: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """Create or edit a document; returns the row as saved (and queued for the server)."""
    _check_table(table)
    with replica.transaction() as conn:
        columns = _columns(conn, table)
        unknown = sorted(set(values) - set(columns))
        if unknown:
            raise DocumentError(f"{table} has no field(s) {', '.join(unknown)}")
        row_id = str(values.get("id") or uuid.uuid4())
        found = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        current = dict(found) if found else None
        if current is not None and table in APPEND_ONLY_TABLES:
            raise DocumentError(f"{table.replace('_', ' ')} cannot be changed once written")
        if table == "cost_sheets":
            refused = register.refused_change(current, values)
            if refused:
                raise DocumentError(refused)
        row = {**(current or {"version": 0, "deleted": 0}), **values}
        row.update(id=row_id, updated_at=utc_now())
        for info in conn.execute(f"PRAGMA table_info({table})"):
            name, not_null, default = info[1], info[3], info[4]
            if not_null and default is None and row.get(name) in (None, ""):
                label = table.removesuffix("s").replace("_", " ")
                raise DocumentError(f"a {label} needs a {name.replace('_', ' ')}")
        given = [c for c in columns if c in row]  # the rest take the column defaults
        problem = validation.check_row(table, {c: row[c] for c in given})
        if problem is not None:  # the server would refuse it: say so now, in its words
            raise DocumentError(str(problem))
        try:
            conn.execute(
                f"INSERT OR REPLACE INTO {table} ({', '.join(given)}) "
                f"VALUES ({', '.join('?' * len(given))})",
                [row[c] for c in given],
            )
        except cipher.IntegrityError as exc:
            raise DocumentError(f"{table}: {exc}") from exc
        saved = dict(conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone())
        _enqueue(conn, table, row_id, "upsert", saved, current)
    return saved


#: append-only tables whose rows their author (or an admin) may still delete (as the server
#: allows: `sync.server.push`)
DELETABLE_BY_AUTHOR = {"annotations": "author"}


def delete_document(replica: Replica, table: str, row_id: str) -> None:
    _check_table(table)
    if table in APPEND_ONLY_TABLES and table not in DELETABLE_BY_AUTHOR:
        raise DocumentError(f"{table.replace('_', ' ')} are never deleted")
    with replica.transaction() as conn:
        found = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
        if found is None:
            raise DocumentError(f"there is no {table} row {row_id}")
        author = DELETABLE_BY_AUTHOR.get(table)
        me, role = replica.get_state("username"), replica.get_state("role")
        if author and role != "admin" and found[author] != me:
            raise DocumentError(
                f"only the one who wrote it, or an admin, may delete this {table.removesuffix('s')}"
            )
        conn.execute(
            f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE id = ?", (utc_now(), row_id)
        )
        _enqueue(conn, table, row_id, "delete", None, dict(found))


def add_annotation(
    replica: Replica,
    material_id: str,
    body: str,
    author: str,
    attachment: Path | None = None,
) -> dict[str, Any]:
    """A note on a material, with an optional small file."""
    if not body.strip():
        raise DocumentError("a note needs some text")
    values: dict[str, Any] = {"material_id": material_id, "body": body, "author": author}
    if attachment is not None:
        data = Path(attachment).read_bytes()
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise DocumentError(
                f"{Path(attachment).name} is {len(data) / 1e6:.1f} MB; attachments are limited "
                f"to {MAX_ATTACHMENT_BYTES / 1e6:.0f} MB"
            )
        values.update(
            attachment_name=Path(attachment).name,
            attachment_type=mimetypes.guess_type(attachment)[0] or "application/octet-stream",
            attachment_b64=base64.b64encode(data).decode("ascii"),
        )
    return save_document(replica, "annotations", values)


def outbox_counts(replica: Replica) -> dict[str, int]:
    """{"pending": n, "rejected": n} — what the status bar shows."""
    counts = {"pending": 0, "rejected": 0}
    for status, n in replica.conn.execute("SELECT status, count(*) FROM outbox GROUP BY status"):
        counts[status] = n
    return counts


def rejected_mutations(replica: Replica) -> list[dict[str, Any]]:
    return [
        dict(r)
        for r in replica.conn.execute(
            "SELECT seq, table_name, row_id, op, message, created_at FROM outbox "
            "WHERE status = 'rejected' ORDER BY seq"
        )
    ]


def conflicts(replica: Replica) -> list[Conflict]:
    """The open conflicts, each with the newest version of the row this laptop holds as
    "theirs": the one that keeping mine replaces (a later sync may have brought a newer one
    than the version the conflict was found against)."""
    found = []
    for r in replica.conn.execute("SELECT * FROM conflicts ORDER BY id"):
        theirs = json.loads(r["theirs"]) if r["theirs"] else None
        newer = _current_row(replica.conn, r["table_name"], r["row_id"])
        if newer is not None and int(newer["version"]) > int((theirs or {}).get("version", 0)):
            theirs = newer
        found.append(
            Conflict(
                r["id"],
                r["table_name"],
                r["row_id"],
                json.loads(r["mine"]) if r["mine"] else None,
                theirs,
                r["created_at"],
            )
        )
    return found


def _current_row(conn: sqlite3.Connection, table: str, row_id: str) -> dict[str, Any] | None:
    found = conn.execute(f"SELECT * FROM {table} WHERE id = ?", (row_id,)).fetchone()
    return dict(found) if found else None


def resolve_conflict(replica: Replica, conflict_id: int, keep: str) -> None:
    """Keep ``"mine"`` or ``"theirs"``.

    Keeping mine is a new edit of the row as this laptop holds it now, like any save: the
    conflict's version of the user's fields laid over the current row, queued with that row as
    its base. Based on the row the conflict was found against instead, it would collide with
    the user's own later edits of the row (queued or already sent) and come back as a conflict
    with themselves.
    """
    if keep not in ("mine", "theirs"):
        raise DocumentError("keep must be 'mine' or 'theirs'")
    with replica.transaction() as conn:
        found = conn.execute("SELECT * FROM conflicts WHERE id = ?", (conflict_id,)).fetchone()
        if found is None:
            raise DocumentError(f"there is no conflict {conflict_id}")
        conn.execute("DELETE FROM conflicts WHERE id = ?", (conflict_id,))
        if keep == "theirs":
            return
        table, row_id = found["table_name"], found["row_id"]
        mine = json.loads(found["mine"] or "null")
        theirs = json.loads(found["theirs"]) if found["theirs"] else None
        current = _current_row(conn, table, row_id) or theirs
        if mine is None:  # the user had deleted it: delete it again, over the server's version
            conn.execute(
                f"UPDATE {table} SET deleted = 1, updated_at = ? WHERE id = ?",
                (utc_now(), row_id),
            )
            _enqueue(conn, table, row_id, "delete", None, current)
            return
        columns = _columns(conn, table)
        row = {c: mine.get(c) for c in columns}
        row["version"] = current["version"] if current else 0
        row["updated_at"] = utc_now()
        conn.execute(
            f"INSERT OR REPLACE INTO {table} ({', '.join(columns)}) "
            f"VALUES ({', '.join('?' * len(columns))})",
            [row[c] for c in columns],
        )
        _enqueue(conn, table, row["id"], "upsert", row, current)
