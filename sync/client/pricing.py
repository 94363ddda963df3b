"""Firm quotes from the server's pricing service: one asked for now, and those the user asked
for while offline, sent with the next sync.

A refused quote (a missing rate, a sheet the server cannot price) is kept with its reason in
`workbench.quotes` rather than asked again at every sync.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any, cast

from sync.client.api import Request, SyncError
from workbench import quotes
from workbench.replica import Replica

#: asks for one quote: `SyncClient.request_quote` (sheet, cost sheet id, cancel, key)
RequestQuote = Callable[
    [Mapping[str, Any], str | None, threading.Event | None, str | None], dict[str, Any]
]

#: the refusals that will not change by asking again
_FINAL = ("cannot_price", "invalid", "forbidden")


def request_quote(
    request: Request,
    sheet: Mapping[str, Any],
    cost_sheet_id: str | None = None,
    cancel: threading.Event | None = None,
    idempotency_key: str | None = None,
) -> dict[str, Any]:
    """Ask the pricing service to quote ``sheet`` (linked to its saved cost sheet, if any).

    The request carries an idempotency key (a new one unless given), the same on each retry:
    an answer lost on the way back is asked for again and the server gives the same quote,
    not a second one."""
    body: dict[str, Any] = {"sheet": dict(sheet)}
    if cost_sheet_id:
        body["cost_sheet_id"] = cost_sheet_id
    headers = {"Idempotency-Key": idempotency_key or str(uuid.uuid4())}
    answer = request("POST", "/v1/pricing/quote", cancel, json=body, headers=headers)
    return cast(dict[str, Any], answer["quote"])  # decoded JSON is Any; the quote is an object


def send_quote_requests(
    replica: Replica, request_quote: RequestQuote, cancel: threading.Event | None = None
) -> int:
    """Each quote queued in ``replica`` asked for through ``request_quote``: stored and marked
    done when answered, marked failed with the server's reason when refused for good; any
    other error (offline) leaves the rest queued for the next sync. Returns how many were
    answered, refusals included."""
    answered = 0
    for queued in quotes.requests(replica, "queued"):
        try:
            # keyed by the queued request: asked again after a crash, it is the same quote
            quote = request_quote(queued.sheet, queued.cost_sheet_id, cancel, queued.id)
        except SyncError as exc:
            if exc.code in _FINAL:
                quotes.mark_failed(replica, queued.id, str(exc))
                answered += 1
                continue
            raise
        quotes.store_quote(replica, quote)
        quotes.mark_done(replica, queued.id, quote["id"])
        answered += 1
    return answered
