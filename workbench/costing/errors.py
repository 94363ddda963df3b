"""The one error the costing engine raises.

Why a `ValueError` subclass: a missing rate or a nonsensical input is bad *data*, not a bug, so
the edges (a dialog, the CLI, an HTTP handler) catch `CostingError` once and show its message as
it is. Every message names what was missing or wrong in a merchandiser's words, e.g.
"no dyeing rate for dye class 'vat', shade 'dark' on or before 2026-11-01".
"""

from __future__ import annotations

from workbench.errors import WorkbenchError


class CostingError(WorkbenchError, ValueError):
    """A style cannot be costed or priced: a rate, rule or FX rate is missing, or an input
    is out of range. The message says which, in the user's words."""
