"""File → Settings under pytest-qt: every group saves to settings.json, a bad value keeps the
dialog open with a message naming it, and the sign-in offers the company server set here."""

from __future__ import annotations

import json
from pathlib import Path

from pytestqt.qtbot import QtBot

from ui.settings_dialog import SettingsDialog
from workbench.settings import Settings, load_settings


def dialog_for(qtbot: QtBot, tmp_path: Path) -> SettingsDialog:
    dialog = SettingsDialog(load_settings(tmp_path), tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def test_every_group_is_saved(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    dialog.server_url.setText(" https://sync.kongu-mills.example ")
    dialog.ai_url.setText("http://127.0.0.1:11434")
    dialog.chat_model.setText("local-llm")
    dialog.printer.setText("zpl://192.168.1.40:9100")
    dialog.template.setCurrentText("thermal-50x25")
    dialog.copies.setValue(3)
    dialog.weight.setCurrentText("lb")
    dialog.length.setCurrentText("yd")
    dialog.currency.setText("eur")
    dialog.stale.setValue(90)
    saved = dialog.save()
    assert saved is not None and not dialog.isVisible()
    again = load_settings(tmp_path)
    assert again == saved
    assert (again.server_url, again.ai.base_url, again.ai.chat_model) == (
        "https://sync.kongu-mills.example", "http://127.0.0.1:11434", "local-llm")  # fmt: skip
    assert (again.label_printer, again.label_template, again.label_copies) == (
        "zpl://192.168.1.40:9100", "thermal-50x25", 3)  # fmt: skip
    assert (again.weight_unit, again.length_unit, again.reporting_currency,
            again.stale_rate_days) == ("lb", "yd", "EUR", 90)  # fmt: skip


def test_a_bad_value_keeps_the_dialog_open_and_says_which(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    dialog.server_url.setText("sync.kongu-mills.example")
    assert dialog.save() is None and dialog.isVisible()
    assert "company server's address must start with https://" in dialog.message.text()
    dialog.server_url.setText("https://sync.kongu-mills.example")
    dialog.currency.setText("RS")
    assert dialog.save() is None
    assert "currency must be a 3-letter code" in dialog.message.text()
    assert not (tmp_path / "settings.json").exists()  # nothing half-written
    dialog.currency.setText("INR")
    assert dialog.save() is not None
    assert json.loads((tmp_path / "settings.json").read_text("utf-8"))["server_url"] == (
        "https://sync.kongu-mills.example"
    )


def test_signing_in_offers_the_company_server_from_settings(qtbot: QtBot, tmp_path: Path) -> None:
    from ui.main_window import MainWindow
    from ui.ops import OpRunner
    from workbench.settings import save_settings
    from workbench.workspace import open_workspace

    save_settings(Settings(server_url="https://sync.kongu-mills.example"), tmp_path)
    workspace = open_workspace(tmp_path / "workspaces" / "scratch")
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win)
    try:
        login = win.sync.show_login()
        assert login.server.text() == "https://sync.kongu-mills.example"
        login.close()
    finally:
        win.close()
        workspace.close()


def test_the_company_server_default_survives_a_damaged_settings_file(tmp_path: Path) -> None:
    from workbench.settings import company_server, save_settings

    assert company_server(tmp_path) == ""
    save_settings(Settings(server_url="https://sync.kongu-mills.example"), tmp_path)
    assert company_server(tmp_path) == "https://sync.kongu-mills.example"
    (tmp_path / "settings.json").write_text("{broken", encoding="utf-8")
    assert company_server(tmp_path) == ""
