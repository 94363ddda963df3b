"""A file streamed up to the server (an admin's master-data file for an import): read in
chunks with progress, stopped by ``cancel``, and the server's JSON answer back.

Apart from the API helper's retries on purpose: an upload is one deliberate act, sent once,
with a read timeout long enough for the server to do the work before it answers.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, cast

import httpx

from sync.client.api import SyncError, error_from
from workbench.errors import Cancelled

UPLOAD_CHUNK = 256 * 1024
#: how long an import may take on the server before the app gives up waiting
IMPORT_TIMEOUT_S = 900.0


def post_file(
    http: httpx.Client,
    url: str,
    path: Path,
    params: Mapping[str, Any],
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> dict[str, Any]:
    """Post the bytes of ``path`` to ``url`` with ``params``; ``progress`` hears the bytes
    sent and the file's size."""
    size = path.stat().st_size

    def chunks() -> Iterator[bytes]:
        sent = 0
        with path.open("rb") as f:
            while block := f.read(UPLOAD_CHUNK):
                if cancel is not None and cancel.is_set():
                    raise Cancelled("sync was cancelled")
                sent += len(block)
                if progress:
                    progress(sent, size)
                yield block

    try:
        answer = http.post(
            url,
            params=params,
            content=chunks(),
            headers={"content-type": "application/octet-stream", "content-length": str(size)},
            timeout=httpx.Timeout(30.0, read=IMPORT_TIMEOUT_S),
        )
    except httpx.TransportError as exc:
        raise SyncError(
            f"cannot reach the sync server ({exc.__class__.__name__})", "offline"
        ) from exc
    if answer.status_code >= 400:
        raise error_from(answer)
    return cast(dict[str, Any], answer.json())  # httpx's JSON is Any; the answer is an object
