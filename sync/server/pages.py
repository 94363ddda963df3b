"""Encoded change pages, kept per server process while the workspace has not moved.

A page of the change feed is a function of the workspace's rows, the caller's role (what it
may see), ``after`` and ``limit``. Every write to a workspace takes a new change number, so
while ``last_seq`` stays where it was, the same request gets the same bytes. That is the
common case: a mill's laptops sync to the same cursor, and after an edit they all ask for the
same few rows, each a few seconds apart. Serving them from here saves the queries, the JSON
and the compression, which are nearly all of a pull's cost.

An entry is used only if ``last_seq`` and ``min_seq`` (the tombstone horizon), read by the
request itself, equal the ones it was built at, so a write or a purge is seen by the
next pull, in this process and in every other one: nothing has to be told to invalidate.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass

#: gzip level for pages: about as fast as level 1 and a tenth smaller (level 6 is a quarter
#: smaller but takes twice the time, which every pull that finds no kept page would pay)
COMPRESS_LEVEL = 3
#: memory per server process for kept pages (``workbench-sync serve --page-cache-mb``)
PAGE_CACHE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class PageKey:
    workspace_id: str
    role: str
    after: int
    limit: int
    #: the replica schema the app announced: one a version behind is sent fewer tables
    schema: int


@dataclass(frozen=True)
class Page:
    """One encoded answer, with the workspace state it was built at."""

    last_seq: int
    min_seq: int
    body: bytes
    gzipped: bytes
    #: the answer's ``next``: how far a laptop that got this page has pulled
    next_cursor: int
    #: how many changes it holds (counted in the server's metrics each time it is served)
    rows: int = 0

    @classmethod
    def encode(
        cls, last_seq: int, min_seq: int, body: bytes, next_cursor: int, rows: int = 0
    ) -> Page:
        gzipped = gzip.compress(body, COMPRESS_LEVEL, mtime=0)
        return cls(last_seq, min_seq, body, gzipped, next_cursor, rows)

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped)


class PageCache:
    """Least recently used pages up to ``max_bytes`` (both encodings counted; 0 keeps none)."""

    def __init__(self, max_bytes: int = PAGE_CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self._pages: OrderedDict[PageKey, Page] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()  # handlers run on Starlette's thread pool
        self.hits = 0
        self.misses = 0

    def get(self, key: PageKey, last_seq: int, min_seq: int) -> Page | None:
        """The page for ``key`` if it was built at this ``last_seq`` and ``min_seq``."""
        with self._lock:
            page = self._pages.get(key)
            if page is None or page.last_seq != last_seq or page.min_seq != min_seq:
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return page

    def put(self, key: PageKey, page: Page) -> None:
        if page.size > self.max_bytes // 8:  # (with max_bytes 0, every page)
            return  # it would push out many smaller pages that more laptops ask for
        with self._lock:
            old = self._pages.pop(key, None)
            if old is not None:
                self._bytes -= old.size
            self._pages[key] = page
            self._bytes += page.size
            while self._bytes > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self._bytes -= dropped.size
