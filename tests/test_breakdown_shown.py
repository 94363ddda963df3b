"""The cost sheet's breakdown as the merchandiser reads it: the amounts column adds up to the
cost shown above it, and the sheet says which line took the rounding."""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.costing_examples import BOOK, ON, SHIRT, TSHIRT
from ui.cost_sheet.breakdown import BreakdownPanel
from workbench.costing import cost_style


def _amounts(panel: BreakdownPanel) -> list[D]:
    headers, rows = panel.rows()
    column = headers.index("Amount (₹)")
    return [D(row[column].replace(",", "")) for row in rows]


def test_the_amounts_shown_add_up_to_the_cost_shown(qtbot: QtBot, tmp_path: Path) -> None:
    panel = BreakdownPanel()
    qtbot.addWidget(panel)
    panel.resize(900, 700)
    panel.show()
    panel.show_cost(cost_style(TSHIRT, BOOK, ON), None)
    assert sum(_amounts(panel), D(0)) == D("235.10")
    assert "235.10" in panel.cost_label.text()
    note = panel.rounding_label.text()
    assert note.endswith(": Making +₹0.01")
    panel.grab().save(str(tmp_path / "breakdown.png"))


def test_no_note_when_nothing_was_moved(qtbot: QtBot) -> None:
    panel = BreakdownPanel()
    qtbot.addWidget(panel)
    panel.show_cost(cost_style(SHIRT, BOOK, ON), None)
    assert sum(_amounts(panel), D(0)) == D("423.63")
    assert panel.rounding_label.text() == ""


def test_the_comparison_shows_columns_that_add_up(qtbot: QtBot) -> None:
    from ui.cost_sheet.compare import CompareDialog
    from workbench.costing.sheet import CostSheet

    dialog = CompareDialog(
        CostSheet(TSHIRT, "NORDV", 3000, costed_on=ON),
        CostSheet(SHIRT, "CSTL", 2400, costed_on=ON),
        BOOK,
    )
    qtbot.addWidget(dialog)
    table = dialog.table
    names = [table.item(r, 0).text() for r in range(table.rowCount())]
    last = names.index("Total cost per piece (₹)")
    for column in (1, 2, 3):
        cells = [table.item(r, column).text().replace(",", "") for r in range(last + 1)]
        figures = [D(c) for c in cells[:-1] if c != "—"]
        assert sum(figures, D(0)) == D(cells[-1]), column
    assert table.item(last, 1).text() == "235.10"
