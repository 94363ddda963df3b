"""The Import dialog under pytest-qt: an admin drops a cost master in, sees its kind and
columns guessed and every problem checked against the replica, fixes a column, imports the
valid rows on the server, and the rows come back through sync. Only admins see it."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from ui.main_window import MainWindow
from ui.ops import OpRunner

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)

RATES = (
    "Rate code;Process;Material code;Basis;Amount;Valid from;Rate\n"
    "YRN-NE30;yarn;F-1;kg;see note;01.10.2026;268,00\n"
    "TRIM;trim;F-2;pcs;see note;01.10.2026;0,55\n"
    "TRIM;trim;NOPE-9;pcs;see note;01.10.2026;0,60\n"
)


def admin_window(qtbot: QtBot, server: Server, tmp_path: Path, user: str) -> MainWindow:
    found = [material("F-1", name="Ne 30/1 yarn"), material("F-2", name="Button 18L")]
    write_rows(server.engine, server.workspaces["alpha"], "materials", found)
    workspace, _, _ = sign_in(server.url, user, PASSWORD, base=tmp_path / user)
    sync_workspace(workspace)
    syncer = lambda ctx: sync_workspace(workspace, cancel=ctx.cancel_event)  # noqa: E731
    win = MainWindow(workspace, OpRunner(), syncer=syncer)
    qtbot.addWidget(win)
    win.show()
    return win


def test_an_admin_imports_a_cost_master_from_the_app(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    win = admin_window(qtbot, server, tmp_path, "admin@alpha")
    try:
        assert win.import_action.isVisible()
        dialog = win.show_import()
        path = tmp_path / "rates.csv"
        path.write_text(RATES, encoding="cp1252")
        # dropped onto the dialog, as from a file manager
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        with qtbot.waitSignal(dialog.checked, timeout=10_000) as blocker:
            drop = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, data,
                              Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)  # fmt: skip
            dialog.dropEvent(drop)
        assert dialog.kind == "cost_rates"
        # "Amount" holds notes and "Rate" the rates: the guess took the first heading it knew
        assert dialog.chosen_columns()["rate"] == "Amount"
        first = blocker.args[0]
        assert len(first.rejected_rows) == 3
        with qtbot.waitSignal(dialog.checked, timeout=10_000) as blocker:
            dialog.set_column("rate", "Rate")
        table = blocker.args[0]
        assert [str(p) for p in table.problems] == [
            "rates.csv, line 4, column 'Material code' ('NOPE-9'): no material with code "
            "'NOPE-9' in this workspace"
        ]
        assert "3 rows read · 2 valid · 1 rejected" in dialog.summary.text()
        assert dialog.preview.rowCount() == 3
        assert dialog.preview.item(2, 0).toolTip().startswith("no material with code")
        assert dialog.problem_list.count() == 1
        written = dialog.save_report(tmp_path / "report.xlsx")
        assert [p.name for p in written] == ["report.xlsx", "report.csv"]
        sheet = openpyxl.load_workbook(written[0]).active
        first_row = next(sheet.iter_rows(min_row=2, values_only=True))
        assert first_row[:3] == ("rates.csv", 4, "Material code")
        dialog.grab().save(str(tmp_path / "import-dialog.png"))

        # all or nothing: the server refuses the file as it is
        with qtbot.waitSignal(dialog.answered, timeout=20_000) as blocker:
            dialog.import_button.click()
        assert blocker.args[0]["written"] is False
        assert dialog.summary.text().startswith("Nothing was imported")
        dialog.partial.setChecked(True)
        with (
            qtbot.waitSignal(win.sync.synced, timeout=30_000),
            qtbot.waitSignal(dialog.answered, timeout=20_000) as blocker,
        ):
            dialog.import_button.click()
        answer = blocker.args[0]
        assert (answer["inserted"], answer["rejected"], answer["written"]) == (2, 1, True)
        assert dialog.summary.text().startswith("Imported: 3 read · 2 new")
        query = "SELECT rate_code, rate, basis FROM cost_rates ORDER BY rate_code"
        rows = win.workspace.replica.conn.execute(query).fetchall()
        assert [tuple(r) for r in rows] == [("TRIM", "0.55", "per piece"),
                                            ("YRN-NE30", "268.00", "per kg")]  # fmt: skip
    finally:
        win.close()
        win.workspace.close()


def test_the_server_refuses_imports_from_other_roles(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    win = admin_window(qtbot, server, tmp_path, "merchandiser@alpha")
    try:
        assert not win.import_action.isVisible()
        # even a dialog opened anyway is answered no by the server
        dialog = win.show_import()
        path = tmp_path / "brands.csv"
        path.write_text("Code,Name\nNRD,Nordwind\n", encoding="utf-8")
        with qtbot.waitSignal(dialog.checked, timeout=10_000):
            dialog.open_file(path)
        assert dialog.kind == "brands"
        dialog.import_button.click()
        qtbot.waitUntil(lambda: "importing master data is for admins" in dialog.summary.text(),
                        timeout=10_000)  # fmt: skip
    finally:
        win.close()
        win.workspace.close()
