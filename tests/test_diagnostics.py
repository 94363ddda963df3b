"""The log file and the diagnostics bundle: rotation, and no secret on disk or in the zip."""

from __future__ import annotations

import json
import logging
import zipfile
from pathlib import Path

import pytest

from workbench.diagnostics import DiagnosticsError, export_diagnostics
from workbench.logs import redact, setup_logging
from workbench.workspace import open_workspace

SECRETS = ("eyJhbGciOiJIUzI1NiJ9.payload.signature", "sk-proj-ABCDEF1234567890", "hunter2pass")


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("GET /v1/changes Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.signature", "Bearer"),
        ("login failed: password=hunter2pass for demo", "password="),
        ("provider key sk-proj-ABCDEF1234567890 refused", "provider key"),
        ("db postgresql://workbench:hunter2pass@db.example.com/sync", "db.example.com"),
        ('{"token": "eyJhbGciOiJIUzI1NiJ9.payload.signature"}', '"token"'),
    ],
)
def test_secrets_are_redacted(text: str, kept: str) -> None:
    cleaned = redact(text)
    assert "[redacted]" in cleaned and kept in cleaned
    assert not any(secret in cleaned for secret in SECRETS)


def test_the_log_holds_no_secret(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert setup_logging(tmp_path / "logs") == path  # installed once
    log = logging.getLogger("sync.client")
    log.warning("retrying with Authorization: Bearer %s", SECRETS[0])
    try:
        raise RuntimeError(f"the AI provider refused key {SECRETS[1]}")
    except RuntimeError:
        log.exception("AI call failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = path.read_text("utf-8")
    assert "retrying with Authorization: Bearer [redacted]" in text
    assert "refused key sk-[redacted]" in text and "Traceback" in text
    assert not any(secret in text for secret in SECRETS)
    for handler in list(logging.getLogger().handlers):
        if getattr(handler, "baseFilename", None) == str(path):
            logging.getLogger().removeHandler(handler)
            handler.close()


def test_the_diagnostics_bundle(tmp_path: Path) -> None:
    workspace = open_workspace(tmp_path / "data" / "workspaces" / "mill")
    workspace.replica.set_state("server_url", "https://sync.example.com")
    workspace.close()
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "workbench.log").write_text(f"sync ok\nBearer {SECRETS[0]}\n", encoding="utf-8")
    (logs / "workbench.log.1").write_text("older\n", encoding="utf-8")
    bundle = export_diagnostics(tmp_path / "diag.zip", base=tmp_path / "data", logs=logs)
    with zipfile.ZipFile(bundle) as z:
        names = set(z.namelist())
        assert {
            "versions.json",
            "workspaces.json",
            "logs/workbench.log",
            "logs/workbench.log.1",
        } <= names
        versions = json.loads(z.read("versions.json"))
        assert versions["packages"]["SQLAlchemy"] and versions["python"]
        [ws] = json.loads(z.read("workspaces.json"))
        assert ws["workspace"] == "mill" and ws["server"] == "https://sync.example.com"
        everything = b"".join(z.read(n) for n in names).decode()
    assert not any(secret in everything for secret in SECRETS)


def test_a_bundle_with_an_unredactable_secret_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("workbench.diagnostics.redact", lambda text: text)  # a broken filter
    logs = tmp_path / "logs"
    logs.mkdir()
    (logs / "workbench.log").write_text(f"password={SECRETS[2]}\n", encoding="utf-8")
    with pytest.raises(DiagnosticsError, match=r"logs/workbench\.log still holds"):
        export_diagnostics(tmp_path / "diag.zip", base=tmp_path / "data", logs=logs)
    assert not (tmp_path / "diag.zip").exists()


def test_the_diagnostics_command(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from ui.cli import cli

    out = tmp_path / "diag.zip"
    result = CliRunner().invoke(
        cli, ["--data-dir", str(tmp_path / "data"), "diagnostics", "--out", str(out)], obj={}
    )
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as z:
        assert "versions.json" in z.namelist()
