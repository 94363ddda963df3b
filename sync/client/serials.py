"""Serial numbers for label runs from the sync server, and blocks reserved for printing offline
(`workbench.labels.serials` keeps them in the replica; `sync.server.serials` hands them out).
"""

from __future__ import annotations

import threading
from typing import Any, cast

from sync.client.api import Request, SyncError
from workbench.labels import serials as book
from workbench.labels.gs1 import LabelError
from workbench.replica import Replica


def allocate(
    request: Request,
    series: str,
    count: int,
    purpose: str,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """The server's next block of ``count`` serials of ``series`` for this device."""
    body = {"series": series, "count": count, "purpose": purpose}
    return cast(dict[str, Any], request("POST", "/v1/serials", cancel, json=body))


def reserve(
    replica: Replica,
    request: Request,
    series: str,
    count: int,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Reserve a block for printing offline and keep it in ``replica``; the block."""
    block = allocate(request, series, count, "reserve", cancel)
    book.add_block(replica, series, int(block["first"]), int(block["last"]))
    return block


def run_serials(
    replica: Replica,
    request: Request | None,
    series: str,
    count: int,
    cancel: threading.Event | None = None,
) -> list[int]:
    """``count`` consecutive serials of ``series`` for a run printed now: from the server when
    it answers, else (offline, or ``request`` None) from the blocks this station reserved.

    A refusal that is not about the connection (a role that may not take serials, a series
    used up) is raised: printing from a reserve would hide it."""
    if count < 1:
        raise LabelError(f"a serial run prints at least one label, not {count}")
    if request is not None:
        try:
            block = allocate(request, series, count, "run", cancel)
        except SyncError as exc:
            if exc.code != "offline":
                raise
        else:
            return list(range(int(block["first"]), int(block["last"]) + 1))
    return book.take_reserved(replica, series, count)
