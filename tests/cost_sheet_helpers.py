"""What the cost sheet's tests share: a small demo workspace, the main window over it, a cost
sheet opened on a knitted fabric, and typing into a field as a user does (click, select all,
type)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QLocale, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QKeySequence, QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet.compare import CompareDialog
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.proposal_builder import ProposalBuilder
from workbench.demo import generate_demo
from workbench.workspace import Workspace, open_workspace

SCREEN = (1366, 768)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("costing") / "demo"
    workspace = open_workspace(root)
    generate_demo(workspace.replica, materials=600, seed=5)
    workspace.search.rebuild()
    workspace.close()
    return root


@pytest.fixture
def english() -> Iterator[QLocale]:
    """The user's locale is English (decimal mark '.', grouping ',')."""
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield QLocale()
    QLocale.setDefault(before)


@pytest.fixture
def window(qtbot: QtBot, demo_path: Path, english: QLocale) -> Iterator[MainWindow]:
    workspace: Workspace = open_workspace(demo_path)
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win, before_close_func=discard_unsaved)
    win.show()
    yield win
    discard_unsaved(win)
    for other in win.menus.cost_windows:
        other.close()
    win.close()
    workspace.close()


def discard_unsaved(win: MainWindow) -> None:
    """The sheets and proposal previews a test leaves unsaved close without asking."""
    for other in win.menus.cost_windows:
        if isinstance(other, CostSheetWindow):
            other.discard_changes()
        elif isinstance(other, ProposalBuilder):
            other.discard()


def knit_fabric(workspace: Workspace) -> str:
    query = (
        "SELECT m.id FROM materials m WHERE m.material_type = 'fabric' AND m.uom = 'kg' "
        "AND m.construction LIKE '24G single knit%' ORDER BY m.code LIMIT 1"
    )
    return workspace.replica.conn.execute(query).fetchone()[0]


def open_sheet(qtbot: QtBot, win: MainWindow, fabric_id: str | None) -> CostSheetWindow:
    with qtbot.waitSignal(win.ops.busy_changed, timeout=10_000, check_params_cb=lambda b: not b):
        sheet = win.menus.new_cost_sheet(fabric_id)
    qtbot.waitUntil(lambda: sheet.loaded is not None, timeout=10_000)
    if fabric_id is not None:
        qtbot.waitUntil(lambda: sheet.price is not None, timeout=10_000)
    sheet.resize(*SCREEN)
    return sheet


def save(qtbot: QtBot, sheet: CostSheetWindow) -> dict[str, Any]:
    """Save the sheet (on a worker) and wait for it: the row saved."""
    with qtbot.waitSignal(sheet.saved, timeout=10_000) as blocker:
        started = sheet.save()
        assert started
    row: dict[str, Any] = blocker.args[0]
    return row


def compare(qtbot: QtBot, sheet: CostSheetWindow, other_id: str) -> CompareDialog:
    """Compare the sheet with ``other_id`` (read on a worker) and wait for the dialog."""
    with qtbot.waitSignal(sheet.comparison.compared, timeout=10_000) as blocker:
        sheet.comparison.compare_with(other_id)
    dialog: CompareDialog = blocker.args[0]
    return dialog


def type_into(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Click the field, select what it holds and type ``text`` over it, key by key."""
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton)
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, text)


def wheel(widget: QWidget, notches: int = -1) -> None:
    """Turn the mouse wheel over the middle of ``widget`` (negative: towards the user)."""
    centre = QPointF(widget.rect().center())
    where = QPointF(widget.mapToGlobal(widget.rect().center()))
    event = QWheelEvent(
        centre,
        where,
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def answer_prompt(qtbot: QtBot, button: str, seen: list[str]) -> None:
    """When a question box comes up, note its text in ``seen`` and click its ``button``
    ("Save", "Discard", "Cancel", …) with the mouse."""

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        seen.append(box.text())
        [chosen] = [b for b in box.buttons() if b.text().replace("&", "") == button]
        qtbot.mouseClick(chosen, Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, answer)


def press(qtbot: QtBot, widget: QWidget, sequence: str) -> None:
    """Press a shortcut ("Ctrl+Z") with ``widget``'s window active, as a user does."""
    window = widget.window()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2_000)
    keys = QKeySequence(sequence)[0]
    qtbot.keyClick(widget, keys.key(), keys.keyboardModifiers())


def preview_proposal(qtbot: QtBot, window: MainWindow) -> tuple[ProposalBuilder, bytes]:
    """A cost sheet saved on a knitted fabric, the proposal builder opened on it for NORDV at
    1366×768, and Preview clicked: the builder and the draft PDF it made."""
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    row = save(qtbot, sheet)
    builder = window.menus.show_proposal_builder()
    qtbot.waitUntil(lambda: builder.is_listed, timeout=10_000)
    builder.resize(*SCREEN)
    builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
    builder.check(row["id"])
    with qtbot.waitSignal(builder.rendered, timeout=60_000) as blocker:
        qtbot.mouseClick(builder.preview_button, Qt.MouseButton.LeftButton)
    return builder, blocker.args[0].pdf
