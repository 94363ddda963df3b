"""A row's queued edits carried over onto the server's version of it.

When the server answers an edit of a row (applied, or a conflict), the laptop may still hold
later edits of that row in its outbox. Each was queued as the whole row plus the local state
it started from (its base), a chain of the laptop's own versions. Sent as they are, the
server would merge each against a base it no longer has, and an edit of a field the laptop
itself had edited before would look like a conflict with the laptop's own earlier edit.

So each later edit is rebased, in the order the user made them: what it changed (its fields
that differ from its own base) is laid over the server's row, and the server's row becomes
its base, at the server's version. Only what the user changed travels: a field the server
merged in from another laptop is kept, never overwritten by an edit's stale copy of the row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: Columns the sync itself keeps; never "changed by the user" (same set as the server's merge)
SYNC_COLUMNS = frozenset({"id", "version", "deleted", "updated_at"})


@dataclass(frozen=True)
class QueuedEdit:
    seq: int
    op: str
    #: the row as the edit wrote it (None for a delete)
    payload: Mapping[str, Any] | None
    #: the local row the edit started from (None for a row the edit created)
    base: Mapping[str, Any] | None


@dataclass(frozen=True)
class Rebased:
    seq: int
    base_version: int
    base: dict[str, Any]
    payload: dict[str, Any] | None


def changed_fields(payload: Mapping[str, Any], base: Mapping[str, Any] | None) -> dict[str, Any]:
    """The fields an edit set to something other than what it started from."""
    start = base or {}
    return {
        k: v
        for k, v in payload.items()
        if k not in SYNC_COLUMNS and (k not in start or start[k] != v)
    }


def rebase(
    server_row: Mapping[str, Any], edits: Sequence[QueuedEdit]
) -> tuple[list[Rebased], dict[str, Any]]:
    """``edits`` (one row's, in seq order) laid over ``server_row`` one after the other.

    Returns the rebased edits and the row the replica should show: the last of them, at the
    server's version, so the fields the server merged in show locally at once.
    """
    version = int(server_row["version"])
    prev = dict(server_row)
    done: list[Rebased] = []
    for edit in edits:
        base = prev
        if edit.op == "delete" or edit.payload is None:
            done.append(Rebased(edit.seq, version, base, None))
            prev = {**prev, "deleted": 1}
            continue
        payload = {**prev, **changed_fields(edit.payload, edit.base)}
        start = edit.base or {}
        if edit.payload.get("deleted") != start.get("deleted"):
            payload["deleted"] = edit.payload.get("deleted")  # the edit itself deleted or revived
        payload.update(id=prev["id"], version=version)
        if edit.payload.get("updated_at"):
            payload["updated_at"] = edit.payload["updated_at"]
        done.append(Rebased(edit.seq, version, base, payload))
        prev = payload
    return done, prev
