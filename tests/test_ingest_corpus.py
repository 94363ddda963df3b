"""Real exports, imported as a sync admin would: each file in ``tests/data/ingest/`` beside an
expected result (``<file>.expected.json``: the rows that land, with every value, the rejects
with line, column, value and rule, and the lines left out as not rows), compared field by field
on SQLite and on PostgreSQL.

``WORKBENCH_WRITE_EXPECTED=1`` writes a missing expected file from what the import did, for a
person to check line by line before it is kept.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sync.server import schema
from sync.server.importing import import_file
from tests.sync_fixtures import Server
from workbench.ingest import load_mapping, read_table, validate

CORPUS = Path(__file__).parent / "data" / "ingest"
FILES = sorted(p.name for p in CORPUS.iterdir() if p.suffix in (".csv", ".txt", ".xls", ".xlsx"))


def expected_of(name: str) -> Path:
    return CORPUS / f"{name}.expected.json"


def stored(server: Server, kind: str, fields: list[str]) -> list[dict[str, Any]]:
    """The workspace's rows of ``kind`` with the given fields, references as the codes they
    name, sorted by the mapping's key."""
    mapping = load_mapping(kind)
    t = schema.replicated[mapping.table]
    with server.engine.connect() as conn:
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                sa.select(t).where(t.c.workspace_id == server.workspaces["alpha"], t.c.deleted == 0)
            )
        ]
        for rule in mapping.reference_fields:
            table, by = rule.references  # type: ignore[misc]
            other = schema.replicated[table]
            codes = dict(conn.execute(sa.select(other.c.id, other.c[by])).all())
            for row in rows:
                row[rule.name] = codes.get(row[rule.name])
    found = [{f: row[f] for f in fields} for row in rows]
    return sorted(found, key=lambda r: json.dumps([r.get(k) for k in mapping.keys], default=str))


def outcome(
    server: Server | None, name: str, expected: dict[str, Any], reports: Path | None = None
) -> dict[str, Any]:
    kind = expected["kind"]
    options = expected.get("options", {})
    path = CORPUS / name
    if server is None:  # read and checked only (a BOM is matched on the laptop)
        table = validate(read_table(path), load_mapping(kind), **options)
        rejects = [[p.row, p.column, p.value, p.rule] for p in table.problems]
        return {
            "kind": kind,
            "options": options,
            "rows_read": table.rows_read,
            "skipped": [list(s) for s in table.skipped],
            "rejects": rejects,
            "landed": [dict(values) for _, values in table.rows],
        }
    for before_kind, before in expected.get("before", []):
        done = import_file(
            server.engine,
            server.workspaces["alpha"],
            before_kind,
            CORPUS / before,
            accept_partial=True,
            report_dir=reports,
        )
        assert done.written, (before, done.problems)
    workspace = server.workspaces["alpha"]
    strict = import_file(server.engine, workspace, kind, path, report_dir=reports, **options)
    if strict.rejected:
        assert not strict.written  # all or nothing: a reject stops the whole file
    summary = import_file(
        server.engine, workspace, kind, path, accept_partial=True, report_dir=reports, **options
    )
    table = validate(read_table(path), load_mapping(kind), lambda *_: {}, **options)
    mapping = load_mapping(kind)
    fields = [
        r.name
        for r in mapping.fields
        if r.store and (r.name in table.columns or r.name in table.derived or r.default is not None)
    ]
    return {
        "kind": kind,
        "before": expected.get("before", []),
        "options": options,
        "rows_read": summary.rows_read,
        "skipped": [list(s) for s in table.skipped],
        "rejects": [[r["row"], r["column"], r["value"], r["rule"]] for r in summary.rejects],
        "landed": stored(server, kind, fields),
    }


@pytest.mark.parametrize("name", [n for n in FILES if n != "clo3d_bom.csv"])
def test_a_corpus_export_imports_as_expected(server: Server, name: str, tmp_path: Path) -> None:
    path = expected_of(name)
    if not path.exists():
        header = json.loads((CORPUS / "kinds.json").read_text("utf-8"))[name]
        got = outcome(server, name, header, tmp_path)
        if os.environ.get("WORKBENCH_WRITE_EXPECTED"):
            path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", "utf-8")
        pytest.fail(f"no expected result for {name}:\n{json.dumps(got, indent=1)}")
    expected = json.loads(path.read_text("utf-8"))
    got = outcome(server, name, expected, tmp_path)
    assert got["rejects"] == expected["rejects"]
    assert got["skipped"] == expected["skipped"]
    assert got["rows_read"] == expected["rows_read"]
    assert len(got["landed"]) == len(expected["landed"])
    for want, have in zip(expected["landed"], got["landed"], strict=True):
        for field, value in want.items():
            assert have[field] == value, (name, want, field)


def test_a_clo3d_bom_reads_as_expected() -> None:
    name = "clo3d_bom.csv"
    expected = json.loads(expected_of(name).read_text("utf-8"))
    got = outcome(None, name, expected)
    assert got == expected
