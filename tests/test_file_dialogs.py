"""Save dialogs open where the user keeps files: the documents folder at first, then the
folder used last (kept in the settings under the data directory in use), never the program's
working directory."""

from __future__ import annotations

import json
from pathlib import Path

import platformdirs
import pytest
from PySide6.QtWidgets import QFileDialog, QTableWidget, QTableWidgetItem
from pytestqt.qtbot import QtBot

from ui.table_export import install_export


def test_an_export_starts_in_documents_then_in_the_folder_used_last(
    qtbot: QtBot, private_data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = tmp_path / "launched-from"  # where the program was started: no place for files
    documents = tmp_path / "Documents"
    exports = tmp_path / "exports"
    for folder in (started, documents, exports):
        folder.mkdir()
    monkeypatch.chdir(started)
    monkeypatch.setattr(platformdirs, "user_documents_dir", lambda: str(documents))
    opened_in: list[Path] = []

    def dialog(_parent: object, _title: str, suggested: str, _types: str) -> tuple[str, str]:
        opened_in.append(Path(suggested).resolve().parent)
        return str(exports / Path(suggested).name), "Excel (*.xlsx)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(dialog))
    table = QTableWidget(1, 1)
    qtbot.addWidget(table)
    table.setHorizontalHeaderLabels(["GSM"])
    table.setItem(0, 0, QTableWidgetItem("180"))
    export = install_export(table, "weights")

    export.trigger()
    assert opened_in == [documents]
    assert (exports / "weights.xlsx").exists()
    export.trigger()
    assert opened_in == [documents, exports]
    kept = json.loads((private_data_dir / "settings.json").read_text("utf-8"))
    assert kept["last_folder"] == str(exports)
    assert not list(started.iterdir())
