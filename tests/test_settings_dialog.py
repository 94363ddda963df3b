"""File → Settings under pytest-qt: every group saves to settings.json, a bad value keeps the
dialog open with a message beside its field (an unknown printer host, a currency that is no
ISO 4217 code), the file is in the data directory the app was started with, and the sign-in
offers the company server set here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from ui.settings_dialog import SettingsDialog
from workbench.settings import Settings, SettingsError, load_settings, save_settings
from workbench.workspace import open_workspace


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
        "https://sync.kongu-mills.example",
        "http://127.0.0.1:11434",
        "local-llm",
    )
    assert (again.label_printer, again.label_template, again.label_copies) == (
        "zpl://192.168.1.40:9100",
        "thermal-50x25",
        3,
    )
    assert (
        again.weight_unit,
        again.length_unit,
        again.reporting_currency,
        again.stale_rate_days,
    ) == ("lb", "yd", "EUR", 90)


def test_a_bad_value_keeps_the_dialog_open_and_says_which(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    dialog.server_url.setText("sync.kongu-mills.example")
    assert dialog.save() is None and dialog.isVisible()
    assert "company server's address must start with https://" in dialog.message.text()
    assert "must start with https://" in dialog.note_for(dialog.server_url).text()
    dialog.server_url.setText("https://sync.kongu-mills.example")
    dialog.currency.setText("RS")
    assert dialog.save() is None
    assert "currency must be a 3-letter ISO 4217 code" in dialog.note_for(dialog.currency).text()
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


# --- checked as typed, said beside the field -------------------------------------------------


def type_over(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Click into ``edit``, select what it holds, type ``text`` and leave the field (Tab)."""
    window = edit.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Tab)
    assert not edit.hasFocus()


def test_an_unknown_printer_host_is_refused_beside_the_field(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    note = dialog.note_for(dialog.printer)
    with qtbot.waitSignal(dialog.printer_checked, timeout=10_000) as checked:
        type_over(qtbot, dialog.printer, "zpl://nowhere")
    assert checked.args == ["zpl://nowhere", note.text()]
    assert note.isVisible() and "no host called 'nowhere' is known on this network" in note.text()
    assert dialog.printer.property("state") == "refused"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not (tmp_path / "settings.json").exists()
    assert "refused" in dialog.message.text()
    # a port out of range and a host that is no host name are refused as typed, no lookup
    type_over(qtbot, dialog.printer, "zpl://zebra-3:0")
    assert "the port must be a number from 1 to 65535" in note.text()
    type_over(qtbot, dialog.printer, "zpl://zebra 3:9100")
    assert "'zebra 3' is not a host name or IP address" in note.text()
    type_over(qtbot, dialog.printer, "ipp://zebra")
    assert "is not a printer: use zpl://host:9100" in note.text()
    # what the label station takes is kept: an address, a known name, a PDF file
    type_over(qtbot, dialog.printer, "zpl://192.168.1.40:9100?dpi=300")
    assert not note.isVisible() and dialog.printer.property("state") == ""
    with qtbot.waitSignal(dialog.printer_checked, timeout=10_000):
        type_over(qtbot, dialog.printer, "zpl://localhost:9100")
    assert note.text() == "localhost found on this network"
    type_over(qtbot, dialog.printer, f"pdf:{tmp_path / 'labels.pdf'}")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert load_settings(tmp_path).label_printer == f"pdf:{tmp_path / 'labels.pdf'}"


def test_saving_a_named_printer_waits_for_its_lookup(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    dialog.printer.setText("zpl://localhost:9100")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args[0].label_printer == "zpl://localhost:9100"
    assert load_settings(tmp_path).label_printer == "zpl://localhost:9100"


def test_a_currency_must_be_an_iso_4217_code(qtbot: QtBot, tmp_path: Path) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    note = dialog.note_for(dialog.currency)
    assert note.text() == "US Dollar"  # the code's name, once it is one
    type_over(qtbot, dialog.currency, "dollars!")
    assert dialog.currency.text() == "dollars!"  # not cut to "DOL"
    assert note.isVisible() and note.text() == (
        "currency must be a 3-letter ISO 4217 code, such as USD, EUR or INR, not 'dollars!'"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and not (tmp_path / "settings.json").exists()
    type_over(qtbot, dialog.currency, "XYZ")
    assert note.text().startswith("XYZ is not an ISO 4217 currency code")
    type_over(qtbot, dialog.currency, "inr")
    assert note.text() == "Indian Rupee" and dialog.currency.property("state") == "ok"
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert load_settings(tmp_path).reporting_currency == "INR"
    with pytest.raises(SettingsError, match="not an ISO 4217") as refused:
        save_settings(Settings(reporting_currency="DOL"), tmp_path)
    assert refused.value.field == "reporting_currency"


# --- kept in the data directory in use ---------------------------------------------------------


def files_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_with_a_data_dir_settings_are_kept_there_and_nothing_in_home(
    app_state: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app started with --data-dir (and a home of its own): Settings opened from the main
    window (Ctrl+,) and saved with the mouse are in that data directory, with the log and
    Qt's own settings; the home folder gets nothing."""
    from tests.app_runs import run_app_driven, visible
    from ui.main_window import MainWindow
    from workbench.paths import data_dir

    home, data = tmp_path / "home", tmp_path / "data"
    home.mkdir()
    for name in (
        "WORKBENCH_DATA_DIR",
        "WORKBENCH_LOG_DIR",
        "XDG_CONFIG_HOME",
        "XDG_DATA_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    folder = data / "workspaces" / "mill"
    open_workspace(folder).close()
    seen: dict[str, object] = {}

    def step() -> None:
        windows = visible(MainWindow)
        if not windows or not windows[0].isActiveWindow():  # a person types into the window
            poll.start(50)  # once it is active: a shortcut goes to the active window only
            return
        window = windows[0]
        seen["data dir"] = data_dir()
        QTest.keyClick(window, Qt.Key.Key_Comma, Qt.KeyboardModifier.ControlModifier)
        dialog = window.menus.settings_dialog
        assert dialog is not None
        QTest.mouseClick(dialog.currency, Qt.MouseButton.LeftButton)
        QTest.keyClick(dialog.currency, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
        QTest.keyClicks(dialog.currency, "EUR")
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        seen["saved"] = not dialog.isVisible()
        window.close()

    poll = QTimer(singleShot=True, timeout=step)
    give_up = QTimer(singleShot=True, timeout=app_state.quit)
    code = run_app_driven(poll, give_up, 60_000, data_dir=data, workspace_dir=folder)
    assert code == 0 and seen == {"data dir": data, "saved": True}
    assert json.loads((data / "settings.json").read_text("utf-8"))["reporting_currency"] == "EUR"
    assert (data / "logs" / "workbench.log").exists()
    assert files_under(home) == []
    assert data_dir() != data  # the process is back to its own data directory


def test_the_proposals_company_logo_and_incoterm_are_typed_picked_and_saved(
    qtbot: QtBot, tmp_path: Path
) -> None:
    logo = tmp_path / "logo.gif"
    logo.write_bytes(b"GIF89a")
    dialog = dialog_for(qtbot, tmp_path)
    qtbot.mouseClick(dialog.company, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.company, "Kongu Mills Ltd")
    dialog.incoterm.setFocus()
    qtbot.keyClick(dialog.incoterm, Qt.Key.Key_Home)  # EXW, the first rule
    qtbot.keyClick(dialog.incoterm, Qt.Key.Key_Down)  # FCA
    qtbot.mouseClick(dialog.place, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.place, "Chennai")
    qtbot.mouseClick(dialog.logo, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(dialog.logo, str(logo))
    assert dialog.save() is None and dialog.isVisible()  # a GIF is no logo the PDF takes
    assert "PNG or JPEG" in dialog.note_for(dialog.logo).text()
    dialog.logo.clear()
    saved = dialog.save()
    assert saved is not None
    again = load_settings(tmp_path)
    assert (again.company_name, again.incoterm, again.incoterm_place, again.company_logo) == (
        "Kongu Mills Ltd",
        "FCA",
        "Chennai",
        "",
    )


def test_every_placeholder_shows_whole_at_the_size_the_dialog_opens(
    qtbot: QtBot, tmp_path: Path
) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    cut = []
    for edit in dialog.findChildren(QLineEdit):
        hint = edit.placeholderText()
        if not hint or not edit.isVisible():
            continue
        margins = edit.textMargins()
        room = edit.width() - margins.left() - margins.right() - 2 * (2 + 2)  # frame, margin
        if edit.fontMetrics().horizontalAdvance(hint) > room:
            cut.append(hint)
    assert cut == [], cut


@pytest.mark.parametrize("size", ["opened", "fitted", "smallest"])
def test_what_the_ai_provider_is_sent_shows_whole(qtbot: QtBot, tmp_path: Path, size: str) -> None:
    dialog = dialog_for(qtbot, tmp_path)
    qtbot.waitExposed(dialog)
    if size == "fitted":  # as large as its contents want
        dialog.adjustSize()
    elif size == "smallest":  # as small as its layout lets it be
        dialog.resize(1, 1)
    qtbot.wait(100)  # the layout settles
    for hint in (dialog.ai_sent, dialog.where):
        assert hint.height() >= hint.heightForWidth(hint.width()), (size, hint.text())
    # and the layout cannot squeeze it: a column narrower than the layout guessed (the other
    # column wider) cut its last lines off with the app's style sheet
    sent = dialog.ai_sent
    lines = sent.heightForWidth(sent.width())
    assert sent.minimumHeight() >= lines > 3 * sent.fontMetrics().height()


def test_the_wheel_over_a_closed_box_changes_no_setting(qtbot: QtBot, tmp_path: Path) -> None:
    """Scrolling past the Incoterm, the document locale or the label copies changes none of
    them: only a field the user clicked or tabbed into takes the wheel."""
    from tests.cost_sheet_helpers import wheel

    dialog = dialog_for(qtbot, tmp_path)
    dialog.save_button.setFocus()
    boxes = (dialog.incoterm, dialog.document_locale, dialog.template, dialog.weight, dialog.copies)
    before = [box.currentIndex() if hasattr(box, "currentIndex") else box.value() for box in boxes]
    for box in boxes:
        turn = +1 if box is dialog.copies else -1  # towards more copies, the next rule
        wheel(box, turn)
        wheel(box, turn)
    after = [box.currentIndex() if hasattr(box, "currentIndex") else box.value() for box in boxes]
    assert after == before
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=2_000)
    dialog.incoterm.setFocus()  # tabbed into: the wheel turns it, as the user meant
    qtbot.waitUntil(dialog.incoterm.hasFocus, timeout=2_000)
    wheel(dialog.incoterm, -1)
    assert dialog.incoterm.currentIndex() != before[0]
