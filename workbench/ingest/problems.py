"""The problems found in a file: each names the file, the line a person sees in it, the
column, the value and the rule it breaks, so an admin can fix the file without guessing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    #: the line of the file the row starts on
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, {line_word(self.file)} {self.row}" + (
            f", column {self.column!r}" if self.column else ""
        )
        shown = f" ({self.value!r})" if self.value else ""
        return f"{where}{shown}: {self.message}"

    @property
    def rule(self) -> str:
        """The rule broken, in a word or two (``ambiguous``, ``negative``, ``duplicate``…)."""
        head = self.message.split(":", 1)[0]
        return head if ":" in self.message and len(head) <= 40 else _rule_of(self.message)


def line_word(file: str) -> str:
    """A spreadsheet has rows, a text export lines."""
    return "row" if file.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")) else "line"


def _rule_of(message: str) -> str:
    for words, rule in (
        ("is not a number", "not a number"),
        ("not a whole number", "not a whole number"),
        ("is not a date", "not a date"),
        ("a value is required", "required"),
        ("not one of", "not a choice"),
        ("below the minimum", "below the minimum"),
        ("above the maximum", "above the maximum"),
        ("longer than", "too long"),
        ("in this workspace", "unknown reference"),
        ("no header row found", "no header"),
        ("required column is missing", "missing column"),
    ):
        if words in message:
            return rule
    return "declared rule"


class RowProblems:
    """Each row's problems, in the order they were found (most rows have none)."""

    def __init__(self) -> None:
        self.by_row: dict[int, list[Problem]] = {}

    def add(self, index: int, problem: Problem) -> None:
        self.by_row.setdefault(index, []).append(problem)

    def of(self, index: int) -> list[Problem]:
        return self.by_row.get(index, [])
