"""A first sync's snapshot downloaded: the compressed SQLite file streamed beside the replica
(resumed where a broken download stopped, checked against its digest) with the search index
built from it; `sync.client.snapshot_import` then takes it into the replica.

An encrypted replica asks for the snapshot as a SQLCipher database under a key of its own
(``?form=sqlcipher-8k``, the key in the answer): its bytes go to disk as they arrive, never
in clear, and SQLCipher copies its pages into the replica, re-encrypting them under the
replica's key, in C instead of row by row through Python (ADR 0008). Its pages are laid out as
the replica's (`cipher.REPLICA`, ADR 0009) and carry no HMAC: the download's SHA-256 already
checked every byte, and checking one per page again cost a quarter of the copy. A server of
the version before answers that form 400, and is asked for ``sqlcipher`` (SQLCipher's default
layout, pages with their HMAC), whose rows the replica then imports with ``INSERT … SELECT``;
one older still answers the gzip, which an encrypted replica decompresses into memory
(``Downloaded.image``) and copies row by row.

Its own module because a snapshot is a file, not the change feed: it is streamed, resumed and
verified.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from isal import isal_zlib

from sync.client.api import Request, SyncError, error_from
from workbench.errors import Cancelled
from workbench.replica import cipher

#: zlib's window bits for a gzip stream (header and trailer checked)
GZIP_WBITS = 16 + 15


@dataclass(frozen=True)
class Downloaded:
    """A snapshot fetched beside the replica: the SQLite file (or, for an encrypted replica,
    its bytes in memory: ``image``), the sequence it reflects, and the folder of its search
    index when the server sent one. ``sealed``: the file is a SQLCipher database (one of the
    server's `ENCRYPTED_FORMS`) that opens so."""

    path: Path
    seq: int
    search_index: Path | None
    image: bytes | None = None
    sealed: cipher.Sealed | None = None


#: what a snapshot's partial download is encrypted for (`cipher.Stream`)
PART_PURPOSE = "snapshot-download"
#: the SQLCipher forms of a snapshot this client takes (``GET /v1/snapshot?form=``), the one
#: an encrypted replica asks for first, whether the file's pages carry an HMAC, and how they
#: are laid out
ENCRYPTED_FORMS = {"sqlcipher-8k": (False, cipher.REPLICA), "sqlcipher": (True, cipher.LEGACY)}
#: the form an encrypted replica asks the server for
ENCRYPTED_FORM = next(iter(ENCRYPTED_FORMS))
#: the form asked for of a server that refuses `ENCRYPTED_FORM` (the version before it)
PREVIOUS_FORM = "sqlcipher"


def download(
    http: httpx.Client,
    request: Request,
    folder: Path,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
    key: bytes | None = None,
) -> Downloaded:
    """The snapshot streamed into ``folder``, decompressed to ``snapshot.sqlite`` as it
    arrives and checked against its SHA-256; then its search index, unpacked to
    ``search.snapshot/`` (see `SyncClient.download_snapshot`).

    With ``key`` (an encrypted replica) nothing of the snapshot rests on disk in clear: the
    server is asked for its SQLCipher form, written as it arrives to ``snapshot.sqlcipher``
    (``Downloaded.sealed`` opens it). A server that answers the gzip instead has the partial
    download encrypted as it is written (`cipher.Stream`) and the SQLite file decompressed
    into memory (``Downloaded.image``). The search index holds no money and comes as it is.
    """
    info = _describe(request, cancel, key is not None)
    wanted = [info["name"], *([info["search"]["name"]] if info.get("search") else [])]
    for stale in [*folder.glob("*.gz.part"), *folder.glob("*.sqlcipher.part")]:
        if stale.name.removesuffix(".part") not in wanted:
            stale.unlink()
    index = None
    form = info.get("form")
    if key is not None and form in ENCRYPTED_FORMS:
        encrypted = folder / "snapshot.sqlcipher"
        os.replace(_fetch(http, request, folder, info, cancel, progress), encrypted)
        if info.get("search"):
            part = _fetch(http, request, folder, info["search"], cancel)
            index = _unpacked(part, folder / "search.snapshot")
        hmac, layout = ENCRYPTED_FORMS[form]
        sealed = cipher.Sealed(bytes.fromhex(info["key"]), layout, hmac)
        return Downloaded(encrypted, int(info["seq"]), index, sealed=sealed)
    target = folder / "snapshot.sqlite"
    inflating = _Inflating(None if key is not None else target)
    try:
        part = _fetch(http, request, folder, info, cancel, progress, inflating, key)
        image = inflating.finish()
    except BaseException:
        inflating.discard()
        raise
    part.unlink()
    if info.get("search"):
        part = _fetch(http, request, folder, info["search"], cancel)
        index = _unpacked(part, folder / "search.snapshot")
    return Downloaded(target, int(info["seq"]), index, image)


def _describe(request: Request, cancel: threading.Event | None, encrypted: bool) -> Any:
    """The server's description of its current snapshot: for an ``encrypted`` replica, asked
    in `ENCRYPTED_FORM`, or in `PREVIOUS_FORM` of a server that refuses that form (400
    naming ``form``: the version before it), whatever form the answer then names."""
    if not encrypted:
        return request("GET", "/v1/snapshot", cancel)
    try:
        return request("GET", "/v1/snapshot", cancel, params={"form": ENCRYPTED_FORM})
    except SyncError as exc:
        if exc.code != "bad_request" or exc.details.get("field") != "form":
            raise
    return request("GET", "/v1/snapshot", cancel, params={"form": PREVIOUS_FORM})


def _fetch(
    http: httpx.Client,
    request: Request,
    folder: Path,
    info: dict[str, Any],
    cancel: threading.Event | None,
    progress: Callable[[int, int], None] | None = None,
    inflating: _Inflating | None = None,
    key: bytes | None = None,
) -> Path:
    """One file the server describes as ``info`` (name, size, sha256), streamed into
    ``folder`` as ``<name>.part`` and appended to when a part is there (Range, If-Range: a
    newer file starts over); a part whose digest is wrong is deleted and refused.

    The digest is taken, and the bytes handed to ``inflating``, as they arrive; bytes a
    previous run left in the part are read back first. With ``key`` the part is encrypted:
    a random nonce, then the bytes under `cipher.Stream` (the digest is of the bytes sent).
    """
    part = folder / f"{info['name']}.part"
    digest = hashlib.sha256()
    header = cipher.STREAM_NONCE_BYTES if key is not None else 0
    stream: cipher.Stream | None = None
    if part.exists() and part.stat().st_size < header:
        part.unlink()  # cut short before its nonce was written
    if part.exists():
        with part.open("rb") as f:
            if key is not None:
                stream = cipher.Stream(key, PART_PURPOSE, f.read(header))
            clear = stream.at(0) if stream is not None else None
            while chunk := f.read(1024 * 1024):
                if clear is not None:
                    chunk = clear.update(chunk)
                digest.update(chunk)
                if inflating is not None:
                    inflating.write(chunk)
    while True:
        have = part.stat().st_size - header if part.exists() else 0
        if have >= info["size"]:
            break
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers.update(Range=f"bytes={have}-", **{"If-Range": info["sha256"]})
        try:
            with http.stream("GET", f"/v1/snapshot/{info['name']}", headers=headers) as answer:
                if answer.status_code >= 400:
                    answer.read()
                    raise error_from(answer)
                mode = "ab" if answer.status_code == 206 and have else "wb"
                if mode == "wb" and have:  # the file changed on the server: from the start
                    digest = hashlib.sha256()
                    if inflating is not None:
                        inflating.restart()
                with part.open(mode) as out:
                    hiding = None
                    if key is not None:
                        if mode == "wb":
                            stream = cipher.Stream(key, PART_PURPOSE, os.urandom(header))
                            out.write(stream.nonce)
                        assert stream is not None
                        hiding = stream.at(have if mode == "ab" else 0)
                    for chunk in answer.iter_bytes(1024 * 1024):
                        if cancel is not None and cancel.is_set():
                            raise Cancelled("sync was cancelled")
                        out.write(hiding.update(chunk) if hiding is not None else chunk)
                        digest.update(chunk)
                        if inflating is not None:
                            inflating.write(chunk)
                        if progress is not None:
                            progress(out.tell() - header, info["size"])
        except httpx.TransportError:
            # resume from what arrived; the request helper's backoff paces the retries
            request("GET", "/v1/health", cancel)
    if digest.hexdigest() != info["sha256"]:
        part.unlink()
        raise SyncError("the downloaded snapshot was damaged; it will be fetched again")
    return part


class _Inflating:
    """A gzip stream decompressed into ``target`` while it downloads, so the file is ready
    when the last byte arrives (on a slow line, decompressing costs nothing extra).

    Bytes that are not gzip are not an error here: the digest decides whether the download
    was damaged, and `finish` refuses a stream that did not end.
    """

    def __init__(self, target: Path | None) -> None:
        """``target`` None: into memory (`finish` returns the bytes)."""
        self.target = target
        self._out: BinaryIO | None = None
        self.restart()

    def restart(self) -> None:
        if self._out is not None:
            self._out.close()
        self._out = self.target.open("wb") if self.target is not None else io.BytesIO()
        self._inflate = isal_zlib.decompressobj(GZIP_WBITS)
        self._broken = False

    def write(self, data: bytes) -> None:
        assert self._out is not None
        while data and not self._broken:
            try:
                self._out.write(self._inflate.decompress(data))
            # isal's stub declares `error` an Exception instance; it is the class IsalError
            except isal_zlib.error:  # type: ignore[misc]
                self._broken = True
                return
            data = self._inflate.unused_data if self._inflate.eof else b""
            if data:  # gzip allows several members one after the other
                self._inflate = isal_zlib.decompressobj(GZIP_WBITS)

    def finish(self) -> bytes | None:
        """Done: the decompressed bytes when they went to memory (None: to the file)."""
        assert self._out is not None
        image = self._out.getvalue() if isinstance(self._out, io.BytesIO) else None
        self._out.close()
        if self._broken or not self._inflate.eof:
            raise SyncError("the downloaded snapshot could not be decompressed")
        return image

    def discard(self) -> None:
        if self._out is not None:
            self._out.close()
        if self.target is not None:
            self.target.unlink(missing_ok=True)


def _unpacked(part: Path, target: Path) -> Path:
    """The search index archive at ``part`` unpacked into ``target`` (emptied first); only
    plain files, no paths outside it (tarfile's ``data`` filter)."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    with tarfile.open(part, "r:gz") as tar:
        tar.extractall(target, filter="data")
    part.unlink()
    return target
