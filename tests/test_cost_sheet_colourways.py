"""The cost sheet's colourways, typed into their table as a merchandiser does: each
colourway's cost and price and the order's weighted by pieces shown beside the style's; a
split that is not the order refused; the colourways kept through saving and opening again,
and written to the workbook as typed cells."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QScrollArea, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import knit_fabric, open_sheet
from ui.cost_sheet import CostSheetWindow
from ui.main_window import MainWindow
from workbench.costing.colourways import AS_STYLE, Colourway, cost_colourways

demo_path, english, window = helpers.demo_path, helpers.english, helpers.window  # fixtures


def _ancestors(widget: QWidget) -> list[QWidget]:
    found = []
    parent = widget.parentWidget()
    while parent is not None:
        found.append(parent)
        parent = parent.parentWidget()
    return found


def _type_cell(qtbot: QtBot, table: QTableWidget, row: int, column: int, text: str) -> None:
    """Click the cell, open its editor with F2, type over what it holds, Enter, and wait for
    the table to take the text."""
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.keyClick(table, Qt.Key.Key_F2)
    [editor] = [w for w in table.viewport().findChildren(QLineEdit) if w.isVisible()]
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, text)
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.item(row, column).text() == text, timeout=2_000)  # committed


def test_colourways_typed_costed_saved_and_exported(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    assert sheet.inputs.quantity.value() == 3000
    box = sheet.inputs.colourways_box
    table = box.table
    rows = (
        ("White", "1200", "reactive", "light", "as the style"),
        ("Navy", "1200", "reactive", "dark", "as the style"),
        ("Charcoal", "600", "reactive", "dark", "none"),
    )
    for r, cells in enumerate(rows):
        qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        for c, text in enumerate(cells):
            _type_cell(qtbot, table, r, c, text)
    qtbot.waitUntil(lambda: sheet.colourway_costing is not None, timeout=5_000)
    qtbot.waitUntil(lambda: not sheet.panel.is_stale, timeout=5_000)
    read = sheet.current_sheet()
    assert read.colourways == (
        Colourway("White", 1200, "reactive", "light"),
        Colourway("Navy", 1200, "reactive", "dark"),
        Colourway("Charcoal", 600, "reactive", "dark", printing=None),
    )
    assert read.colourways[0].printing is AS_STYLE
    expected = cost_colourways(
        read.style,
        read.colourways,
        sheet.loaded.book,
        sheet.price.cost.on,
        brand=sheet.price.brand,
        quantity=3000,
    )
    costing = sheet.colourway_costing
    assert costing == expected
    shown = sheet.panel.colourways_label.text()
    assert sheet.panel.colourways_label.isVisible()
    for c in expected.colourways:
        assert c.price is not None
        assert f"{c.colourway.name} {c.colourway.pieces:,} pcs" in shown
        assert f"{c.price.price_per_piece:,.2f} {c.price.currency}" in shown
    assert f"{expected.price:,.4f}" in shown
    navy, charcoal = expected.colourways[1:]
    # the same dye; Charcoal without the style's print
    assert not any(line.component.startswith("Print") for line in charcoal.cost.lines)
    assert navy.cost.fabric.per_kg == charcoal.cost.fabric.per_kg
    scroll = next(w for w in _ancestors(box) if isinstance(w, QScrollArea))
    scroll.ensureWidgetVisible(box)
    sheet.grab().save(str(tmp_path / "cost-sheet-colourways.png"))  # as in docs/screenshots

    written = sheet.exports.export(tmp_path / "sheet.xlsx")
    assert written > 0
    book = openpyxl.load_workbook(tmp_path / "sheet.xlsx")
    cells = list(book.active.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(cells) if r and r[0] == "Colourway")
    for offset, c in enumerate(expected.colourways, 1):
        name, pieces, unit, _, cost, price = cells[start + offset][:6]
        assert (name, pieces, unit) == (c.colourway.name, c.colourway.pieces, "pcs")
        assert isinstance(cost, float) and abs(cost - float(c.cost.total)) < 1e-9
        assert c.price is not None and price == float(c.price.price_per_piece)
    order = cells[start + 4]
    assert order[0] == "Order, weighted by pieces" and order[1] == 3000

    saved = helpers.save(qtbot, sheet)
    assert [c["name"] for c in json.loads(saved["body"])["colourways"]] == [
        "White",
        "Navy",
        "Charcoal",
    ]
    before = len(window.menus.cost_windows)
    window.menus.open_cost_sheet(saved["id"])  # read on a worker; the window opens after
    qtbot.waitUntil(lambda: len(window.menus.cost_windows) == before + 1, timeout=10_000)
    again = window.menus.cost_windows[-1]
    assert isinstance(again, CostSheetWindow)
    qtbot.waitUntil(lambda: again.colourway_costing is not None, timeout=10_000)
    assert again.current_sheet().colourways == read.colourways
    assert again.inputs.colourways_box.table.item(2, 4).text() == "none"


def test_a_split_that_is_not_the_order_is_said_and_not_costed(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    box = sheet.inputs.colourways_box
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        _type_cell(qtbot, box.table, 0, 1, "2500")
    assert blocker.args[0] is None and sheet.panel.is_stale
    assert "add up to 2,500 pieces but the order is 3,000" in sheet.message.text()
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        _type_cell(qtbot, box.table, 0, 1, "3000")
    assert blocker.args[0] is not None and not sheet.panel.is_stale


def test_a_colourway_edit_is_unsaved_work_and_undoes(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    assert not sheet.has_unsaved_changes()
    box = sheet.inputs.colourways_box
    qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    _type_cell(qtbot, box.table, 0, 0, "Navy")
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        _type_cell(qtbot, box.table, 0, 1, "3000")
    assert sheet.has_unsaved_changes()  # closing now asks rather than losing the colourway
    assert sheet.current_sheet().colourways == (Colourway("Navy", 3000),)
    sheet.undo_stack.undo()
    assert box.table.item(0, 1).text() == "0"
    sheet.undo_stack.redo()
    assert box.table.item(0, 1).text() == "3000"
    state = sheet.inputs.state()
    from ui.cost_sheet.edits import from_json, to_json

    assert from_json(json.loads(json.dumps(to_json(state))))["colourways"] == state["colourways"]


def test_renaming_a_saved_colourway_keeps_what_the_table_does_not_edit(
    qtbot: QtBot, window: MainWindow
) -> None:
    from dataclasses import replace
    from decimal import Decimal as D

    from workbench.costing import Embroidery, TrimLine
    from workbench.costing.sheet import CostSheet

    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    trim_id = window.workspace.replica.conn.execute(
        "SELECT id FROM materials WHERE material_type = 'trim' ORDER BY code LIMIT 1"
    ).fetchone()[0]
    navy = Colourway(
        "Navy",
        3000,
        "reactive",
        "dark",
        embroidery=(Embroidery(6000, "EMB-FLAT", "chest logo"),),
        trims=(TrimLine(trim_id, "hang tag", D(1)),),
    )
    sheet.show_sheet(replace(sheet.current_sheet(), colourways=(navy,)))
    table = sheet.inputs.colourways_box.table
    assert "hang tag" in table.item(0, 5).text() and "6,000 st" in table.item(0, 5).text()
    box = sheet.inputs.colourways_box
    next(w for w in _ancestors(box) if isinstance(w, QScrollArea)).ensureWidgetVisible(box)
    _type_cell(qtbot, table, 0, 0, "Deep navy")
    [renamed] = sheet.current_sheet().colourways
    assert renamed == replace(navy, name="Deep navy")
    assert isinstance(sheet.current_sheet(), CostSheet)


def test_the_orders_weighted_price_is_rounded_half_up_as_every_amount(
    qtbot: QtBot, window: MainWindow
) -> None:
    """1,000 pieces at 4.15 and 7,000 at 4.20 weigh to 4.19375 exactly: the order's price per
    piece reads 4.1938, rounded half up as every amount is, not 4.1937 as the nearest binary
    fraction (4.193749999…) would round."""
    from dataclasses import replace
    from decimal import Decimal

    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    box = sheet.inputs.colourways_box
    for r, cells in enumerate((("White", "1000"), ("Navy", "2000"))):
        qtbot.mouseClick(box.add_button, Qt.MouseButton.LeftButton)
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
        for c, text in enumerate(cells):
            _type_cell(qtbot, box.table, r, c, text)
    qtbot.waitUntil(lambda: sheet.colourway_costing is not None, timeout=5_000)
    costing = sheet.colourway_costing
    assert costing is not None and all(c.price is not None for c in costing.colourways)
    priced = replace(
        costing,
        colourways=tuple(
            replace(
                c,
                colourway=replace(c.colourway, pieces=pieces),
                price=replace(c.price, price_per_piece=Decimal(price)),  # type: ignore[type-var]
            )
            for c, pieces, price in zip(
                costing.colourways, (1000, 7000), ("4.15", "4.20"), strict=True
            )
        ),
    )
    assert priced.price == Decimal("4.19375")
    sheet.panel.show_colourways(priced)
    shown = sheet.panel.colourways_label.text()
    currency = costing.colourways[0].price.currency  # type: ignore[union-attr]
    assert f"→ 4.1938 {currency}" in shown, shown
