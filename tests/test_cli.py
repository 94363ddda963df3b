"""The command lines: ``workbench`` (demo-data, the screenshot path) and ``workbench-sync``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from PySide6.QtGui import QImage

from sync.cli import cli as sync_cli
from ui.cli import cli
from workbench.replica import open_replica

ROOT = Path(__file__).resolve().parent.parent


def test_demo_data_writes_a_replica(tmp_path: Path) -> None:
    out = tmp_path / "demo.sqlite"
    result = CliRunner().invoke(cli, ["demo-data", "--materials", "300", "--out", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["rows"]["materials"] == 300
    replica = open_replica(out)
    assert replica.conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 300


def test_demo_data_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    out = tmp_path / "demo.sqlite"
    runner = CliRunner()
    assert runner.invoke(cli, ["demo-data", "--materials", "10", "--out", str(out)]).exit_code == 0
    again = runner.invoke(cli, ["demo-data", "--materials", "20", "--out", str(out)])
    assert again.exit_code != 0
    assert "already exists; pass --force" in again.output
    forced = runner.invoke(cli, ["demo-data", "--materials", "20", "--out", str(out), "--force"])
    assert forced.exit_code == 0
    assert open_replica(out).conn.execute("SELECT count(*) FROM materials").fetchone()[0] == 20


def test_bad_arguments_get_clear_errors(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["demo-data", "--materials", "0", "--out", "x"])
    assert result.exit_code == 2 and "--materials" in result.output
    both = CliRunner().invoke(cli, ["--demo", "--workspace", str(tmp_path)])
    assert both.exit_code == 2 and "not both" in both.output
    size = CliRunner().invoke(cli, ["--demo", "--screenshot", "x.png", "--size", "wide"])
    assert size.exit_code == 2 and "WIDTHxHEIGHT" in size.output


def _run_app(*args: str) -> subprocess.CompletedProcess[str]:
    """``main.py`` with ``args``, offscreen, as a user starts it."""
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        cwd=ROOT,
    )


def test_screenshot_of_the_demo_window(tmp_path: Path) -> None:
    png = tmp_path / "x.png"
    data = str(tmp_path / "data")
    done = _run_app("--demo", "--demo-size", "1500", "--data-dir", data, "--screenshot", str(png))
    assert done.returncode == 0, done.stderr
    image = QImage(str(png))
    assert image.width() >= 1000 and image.height() >= 600
    # the demo workspace was created where asked, with its index
    assert (tmp_path / "data" / "workspaces" / "demo" / "replica.sqlite").exists()
    assert (tmp_path / "data" / "workspaces" / "demo" / "search-index" / "stamp.json").exists()


def test_screenshot_of_the_dashboards_read_from_the_order_file(tmp_path: Path) -> None:
    """The second start photographs the dashboards, their orders read from the Arrow order
    file the first start wrote after its sync."""
    data = str(tmp_path / "data")
    first = _run_app(
        "--demo",
        "--demo-size",
        "600",
        "--data-dir",
        data,
        "--screenshot",
        str(tmp_path / "main.png"),
    )
    assert first.returncode == 0, first.stderr
    assert (tmp_path / "data" / "workspaces" / "demo" / "replica.orders.arrow").is_file()
    png = tmp_path / "dashboards.png"
    done = _run_app("--demo", "--dashboards", "--data-dir", data, "--screenshot", str(png))
    assert done.returncode == 0, done.stderr
    assert "saved a screenshot of the dashboards" in done.stdout
    image = QImage(str(png))
    assert image.width() >= 1000 and image.height() >= 600


def test_workbench_sync_user_commands(tmp_path: Path) -> None:
    db = str(tmp_path / "server.sqlite")
    runner = CliRunner()
    init = runner.invoke(
        sync_cli,
        ["--db", db, "init", "--workspace", "acme", "--admin", "root", "--password-stdin"],
        input="a long password\n",
    )
    assert init.exit_code == 0, init.output
    add = runner.invoke(
        sync_cli,
        [
            "--db",
            db,
            "user",
            "add",
            "asha",
            "--workspace",
            "acme",
            "--role",
            "floor",
            "--password-stdin",
        ],
        input="another password\n",
    )
    assert add.exit_code == 0, add.output
    listed = json.loads(runner.invoke(sync_cli, ["--db", db, "user", "list", "--json"]).output)
    assert {(u["username"], u["role"]) for u in listed} == {("root", "admin"), ("asha", "floor")}
    add_asha = [
        "--db",
        db,
        "user",
        "add",
        "asha",
        "--workspace",
        "acme",
        "--role",
        "floor",
        "--password-stdin",
    ]
    again = runner.invoke(sync_cli, add_asha, input="pw long enough\n")
    assert again.exit_code == 1 and "is taken" in again.output
    add_bo = [
        "--db",
        db,
        "user",
        "add",
        "bo",
        "--workspace",
        "acme",
        "--role",
        "admin",
        "--password-stdin",
    ]
    short = runner.invoke(sync_cli, add_bo, input="short\n")
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    role = runner.invoke(sync_cli, ["--db", db, "user", "set-role", "asha", "merchandiser"])
    assert role.exit_code == 0
    bad_role = runner.invoke(sync_cli, ["--db", db, "user", "set-role", "asha", "boss"])
    assert bad_role.exit_code == 2 and "boss" in bad_role.output
    missing = runner.invoke(sync_cli, ["--db", db, "user", "disable", "nobody"])
    assert missing.exit_code == 1 and "no user named 'nobody'" in missing.output


def _workspace_rows(db: str) -> dict[str, set[str]]:
    """Material ids per workspace name in the server database at ``db``."""
    import sqlalchemy as sa

    from sync.server import schema
    from sync.server.db import make_engine

    engine = make_engine(db)
    w, m = schema.workspaces, schema.replicated["materials"]
    found: dict[str, set[str]] = {}
    with engine.connect() as conn:
        for name in conn.execute(sa.select(w.c.name)).scalars():
            found[name] = set()
        for name, material_id in conn.execute(sa.select(w.c.name, m.c.id).join(m)):
            found[name].add(material_id)
    engine.dispose()
    return found


def test_workbench_sync_demo_refuses_an_existing_workspace_and_makes_new_ones_whole(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    db = str(tmp_path / "server.sqlite")
    runner = CliRunner()
    demo = ["--db", db, "demo", "--materials", "40", "--orders", "10"]
    first = runner.invoke(sync_cli, demo)
    assert first.exit_code == 0, first.output
    before = _workspace_rows(db)
    assert len(before["demo"]) == 40
    # the same name again: refused, and the workspace is left as it was
    again = runner.invoke(sync_cli, demo)
    assert again.exit_code == 1 and "already exists" in again.output, again.output
    assert _workspace_rows(db) == before
    # a new name in the same database: the same demo, with ids of its own
    acme = runner.invoke(sync_cli, [*demo, "--workspace", "acme"])
    assert acme.exit_code == 0, acme.output
    after = _workspace_rows(db)
    assert len(after["acme"]) == 40 and not after["acme"] & after["demo"]
    users = json.loads(runner.invoke(sync_cli, ["--db", db, "user", "list", "--json"]).output)
    assert {u["username"] for u in users if u["workspace"] == "acme"} == {
        "demo-merch@acme",
        "demo-floor@acme",
        "demo-admin@acme",
    }

    # a failure half-way leaves no workspace behind
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the disk is full")

    monkeypatch.setattr("sync.server.scoping.WorkspaceScope.insert", broken)
    failed = runner.invoke(sync_cli, [*demo, "--workspace", "beta"])
    assert failed.exit_code != 0
    assert "beta" not in _workspace_rows(db)
