"""What the Import dialog shows of a checked file: its first rows under our fields' names,
the rejected ones tinted with their problems as tooltips, and the list of problems.

The preview shows the file's own text (what the admin sees in the file), not the values read
from it, so a rejected cell reads as it was written.
"""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QListWidget, QTableWidget

from ui.import_columns import field_label, read_only_item
from workbench.ingest import Problem, RawTable, ValidatedTable

PREVIEW_ROWS = 200
#: problems listed in the dialog; the reject report has them all
LISTED_PROBLEMS = 2000
REJECTED = QBrush(QColor("#fde2e1"))


def show_preview(preview: QTableWidget, raw: RawTable, table: ValidatedTable) -> None:
    """The first `PREVIEW_ROWS` rows after the heading, a column per field read."""
    header = table.header_index
    fields = [f for f in table.columns]
    heading = raw.rows[header] if header >= 0 else ()
    index = {h: i for i, h in enumerate(heading)}
    rejected: dict[int, list[str]] = {}
    for p in table.problems:
        rejected.setdefault(p.row, []).append(p.message)
    preview.clear()
    preview.setColumnCount(len(fields) + 1)
    preview.setHorizontalHeaderLabels(
        ["Row", *(f"{field_label(f)}\n← {table.columns[f]}" for f in fields)]
    )
    shown = [
        (raw.line(n), row)
        for n, row in enumerate(raw.rows)
        if n > header and any(c.strip() for c in row)
    ][:PREVIEW_ROWS]
    preview.setRowCount(len(shown))
    for r, (number, row) in enumerate(shown):
        cells = [
            str(number),
            *(
                row[index[table.columns[f]]] if index[table.columns[f]] < len(row) else ""
                for f in fields
            ),
        ]
        for c, text in enumerate(cells):
            item = read_only_item(text)
            if number in rejected:
                item.setBackground(REJECTED)
                item.setToolTip("\n".join(rejected[number]))
            preview.setItem(r, c, item)
    preview.resizeColumnsToContents()


def show_problems(problem_list: QListWidget, problems: list[Problem]) -> None:
    problem_list.clear()
    for p in problems[:LISTED_PROBLEMS]:
        problem_list.addItem(str(p))
    if len(problems) > LISTED_PROBLEMS:
        problem_list.addItem(f"… and {len(problems) - LISTED_PROBLEMS:,} more in the reject report")
