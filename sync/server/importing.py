"""Importing master data into a workspace on the server (``workbench-sync import``).

All or nothing by default: if any row is rejected, nothing is written and the reject report
says why; ``accept_partial`` writes the valid rows only. Rows are matched by their business
key (a material's code), so importing the same file again changes nothing. Written rows get
fresh change numbers and reach every laptop through the ordinary change feed.
"""

from __future__ import annotations

import operator
import os
import time
from collections.abc import Collection
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import CLI_ACTOR
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.ingest import load_mapping, read_table, validate
from workbench.ingest.mapping import KINDS, Mapping
from workbench.ingest.report import write_reject_report
from workbench.ingest.validate import Problem, Resolver, ValidatedTable
from workbench.ingest.values import Mark
from workbench.replica import validation


class ImportRefused(ValueError):
    """The import cannot run at all (unknown kind, unreadable file)."""


@dataclass
class ImportSummary:
    file: str
    kind: str
    rows_read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    dry_run: bool = False
    written: bool = False
    problems: list[str] = field(default_factory=list)
    reports: list[str] = field(default_factory=list)
    #: the problems as fields (file, row, column, value, message), for a reject report made
    #: elsewhere (the app writes its own from the server's answer)
    rejects: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def scope_resolver(engine: sa.Engine, workspace_id: str) -> Resolver:
    """Looks up business keys among the workspace's live rows (a material's code -> id)."""

    def resolve(table: str, by: str, values: Collection[str]) -> dict[str, str]:
        t = schema.replicated[table]
        wanted = sorted(values)
        found: dict[str, str] = {}
        with engine.connect() as conn:
            scope = WorkspaceScope(conn, workspace_id)
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                for row in scope.rows(table, t.c[by].in_(chunk), t.c.deleted == 0):
                    found[str(row[by])] = row["id"]
        return found

    return resolve


def import_file(
    engine: sa.Engine,
    workspace_id: str,
    kind: str,
    path: Path | str,
    *,
    mapping: Mapping | None = None,
    dry_run: bool = False,
    accept_partial: bool = False,
    report_dir: Path | None = None,
    actor: str = CLI_ACTOR,
    decimal_mark: Mark | None = None,
) -> ImportSummary:
    """Read, check and (unless a row is rejected) write one file of ``kind``.

    ``decimal_mark`` is the file's decimal mark where the admin knows it (the SAP system's
    user format); otherwise its numbers tell it, and one nothing tells is rejected."""
    if mapping is None and kind not in KINDS:
        raise ImportRefused(f"there is no import for {kind!r}; choose one of "
                            f"{', '.join(KINDS)}")  # fmt: skip
    path = Path(path)
    mapping = mapping or load_mapping(kind)
    if mapping.table not in schema.replicated:
        raise ImportRefused(f"{mapping.source} writes to {mapping.table!r}, which is not a "
                            "master data table")  # fmt: skip
    table = validate(read_table(path), mapping, scope_resolver(engine, workspace_id),
                     decimal_mark)  # fmt: skip
    _check_declared(table, mapping.table)
    summary = ImportSummary(file=path.name, kind=kind, rows_read=table.rows_read,
                            rejected=len(table.rejected_rows), dry_run=dry_run)  # fmt: skip
    summary.problems = [str(p) for p in table.problems]
    summary.rejects = [{**asdict(p), "rule": p.rule} for p in table.problems]
    if table.problems:
        base = (report_dir or path.parent) / f"{path.stem}.rejected"
        summary.reports = [str(p) for p in write_reject_report(table.problems, base)]
        if not accept_partial or not table.rows:
            return summary

    name = mapping.table
    t = schema.replicated[name]
    present = set(table.columns) | set(table.derived) | {
        r.name for r in mapping.fields if r.default is not None}  # fmt: skip
    # a column the file lacks leaves that field as it was
    rows_in = [{k: v for k, v in values.items() if k in present} for _, values in table.rows]
    first = mapping.keys[0]
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, workspace_id)
        firsts = sorted({values[first] for values in rows_in}, key=str)
        existing: dict[tuple[Any, ...], dict[str, Any]] = {}
        # a first import into an empty table has nothing to compare with: no lookups
        for start in range(0, len(firsts) if scope.count(name) else 0, 500):
            chunk = firsts[start : start + 500]
            for row in scope.rows(name, t.c[first].in_(chunk), t.c.deleted == 0):
                existing[mapping.key_of(row)] = row
        inserts, updates = [], []
        numeric = {r.name for r in mapping.fields if r.type in ("int", "decimal")}
        for values in rows_in:
            current = existing.get(mapping.key_of(values))
            if current is None:
                inserts.append(values)
            elif any(_differs(current.get(k), v, k in numeric) for k, v in values.items()):
                updates.append((current["id"], values))
            else:
                summary.unchanged += 1
        summary.inserted, summary.updated = len(inserts), len(updates)
        if dry_run or not (inserts or updates):
            conn.rollback()
            return summary
        seq = scope.next_seq(len(inserts) + len(updates))
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows = []
        blank = {c.name: None for c in t.columns if c.name != "workspace_id"}
        defaults = schema.column_defaults[name]
        for values, row_id in zip(inserts, new_ids(len(inserts)), strict=True):
            filled = {k: v for k, v in values.items() if v is not None}
            rows.append({**blank, **defaults, **filled, "id": row_id,
                         "version": seq, "deleted": 0, "updated_at": now})  # fmt: skip
            seq += 1
        if rows:
            _insert(conn, name, workspace_id, rows)
            scope.mark(name, seq - 1)
        for row_id, values in updates:
            scope.update(name, row_id, {**values, "version": seq, "updated_at": now})
            seq += 1
        audit.append(conn, workspace_id, actor=actor, action="import", subject=kind, details={
            "file": path.name, "rows_read": summary.rows_read, "inserted": summary.inserted,
            "updated": summary.updated, "unchanged": summary.unchanged,
            "rejected": summary.rejected,
        })  # fmt: skip
    summary.written = True
    return summary


def _check_declared(table: ValidatedTable, name: str) -> None:
    """Hold each row to the rules declared for its table as well as to the mapping's: a row
    that breaks one is rejected with the rest of its file's rejects, never written. Checked a
    column at a time (`validation.check_column`): the same rules as `check_fields`."""
    if not table.rows:
        return
    fields = list(table.rows[0][1])
    bad: dict[int, list[Problem]] = {}
    for f in fields:
        column = [values[f] for _, values in table.rows]
        for index, p in validation.check_column(name, f, column).items():
            number = table.rows[index][0]
            heading = table.columns.get(p.field or "", p.field or "")
            shown = "" if p.value is None else str(p.value)
            bad.setdefault(index, []).append(Problem(table.file, number, heading, shown, p.rule))
    if bad:
        for index in sorted(bad):
            table.problems.extend(bad[index])
        table.rows = [row for i, row in enumerate(table.rows) if i not in bad]


def new_ids(count: int) -> list[str]:
    """``count`` fresh row ids, made at once: UUIDs of version 7 (a millisecond clock, then
    random bits counted up), so one import's ids are unique, sort in the order they were made
    and go into the primary key's index at its end instead of all over it."""
    clock = time.time_ns() // 1_000_000
    start = int.from_bytes(os.urandom(8), "big") >> 3  # room to count up without carrying
    high = (clock << 16) | 0x7000 | (int.from_bytes(os.urandom(2), "big") & 0x0FFF)
    head = f"{high:016x}"
    head = f"{head[:8]}-{head[8:12]}-{head[12:16]}"
    ids = []
    for n in range(start, start + count):
        low = (0b10 << 62) | n
        tail = f"{low:016x}"
        ids.append(f"{head}-{tail[:4]}-{tail[4:]}")
    return ids


def _insert(conn: sa.Connection, name: str, workspace_id: str, rows: list[dict[str, Any]]) -> None:
    """Write new rows through the driver: one prepared statement for all of them (SQLite's
    executemany) or a COPY (PostgreSQL), never SQLAlchemy's per-row parameter building."""
    t = schema.replicated[name]
    names = [c.name for c in t.columns]
    pick = operator.itemgetter(*(n for n in names if n != "workspace_id"))
    at = names.index("workspace_id")
    tuples = [(*(got := pick(r))[:at], workspace_id, *got[at:]) for r in rows]
    if conn.dialect.name == "postgresql":
        driver = conn.connection.dbapi_connection
        quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
        with driver.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            f"COPY {conn.dialect.identifier_preparer.quote(name)} ({quoted}) FROM STDIN"
        ) as copy:
            for row in tuples:
                copy.write_row(row)
    else:
        marks = ", ".join("?" for _ in names)
        conn.exec_driver_sql(f'INSERT INTO "{name}" ({", ".join(names)}) VALUES ({marks})',
                             tuples)  # fmt: skip


def _differs(current: Any, new: Any, numeric: bool) -> bool:
    """Whether an imported value changes a stored one (a decimal's trailing zeros are the
    file's spelling, not a change; a code's leading zeros are a change)."""
    if current == new:
        return False
    if current is None or new is None or not numeric:
        return True
    try:
        return Decimal(str(current)) != Decimal(str(new))
    except InvalidOperation:
        return str(current) != str(new)
