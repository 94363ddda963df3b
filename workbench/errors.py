"""The product's exceptions: one base and one way to say "the user stopped it".

Every exception the product raises on purpose derives from `WorkbenchError`, so a caller can
tell "we refused this, and the message says why" from a fault (a bug, a library's surprise).
Classes keep the built-in base they had as well (`ValueError` for bad input, `RuntimeError`
for a state that cannot go on), so code catching those still does.

A long job stopped by its user raises `Cancelled`, whichever layer noticed: the search index
build, the demo generator, an import, a sync, a worker op. Callers test the type, never the
text.

`user_message` is the one place a message for a person is made from an exception: the
desktop's error boxes and both command lines use it.
"""

from __future__ import annotations


class WorkbenchError(Exception):
    """Something the product refused or could not do, with a message that says what and
    where (file, row, field, value) for the person who reads it."""


class Cancelled(WorkbenchError):
    """The user (or the program closing) stopped a long job; nothing to report as a fault.
    The work done so far was rolled back or is resumable, as the job's own docstring says."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


def user_message(exc: BaseException) -> str:
    """What to tell a person about ``exc``: the product's own message as written; for a file
    the system could not read or write, the file and the reason; for anything else (a fault)
    its text, or its kind when it has none, so a box is never empty."""
    if isinstance(exc, WorkbenchError):
        return str(exc) or ("cancelled" if isinstance(exc, Cancelled) else type(exc).__name__)
    if isinstance(exc, OSError) and exc.strerror:
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror}"
    return str(exc) or type(exc).__name__
