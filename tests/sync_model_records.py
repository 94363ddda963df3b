"""What the sync model (`tests.sync_model_machine`) remembers of a run: the laptops and the
rows they share, each edit with the values it wrote and what became of it, each laptop's
history and the conflicts it saw, and the copies of replicas put aside to restore.

Every edit writes values no other edit writes (`value`), so the end of a run can tell from
the server's journal and the replicas which edit a row or a conflict holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import note
from hypothesis.errors import InvalidArgument

from tests.sync_laptops import Laptop
from workbench import documents

#: the laptops and their users' roles when the run starts
LAPTOPS = {"m1": "merchandiser", "m2": "merchandiser", "f1": "floor"}
#: row ids per table that the laptops create and edit: few, so they collide often
POOL = 3
#: the fields an edit may change, per table (a new row gets all of them)
EDITED = {
    "cost_sheets": ("style_code", "title", "body"),
    "proposals": ("title", "body"),
    "label_jobs": ("printer", "error", "copies"),
}
#: what a new row needs besides those
NEW_ROW: dict[str, dict[str, Any]] = {
    "label_jobs": {"template": "thermal-50x25", "created_at": "2026-11-02T08:00:00Z"},
}


def value(laptop: str, field_name: str, n: int) -> Any:
    """What edit ``n`` writes into a field: no other edit writes the same."""
    if field_name == "copies":
        return n + 1
    if field_name == "body":
        return json.dumps({"edit": f"{laptop}-{n}"})
    if field_name == "printer":
        return f"pdf:/tmp/{laptop}-{n}.pdf"
    return f"{laptop}-{n}"


@dataclass
class Edit:
    n: int
    laptop: str
    device_id: str
    table: str
    row_id: str
    op: str  # "upsert" or "delete"
    #: the fields it wrote, with its values (all of a new row's edited fields)
    values: dict[str, Any]
    #: the row's version in the replica when the user made the edit (0: a new row)
    base_version: int
    #: the edits of this laptop already in the replica file it was made on
    history: frozenset[int]
    #: index into the laptop's roles: the role the user had when making it
    role_epoch: int
    mutation_id: str
    created: bool
    #: what became of it, as the laptop saw it
    left_outbox: bool = False
    conflicted: bool = False
    resolved: str | None = None  # "mine" or "theirs", when the user settled its conflict
    again: int | None = None  # the edit that sent it again ("keep mine")
    #: no longer in the replica: restored from an earlier copy, or the laptop was wiped
    forgotten: bool = False

    def __str__(self) -> str:
        what = "delete" if self.op == "delete" else ("create" if self.created else "edit")
        return (
            f"#{self.n} {self.laptop} {what} {self.table}/{self.row_id[:8]} "
            f"{sorted(self.values)} from v{self.base_version}"
        )


@dataclass
class SeenConflict:
    laptop: str
    key: tuple[Any, ...]
    table: str
    row_id: str
    edit: int | None  # the edit whose mutation it is, or None when no edit explains it
    theirs_version: int | None


@dataclass
class Device:
    laptop: Laptop
    #: the user's role at the start, then each one an admin gave it
    roles: list[str]
    #: the edits in the replica file, oldest first
    history: list[int] = field(default_factory=list)
    #: how many times the laptop was set up (wiped and signed in again)
    install: int = 0
    #: conflicts seen in its replica, by (id, created_at, mine, theirs)
    conflicts: dict[tuple[Any, ...], SeenConflict] = field(default_factory=dict)
    open_conflicts: int = 0


@dataclass(frozen=True)
class Backup:
    laptop: str
    install: int
    path: Path
    history: tuple[int, ...]

    def __repr__(self) -> str:
        return f"Backup({self.laptop}, {self.path.name})"


def tell(message: str) -> None:
    """A note in hypothesis' report of a failing run (printed when a run is replayed by hand)."""
    try:
        note(message)
    except InvalidArgument:
        print(message)


def conflict_key(c: documents.Conflict) -> tuple[Any, ...]:
    """A conflict as a laptop's replica holds it: its id, when it was made, both versions."""
    return (
        c.id,
        c.created_at,
        json.dumps(c.mine, sort_keys=True),
        json.dumps(c.theirs, sort_keys=True),
    )


def role_believed(d: Device) -> str:
    """The role the app on this laptop acts on (kept at sign-in)."""
    return d.laptop.replica.get_state("role") or d.roles[-1]
