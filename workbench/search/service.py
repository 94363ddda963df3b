"""`MaterialSearch`: the one object the app asks to find materials.

It answers from the tantivy index when there is one, even one a little behind the replica,
and from plain SQL when the index is missing, damaged or being built for the first time, so a
search box never stops working. It is safe to call from several threads: searches only read
the current index handle; building and refreshing are serialised by a lock.
"""

from __future__ import annotations

import enum
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import tantivy

from workbench.errors import Cancelled
from workbench.replica import Replica
from workbench.replica.queries import SORTABLE, materials_changed_since, max_version, sort_ids
from workbench.search import index as disk
from workbench.search.fallback import search_sql
from workbench.search.query import build_query
from workbench.search.request import SearchRequest, SearchResult
from workbench.search.schema import FAST_SORT
from workbench.search.text import parse

#: The most matches a search sorted by a column outside the index (price, colour, …) sorts in
#: SQL; a query matching more sorts its this-many most relevant. Generous: a broad word over
#: 200,000 materials reads all 50,000 ids, 0.1–0.3 s on a loaded 2-core VM (BENCHMARKS.md).
SQL_SORT_CAP = 50_000

_FACETS = {
    "material_type": {"terms": {"field": "type_f", "size": 10}},
    "certifications": {"terms": {"field": "cert_f", "size": 20}},
    "supplier": {"terms": {"field": "supplier_f", "size": 200}},
}


class IndexState(enum.Enum):
    READY = "ready"
    STALE = "stale"  # behind the replica: still answers, refresh() catches up
    MISSING = "missing"
    CORRUPT = "corrupt"
    BUILDING = "building"


@dataclass(frozen=True)
class _Handle:
    index: tantivy.Index
    searcher: tantivy.Searcher
    stamp: disk.Stamp


class MaterialSearch:
    def __init__(self, replica: Replica, index_dir: Path | str) -> None:
        self.replica = replica
        self.index_dir = Path(index_dir)
        self._handle: _Handle | None = None
        self._state = IndexState.MISSING
        self._write_lock = threading.Lock()
        self._state_lock = threading.Lock()
        self.last_error: str | None = None
        self.check()

    # -- state -------------------------------------------------------------------------------

    @property
    def state(self) -> IndexState:
        return self._state

    @property
    def stamp(self) -> int:
        handle = self._handle
        return handle.stamp.version if handle else 0

    def _set(self, state: IndexState, handle: _Handle | None, error: str | None = None) -> None:
        with self._state_lock:
            self._state = state
            self._handle = handle
            self.last_error = error

    def check(self) -> IndexState:
        """Open the index on disk and compare its stamp with the replica."""
        if self._state is IndexState.BUILDING:
            return self._state
        try:
            index, stamp = disk.open_index(self.index_dir)
        except FileNotFoundError:
            self._set(IndexState.MISSING, None)
            return self._state
        except disk.IndexDamaged as exc:
            self._set(IndexState.CORRUPT, None, str(exc))
            return self._state
        current = max_version(self.replica.conn)
        handle = _Handle(index, index.searcher(), stamp)
        if stamp.version > current:
            # the index knows rows the replica does not: it belongs to another replica
            self._set(IndexState.CORRUPT, None, "the search index is ahead of the replica")
        elif stamp.version < current:
            self._set(IndexState.STALE, handle)
        else:
            self._set(IndexState.READY, handle)
        return self._state

    # -- building ----------------------------------------------------------------------------

    def rebuild(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> int:
        """Build the index afresh (blocking; run it on a worker). Returns documents indexed."""
        with self._write_lock:
            before, handle = self._state, self._handle
            self._set(IndexState.BUILDING, handle)
            try:
                stamp = disk.build(self.replica.conn, self.index_dir, progress, cancel)
            except Cancelled:
                self._set(before, handle)
                raise
            except BaseException as exc:
                self._set(before, handle, str(exc))
                raise
            self._set(IndexState.MISSING, None)
            self.check()
            return stamp.documents

    def install(self, built: Path) -> int:
        """Take the index in the folder ``built`` (the server's, made from the same rows as
        this replica's first-sync snapshot) as this replica's, instead of building one; the
        folder is moved into place. Returns the documents it holds.

        Raises `IndexDamaged` (the previous index gone, the state MISSING or CORRUPT) when it
        is of another format, cannot be opened, or holds rows this replica does not: the
        caller builds one then. An index behind the replica is fine: `refresh` catches up.
        """
        with self._write_lock:
            stamp = disk.read_stamp(built)
            self._set(IndexState.MISSING, None)  # let go of the old index's files
            disk.replace(built, self.index_dir)
            if self.check() not in (IndexState.READY, IndexState.STALE):
                raise disk.IndexDamaged(self.last_error or "the index could not be opened")
            return stamp.documents

    def refresh(self) -> int:
        """Catch up with rows written since the stamp; returns rows re-indexed (0 if none)."""
        with self._write_lock:
            if self.check() not in (IndexState.READY, IndexState.STALE) or self._handle is None:
                return 0
            handle = self._handle
            before = handle.stamp.version
            try:
                # read on the writer: after a pull its cache holds the pages just written,
                # where this thread's own connection lost its cache at that commit and, on an
                # encrypted replica, would decrypt each page again
                with self.replica.writing():
                    changed = materials_changed_since(self.replica.conn, before).fetchall()
                stamp = disk.refresh(changed, handle.index, self.index_dir, handle.stamp)
            except BaseException as exc:
                if disk.is_fatal(exc):
                    raise
                self._set(IndexState.CORRUPT, None, str(exc))
                return 0
            self._set(IndexState.READY, _Handle(handle.index, handle.index.searcher(), stamp))
            self.check()
            return len(changed)

    def ensure_ready(
        self,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> IndexState:
        """Whatever it takes to make the index current: refresh, or rebuild if unusable."""
        state = self.check()
        if state is IndexState.STALE:
            self.refresh()
        elif state in (IndexState.MISSING, IndexState.CORRUPT):
            self.rebuild(progress, cancel)
        return self.check()

    def delete_index(self) -> None:
        """Remove the index files (the replica is untouched; a rebuild recreates them)."""
        with self._write_lock:
            self._set(IndexState.MISSING, None)
            shutil.rmtree(self.index_dir, ignore_errors=True)

    def close(self) -> None:
        self._set(IndexState.MISSING, None)

    # -- searching ---------------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResult:
        started = time.perf_counter()
        handle = self._handle
        if handle is not None:
            try:
                ids, total, facets = self._search_index(handle.searcher, request)
            except BaseException as exc:  # damaged files surface as errors or Rust panics
                if disk.is_fatal(exc):
                    raise
                self._set(IndexState.CORRUPT, None, str(exc))
            else:
                elapsed = (time.perf_counter() - started) * 1000
                return SearchResult(tuple(ids), total, "index", elapsed, facets)
        ids, total = search_sql(self.replica.conn, request)
        elapsed = (time.perf_counter() - started) * 1000
        return SearchResult(tuple(ids), total, "sql", elapsed, {})

    def _search_index(
        self, searcher: tantivy.Searcher, request: SearchRequest
    ) -> tuple[list[str], int, dict[str, dict[str, int]]]:
        parsed = parse(request.text)
        query = build_query(request, parsed, searcher)
        order = tantivy.Order.Desc if request.descending else tantivy.Order.Asc
        sort_field = FAST_SORT.get(request.sort or "")
        limit = max(1, request.limit)
        listing = parsed.is_empty and request.sort is None
        if listing and not request.has_filters:
            # Everything, by code: the replica's code index answers this in a millisecond,
            # where sorting every document on a text fast field takes tens.
            ids = [
                r[0]
                for r in self.replica.conn.execute(
                    "SELECT id FROM materials WHERE deleted = 0 ORDER BY code LIMIT ?", (limit,)
                )
            ]
            return ids, int(searcher.num_docs), self._facets(searcher, query, request)
        if request.sort is not None and sort_field is None:
            return self._sort_in_sql(searcher, query, request, parsed.is_empty)
        if sort_field is not None:
            result = searcher.search(query, limit, True, sort_field, 0, order)
        else:
            result = searcher.search(query, limit, True)
        ids = [searcher.doc(address)["id"][0] for _, address in result.hits]
        if listing:
            # filtered listing: the first matches found, shown in code order
            ids = sort_ids(self.replica.conn, ids, "code")
        # tantivy's stub leaves out SearchResult.count (there at run time when asked to count)
        return ids, int(result.count or 0), self._facets(searcher, query, request)  # type: ignore[attr-defined]

    def _sort_in_sql(
        self,
        searcher: tantivy.Searcher,
        query: tantivy.Query,
        request: SearchRequest,
        no_words: bool,
    ) -> tuple[list[str], int, dict[str, dict[str, int]]]:
        """A sort by a column the index does not hold (price, colour, …), right over every
        match: SQL sorts them all and keeps the first ``limit``.

        With no words (a filtered listing) the fallback's SQL answers it, filters and all,
        ``ORDER BY … LIMIT`` over the replica. With words, every hit's id is read from the
        index, up to `SQL_SORT_CAP` of them (beyond that, the sort is over the most relevant
        `SQL_SORT_CAP` matches, and ``total`` still counts them all).
        """
        if request.sort not in SORTABLE:
            raise ValueError(f"materials cannot be sorted by {request.sort!r}")
        conn = self.replica.conn
        limit = max(1, request.limit)
        if no_words:
            ids, total = search_sql(conn, replace(request, limit=limit))
            return ids, total, self._facets(searcher, query, request)
        result = searcher.search(query, limit, True)
        total = int(result.count or 0)  # type: ignore[attr-defined]  # missing from the stub
        hits = result.hits
        if total > len(hits):
            hits = searcher.search(query, min(total, SQL_SORT_CAP), False).hits
        # in index order, so the stored-document blocks are read once each
        addresses = sorted((a for _, a in hits), key=lambda a: (a.segment_ord, a.doc))
        ids = [searcher.doc(address)["id"][0] for address in addresses]
        ids = sort_ids(conn, ids, request.sort, request.descending, limit)
        return ids, total, self._facets(searcher, query, request)

    def _facets(
        self, searcher: tantivy.Searcher, query: tantivy.Query, request: SearchRequest
    ) -> dict[str, dict[str, int]]:
        if not request.facets:
            return {}
        answer = searcher.aggregate(query, _FACETS)
        return {
            name: {b["key"]: int(b["doc_count"]) for b in answer[name]["buckets"]}
            for name in _FACETS
        }
