"""Importing master data into a workspace on the server (``workbench-sync import``).

All or nothing by default: if any row is rejected, nothing is written and the reject report
says why; ``accept_partial`` writes the valid rows only. Rows are matched by their business
key (a material's code), so importing the same file again changes nothing. Written rows get
fresh change numbers and reach every laptop through the ordinary change feed.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from sync.server import audit, schema
from sync.server.accounts import CLI_ACTOR
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.errors import WorkbenchError
from workbench.ingest import load_mapping, read_table, validate
from workbench.ingest.columns import is_none
from workbench.ingest.keys import Resolver
from workbench.ingest.mapping import KINDS, Mapping
from workbench.ingest.problems import Problem
from workbench.ingest.report import write_reject_report
from workbench.ingest.validate import collector_paused
from workbench.ingest.validated import ValidatedTable
from workbench.ingest.values import Mark
from workbench.replica import validation


class ImportRefused(WorkbenchError, ValueError):
    """The import cannot run at all (unknown kind, unreadable file)."""


#: the share of an import's time each stage takes (its start and end), for one percentage
_STAGES = {"read": (0.0, 0.25), "check": (0.25, 0.55), "write": (0.55, 1.0), "done": (1.0, 1.0)}
#: rows written between two progress reports (and chances to cancel)
WRITE_CHUNK = 20_000


@dataclass(frozen=True)
class ImportProgress:
    """How far an import is: ``stage`` is ``read`` (the file's lines read), ``check``
    (columns checked), ``write`` (rows written) or ``done``; ``done`` of ``total`` in it."""

    stage: str
    done: int
    total: int

    @property
    def fraction(self) -> float:
        """The share of the whole import done, 0 to 1."""
        start, end = _STAGES[self.stage]
        return start + (end - start) * (self.done / self.total if self.total else 1.0)


#: called as an import goes on; it may raise `workbench.errors.Cancelled` to stop the
#: import; the import's one transaction is rolled back, so nothing of it stays
Progress = Callable[[ImportProgress], None]


def _nothing(_: ImportProgress) -> None:
    pass


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
    progress: Progress | None = None,
) -> ImportSummary:
    """Read, check and (unless a row is rejected) write one file of ``kind``.

    ``decimal_mark`` is the file's decimal mark where the admin knows it (the SAP system's
    user format); otherwise its numbers tell it, and one nothing tells is rejected.
    ``progress`` hears how far the import is (`ImportProgress`); raising `Cancelled`
    from it stops the import with nothing written."""
    with collector_paused():
        summary = _import_file(
            engine,
            workspace_id,
            kind,
            path,
            mapping=mapping,
            dry_run=dry_run,
            accept_partial=accept_partial,
            report_dir=report_dir,
            actor=actor,
            decimal_mark=decimal_mark,
            progress=progress or _nothing,
        )
    (progress or _nothing)(ImportProgress("done", 1, 1))
    return summary


def _import_file(
    engine: sa.Engine,
    workspace_id: str,
    kind: str,
    path: Path | str,
    *,
    mapping: Mapping | None,
    dry_run: bool,
    accept_partial: bool,
    report_dir: Path | None,
    actor: str,
    decimal_mark: Mark | None,
    progress: Progress,
) -> ImportSummary:
    if mapping is None and kind not in KINDS:
        raise ImportRefused(f"there is no import for {kind!r}; choose one of {', '.join(KINDS)}")
    path = Path(path)
    mapping = mapping or load_mapping(kind)
    if mapping.table not in schema.replicated:
        raise ImportRefused(
            f"{mapping.source} writes to {mapping.table!r}, which is not a master data table"
        )
    raw = read_table(path)
    progress(ImportProgress("read", len(raw), len(raw)))

    def checked(done: int, total: int) -> None:
        progress(ImportProgress("check", done, total))

    table = validate(raw, mapping, scope_resolver(engine, workspace_id), decimal_mark, checked)
    _check_declared(table, mapping.table)
    summary = ImportSummary(
        file=path.name,
        kind=kind,
        rows_read=table.rows_read,
        rejected=len(table.rejected_rows),
        dry_run=dry_run,
    )
    summary.problems = [str(p) for p in table.problems]
    summary.rejects = [{**asdict(p), "rule": p.rule} for p in table.problems]
    if table.problems:
        base = (report_dir or path.parent) / f"{path.stem}.rejected"
        summary.reports = [str(p) for p in write_reject_report(table.problems, base)]
        if not accept_partial or not len(table.valid):
            return summary

    name = mapping.table
    present = (
        set(table.columns)
        | set(table.derived)
        | {r.name for r in mapping.fields if r.default is not None}
    )
    # a column the file lacks leaves that field as it was
    fields_in = [f for f in table.values if f in present]
    given = {f: table.values[f][table.valid] for f in fields_in}
    count = len(table.valid)
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, workspace_id)
        updates: list[tuple[str, dict[str, Any]]] = []
        if scope.count(name):  # a first import into an empty table has nothing to compare with
            inserts, updates, summary.unchanged = _compare(scope, mapping, given, count)
        else:
            inserts = np.arange(count)
        summary.inserted, summary.updated = len(inserts), len(updates)
        if dry_run or not (len(inserts) or updates):
            conn.rollback()
            return summary
        total = len(inserts) + len(updates)
        progress(ImportProgress("write", 0, total))
        seq = scope.next_seq(total)
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        if len(inserts):
            new = {f: column[inserts] for f, column in given.items()}
            _insert(
                conn,
                name,
                workspace_id,
                new,
                len(inserts),
                seq,
                now,
                lambda done: progress(ImportProgress("write", done, total)),
            )
            seq += len(inserts)
            scope.mark(name, seq - 1)
        for done, (row_id, values) in enumerate(updates, len(inserts) + 1):
            scope.update(name, row_id, {**values, "version": seq, "updated_at": now})
            seq += 1
            if done % 1000 == 0 or done == total:
                progress(ImportProgress("write", done, total))
        audit.append(
            conn,
            workspace_id,
            actor=actor,
            action="import",
            subject=kind,
            details={
                "file": path.name,
                "rows_read": summary.rows_read,
                "inserted": summary.inserted,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "rejected": summary.rejected,
            },
        )
    summary.written = True
    return summary


def _compare(
    scope: WorkspaceScope, mapping: Mapping, given: dict[str, np.ndarray], count: int
) -> tuple[np.ndarray, list[tuple[str, dict[str, Any]]], int]:
    """The rows of a file that are new (their indexes), those that change a stored row (its
    id and the new values) and how many change nothing, matched by the mapping's key."""
    name = mapping.table
    t = schema.replicated[name]
    first = mapping.keys[0]
    fields = list(given)
    rows_in = [
        dict(zip(fields, cells, strict=True))
        for cells in zip(*(given[f].tolist() for f in fields), strict=True)
    ]
    firsts = sorted({values[first] for values in rows_in}, key=str)
    existing: dict[tuple[Any, ...], dict[str, Any]] = {}
    for start in range(0, len(firsts), 500):
        chunk = firsts[start : start + 500]
        for row in scope.rows(name, t.c[first].in_(chunk), t.c.deleted == 0):
            existing[mapping.key_of(row)] = row
    inserts: list[int] = []
    updates: list[tuple[str, dict[str, Any]]] = []
    unchanged = 0
    numeric = {r.name for r in mapping.fields if r.type in ("int", "decimal")}
    for index, values in enumerate(rows_in):
        current = existing.get(mapping.key_of(values))
        if current is None:
            inserts.append(index)
        elif any(_differs(current.get(k), v, k in numeric) for k, v in values.items()):
            updates.append((current["id"], values))
        else:
            unchanged += 1
    return np.asarray(inserts, dtype=np.int64), updates, unchanged


def _check_declared(table: ValidatedTable, name: str) -> None:
    """Hold each row to the rules declared for its table as well as to the mapping's: a row
    that breaks one is rejected with the rest of its file's rejects, never written. Checked a
    column at a time, each distinct value once (`validation.check_column`): the same rules as
    `check_fields`."""
    valid = table.valid
    if not len(valid):
        return
    bad: dict[int, list[Problem]] = {}
    for f, values in table.values.items():
        if f in table.factorized:  # read a distinct value at a time: those the rows hold
            every, told = table.factorized[f]
            codes = every[valid]
            held = np.flatnonzero(np.bincount(codes, minlength=len(told)))
            at_held = np.full(len(told), -1, dtype=np.intp)
            at_held[held] = np.arange(len(held))
            codes = at_held[codes]
            distinct = [told[i] for i in held.tolist()]
            found = validation.check_column(name, f, distinct)
        elif _mostly_distinct(values[valid]):  # codes, names: each checked as it is
            codes = np.arange(len(valid))
            distinct = values[valid].tolist()
            found = validation.check_column(name, f, distinct)
        else:
            codes, firsts = pd.factorize(values[valid])  # an empty value is code -1
            distinct = [*firsts.tolist(), None]
            found = validation.check_column(
                name, f, distinct if (codes < 0).any() else distinct[:-1]
            )
        if not found:
            continue
        wrong = np.zeros(len(distinct), dtype=bool)
        wrong[list(found)] = True
        for at in np.flatnonzero(wrong[codes]).tolist():  # code -1: the last, None
            p = found[int(codes[at]) % len(distinct)]
            heading = table.columns.get(p.field or "", p.field or "")
            shown = "" if p.value is None else str(p.value)
            number = table.lines[int(valid[at])]
            bad.setdefault(at, []).append(Problem(table.file, number, heading, shown, p.rule))
    if bad:
        table.reject([int(valid[at]) for at in bad], [p for at in sorted(bad) for p in bad[at]])


def _mostly_distinct(values: np.ndarray, sample: int = 2000) -> bool:
    """Whether a column's values are mostly different from row to row (a code, a name), as
    its first rows say: then hashing them to check each once saves nothing."""
    head = values[:sample]
    return len(head) == sample and len(pd.unique(head)) > sample // 2


def new_ids(count: int) -> list[str]:
    """``count`` fresh row ids, made at once: UUIDs of version 7 (a millisecond clock, then
    random bits counted up), so one import's ids are unique, sort in the order they were made
    and go into the primary key's index at its end instead of all over it."""
    clock = time.time_ns() // 1_000_000
    start = int.from_bytes(os.urandom(8), "big") >> 3  # room to count up without carrying
    high = (clock << 16) | 0x7000 | (int.from_bytes(os.urandom(2), "big") & 0x0FFF)
    head = f"{high:016x}"
    head = f"{head[:8]}-{head[8:12]}-{head[12:16]}"
    ids: list[str] = []
    n, end = start, start + count
    while n < end:  # the last 12 hex digits count up; the 4 before change only on a carry
        low = (0b10 << 62) | n
        run_end = min(end, ((n >> 48) + 1) << 48)
        template = f"{head}-{low >> 48:04x}-%012x"
        ids.extend(map(template.__mod__, range(low & _LOW_48, (low & _LOW_48) + run_end - n)))
        n = run_end
    return ids


_LOW_48 = (1 << 48) - 1


def _insert(
    conn: sa.Connection,
    name: str,
    workspace_id: str,
    given: dict[str, np.ndarray],
    count: int,
    seq: int,
    now: str,
    written: Callable[[int], None] = lambda done: None,
) -> None:
    """Write ``count`` new rows, a column at a time (an empty cell takes the column's
    default), through the driver: one prepared statement for them all (SQLite's
    executemany, the values every row shares written into the statement) or a COPY
    (PostgreSQL; binary where every value has its column's type, `_binary_types`), never
    SQLAlchemy's per-row parameter building. ``written`` hears how many
    are written every `WRITE_CHUNK` rows."""
    t = schema.replicated[name]
    names = [c.name for c in t.columns]
    defaults = schema.column_defaults[name]
    shared: dict[str, Any] = {"workspace_id": workspace_id, "deleted": 0, "updated_at": now}
    columns: dict[str, Sequence[Any]] = {"id": new_ids(count), "version": range(seq, seq + count)}
    for n in names:
        if n in columns or n in shared:
            continue
        values = given.get(n)
        if values is None:
            shared[n] = defaults.get(n)
            continue
        if n in defaults:
            values = values.copy()
            values[is_none(values)] = defaults[n]
        if count and _same_throughout(values):
            shared[n] = values[0]  # the same in every row (a default): written once
            continue
        columns[n] = values.tolist()
    if conn.dialect.name == "postgresql":
        driver = conn.connection.dbapi_connection
        quoted = ", ".join(conn.dialect.identifier_preparer.quote(n) for n in names)
        every = [columns[n] if n in columns else itertools.repeat(shared[n]) for n in names]
        types = _binary_types(t, columns, shared)
        binary = " (FORMAT BINARY)" if types else ""
        with (
            driver.cursor() as cursor,  # type: ignore[union-attr]
            cursor.copy(
                f"COPY {conn.dialect.identifier_preparer.quote(name)} ({quoted}) FROM STDIN"
                + binary
            ) as copy,
        ):
            if types:
                copy.set_types(types)
            rows = zip(*every, strict=False)  # the shared values repeat
            for start in range(0, count, WRITE_CHUNK):
                for row in itertools.islice(rows, WRITE_CHUNK):
                    copy.write_row(row)
                written(min(start + WRITE_CHUNK, count))
        return
    varying = [n for n in names if n in columns]
    marks = ", ".join("?" if n in columns else _literal(shared[n]) for n in names)
    statement = f'INSERT INTO "{name}" ({", ".join(names)}) VALUES ({marks})'
    for start in range(0, count, WRITE_CHUNK):
        end = min(start + WRITE_CHUNK, count)
        conn.exec_driver_sql(
            statement, list(zip(*(columns[n][start:end] for n in varying), strict=True))
        )
        written(end)


def _binary_types(
    t: sa.Table, columns: dict[str, Sequence[Any]], shared: dict[str, Any]
) -> list[str] | None:
    """The PostgreSQL type of each of the table's columns, for a COPY in the binary format,
    where every value is already of its column's Python type (text a ``str``, a whole number
    an ``int``, or None); otherwise None, and the COPY is in text, which the server parses.

    Binary rows cost the importing process about 40 % less CPU (200,000 material rows:
    0.28 s against 0.45 s, BENCHMARKS.md): psycopg packs each value as it is, where the text
    format first writes every number out. Validation has already held each value to its
    declared kind, so the fallback is for a table whose declaration and values differ."""
    made: list[str] = []
    for c in t.columns:
        integer = isinstance(c.type, sa.Integer)
        wanted = {int, type(None)} if integer else {str, type(None)}
        # by exact type: a bool (an int's subclass) is not packed as a whole number
        values = columns[c.name] if c.name in columns else [shared[c.name]]
        found = set(map(type, values))
        if not found <= wanted:
            return None
        made.append(
            ("int8" if isinstance(c.type, sa.BigInteger) else "int4") if integer else "text"
        )
    return made


def _same_throughout(values: np.ndarray) -> bool:
    """Whether every row holds the same value, one a statement can hold (a column the file
    leaves empty, filled with its default): a sample of rows is compared before them all."""
    first = values[0]
    try:
        _literal(first)
    except TypeError:
        return False
    return bool((values[:: 1 + len(values) // 64] == first).all() and (values == first).all())


def _literal(value: Any) -> str:
    """A value every inserted row shares, written into the statement (SQLite)."""
    if value is None:
        return "NULL"
    if type(value) is int:
        return str(value)
    if type(value) is str and "\x00" not in value:
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no literal for {value!r}")


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
