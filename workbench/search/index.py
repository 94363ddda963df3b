"""The index on disk: building it, updating it, and the stamp that says what it reflects.

The stamp (``stamp.json`` beside tantivy's files) records the index format and the replica
change sequence the index holds. It is written only after tantivy has committed, so an index
whose stamp is missing or unreadable is treated as damaged, never as current.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from workbench.errors import Cancelled, WorkbenchError
from workbench.replica.cipher import as_dict
from workbench.replica.queries import MATERIAL_COLUMNS
from workbench.search.schema import INDEX_FORMAT, SCHEMA, to_document

STAMP_FILE = "stamp.json"
WRITER_HEAP = 128_000_000
BATCH = 5_000


class IndexDamaged(WorkbenchError, RuntimeError):
    """The index on disk cannot be used as it is; a rebuild repairs it."""


@dataclass(frozen=True)
class Stamp:
    format: int
    version: int
    documents: int


def read_stamp(directory: Path) -> Stamp:
    try:
        data = json.loads((directory / STAMP_FILE).read_text("utf-8"))
        stamp = Stamp(int(data["format"]), int(data["version"]), int(data["documents"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexDamaged(f"the search index stamp is unreadable: {exc}") from exc
    if stamp.format != INDEX_FORMAT:
        raise IndexDamaged(
            f"the search index has format {stamp.format}; this app writes {INDEX_FORMAT}"
        )
    return stamp


def write_stamp(directory: Path, stamp: Stamp) -> None:
    partial = directory / (STAMP_FILE + ".tmp")
    partial.write_text(
        json.dumps(
            {"format": stamp.format, "version": stamp.version, "documents": stamp.documents}
        ),
        "utf-8",
    )
    os.replace(partial, directory / STAMP_FILE)


def is_fatal(exc: BaseException) -> bool:
    """Errors that must never be taken for a damaged index."""
    return isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError))


def open_index(directory: Path) -> tuple[tantivy.Index, Stamp]:
    """Open an existing index, or raise `IndexDamaged` / `FileNotFoundError`."""
    if not (directory / "meta.json").exists():
        raise FileNotFoundError(directory)
    stamp = read_stamp(directory)
    try:
        index = tantivy.Index.open(str(directory))
        # no background reload thread: the app reloads explicitly after each refresh
        index.config_reader("manual")
        searcher = index.searcher()
        searcher.search(tantivy.Query.all_query(), 1)
    except BaseException as exc:  # tantivy reports damage as ValueError or a Rust panic
        if is_fatal(exc):
            raise
        raise IndexDamaged(f"the search index files are damaged: {exc}") from exc
    if searcher.num_docs != stamp.documents:
        raise IndexDamaged(
            f"the search index holds {searcher.num_docs} documents, its stamp says "
            f"{stamp.documents}"
        )
    return index, stamp


def build(
    conn: sqlite3.Connection,
    directory: Path,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> Stamp:
    """Build a fresh index of the replica's live materials and swap it in atomically.

    The new index is written beside the old one and renamed over it only when complete, so
    a crash or a cancel leaves the previous index as it was. The replica is read in one
    transaction, so the stamp is exactly the version the documents reflect.
    """
    directory.parent.mkdir(parents=True, exist_ok=True)
    fresh = directory.with_name(f"{directory.name}.building-{os.getpid()}-{threading.get_ident()}")
    shutil.rmtree(fresh, ignore_errors=True)
    fresh.mkdir()
    try:
        index = tantivy.Index(SCHEMA, str(fresh))
        writer = index.writer(WRITER_HEAP)
        conn.execute("BEGIN")
        try:
            version = int(
                conn.execute("SELECT coalesce(max(version), 0) FROM materials").fetchone()[0]
            )
            total = conn.execute("SELECT count(*) FROM materials WHERE deleted = 0").fetchone()[0]
            cursor = conn.execute(
                f"SELECT {', '.join(MATERIAL_COLUMNS)} FROM materials WHERE deleted = 0"
            )
            done = 0
            while rows := cursor.fetchmany(BATCH):
                if cancel is not None and cancel.is_set():
                    writer.rollback()
                    # the previous index, if any, stays as it was
                    raise Cancelled("the search index rebuild was cancelled")
                for row in rows:
                    writer.add_document(to_document(dict(zip(MATERIAL_COLUMNS, row, strict=True))))
                done += len(rows)
                if progress is not None:
                    progress(done, total)
        finally:
            conn.execute("COMMIT")
        writer.commit()
        writer.wait_merging_threads()
        del writer
        stamp = Stamp(INDEX_FORMAT, version, done)
        write_stamp(fresh, stamp)
        replace(fresh, directory)
        return stamp
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise


def replace(fresh: Path, directory: Path) -> None:
    """Move the complete index in ``fresh`` to ``directory``, where the old one goes."""
    old = directory.with_name(directory.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if directory.exists():
        os.replace(directory, old)
    os.replace(fresh, directory)
    shutil.rmtree(old, ignore_errors=True)


def refresh(changed: Sequence[Any], index: tantivy.Index, directory: Path, stamp: Stamp) -> Stamp:
    """Re-index ``changed``, the material rows written after the stamp
    (`materials_changed_since`; tombstones are removed)."""
    if not changed:
        return stamp
    writer = index.writer(WRITER_HEAP // 2, num_threads=1)
    version = stamp.version
    for row in changed:
        values = as_dict(row)
        writer.delete_documents_by_term("id", values["id"])
        if not values["deleted"]:
            writer.add_document(to_document(values))
        version = max(version, int(values["version"]))
    writer.commit()
    writer.wait_merging_threads()
    del writer
    index.reload()
    documents = index.searcher().num_docs
    new = Stamp(INDEX_FORMAT, version, documents)
    write_stamp(directory, new)
    return new
