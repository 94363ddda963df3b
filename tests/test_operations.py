"""docs/operations.md, run as written: the blocks it marks *tested* are executed with bash
against a temporary install (the repository's own `workbench-sync` on PATH), and each must
succeed and leave the server's data as it was."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as sync_cli
from sync.server import schema
from sync.server.db import create_schema, make_engine

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "operations.md"


def documented_blocks(section: str) -> list[str]:
    """The shell blocks of a section that the text marks as tested."""
    text = DOC.read_text("utf-8")
    body = text.split(f"## {section}\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"\*Tested[^*]*\*:?\s*\n\n```sh\n(.*?)```", body, flags=re.S)
    assert blocks, f"no tested block in {section!r}"
    return blocks


def run(block: str, env: dict[str, str], cwd: Path) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, f"{block}\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


@pytest.fixture
def install(tmp_path: Path) -> dict[str, str]:
    """A server database with a demo workspace; PATH finds this checkout's workbench-sync."""
    db = tmp_path / "server" / "sync.sqlite"
    result = CliRunner().invoke(
        sync_cli, ["--db", str(db), "demo", "--workspace", "acme", "--materials", "300"]
    )
    assert result.exit_code == 0, result.output
    backups = tmp_path / "backups"
    backups.mkdir()
    bin_dir = Path(sys.executable).parent
    assert (bin_dir / "workbench-sync").exists()
    return {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "WORKBENCH_SYNC_DB": str(db),
        "BACKUPS": str(backups),
        "WORKBENCH_DATA_DIR": str(tmp_path / "data"),
    }


def counts(db: str) -> dict[str, int]:
    engine = make_engine(db)
    with engine.connect() as conn:
        found = {
            t: conn.execute(
                sa.select(sa.func.count()).select_from(schema.replicated[t])
            ).scalar_one()
            for t in ("materials", "cost_rates", "orders")
        }
    engine.dispose()
    return found


def test_backup_then_restore_as_documented(install: dict[str, str], tmp_path: Path) -> None:
    db = install["WORKBENCH_SYNC_DB"]
    before = counts(db)
    backup, restore = documented_blocks("Backup and restore")
    assert "chain intact" in run(backup, install, tmp_path)
    # disaster: the database is damaged
    Path(db).write_bytes(b"not a database any more")
    for suffix in ("-wal", "-shm"):
        Path(db + suffix).unlink(missing_ok=True)
    assert "chain intact" in run(restore, install, tmp_path)
    assert counts(db) == before
    status = json.loads((Path(install["BACKUPS"]) / "status-after-restore.json").read_text())
    assert [w["workspace"] for w in status["workspaces"]] == ["acme"]


def test_a_damaged_backup_is_refused(install: dict[str, str], tmp_path: Path) -> None:
    bad = Path(install["BACKUPS"]) / "sync-backup.sqlite"
    bad.write_bytes(b"garbage")
    result = CliRunner().invoke(
        sync_cli, ["--db", install["WORKBENCH_SYNC_DB"], "restore", "--yes", str(bad)]
    )
    assert result.exit_code == 1 and "is not a SQLite database" in result.output


def test_upgrade_adds_what_a_new_version_brings(install: dict[str, str], tmp_path: Path) -> None:
    db = install["WORKBENCH_SYNC_DB"]
    before = counts(db)
    # the database of an older version: no quotes table, no materials.description column,
    # no mutation ids beside the stored answers
    conn = sqlite3.connect(db)
    conn.execute("DROP TABLE quotes")
    conn.execute("ALTER TABLE materials DROP COLUMN description")
    conn.execute("ALTER TABLE mutations DROP COLUMN mutation_id")
    conn.commit()
    conn.close()
    [block] = documented_blocks("Upgrade")
    output = run(block, install, tmp_path)
    assert "created table quotes" in output and "added column materials.description" in output
    assert "added column mutations.mutation_id" in output
    assert "chain intact" in output
    assert counts(db) == before
    engine = make_engine(db)
    with engine.connect() as c:
        described = c.execute(sa.text("SELECT DISTINCT description FROM materials")).scalars()
        assert list(described) == [""]  # the replica's default for rows that had none
    assert create_schema(engine) == []  # current now: nothing more to do
    engine.dispose()


def test_moving_to_postgresql(
    install: dict[str, str], tmp_path: Path, postgres_server: str
) -> None:
    from tests.postgres import new_database

    url = new_database(postgres_server)
    [block] = documented_blocks("Moving from SQLite to PostgreSQL")
    output = run(block, {**install, "POSTGRES_URL": url}, tmp_path)
    copied = json.loads(output.splitlines()[0])["copied"]
    assert copied["materials"] == counts(install["WORKBENCH_SYNC_DB"])["materials"] > 0
    assert "chain intact" in output
    assert counts(url) == counts(install["WORKBENCH_SYNC_DB"])
    again = subprocess.run(
        ["workbench-sync", "copy-db", "--to", url], env=install, capture_output=True, text=True
    )
    assert again.returncode == 1 and "already holds workspaces" in again.stderr
