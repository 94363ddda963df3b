"""Applying a device's pushed mutations (architecture D4), at most once each.

A batch is one transaction: the writes, each stamped with a fresh change number, the answers
recorded for replay (with the mutation id each number was used for), and the device's last
applied mutation number. A replayed push (the answer was lost on the way back) finds its
numbers already applied to the same mutations and gets the stored answers, writing nothing
twice.

A number already used for a *different* mutation is not a replay: the laptop's replica was
restored from an earlier copy of itself (a backup, a VM snapshot) and numbered new edits with
numbers its lost edits had used. Answering those from the stored answers would tell the
laptop that edits the server never saw were applied. So the whole push is refused
(`SeqReused`, answered 409 ``mutation_seq_reused`` with the device's last number) before
anything of it is written; the laptop numbers its queued edits again above that number and
pushes again (`sync.client.outbox`).

Each mutation is answered on its own:
- ``applied``: written, with the row as stored (its new version; merged fields included);
- ``conflict``: the server had moved on and the same fields changed on both sides; the server
  keeps its row and sends it, and the laptop keeps the user's version as a conflict copy;
- ``rejected``: not allowed or not valid, with a message; set aside, never blocking the rest.

Label print jobs are also audited: each applied ``label_jobs`` mutation (a job queued, then
printed or failed, on a floor laptop) appends a ``label.job`` entry to the workspace's audit
trail in the same transaction, so what was printed, where and by whom is kept in the hash
chain however the job's row is edited later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sync import protocol
from sync.server import audit, schema, trace
from sync.server.accounts import Caller
from sync.server.db import writing
from sync.server.errors import ApiError
from sync.server.messages import PushRequest, decode
from sync.server.scoping import WorkspaceScope
from workbench.costing import register
from workbench.errors import WorkbenchError
from workbench.replica import APPEND_ONLY_TABLES, DOCUMENT_TABLES, declaration, validation
from workbench.replica.store import utc_now

SYNC_COLUMNS = frozenset({"id", "version", "deleted", "updated_at"})


class BatchError(WorkbenchError, ValueError):
    """The batch as a whole does not follow the protocol (answered 422); ``field`` names the
    mutation's field to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class SeqReused(WorkbenchError, ValueError):
    """A mutation number this device already used for another mutation (answered 409)."""

    def __init__(self, seq: int, last: int) -> None:
        super().__init__(
            f"this laptop sent an edit numbered {seq}, a number it had already used for another "
            f"edit (the server holds its edits up to number {last}): its replica was probably "
            "restored from an earlier copy. Nothing of this push was applied. Mill Workbench "
            f"numbers the queued edits again after {last} and sends them again by itself; if "
            "this message stays, update it"
        )
        self.seq = seq
        self.last = last


@dataclass(frozen=True)
class Mutation:
    seq: int
    mutation_id: str
    table: str
    op: str
    row_id: str
    base_version: int
    base: Mapping[str, Any]
    row: Mapping[str, Any] | None


def parse_batch(body: bytes) -> list[Mutation]:
    """The push body's mutations, decoded and checked as `messages.PushRequest` says; raises
    `BatchError` naming the mutation and its field (``mutations[3].seq``) for the whole
    batch (422), or `errors.ApiError` (400) for a body that is no usable JSON."""
    try:
        request = decode(body, PushRequest)
    except ApiError as exc:
        if exc.status_code != 422:
            raise
        raise BatchError(str(exc.detail), getattr(exc, "field", None)) from None
    parsed: list[Mutation] = []
    for n, item in enumerate(request.mutations):
        where = f"mutations[{n}]"
        if parsed and item.seq <= parsed[-1].seq:
            raise BatchError(f"{where}.seq must be greater than the one before it", f"{where}.seq")
        parsed.append(
            Mutation(
                item.seq,
                item.mutation_id,
                item.table,
                item.op,
                item.row_id,
                item.base_version or 0,
                item.base or {},
                item.row,
            )
        )
    return parsed


#: append-only tables whose rows their author (or an admin) may still delete, by the column
#: naming the author: a note is never changed, but a person may take back what they wrote
DELETABLE_BY_AUTHOR = {"annotations": "author"}


def _validate(role: str, m: Mutation) -> str | None:
    """Why the mutation must be rejected, in the user's words, or None."""
    if m.table not in declaration.BY_NAME:
        return f"there is no table {m.table[:100]!r}"
    if m.table not in DOCUMENT_TABLES:
        return f"{m.table!r} is reference data, maintained on the server: it cannot be edited here"
    if m.table not in protocol.pushable_tables(role):
        return f"the {role} role may not write {m.table.replace('_', ' ')}"
    if m.op not in ("upsert", "delete"):
        return f"unknown operation {m.op!r}"
    if m.op == "delete":
        if m.table in APPEND_ONLY_TABLES and m.table not in DELETABLE_BY_AUTHOR:
            return f"{m.table.replace('_', ' ')} are never deleted"
        return None
    if m.row is None:
        return "an upsert must carry the row"
    if m.row.get("id") != m.row_id:
        return "the row's id does not match the mutation's row_id"
    problem = validation.check_row(m.table, m.row)
    return None if problem is None else str(problem)


def _dangling_reference(scope: WorkspaceScope, m: Mutation) -> str | None:
    """Why the row points at a row this workspace does not have, or None. A reference to a
    deleted row is kept (the edit was made while it existed); one to nothing is refused."""
    if m.row is None:
        return None
    for f in declaration.table(m.table).fields:
        value = m.row.get(f.name)
        if f.references and value is not None and scope.get(f.references, value) is None:
            return str(
                validation.RowProblem(
                    m.table, m.row_id, f.name, value, f"no {f.references} row has this id"
                )
            )
    return None


def _stored(row: Mapping[str, Any], version: int) -> dict[str, Any]:
    return {**row, "version": version, "deleted": int(row.get("deleted") or 0)}


def _apply_one(scope: WorkspaceScope, caller: Caller, m: Mutation) -> dict[str, Any]:
    role = caller.role
    problem = _validate(role, m)
    if problem is None and scope.ids_taken_elsewhere(m.table, [m.row_id]):
        problem = "this id belongs to another workspace"
    if problem is None:
        problem = _dangling_reference(scope, m)
    if problem:
        return {"seq": m.seq, "status": "rejected", "message": problem}

    current = scope.get(m.table, m.row_id)
    if m.op == "delete":
        if current is None or current["deleted"]:
            return {"seq": m.seq, "status": "applied", "row": current}
        author = DELETABLE_BY_AUTHOR.get(m.table)
        if author and role != "admin" and current[author] != caller.username:
            return {
                "seq": m.seq,
                "status": "rejected",
                "message": f"only the one who wrote it, or an admin, may delete this "
                f"{m.table.removesuffix('s')}",
            }
        if current["version"] != m.base_version and _changed_since_base(current, m.base, current):
            return {
                "seq": m.seq,
                "status": "conflict",
                "row": current,
                "message": "it was changed on the server after you opened it",
            }
        version = scope.next_seq()
        # stamped now: a tombstone's age (`retention`) counts from its deletion
        deleted = {"deleted": 1, "version": version, "updated_at": utc_now()}
        scope.update(m.table, m.row_id, deleted)
        return {"seq": m.seq, "status": "applied", "row": {**current, **deleted}}

    assert m.row is not None
    if current is None:
        # an app a schema behind sends no column added since: the declared default fills it
        row = _stored({**schema.column_defaults[m.table], **m.row}, scope.next_seq())
        scope.insert(m.table, [row])
        return {"seq": m.seq, "status": "applied", "row": row}
    if m.table in APPEND_ONLY_TABLES:
        # already there: an append-only row is never rewritten, so a repeat is a no-op
        return {"seq": m.seq, "status": "applied", "row": current}
    if m.table == "cost_sheets":
        refused = register.refused_change(current, m.row)
        if refused:
            # The laptop that made the edit shows it as the sheet, and keeps it among its
            # refused edits. The approved row is stamped anew, unchanged, so that laptop's
            # next pull shows the sheet as approved again (an app of any version applies a
            # pulled row; it re-sends no refused edit).
            row = _stored(current, scope.next_seq())
            scope.update(m.table, m.row_id, row)
            return {"seq": m.seq, "status": "rejected", "message": refused, "row": row}
    if current["version"] == m.base_version:
        row = _stored(m.row, scope.next_seq())
        scope.update(m.table, m.row_id, row)
        return {"seq": m.seq, "status": "applied", "row": row}

    # The server moved on. Merge when the fields this edit changed were not changed there.
    mine = {k for k, v in m.row.items() if k not in SYNC_COLUMNS and m.base.get(k, v) != v}
    # deleted meanwhile is a conflict, unless the edit started from the deleted row (a laptop
    # that deleted it and then edited it, both queued)
    deleted_since = current["deleted"] and not m.base.get("deleted")
    if deleted_since or not m.base or _changed_since_base(current, m.base, mine):
        return _conflict(m, current, "the same fields were changed on the server meanwhile")
    merged = {**current, **{k: m.row[k] for k in mine}}
    row = _stored(merged, scope.next_seq())
    scope.update(m.table, m.row_id, row)
    return {"seq": m.seq, "status": "applied", "row": row, "merged": True}


def _conflict(m: Mutation, current: Mapping[str, Any], why: str) -> dict[str, Any]:
    return {"seq": m.seq, "status": "conflict", "row": dict(current), "message": why}


def _changed_since_base(current: Mapping[str, Any], base: Mapping[str, Any], fields: Any) -> bool:
    """Whether the server's row differs from the edit's starting point in ``fields``."""
    if not base:
        return True
    return any(k in base and current.get(k) != base[k] for k in fields if k not in SYNC_COLUMNS)


def _label_job_details(row: Mapping[str, Any], op: str) -> dict[str, Any]:
    """What the audit trail keeps of a label job: enough to answer "who printed which
    labels, how many, where", without copying the items themselves."""
    try:
        items = json.loads(row.get("items") or "[]")
        count: int | None = len(items) if isinstance(items, list) else None
    except ValueError:
        count = None
    details: dict[str, Any] = {
        "template": row.get("template"),
        "printer": row.get("printer"),
        "copies": row.get("copies"),
        "state": row.get("state"),
        "items": count,
    }
    if row.get("error"):
        details["error"] = row["error"]
    if op == "delete":
        details["deleted"] = True
    return details


def _audit(conn: sa.Connection, caller: Caller, m: Mutation, answer: Mapping[str, Any]) -> None:
    """Append the audit entry an applied mutation calls for (label jobs, issued proposals),
    in the push's transaction: the document and its entry are stored together or not at all."""
    row = answer.get("row")
    if answer.get("status") != "applied" or not row:
        return
    if m.table == "label_jobs":
        details = _label_job_details(row, m.op)
        published = trace.publish_printed_job(conn, caller.workspace_id, row, caller.username)
        if published:  # their traceability pages answer from now on
            details["published"] = published
        audit.append(
            conn,
            caller.workspace_id,
            actor=caller.username,
            action="label.job",
            subject=m.row_id,
            details=details,
        )
    elif m.table in DELETABLE_BY_AUTHOR and m.op == "delete" and row.get("deleted"):
        audit.append(
            conn,
            caller.workspace_id,
            actor=caller.username,
            action=f"{m.table.removesuffix('s')}.deleted",
            subject=m.row_id,
            details={
                "author": row.get(DELETABLE_BY_AUTHOR[m.table]),
                "material_id": row.get("material_id"),
            },
        )
    elif m.table == "proposals" and row.get("state") == "issued" and row.get("pdf_sha256"):
        # the SHA-256 ties the PDF a buyer holds to this entry
        audit.append(
            conn,
            caller.workspace_id,
            actor=caller.username,
            action="proposal.issued",
            subject=m.row_id,
            details={
                "title": row.get("title"),
                "pdf_sha256": row["pdf_sha256"],
                "issued_at": row.get("issued_at"),
                "brand_id": row.get("brand_id"),
            },
        )


def _is_replay(m: Mutation, mutation_id: str | None, answer: Mapping[str, Any]) -> bool:
    """Whether ``answer``, stored under ``m``'s number, was the answer to ``m`` itself.

    Answers stored before the server kept mutation ids (``mutation_id`` NULL) are judged by
    what they hold, the best that can be done without the id: one about another row, or an
    applied upsert whose row lacks a value ``m`` set, belongs to another mutation. Anything
    else is taken as ``m``'s, as it always was before the ids were kept.
    """
    if mutation_id is not None:
        return mutation_id == m.mutation_id
    row = answer.get("row")
    if row is None:
        return True
    if row.get("id") != m.row_id:
        return False
    if answer.get("status") != "applied" or m.op != "upsert" or m.row is None:
        return True
    set_here = {
        k: v
        for k, v in m.row.items()
        if k not in SYNC_COLUMNS and (not m.base or m.base.get(k, v) != v)
    }
    return all(row.get(k) == v for k, v in set_here.items())


def apply_push(engine: sa.Engine, caller: Caller, batch: list[Mutation]) -> list[dict[str, Any]]:
    """Apply a batch in one transaction; returns one answer per mutation, in order.

    Raises `SeqReused`, with nothing written, when a number the device already used is sent
    for another mutation, or one below its last number that it never sent (no answer kept).
    """
    d, log = schema.devices, schema.mutations
    answers: list[dict[str, Any]] = []
    with writing(engine).begin() as conn:
        # the device's row is locked till the push commits: the same outbox sent twice at once
        # (a killed laptop's request still running when it pushes again) then waits, and finds
        # its numbers applied, a replay; SQLite's IMMEDIATE writers are one at a time already
        last = int(
            conn.execute(
                sa.select(d.c.last_mutation_seq).where(d.c.id == caller.device_id).with_for_update()
            ).scalar_one()
        )
        stored = {
            int(r.seq): (r.mutation_id, json.loads(r.result))
            for r in conn.execute(
                sa.select(log.c.seq, log.c.mutation_id, log.c.result).where(
                    log.c.device_id == caller.device_id,
                    log.c.seq.in_([m.seq for m in batch if m.seq <= last]),
                )
            )
        }
        for m in batch:
            if m.seq <= last and (m.seq not in stored or not _is_replay(m, *stored[m.seq])):
                raise SeqReused(m.seq, last)
        scope = WorkspaceScope(conn, caller.workspace_id)
        for m in batch:
            if m.seq <= last:
                answers.append(stored[m.seq][1])
                continue
            answer = _apply_one(scope, caller, m)
            answers.append(answer)
            _audit(conn, caller, m, answer)
            conn.execute(
                log.insert().values(
                    device_id=caller.device_id,
                    seq=m.seq,
                    mutation_id=m.mutation_id,
                    workspace_id=caller.workspace_id,
                    result=json.dumps(answer),
                )
            )
            last = m.seq
        conn.execute(sa.update(d).where(d.c.id == caller.device_id).values(last_mutation_seq=last))
    return answers
