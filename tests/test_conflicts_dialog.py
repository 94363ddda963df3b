"""The sync conflicts dialog under pytest-qt: the user's value and the server's side by side,
each shown whole."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from ui.dialogs import ConflictsDialog
from workbench import documents


def test_a_conflicts_values_show_whole_beside_each_other(qtbot: QtBot) -> None:
    row = {"id": "c-1", "style_code": "SS27-TEE-01", "title": "Crew neck tee", "status": "draft"}
    conflict = documents.Conflict(
        1,
        "cost_sheets",
        "c-1",
        {**row, "title": "Crew neck tee (lighter jersey)"},
        {**row, "title": "Crew neck tee (buyer's revision)", "status": "submitted"},
        "2026-12-07T09:41:00+00:00",
    )
    dialog = ConflictsDialog([conflict])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    table = dialog.table
    assert table.item(0, 1).text() == "Crew neck tee (lighter jersey)"
    for column in range(3):  # no value elided: each column as wide as its widest text
        assert table.columnWidth(column) >= table.sizeHintForColumn(column), column
