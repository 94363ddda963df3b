"""Finding and setting aside stored rows that break the declaration of their table.

Every write is checked now, but a database may hold rows from before (or written by hand):
one such row used to fail every first sync and every laptop's pull. `examine` lists them
(workspace, table, id, field, value, rule); `quarantine` copies each into the ``quarantine``
table, turns the row into a tombstone at a new change number (laptops drop it, snapshots leave
it out) and appends an audit entry, all in one transaction per workspace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.replica import validation
from workbench.replica.declaration import TABLES

BATCH_ROWS = 5_000


@dataclass(frozen=True)
class Finding:
    workspace: str
    workspace_id: str
    table: str
    row_id: str
    field: str | None
    value: Any
    rule: str

    def as_dict(self) -> dict[str, Any]:
        found = asdict(self)
        found["value"] = validation.RowProblem(
            self.table, self.row_id, self.field, self.value, self.rule
        ).as_dict()["value"]
        return found


def examine(engine: sa.Engine, workspace: str | None = None) -> list[Finding]:
    """Every live row, in every (or the named) workspace, that breaks its declaration."""
    return list(_examine(engine, workspace))


def _examine(engine: sa.Engine, workspace: str | None) -> Iterator[Finding]:
    w = schema.workspaces
    with engine.connect() as conn:
        query = sa.select(w.c.id, w.c.name).order_by(w.c.name)
        if workspace is not None:
            query = query.where(w.c.name == workspace)
        spaces = conn.execute(query).all()
        for space_id, name in spaces:
            scope = WorkspaceScope(conn, space_id)
            for declared in TABLES:
                t = schema.replicated[declared.name]
                rows = conn.execution_options(yield_per=BATCH_ROWS).execute(
                    scope.select(declared.name, t.c.deleted == 0)
                )
                for r in rows:
                    row = {k: v for k, v in r._mapping.items() if k != "workspace_id"}
                    problem = validation.check_row(declared.name, row)
                    if problem is not None:
                        yield Finding(
                            name,
                            space_id,
                            declared.name,
                            str(row["id"]),
                            problem.field,
                            problem.value,
                            problem.rule,
                        )


def quarantine(engine: sa.Engine, findings: Sequence[Finding], actor: str = "doctor") -> int:
    """Set the rows of ``findings`` aside (see the module docstring); returns how many."""
    by_space: dict[str, list[Finding]] = {}
    for f in findings:
        by_space.setdefault(f.workspace_id, []).append(f)
    moved = 0
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    for space_id, found in by_space.items():
        with writing(engine).begin() as conn:
            scope = WorkspaceScope(conn, space_id)
            for f in found:
                row = scope.get(f.table, f.row_id)
                if row is None or row["deleted"]:
                    continue  # already set aside, or deleted meanwhile
                kept = {k: v for k, v in row.items() if k != "workspace_id"}
                conn.execute(
                    schema.quarantine.insert().values(
                        workspace_id=space_id,
                        table_name=f.table,
                        row_id=f.row_id,
                        row=json.dumps(kept, default=str, ensure_ascii=True),
                        problem=str(
                            validation.RowProblem(f.table, f.row_id, f.field, f.value, f.rule)
                        ),
                        quarantined_at=now,
                    )
                )
                scope.update(
                    f.table,
                    f.row_id,
                    {"deleted": 1, "version": scope.next_seq(), "updated_at": now},
                )
                audit.append(
                    conn,
                    space_id,
                    actor=actor,
                    action="row.quarantined",
                    subject=f"{f.table}/{f.row_id}",
                    details={"field": f.field, "rule": f.rule, "value": f.as_dict()["value"]},
                )
                moved += 1
    return moved
