"""`workbench check-install`: each feature whose libraries the desktop bundle trims, done for
real, and a broken one reported rather than passed."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from click.testing import CliRunner

from ui.cli import cli
from workbench.analytics import store_file
from workbench.demo import generate_demo
from workbench.install_check import InstallCheckError, check_install, check_order_file
from workbench.replica import open_replica
from workbench.replica.store import Replica
from workbench.workspace import open_workspace


@pytest.fixture
def replica(tmp_path: Path) -> Replica:
    opened = open_replica(tmp_path / "r.sqlite")
    generate_demo(opened, materials=300, orders=400, seed=3)
    return opened


def _text(pdf: Path) -> str:
    pages = [page.get_textpage().get_text_range() for page in pdfium.PdfDocument(pdf)]
    return "".join(ch for ch in "\n".join(pages) if ch >= " " or ch == "\n")


def test_every_check_writes_what_it_names(replica: Replica, tmp_path: Path) -> None:
    out = tmp_path / "check"
    done = {c.name: c for c in check_install(out, replica)}
    assert set(done) >= {"order file", "label PDF (WeasyPrint)", "Excel", "proposal PDF"}
    live = replica.conn.execute("SELECT count(*) FROM orders WHERE deleted = 0").fetchone()[0]
    assert done["order file"].detail == f"{live} orders, plain, read back equal"
    assert done["order file"].path is None and not list(out.glob("*.arrow"))
    proposal = _text(out / "proposal.pdf")
    assert "1.200" in proposal and "4,25 EUR" in proposal  # de_DE through Babel
    assert "Colour Écru" in _text(out / "label-weasyprint.pdf")


def test_a_sealed_order_file_is_checked_sealed(tmp_path: Path, memory_keyring: object) -> None:
    workspace = open_workspace(tmp_path / "ws")
    try:
        generate_demo(workspace.replica, materials=200, orders=100, seed=2)
        assert workspace.replica.key is not None
        assert check_order_file(workspace.replica).detail.endswith("sealed, read back equal")
    finally:
        workspace.close()


def test_an_order_file_read_back_wrong_fails_the_check(
    replica: Replica, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_read = store_file.read

    def one_order_lost(path: Path, key: bytes | None = None):  # type: ignore[no-untyped-def]
        stamp, store = real_read(path, key)
        return stamp, replace(store, raw=store.raw.iloc[:-1])

    monkeypatch.setattr(store_file, "read", one_order_lost)
    with pytest.raises(InstallCheckError, match="differ"):
        check_order_file(replica)


def test_the_command_prints_one_line_per_check_and_fails_on_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    workspace = open_workspace(data / "workspaces" / "demo", plain_without_keyring=True)
    generate_demo(workspace.replica, materials=200, orders=100, seed=2)
    workspace.close()
    runner = CliRunner()
    done = runner.invoke(
        cli, ["--data-dir", str(data), "check-install", "--out", str(tmp_path / "o")]
    )
    assert done.exit_code == 0, done.output
    lines = [json.loads(line) for line in done.output.splitlines() if line.startswith("{")]
    assert lines[0]["check"] == "order file" and lines[-1]["check"] == "proposal PDF"
    assert (tmp_path / "o" / "table.xlsx").is_file()

    import workbench.export

    def refuse(*_args: object, **_kwargs: object) -> int:
        raise OSError("openpyxl is not in this install")

    monkeypatch.setattr(workbench.export, "export_table", refuse)
    done = runner.invoke(
        cli, ["--data-dir", str(data), "check-install", "--out", str(tmp_path / "p")]
    )
    assert done.exit_code == 1 and "openpyxl is not in this install" in done.output
