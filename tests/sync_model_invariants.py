"""What must hold at the end of a run of the sync model, once everyone has synced until
nothing moves (see `tests.test_sync_model` for the invariants in words): the replicas are
sound and their outboxes empty, no edit is lost or wrongly rejected, no conflict appears
where no other change explains it, and every replica holds what its user's role may see on
the server.

An edit's fate is read from the server's push journal (`tests.sync_laptops.journal`) and the
laptop's replica, against what the model recorded of it (`tests.sync_model_records`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import sqlalchemy as sa

from sync import protocol
from tests.sync_laptops import Answer, journal, server_rows
from tests.sync_model_records import Device, Edit, conflict_key, role_believed
from workbench import documents
from workbench.replica import REPLICATED_TABLES


@dataclass(frozen=True)
class EndOfRun:
    """A run's end as the checks see it: every edit the model recorded, the laptops, and the
    workspace on the server they all synced with."""

    edits: list[Edit]
    devices: dict[str, Device]
    engine: sa.Engine
    workspace_id: str

    def check(self) -> None:
        """Fail on the first invariant broken, saying which edits, conflicts or rows break it."""
        bad = {name: ok for name, d in self.devices.items() if (ok := d.laptop.integrity()) != "ok"}
        assert not bad, f"replicas fail their integrity check: {bad}"
        pending = {
            name: n
            for name, d in self.devices.items()
            if (n := documents.outbox_counts(d.laptop.replica)["pending"])
        }
        assert not pending, f"edits still pending after everyone synced until quiet: {pending}"

        answers = journal(self.engine, self.workspace_id)
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
        open_now = {conflict_key(c) for c in documents.conflicts(d.laptop.replica)}
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
        if role_believed(d) != role:
            yield f"{name} still acts as {role_believed(d)}, its user is now {role}"
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
                for k, v in server_rows(self.engine, self.workspace_id, table).items()
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
