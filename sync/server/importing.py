"""Importing master data into a workspace on the server (``workbench-sync import``).

All or nothing by default: if any row is rejected, nothing is written and the reject report
says why; ``accept_partial`` writes the valid rows only. Rows are matched by their business
key (a material's code), so importing the same file again changes nothing. Written rows get
fresh change numbers and reach every laptop through the ordinary change feed.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.ingest import load_mapping, read_table, validate
from workbench.ingest.mapping import Mapping
from workbench.ingest.report import write_reject_report

#: what a new row gets for the columns a file does not fill
DEFAULTS: dict[str, dict[str, Any]] = {
    "materials": {
        "composition": "",
        "construction": "",
        "colour": "",
        "finish": "",
        "certifications": "",
        "supplier": "",
        "mill": "",
        "currency": "INR",
        "description": "",
    },
}


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
) -> ImportSummary:
    if kind not in DEFAULTS:
        raise ImportRefused(f"importing {kind!r} is not supported yet; supported: "
                           f"{', '.join(DEFAULTS)}")  # fmt: skip
    path = Path(path)
    mapping = mapping or load_mapping(kind)
    table = validate(read_table(path), mapping)
    summary = ImportSummary(file=path.name, kind=kind, rows_read=table.rows_read,
                            rejected=len(table.rejected_rows), dry_run=dry_run)  # fmt: skip
    summary.problems = [str(p) for p in table.problems]
    if table.problems:
        base = (report_dir or path.parent) / f"{path.stem}.rejected"
        summary.reports = [str(p) for p in write_reject_report(table.problems, base)]
        if not accept_partial or not table.rows:
            return summary

    key = mapping.key
    t = schema.replicated[kind]
    present = set(table.columns)  # a column the file lacks leaves that field as it was
    table.rows = [(n, {k: v for k, v in values.items() if k in present})
                  for n, values in table.rows]  # fmt: skip
    with writing(engine).begin() as conn:
        scope = WorkspaceScope(conn, workspace_id)
        keys = [values[key] for _, values in table.rows]
        existing: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for row in scope.rows(kind, t.c[key].in_(chunk), t.c.deleted == 0):
                existing[row[key]] = row
        inserts, updates = [], []
        for _, values in table.rows:
            current = existing.get(values[key])
            if current is None:
                inserts.append(values)
            elif any(current.get(k) != v for k, v in values.items()):
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
        for values in inserts:
            filled = {k: v for k, v in values.items() if v is not None}
            rows.append({**blank, **DEFAULTS[kind], **filled, "id": str(uuid.uuid4()),
                         "version": seq, "deleted": 0, "updated_at": now})  # fmt: skip
            seq += 1
        scope.insert(kind, rows)
        for row_id, values in updates:
            scope.update(kind, row_id, {**values, "version": seq, "updated_at": now})
            seq += 1
    summary.written = True
    return summary
