"""The errors the ESG footprint raises.

Why two: `EsgDataError` means the shipped impact matrix (resources/esg/) is broken — a figure
without a source, a unit the code cannot convert — and names the file and key, so whoever
edits the data sees what to fix; `EsgError` means the user's input cannot be read (a
composition that does not add up to 100 %, an unknown fibre) and says so in their words.
Both are `ValueError`s so the edges (a dialog, the CLI) catch them once and show the message.
"""

from __future__ import annotations

from workbench.errors import WorkbenchError


class EsgError(WorkbenchError, ValueError):
    """An input cannot be footprinted: the message says which and why."""


class EsgDataError(EsgError):
    """The impact matrix in resources/esg/ is invalid: the message names the file and key."""
