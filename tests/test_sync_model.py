"""The whole sync protocol as a model-based test (hypothesis `RuleBasedStateMachine`), over
real HTTP on loopback, with the app's own sync session (`sync.session.sync_workspace`).

Three laptops share a fresh workspace on the server: two merchandisers (``m1``, ``m2``) and a
floor user (``f1``), each with a replica file of its own. The rules are what happens to a mill's
laptops: documents created, edited and deleted (cost sheets, proposals, label jobs; notes, which
are only ever added) on a small pool of row ids so that laptops collide often; long runs of
edits; syncs pushing in batches of 1 to 300; the network going away (edits pile up, syncs fail
cleanly); the app dying at any HTTP request of a sync (before the request is sent, after the
server answered it, half-way through reading the answer: so before a push, after the server
applied one whose answer never arrived, in the middle of a pull or of a first-sync snapshot);
a replica restored from an earlier copy of itself; a laptop wiped and signed in again;
conflicts settled keeping mine or theirs; and, in `test_a_role_change_reaches_the_laptop`, an
admin changing a user's role.

The model keeps every edit made, with the values it wrote (each edit writes values no other
edit writes), the replica history it was made on, and whether it left its outbox. After the
last step everyone comes online and syncs until nothing moves (a bounded number of rounds);
then:

- every replica passes ``PRAGMA integrity_check``, and no outbox holds a pending edit;
- every edit is on the server (some mutation the server applied carries its values), or kept
  as a conflict in its laptop's ``conflicts`` table (or settled there by the user), or was
  rejected for a legitimate reason (the user's role may not write that table); the only edits
  that may be missing are those the user threw away by restoring an older copy of the replica
  or wiping the laptop before they were sent. An edit the laptop took as applied must be on
  the server whatever happened after, and edits made after a restore are never lost;
- a conflict exists only where another laptop, or this laptop before a restore or a wipe,
  changed the same fields of the row (or deleted it, or created it) after the version the
  edit started from: never between a laptop's own successive edits;
- every replica equals the server for what its user's current role may see: the same rows
  and values after redaction, nothing of the tables the role is not sent, and the laptop
  knows its role.

In CI the runs are fixed (derandomized) and bounded, and a failing run is reported as found,
not shrunk: a run takes about a second, and shrinking one takes minutes. The smallest runs
found so far for each failure are replayed step by step by the ``test_found_…`` tests below,
which say in a few lines what broke. Locally::

    WORKBENCH_MODEL_SHRINK=1 pytest tests/test_sync_model.py    # shrink a failing run
    WORKBENCH_MODEL_EXAMPLES=300 WORKBENCH_MODEL_STEPS=80 pytest tests/test_sync_model.py
    WORKBENCH_MODEL_RANDOM=1 pytest tests/test_sync_model.py    # new runs each time

``WORKBENCH_MODEL_EXAMPLES`` is the number of runs on SQLite (a third of it on PostgreSQL
and with role changes; default 25), ``WORKBENCH_MODEL_STEPS`` the most steps per run
(default 40). A run printed by hypothesis can be pasted into a ``with model(…) as state:``
block to replay it.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sync import protocol
from sync.client import SyncError, outbox
from sync.server import accounts
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows
from tests.sync_laptops import Answer, Crash, Fault, Faults, Laptop, journal, server_rows
from ui.collector import collect_due
from workbench import documents
from workbench.replica import REPLICATED_TABLES

EXAMPLES = int(os.environ.get("WORKBENCH_MODEL_EXAMPLES", "25"))
STEPS = int(os.environ.get("WORKBENCH_MODEL_STEPS", "40"))
RANDOM = os.environ.get("WORKBENCH_MODEL_RANDOM") == "1"
SHRINK = os.environ.get("WORKBENCH_MODEL_SHRINK") == "1"

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
SETTLE_ROUNDS = 5


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


def _key(c: documents.Conflict) -> tuple[Any, ...]:
    return (
        c.id,
        c.created_at,
        json.dumps(c.mine, sort_keys=True),
        json.dumps(c.theirs, sort_keys=True),
    )


def step(rule_function: Callable[..., Any]) -> Callable[..., Any]:
    """Remember that a rule failed, so teardown does not bury its error under its own."""

    @functools.wraps(rule_function)
    def run(self: SyncModel, **kw: Any) -> Any:
        try:
            return rule_function(self, **kw)
        except BaseException:
            self.failed = True
            raise

    return run


laptops = st.sampled_from(tuple(LAPTOPS))
tables = st.sampled_from(tuple(EDITED))
slots = st.integers(0, POOL - 1)
field_picks = st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True)
batches = st.one_of(st.integers(1, 4), st.integers(1, 300))
pages = st.one_of(st.just(2000), st.integers(1, 3))
faults = st.one_of(
    st.none(),
    st.tuples(st.integers(1, 8), st.sampled_from(get_args(Fault))),
)

_RUNS = itertools.count()


class SyncModel(RuleBasedStateMachine):
    backups = Bundle("backups")

    def __init__(self, server: Server, folder: Path, role_changes: bool = False) -> None:
        super().__init__()
        self.failed = False
        self.role_changes = role_changes
        self.server = server
        name = f"model-{next(_RUNS)}"
        self.folder = folder / name
        self.workspace_id = accounts.create_workspace(server.engine, name)
        seeded = [material(f"{name}-{i}") for i in range(2)]  # prices: withheld from floor
        write_rows(server.engine, self.workspace_id, "materials", seeded)
        self.materials = [m["id"] for m in seeded]
        self.pool = {t: [str(uuid.uuid4()) for _ in range(POOL)] for t in EDITED}
        self.edits: list[Edit] = []
        self.devices: dict[str, Device] = {}
        for laptop, role in LAPTOPS.items():
            username = f"{laptop}@{name}"
            accounts.add_user(
                server.engine, name, username, PASSWORD, role, password_cost=FAST_HASH
            )
            device = Device(Laptop(laptop, username, self.folder / laptop, server.url), [role])
            device.laptop.sign_in()
            self.devices[laptop] = device

    # -- the model's bookkeeping ---------------------------------------------------------------

    def _record(
        self,
        d: Device,
        table: str,
        row_id: str,
        op: str,
        values: dict[str, Any],
        base_version: int,
        created: bool,
    ) -> Edit:
        edit = Edit(
            n=len(self.edits),
            laptop=d.laptop.name,
            device_id=d.laptop.device_id,
            table=table,
            row_id=row_id,
            op=op,
            values=values,
            base_version=base_version,
            history=frozenset(d.history),
            role_epoch=len(d.roles) - 1,
            mutation_id=d.laptop.newest_mutation(),
            created=created,
        )
        self.edits.append(edit)
        d.history.append(edit.n)
        return edit

    def _observe(self, d: Device) -> None:
        """What a sync (finished or not) left: edits out of the outbox, new conflicts."""
        queued = d.laptop.outbox()
        for n in d.history:
            if self.edits[n].mutation_id not in queued:
                self.edits[n].left_outbox = True
        found = documents.conflicts(d.laptop.replica)
        d.open_conflicts = len(found)
        for c in found:
            key = _key(c)
            if key in d.conflicts:
                continue
            edit = self._explain(d, c)
            if edit is not None:
                edit.conflicted = True
            theirs = int(c.theirs["version"]) if c.theirs else None
            d.conflicts[key] = SeenConflict(
                d.laptop.name, key, c.table, c.row_id, edit.n if edit else None, theirs
            )
            tell(f"{d.laptop.name}: conflict on {c.table}/{c.row_id[:8]} for edit {edit}")

    def _explain(self, d: Device, c: documents.Conflict) -> Edit | None:
        """The edit of this laptop a conflict keeps: its newest edit of the row whose values
        the kept version holds (a delete: its newest delete of the row)."""
        mine = c.mine
        candidates = [
            e
            for e in self.edits
            if e.laptop == d.laptop.name
            and e.table == c.table
            and e.row_id == c.row_id
            and (
                e.op == "delete"
                if mine is None
                else e.op == "upsert" and all(mine.get(f) == v for f, v in e.values.items())
            )
        ]
        return max(candidates, key=lambda e: e.n) if candidates else None

    def _role_believed(self, d: Device) -> str:
        """The role the app on this laptop acts on (kept at sign-in)."""
        return d.laptop.replica.get_state("role") or d.roles[-1]

    def _local(self, d: Device, table: str, row_id: str) -> dict[str, Any] | None:
        found = d.laptop.replica.conn.execute(
            f"SELECT * FROM {table} WHERE id = ?", (row_id,)
        ).fetchone()
        return dict(found) if found else None

    # -- rules -----------------------------------------------------------------------------------

    @rule(laptop=laptops, table=tables, slot=slots, picks=field_picks, saves=st.integers(1, 3))
    @step
    def edit(self, laptop: str, table: str, slot: int, picks: list[int], saves: int) -> None:
        """Create a row of the pool (if this laptop has none) or change some of its fields,
        saving ``saves`` times over (each save writes new values)."""
        d = self.devices[laptop]
        if table not in protocol.pushable_tables(self._role_believed(d)):
            tell(f"{laptop}: the app offers no {table} to this role")
            return
        row_id = self.pool[table][slot]
        for _ in range(saves):
            local = self._local(d, table, row_id)
            if local is not None and local["deleted"]:
                tell(f"{laptop}: {table}/{row_id[:8]} is deleted here")
                return
            fields = EDITED[table]
            chosen = fields if local is None else tuple({fields[i % len(fields)]: 0 for i in picks})
            values = {f: value(laptop, f, len(self.edits)) for f in chosen}
            extra = NEW_ROW.get(table, {}) if local is None else {}
            documents.save_document(d.laptop.replica, table, {"id": row_id, **extra, **values})
            base = local["version"] if local else 0
            self._record(d, table, row_id, "upsert", values, base, local is None)

    @rule(laptop=laptops, table=tables, slot=slots)
    @step
    def delete(self, laptop: str, table: str, slot: int) -> None:
        d = self.devices[laptop]
        if table not in protocol.pushable_tables(self._role_believed(d)):
            return
        row_id = self.pool[table][slot]
        local = self._local(d, table, row_id)
        if local is None or local["deleted"]:
            tell(f"{laptop}: no {table}/{row_id[:8]} to delete here")
            return
        documents.delete_document(d.laptop.replica, table, row_id)
        self._record(d, table, row_id, "delete", {}, local["version"], False)

    @rule(laptop=laptops, which=st.integers(0, 1))
    @step
    def add_note(self, laptop: str, which: int) -> None:
        d = self.devices[laptop]
        body = value(laptop, "body", len(self.edits))
        saved = documents.add_annotation(d.laptop.replica, self.materials[which], body, laptop)
        self._record(d, "annotations", saved["id"], "upsert", {"body": body}, 0, True)

    @rule(laptop=laptops, count=st.one_of(st.integers(1, 20), st.just(199)))
    @step
    def many_new_rows(self, laptop: str, count: int) -> None:
        """A long run of new documents (an import, a busy day offline)."""
        d = self.devices[laptop]
        may = protocol.pushable_tables(self._role_believed(d))
        table = "cost_sheets" if "cost_sheets" in may else "label_jobs"
        for _ in range(count):
            n, row_id = len(self.edits), str(uuid.uuid4())
            values = {f: value(laptop, f, n) for f in EDITED[table]}
            documents.save_document(
                d.laptop.replica, table, {"id": row_id, **NEW_ROW.get(table, {}), **values}
            )
            self._record(d, table, row_id, "upsert", values, 0, True)

    @rule(laptop=laptops, batch=batches, page_rows=pages, fault=faults)
    @step
    def sync(
        self, laptop: str, batch: int, page_rows: int, fault: tuple[int, Fault] | None
    ) -> None:
        """A sync pushing in batches of ``batch`` and pulling pages of ``page_rows``; with a
        fault at one of its requests: the app dies there (and starts again), or the network
        goes away there (the sync must fail cleanly, saying the server cannot be reached)."""
        d = self.devices[laptop]
        faults = Faults(*fault) if fault else Faults()
        try:
            with patch.object(outbox, "PUSH_BATCH", batch):
                d.laptop.sync(faults, page_rows)
        except Crash as died:
            tell(f"{laptop}: {died} (requests: {d.laptop.last_requests})")
            d.laptop.restart()
        except SyncError as failed:
            assert faults.fault.startswith("offline"), f"the sync failed: {failed!r}"
            assert failed.code == "offline", f"a sync offline failed with {failed!r}"
            tell(f"{laptop}: offline ({failed}) (requests: {d.laptop.last_requests})")
        else:
            if fault:
                tell(f"{laptop}: the sync finished in {len(d.laptop.last_requests)} requests")
        self._observe(d)

    @rule(target=backups, laptop=laptops)
    @step
    def copy_replica(self, laptop: str) -> Backup:
        d = self.devices[laptop]
        path = self.folder / "copies" / f"{laptop}-{len(self.edits)}-{uuid.uuid4().hex[:6]}"
        path.parent.mkdir(parents=True, exist_ok=True)
        d.laptop.copy_to(path)
        return Backup(laptop, d.install, path, tuple(d.history))

    @rule(backup=backups)
    @step
    def restore_replica(self, backup: Backup) -> None:
        """The user puts an earlier copy of the replica back."""
        d = self.devices[backup.laptop]
        if backup.install != d.install:
            tell(f"{backup.laptop}: that copy belongs to an earlier install")
            return
        kept = set(backup.history)
        for n in d.history:
            self.edits[n].forgotten = n not in kept
        for n in kept:
            self.edits[n].forgotten = False
        d.history = list(backup.history)
        d.laptop.restore(backup.path)
        self._observe(d)

    @rule(laptop=laptops)
    @step
    def wipe_laptop(self, laptop: str) -> None:
        """The laptop is set up again: its data folder is gone and the user signs in anew."""
        d = self.devices[laptop]
        for n in d.history:
            self.edits[n].forgotten = True
        d.history, d.conflicts, d.open_conflicts = [], {}, 0
        d.install += 1
        d.laptop.wipe()

    @precondition(lambda self: self.role_changes)
    @rule(laptop=laptops)
    @step
    def change_role(self, laptop: str) -> None:
        """An admin moves the laptop's user between the merchandiser and floor roles."""
        d = self.devices[laptop]
        role = "floor" if d.roles[-1] != "floor" else "merchandiser"
        accounts.set_role(self.server.engine, d.laptop.username, role)
        d.roles.append(role)

    @precondition(lambda self: any(d.open_conflicts for d in self.devices.values()))
    @rule(laptop=laptops, pick=st.integers(0, 3), keep=st.sampled_from(("mine", "theirs")))
    @step
    def settle_conflict(self, laptop: str, pick: int, keep: str) -> None:
        d = self.devices[laptop]
        found = documents.conflicts(d.laptop.replica)
        if not found:
            return
        c = found[pick % len(found)]
        seen = d.conflicts.get(_key(c))
        edit = self.edits[seen.edit] if seen and seen.edit is not None else None
        local = self._local(d, c.table, c.row_id)
        documents.resolve_conflict(d.laptop.replica, c.id, keep)
        d.open_conflicts -= 1
        if edit is None:
            return
        edit.resolved = keep
        if keep == "mine":  # a new edit of the row as the laptop holds it now
            again = self._record(
                d,
                edit.table,
                edit.row_id,
                "delete" if c.mine is None else "upsert",
                dict(edit.values),
                local["version"] if local else 0,
                edit.created,
            )
            edit.again = again.n

    # -- the end: everyone online, synced until quiet, then the invariants --------------------

    def teardown(self) -> None:
        try:
            if not self.failed and sys.exc_info()[0] is None:
                self.settle()
                self.check()
        finally:
            for d in self.devices.values():
                d.laptop.close()
            # the tests run with the automatic collector off (tests/conftest.py): a run's
            # cycles (clients, connections, indexes) are freed here, on the main thread
            collect_due()

    def settle(self) -> None:
        for _ in range(SETTLE_ROUNDS):
            quiet = True
            for d in self.devices.values():
                pending = documents.outbox_counts(d.laptop.replica)["pending"]
                report = d.laptop.sync(Faults(), page_rows=2000)
                self._observe(d)
                quiet = quiet and not pending and not report.pulled
            if quiet:
                return

    def check(self) -> None:
        bad = {name: ok for name, d in self.devices.items() if (ok := d.laptop.integrity()) != "ok"}
        assert not bad, f"replicas fail their integrity check: {bad}"
        pending = {
            name: n
            for name, d in self.devices.items()
            if (n := documents.outbox_counts(d.laptop.replica)["pending"])
        }
        assert not pending, f"edits still pending after everyone synced until quiet: {pending}"

        answers = journal(self.server.engine, self.workspace_id)
        fates = {e.n: self._fate(e, answers) for e in self.edits}
        said_applied = [f"{self.edits[n]}" for n, fate in fates.items() if fate == "missing"]
        assert not said_applied, (
            "edits the laptop took as applied are not on the server: " + "; ".join(said_applied)
        )
        lost = [f"{self.edits[n]}" for n, fate in fates.items() if fate == "lost"]
        assert not lost, "edits neither on the server nor kept as conflicts: " + "; ".join(lost)
        refused = [
            f"{self.edits[n]}: {fate}"
            for n, fate in fates.items()
            if fate.startswith("wrongly rejected")
        ]
        assert not refused, "edits rejected for no reason of the role: " + "; ".join(refused)

        false_conflicts = list(self._false_conflicts(answers))
        assert not false_conflicts, (
            "conflicts where no other laptop changed those fields: " + "; ".join(false_conflicts)
        )

        differences = [problem for d in self.devices.values() for problem in self._differ(d)]
        assert not differences, (
            "replicas differ from what their role may see on the server: " + "; ".join(differences)
        )

    # -- the checks' parts -----------------------------------------------------------------------

    def _applied_rows(self, answers: list[Answer], row_id: str) -> Iterator[Answer]:
        return (a for a in answers if a.status == "applied" and a.row and a.row["id"] == row_id)

    def _applied_version(self, e: Edit, answers: list[Answer]) -> int | None:
        """The version the server stamped when it took the edit, or None if it never did."""
        versions = [
            int(a.row["version"])
            for a in self._applied_rows(answers, e.row_id)
            if a.row is not None
            and (
                a.device_id == e.device_id and a.row["deleted"] == 1
                if e.op == "delete"
                else all(a.row.get(f) == v for f, v in e.values.items())
            )
        ]
        return min(versions) if versions else None

    def _fate(self, e: Edit, answers: list[Answer]) -> str:
        """What became of an edit; "missing", "lost" and "wrongly rejected…" are failures."""
        if e.again is not None:
            return self._fate(self.edits[e.again], answers)
        if self._applied_version(e, answers) is not None:
            return "on the server"
        if e.resolved == "theirs":
            return "the user kept the server's version"
        d = self.devices[e.laptop]
        open_now = {_key(c) for c in documents.conflicts(d.laptop.replica)}
        if any(s.edit == e.n and key in open_now for key, s in d.conflicts.items()):
            return "kept as a conflict"
        entry = d.laptop.outbox().get(e.mutation_id) if not e.forgotten else None
        if entry is not None and entry["status"] == "rejected":
            message = str(entry["message"])
            roles = d.roles[e.role_epoch :]
            if any(
                f"{r} role may not write" in message and e.table not in protocol.pushable_tables(r)
                for r in roles
            ):
                return "rejected: the role may not write it"
            return f"wrongly rejected ({message})"
        if e.forgotten and not (e.left_outbox and not e.conflicted):
            return "thrown away with the replica before it was sent"
        return "missing" if e.left_outbox and not e.conflicted else "lost"

    def _false_conflicts(self, answers: list[Answer]) -> Iterator[str]:
        for d in self.devices.values():
            for seen in d.conflicts.values():
                if seen.edit is None:
                    yield (
                        f"{seen.laptop}: a conflict on {seen.table}/{seen.row_id[:8]} "
                        "that none of its edits explains"
                    )
                    continue
                e = self.edits[seen.edit]
                if not any(self._concurrent(e, w, answers) for w in self.edits):
                    yield f"{e} (server at v{seen.theirs_version})"

    def _concurrent(self, e: Edit, w: Edit, answers: list[Answer]) -> bool:
        """Whether ``w`` changed what ``e`` changed, on the server, without ``e`` seeing it."""
        if w.n == e.n or w.table != e.table or w.row_id != e.row_id:
            return False
        if w.laptop == e.laptop and (w.n in e.history or e.n in w.history):
            return False  # one after the other in the same replica
        version = self._applied_version(w, answers)
        if version is None or version <= e.base_version:
            return False
        everything = "delete" in (e.op, w.op) or e.created or w.created
        return everything or bool(set(e.values) & set(w.values))

    def _differ(self, d: Device) -> Iterator[str]:
        name, role = d.laptop.name, d.roles[-1]
        if self._role_believed(d) != role:
            yield f"{name} still acts as {self._role_believed(d)}, its user is now {role}"
        rejected = {
            (r["table_name"], r["row_id"])
            for r in d.laptop.outbox().values()
            if r["status"] == "rejected"
        }
        visible = protocol.tables_for(role)
        for table in REPLICATED_TABLES:
            mine = {k: v for k, v in d.laptop.rows(table).items() if (table, k) not in rejected}
            if table not in visible:
                if mine:
                    yield f"{name} ({role}) holds {len(mine)} {table} rows its role is not sent"
                continue
            theirs = {
                k: protocol.redact(role, table, v)
                for k, v in server_rows(self.server.engine, self.workspace_id, table).items()
                if (table, k) not in rejected
            }
            for row_id in sorted(theirs.keys() | mine.keys()):
                m, s = mine.get(row_id), theirs.get(row_id)
                if m is None:
                    if s is not None and not s["deleted"]:
                        yield f"{name} ({role}) lacks {table}/{row_id[:8]}"
                elif s is None:
                    yield f"{name} ({role}) has {table}/{row_id[:8]}, the server has not"
                else:
                    changed = {c: (m[c], s[c]) for c in m.keys() & s.keys() if m[c] != s[c]}
                    if changed:
                        yield f"{name} ({role}) {table}/{row_id[:8]} mine/server: {changed}"


def _settings(examples: int) -> settings:
    phases = [p for p in Phase if SHRINK or p is not Phase.shrink]
    return settings(
        max_examples=examples,
        stateful_step_count=STEPS,
        deadline=None,
        derandomize=not RANDOM,
        phases=phases,
        suppress_health_check=list(HealthCheck),
    )


def test_laptops_converge_and_lose_no_edit(server: Server, tmp_path: Path) -> None:
    on_sqlite = server.engine.dialect.name == "sqlite"
    examples = EXAMPLES if on_sqlite else max(1, EXAMPLES // 3)
    run_state_machine_as_test(lambda: SyncModel(server, tmp_path), settings=_settings(examples))


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_a_role_change_reaches_the_laptop(server: Server, tmp_path: Path) -> None:
    """The same, with an admin moving users between the merchandiser and floor roles: after
    syncing, a laptop holds what the new role may see, no more (costs, prices) and no less."""
    run_state_machine_as_test(
        lambda: SyncModel(server, tmp_path, role_changes=True),
        settings=_settings(max(1, EXAMPLES // 3)),
    )


# -- the smallest runs found for each failure, replayed step by step --------------------------


@contextmanager
def model(server: Server, tmp_path: Path, role_changes: bool = False) -> Iterator[SyncModel]:
    """A run of the model by hand: the block's steps, then the end of a run (everyone syncs
    until quiet, and the invariants are checked)."""
    state = SyncModel(server, tmp_path, role_changes=role_changes)
    try:
        yield state
    finally:
        state.teardown()


def test_found_an_edit_saved_twice_after_the_batch_that_held_its_first_save(
    server: Server, tmp_path: Path
) -> None:
    """A new cost sheet saved three times, behind another new row, pushed two at a time:
    the second batch holds the second and third saves, and the third must not conflict
    with the second (the laptop's own edits, one after the other)."""
    with model(server, tmp_path) as state:
        state.many_new_rows(laptop="m1", count=1)
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[0], saves=3)
        state.sync(laptop="m1", batch=2, page_rows=2000, fault=None)


def test_found_a_delete_after_an_edit_in_the_next_push_batch(
    server: Server, tmp_path: Path
) -> None:
    """A new proposal saved twice then deleted, behind another new row, pushed two at a time:
    the delete must not conflict with the laptop's own edit before it."""
    with model(server, tmp_path) as state:
        state.many_new_rows(laptop="m1", count=1)
        state.edit(laptop="m1", table="proposals", slot=0, picks=[0], saves=2)
        state.delete(laptop="m1", table="proposals", slot=0)
        state.sync(laptop="m1", batch=2, page_rows=2000, fault=None)


def test_found_an_edit_chain_across_two_hundred_other_edits(server: Server, tmp_path: Path) -> None:
    """Edit a synced cost sheet, make 199 other edits, edit it twice more, sync (batches of
    200): no conflict, the sheet ends with the last save."""
    with model(server, tmp_path) as state:
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[0], saves=1)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[1], saves=1)
        state.many_new_rows(laptop="m1", count=199)
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[1], saves=2)


def test_found_a_note_made_after_restoring_a_copy_of_the_replica(
    server: Server, tmp_path: Path
) -> None:
    """A note synced after the copy was made, the copy restored, a new note: the new note
    reuses the first one's mutation number and must still reach the server."""
    with model(server, tmp_path) as state:
        copy = state.copy_replica(laptop="m1")
        state.add_note(laptop="m1", which=0)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.restore_replica(backup=copy)
        state.add_note(laptop="m1", which=1)


def test_found_a_cost_sheet_made_after_restoring_a_copy_of_the_replica(
    server: Server, tmp_path: Path
) -> None:
    """The same with a cost sheet after the restore: the answer kept for the note must not
    be written into the cost sheets (today the sync fails on it, every time)."""
    with model(server, tmp_path) as state:
        copy = state.copy_replica(laptop="m1")
        state.add_note(laptop="m1", which=0)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.restore_replica(backup=copy)
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[0], saves=1)


def test_found_keep_mine_after_editing_the_row_again(server: Server, tmp_path: Path) -> None:
    """A label job made on two laptops: the second gets a conflict, edits the server's version
    again, then settles the conflict keeping its own. Both edits go in one push: keeping mine
    must not conflict with the laptop's own edit made just before it."""
    with model(server, tmp_path) as state:
        state.edit(laptop="f1", table="label_jobs", slot=2, picks=[2], saves=2)
        state.sync(laptop="f1", batch=167, page_rows=2000, fault=None)
        state.edit(laptop="m1", table="label_jobs", slot=2, picks=[0], saves=2)
        state.sync(laptop="m1", batch=126, page_rows=3, fault=None)
        state.edit(laptop="m1", table="label_jobs", slot=2, picks=[1, 0], saves=1)
        state.settle_conflict(laptop="m1", pick=0, keep="mine")


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_found_a_merchandiser_moved_to_the_floor(server: Server, tmp_path: Path) -> None:
    """After syncing, the laptop has no cost sheets and no prices, and acts as floor."""
    with model(server, tmp_path, role_changes=True) as state:
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[0], saves=1)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.change_role(laptop="m1")


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_found_a_role_change_whose_snapshot_download_died(server: Server, tmp_path: Path) -> None:
    """Moved to the floor and back, the laptop dies while the new role's snapshot arrives: it
    must not take itself for a merchandiser until that snapshot is in, or its cost sheets
    stay missing and a new edit of one becomes a conflict with its own earlier edit."""
    with model(server, tmp_path, role_changes=True) as state:
        state.edit(laptop="m1", table="cost_sheets", slot=1, picks=[0], saves=1)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.change_role(laptop="m1")
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.change_role(laptop="m1")
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=(3, "crash midstream"))
        state.edit(laptop="m1", table="cost_sheets", slot=1, picks=[0], saves=1)


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_found_a_floor_user_made_merchandiser(server: Server, tmp_path: Path) -> None:
    """After syncing, the laptop has the prices and cost sheets, and acts as merchandiser."""
    with model(server, tmp_path, role_changes=True) as state:
        state.edit(laptop="m1", table="cost_sheets", slot=0, picks=[0], saves=1)
        state.sync(laptop="m1", batch=200, page_rows=2000, fault=None)
        state.sync(laptop="f1", batch=200, page_rows=2000, fault=None)
        state.change_role(laptop="f1")
