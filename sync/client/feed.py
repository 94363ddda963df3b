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

from sync.client.api import Request

#: writes one page of changes and its cursor: `SyncClient.apply_page`
ApplyPage = Callable[[list[Mapping[str, Any]], int], dict[str, int]]


@dataclass(frozen=True)
class PullSummary:
    pages: int
    rows: int
    cursor: int
    #: table name -> ids written (tombstones included), for incremental re-indexing
    changed: Mapping[str, int]


def pull(
    request: Request,
    apply_page: ApplyPage,
    cursor: int,
    page_rows: int,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> PullSummary:
    """Apply every change after ``cursor``, ``page_rows`` at a time, until the server says
    there are no more; ``progress`` hears the cursor and the server's newest sequence."""
    pages = rows = 0
    changed: dict[str, int] = {}
    while True:
        page = request(
            "GET",
            "/v1/changes",
            cancel,
            params={"after": cursor, "limit": page_rows},
        )
        written = apply_page(page["changes"], int(page["next"]))
        for table, n in written.items():
            changed[table] = changed.get(table, 0) + n
        cursor = int(page["next"])
        pages += 1
        rows += len(page["changes"])
        if progress is not None:
            progress(cursor, int(page["seq"]))
        if not page["more"]:
            return PullSummary(pages, rows, cursor, changed)


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
