"""The sync model's state machine (hypothesis `RuleBasedStateMachine`): three laptops over
real HTTP on loopback, the rules of what happens to them (see `tests.test_sync_model` for the
whole story), and the end of a run: everyone online, synced until quiet, then the invariants
(`tests.sync_model_invariants`).

The rules record each edit in the model (`tests.sync_model_records`) as the user makes it,
and what a sync left of it as the laptop sees it afterwards, so the end can tell which edits
must be on the server. `model` runs the machine by hand, for the runs found and kept as tests.
"""

from __future__ import annotations

import functools
import itertools
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, get_args
from unittest.mock import patch

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, precondition, rule

from sync import protocol
from sync.client import SyncError, outbox
from sync.server import accounts
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows
from tests.sync_laptops import Crash, Fault, Faults, Laptop
from tests.sync_model_invariants import EndOfRun
from tests.sync_model_records import (
    EDITED,
    LAPTOPS,
    NEW_ROW,
    POOL,
    Backup,
    Device,
    Edit,
    SeenConflict,
    conflict_key,
    role_believed,
    tell,
    value,
)
from ui.collector import collect_due
from workbench import documents

SETTLE_ROUNDS = 5


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
            key = conflict_key(c)
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
        if table not in protocol.pushable_tables(role_believed(d)):
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
        if table not in protocol.pushable_tables(role_believed(d)):
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
        may = protocol.pushable_tables(role_believed(d))
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
        seen = d.conflicts.get(conflict_key(c))
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
        """The invariants over what this run recorded and what the server holds now."""
        EndOfRun(self.edits, self.devices, self.server.engine, self.workspace_id).check()


@contextmanager
def model(server: Server, tmp_path: Path, role_changes: bool = False) -> Iterator[SyncModel]:
    """A run of the model by hand: the block's steps, then the end of a run (everyone syncs
    until quiet, and the invariants are checked)."""
    state = SyncModel(server, tmp_path, role_changes=role_changes)
    try:
        yield state
    finally:
        state.teardown()
