"""The change feed: pulled page by page after the replica's cursor, and the long-poll that
says when there is more to pull.

Each page and its cursor are written in one replica transaction (`rows.apply_page`), so an
interrupted pull resumes at the next page and never from zero.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sync.client.api import Request, SyncError

#: writes one page of changes and its cursor: `SyncClient.apply_page`
ApplyPage = Callable[[list[Mapping[str, Any]], int], dict[str, int]]


@dataclass(frozen=True)
class PullSummary:
    pages: int
    rows: int
    cursor: int
    #: the tables the pages wrote rows of (tombstones included): what derived data to update
    tables: frozenset[str]
    #: the role the server made the pages for
    role: str | None = None


class RoleChanged(SyncError):
    """The server now sends this laptop's user another role's rows (an admin changed the
    role): what the replica holds was made for the old one."""

    def __init__(self, role: str) -> None:
        super().__init__(f"this user's role is now {role}", "role_changed")
        self.role = role


def pull(
    request: Request,
    apply_page: ApplyPage,
    cursor: int,
    page_rows: int,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    role: str | None = None,
) -> PullSummary:
    """Apply every change after ``cursor``, ``page_rows`` at a time, until the server says
    there are no more; ``progress`` hears the cursor and the server's newest sequence.

    A page made for another role than ``role`` (the one the replica holds rows for) raises
    `RoleChanged` before anything of it is written."""
    pages = rows = 0
    tables: set[str] = set()
    while True:
        page = request(
            "GET",
            "/v1/changes",
            cancel,
            params={"after": cursor, "limit": page_rows},
        )
        if role is not None and page.get("role", role) != role:
            raise RoleChanged(str(page["role"]))
        written = apply_page(page["changes"], int(page["next"]))
        tables.update(table for table, n in written.items() if n)
        cursor = int(page["next"])
        pages += 1
        rows += len(page["changes"])
        if progress is not None:
            progress(cursor, int(page["seq"]))
        if not page["more"]:
            return PullSummary(pages, rows, cursor, frozenset(tables), page.get("role"))


def wait_for_changes(
    request: Request, cursor: int, timeout_s: int = 25, cancel: threading.Event | None = None
) -> bool:
    """Long-poll: True as soon as the server has changes after ``cursor``, False when the wait
    times out (the read timeout outlasts the server's wait)."""
    answer = request(
        "GET",
        "/v1/wait",
        cancel,
        params={"after": cursor, "timeout": timeout_s},
        timeout=timeout_s + 10,
    )
    return bool(answer["changed"])
