"""The Import dialog under pytest-qt: an admin drops a cost master in, sees its kind and
columns guessed and every problem checked against the replica, fixes a column, imports the
valid rows on the server, and the rows come back through sync. Only admins see it."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent
from pytestqt.qtbot import QtBot

from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from ui.import_dialog import ImportDialog
from ui.main_window import MainWindow
from ui.ops import OpContext, OpRunner

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)

RATES = (
    "Rate code;Process;Material code;Basis;Amount;Valid from;Rate\n"
    "YRN-NE30;yarn;F-1;kg;see note;01.10.2026;268,00\n"
    "TRIM;trim;F-2;pcs;see note;01.10.2026;0,55\n"
    "TRIM;trim;NOPE-9;pcs;see note;01.10.2026;0,60\n"
)


@pytest.fixture
def admin(qtbot: QtBot, server: Server, tmp_path: Path) -> Iterator[MainWindow]:
    """The app's window of an admin of workspace alpha."""
    with signed_in(qtbot, server, tmp_path, "admin@alpha") as win:
        yield win


@contextlib.contextmanager
def signed_in(qtbot: QtBot, server: Server, tmp_path: Path, user: str) -> Iterator[MainWindow]:
    """The app's window, signed in as ``user`` and synced, closed with its workspace after."""
    found = [material("F-1", name="Ne 30/1 yarn"), material("F-2", name="Button 18L")]
    write_rows(server.engine, server.workspaces["alpha"], "materials", found)
    workspace, _, _ = sign_in(server.url, user, PASSWORD, base=tmp_path / user)
    sync_workspace(workspace)
    syncer = lambda ctx: sync_workspace(workspace, cancel=ctx.cancel_event)  # noqa: E731
    win = MainWindow(workspace, OpRunner(), syncer=syncer)
    qtbot.addWidget(win)
    win.show()
    try:
        yield win
    finally:
        win.close()
        win.workspace.close()


def test_an_admin_imports_a_cost_master_from_the_app(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    with signed_in(qtbot, server, tmp_path, "admin@alpha") as win:
        assert win.menus.import_action.isVisible()
        dialog = win.menus.show_import()
        path = tmp_path / "rates.csv"
        path.write_text(RATES, encoding="cp1252")
        # dropped onto the dialog, as from a file manager
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(path))])
        with qtbot.waitSignal(dialog.checked, timeout=10_000) as blocker:
            drop = QDropEvent(
                QPoint(10, 10),
                Qt.DropAction.CopyAction,
                data,
                Qt.MouseButton.NoButton,
                Qt.KeyboardModifier.NoModifier,
            )
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
        assert [tuple(r) for r in rows] == [
            ("TRIM", "0.55", "per piece"),
            ("YRN-NE30", "268.00", "per kg"),
        ]


def test_the_server_refuses_imports_from_other_roles(
    qtbot: QtBot, server: Server, tmp_path: Path
) -> None:
    with signed_in(qtbot, server, tmp_path, "merchandiser@alpha") as win:
        assert not win.menus.import_action.isVisible()
        # even a dialog opened anyway is answered no by the server
        dialog = win.menus.show_import()
        path = tmp_path / "brands.csv"
        path.write_text("Code,Name\nNRD,Nordwind\n", encoding="utf-8")
        with qtbot.waitSignal(dialog.checked, timeout=10_000):
            dialog.open_file(path)
        assert dialog.kind == "brands"
        dialog.import_button.click()
        qtbot.waitUntil(
            lambda: "importing master data is for admins" in dialog.summary.text(), timeout=10_000
        )


#: prices that read both ways (1,250 is 1.25 or 1250): nothing in the file tells which
AMBIGUOUS = (
    "Code;Name;Type;Category;Unit;Price\n"
    "Y-30;Ne 30/1 yarn;yarn;yarn;kg;1,250\n"
    "B-18;Button 18L;trim;button;pcs;2,500\n"
)


def test_the_admin_says_the_decimal_mark_and_it_goes_to_the_check_and_the_server(
    qtbot: QtBot, admin: MainWindow, tmp_path: Path
) -> None:
    dialog = admin.menus.show_import()
    path = tmp_path / "sap-materials.csv"
    path.write_text(AMBIGUOUS, encoding="cp1252")
    with qtbot.waitSignal(dialog.checked, timeout=10_000) as blocker:
        dialog.open_file(path)
    assert dialog.decimal_mark is None
    assert [p.message.split(":")[0] for p in blocker.args[0].problems] == ["ambiguous"] * 2
    assert not dialog.import_button.isEnabled()
    # the admin knows the SAP user's notation: comma, chosen with the keyboard
    dialog.mark_box.setFocus()
    with qtbot.waitSignal(dialog.checked, timeout=10_000) as blocker:
        qtbot.keyClick(dialog.mark_box, Qt.Key.Key_Down)
    assert dialog.decimal_mark == ","
    table = blocker.args[0]
    assert table.problems == []
    assert [(v["code"], v["price"]) for _, v in table.rows] == [
        ("Y-30", "1.250"),
        ("B-18", "2.500"),
    ]
    with (
        qtbot.waitSignal(admin.sync.synced, timeout=30_000),
        qtbot.waitSignal(dialog.answered, timeout=20_000) as blocker,
    ):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert (blocker.args[0]["inserted"], blocker.args[0]["written"]) == (2, True)
    assert not dialog.progress_row.isVisible()
    query = "SELECT code, price FROM materials WHERE code IN ('Y-30', 'B-18') ORDER BY code"
    prices = [tuple(r) for r in admin.workspace.replica.conn.execute(query)]
    assert prices == [("B-18", "2.500"), ("Y-30", "1.250")]


def test_checking_a_large_file_shows_its_progress_and_cancel_stops_it(
    qtbot: QtBot, admin: MainWindow, tmp_path: Path
) -> None:
    dialog = admin.menus.show_import()
    path = tmp_path / "large.csv"
    lines = [
        f"M-{n:06d};Fabric {n};fabric;jersey;m;{n % 900 + 100}.{n % 100:02d}"
        for n in range(150_000)
    ]
    path.write_text("Code;Name;Type;Category;Unit;Price\n" + "\n".join(lines) + "\n")
    heard: list[tuple[int, int, str]] = []
    dialog.progressed.connect(lambda *args: heard.append(args))
    dialog.open_file(path)
    assert dialog.progress_row.isVisible() and dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.raw is not None, timeout=20_000)  # read: checking now
    assert dialog.progress_row.isVisible()
    assert dialog.progress_label.text().startswith("Checking large.csv")
    dialog.grab().save(str(tmp_path / "import-dialog-checking.png"))
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    assert not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.progress_row.isVisible(), timeout=20_000)
    assert dialog.summary.text().startswith("Checking cancelled")
    assert dialog.table is None and not dialog.import_button.isEnabled()
    assert heard[0][2] == "Reading large.csv…"
    assert any(text.startswith("Checking large.csv") for _, _, text in heard)
    # choosing the mark again checks the whole file
    with qtbot.waitSignal(dialog.checked, timeout=30_000) as blocker:
        dialog.set_decimal_mark(".")
    assert len(blocker.args[0].rows) == 150_000
    done, total, text = heard[-1]
    assert (done, text) == (total, f"Checking large.csv: {total} of {total} columns")


def test_sending_shows_the_bytes_then_the_server_at_work_and_cancel_stops_the_upload(
    qtbot: QtBot, admin: MainWindow, tmp_path: Path
) -> None:
    """An uploader that sends in two halves and waits between them, as a slow line would:
    the dialog shows what is sent, keeps the file it is sending, and Cancel stops sending."""
    go_on = threading.Event()
    sent: list[str | None] = []

    def upload(
        kind: str,
        path: Path,
        dry_run: bool,
        partial: bool,
        columns: dict[str, str],
        mark: str | None,
        ctx: OpContext,
    ) -> dict[str, Any]:
        sent.append(mark)
        ctx.progress(1_000_000, 2_000_000)
        while not go_on.wait(0.02):
            ctx.check()  # cancelled: the rest is never sent
        ctx.progress(2_000_000, 2_000_000)
        return {
            "rows_read": 2,
            "inserted": 2,
            "updated": 0,
            "unchanged": 0,
            "rejected": 0,
            "written": True,
            "dry_run": dry_run,
        }

    dialog = ImportDialog(admin.workspace, admin.ops, upload, admin)
    qtbot.addWidget(dialog)
    dialog.show()
    path = tmp_path / "brands.csv"
    path.write_text("Code,Name\nNRD,Nordwind\nSDW,Südwind\n", encoding="utf-8")
    with qtbot.waitSignal(dialog.checked, timeout=10_000):
        dialog.open_file(path)
    dialog.set_decimal_mark(",")
    qtbot.waitUntil(lambda: dialog.table is not None, timeout=10_000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "sending 1.0 of 2.0 MB" in dialog.progress_label.text(), timeout=10_000)
    assert sent == ["comma"]
    assert dialog.progress_bar.value() == 1_000_000 and dialog.cancel_button.isEnabled()
    assert not dialog.mapping_table.isEnabled() and not dialog.import_button.isEnabled()
    dialog.open_file(tmp_path / "other.csv")  # the file being sent stays the dialog's
    assert dialog.path == path and dialog.summary.text().startswith("Wait for the server")
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.progress_row.isVisible(), timeout=10_000)
    assert dialog.summary.text() == "Sending brands.csv cancelled: nothing was imported"
    assert dialog.import_button.isEnabled() and dialog.mapping_table.isEnabled()
    # sent again, to the end: the server at work, then its answer
    heard: list[str] = []
    dialog.progressed.connect(lambda done, total, text: heard.append(text))
    go_on.set()
    with qtbot.waitSignal(dialog.answered, timeout=10_000):
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    assert (
        heard[-1] == "Importing brands.csv on the server: the server is checking and "
        "writing the file…"
    )
    assert dialog.summary.text().startswith("Imported: 2 read · 2 new")
    assert not dialog.progress_row.isVisible()


def test_the_wheel_over_a_column_box_changes_no_mapping(
    qtbot: QtBot, admin: MainWindow, tmp_path: Path
) -> None:
    """Scrolling down the fields past their column boxes, or past the kind and decimal mark,
    leaves what the file is read as: a turn over them scrolls, it never picks."""
    from tests.cost_sheet_helpers import wheel

    dialog = admin.menus.show_import()
    path = tmp_path / "rates.csv"
    path.write_text(RATES, encoding="cp1252")
    with qtbot.waitSignal(dialog.checked, timeout=10_000):
        dialog.open_file(path)
    columns, kind, mark = dialog.chosen_columns(), dialog.kind, dialog.mark_box.currentIndex()
    table = dialog.mapping_table
    for row in range(table.rowCount()):
        wheel(table.cellWidget(row, 2), -1)
    for box in (dialog.kind_box, dialog.mark_box):
        wheel(box, -1)
    qtbot.wait(50)  # a changed column would be checked again
    assert (dialog.chosen_columns(), dialog.kind, dialog.mark_box.currentIndex()) == (
        columns,
        kind,
        mark,
    )
