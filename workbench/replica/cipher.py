"""Replica files encrypted at rest with SQLCipher 4 (architecture D11).

A merchandiser's laptop carries every cost rate, margin rule and order value of the
workspace; a copied data directory must reveal none of them. So a laptop's replica is a
SQLCipher database: every page is AES-256 encrypted and authenticated (HMAC-SHA256), keyed
with 32 random bytes that live in the OS keyring (`workbench.replica.keys`), never on disk.
Its pages are 8 KiB (`REPLICA`): much of SQLCipher's work is per page, so a first sync's
copy of the snapshot, every page of it, takes about two thirds of the time it took with
SQLCipher's default 4 KiB pages and HMAC-SHA512 (`LEGACY`), while a pull, which dirties
pages here and there, encrypts twice the bytes per page it dirties rather than four times
with 16 KiB (ADR 0009). Replicas made before 2026-12-08 have `LEGACY` and are converted as
they open (`relaid`).

The key is given raw (``x'…'``), so opening a connection costs no key derivation: the app
opens one connection per thread. A connection opened without a key is a plain SQLite file
through the same library, which is how the server's snapshot files and the demo on a machine
without a keyring are read.

SQLCipher's Python binding has exception classes of its own; the tuples below catch an error
from either binding, so code that handles "constraint failed" or "database is damaged" does
not depend on how the file was opened.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import sqlcipher3.dbapi2 as sqlcipher
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from filelock import FileLock

from workbench.errors import WorkbenchError

#: The first bytes of every plain SQLite file; an encrypted file starts with random salt.
PLAIN_HEADER = b"SQLite format 3\x00"
#: The first bytes of a file sealed by `seal`
SEALED_HEADER = b"MWSEALED1\x00"
_NONCE_BYTES = 12

KEY_BYTES = 32
_SALT_BYTES = 16
_IV_BYTES = 16


@dataclass(frozen=True)
class Layout:
    """How a SQLCipher file's pages are laid out: their size (``cipher_page_size``) and the
    HMAC each carries (``cipher_hmac_algorithm``). SQLCipher cannot tell them from the file
    (everything after page 1's salt is encrypted), so every connection, attach and export
    names the layout it expects. A page holds the file's salt first (page 1 only), and at its
    end its IV and then its HMAC (`reserve` bytes), which its B-tree never fills."""

    page_bytes: int
    hmac_algorithm: str
    hmac_bytes: int

    @property
    def reserve(self) -> int:
        """The bytes at each page's end left to the cipher: the IV, then the HMAC."""
        return _IV_BYTES + self.hmac_bytes

    def defaults(self) -> list[str]:
        """The statements that make this layout the process's defaults, which SQLCipher sets
        a database up from when it is keyed (`_keyed_as`)."""
        return [
            f"PRAGMA cipher_default_page_size = {self.page_bytes}",
            f"PRAGMA cipher_default_hmac_algorithm = {self.hmac_algorithm}",
        ]


#: A laptop's replica, and the snapshot form its pages are copied from (``sqlcipher-8k``):
#: half as many pages as SQLCipher's default makes, each authenticated with SHA-256, which
#: processors compute in hardware (SHA-NI, ARMv8), where SHA-512 is computed in software
REPLICA = Layout(page_bytes=8192, hmac_algorithm="HMAC_SHA256", hmac_bytes=32)
#: SQLCipher 4's defaults: replicas made before 2026-12-08 (converted as they open) and the
#: ``sqlcipher`` snapshot form that laptops of that time ask for
LEGACY = Layout(page_bytes=4096, hmac_algorithm="HMAC_SHA512", hmac_bytes=64)
LAYOUTS = (REPLICA, LEGACY)

Error = (sqlite3.Error, sqlcipher.Error)
IntegrityError = (sqlite3.IntegrityError, sqlcipher.IntegrityError)
OperationalError = (sqlite3.OperationalError, sqlcipher.OperationalError)
DatabaseError = (sqlite3.DatabaseError, sqlcipher.DatabaseError)


class WrongKey(WorkbenchError, RuntimeError):
    """The file is encrypted and the key given does not open it (or no key was given)."""


@dataclass(frozen=True)
class Sealed:
    """How a SQLCipher file other than the replica opens: a snapshot's key, its pages'
    layout, and whether they carry an HMAC (``False``: the form without it, whose download's
    SHA-256 checked every byte)."""

    key: bytes = field(repr=False)
    layout: Layout = REPLICA
    hmac: bool = True

    def connect(self, path: Path | str, **options: Any) -> sqlite3.Connection:
        return connect(path, self.key, hmac=self.hmac, layout=self.layout, **options)

    def attach(self, conn: sqlite3.Connection, path: Path | str, schema: str) -> None:
        attach(conn, path, schema, self.key, hmac=self.hmac, layout=self.layout)

    def reserved_bytes(self, path: Path | str) -> int | None:
        return reserved_bytes(path, self.key, hmac=self.hmac, layout=self.layout)


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


def is_plain(path: Path | str) -> bool:
    """Whether ``path`` holds a plain (unencrypted) SQLite database. A missing or empty file
    counts as not plain: it becomes whatever the first connection makes it."""
    try:
        with open(path, "rb") as f:
            return f.read(len(PLAIN_HEADER)) == PLAIN_HEADER
    except FileNotFoundError:
        return False


#: Held while SQLCipher makes a key's settings (``PRAGMA key``, ``ATTACH … KEY``): they start
#: from process-wide defaults, which `_keyed_as` sets for one database, and a database keyed
#: meanwhile would be laid out as that one
_KEYING = threading.Lock()


def _secret(key: bytes) -> str:
    return f"\"x'{key.hex()}'\""


def connect(
    path: Path | str,
    key: bytes | None,
    *,
    hmac: bool = True,
    layout: Layout = REPLICA,
    **options: Any,
) -> sqlite3.Connection:
    """A connection to ``path``: encrypted with ``key``, or a plain file when ``key`` is None.

    ``layout``: its pages' size and HMAC (`REPLICA` unless the file is older or a snapshot
    in another form). ``hmac`` False: the file's pages carry no HMAC (a snapshot's
    ``sqlcipher-8k`` form, whose bytes a SHA-256 of the whole file checked instead); a
    laptop's replica always has it.

    The key is checked at once (SQLCipher only reads the file at the first statement), so a
    wrong key, or a file laid out otherwise, fails here with `WrongKey` rather than later as
    "file is not a database".
    """
    if key is None:
        plain: sqlite3.Connection = sqlite3.connect(str(path), **options)
        return plain
    conn = sqlcipher.connect(str(path), **options)
    with _keyed_as(conn, layout, hmac):
        conn.execute(f"PRAGMA key = {_secret(key)}")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as exc:
        conn.close()
        raise WrongKey(
            f"{Path(path).name} cannot be opened with this laptop's key: it is encrypted with "
            "another key, or it is damaged"
        ) from exc
    return conn  # type: ignore[no-any-return]  # the binding has no type information


def attach(
    conn: sqlite3.Connection,
    path: Path | str,
    schema: str,
    key: bytes | None,
    *,
    hmac: bool = True,
    layout: Layout = REPLICA,
) -> None:
    """Attach the database at ``path`` to ``conn`` as ``schema``: under ``key``, or plain.

    ``layout`` and ``hmac`` as in `connect`.
    """
    secret = _secret(key) if key is not None else "''"
    statement = f"ATTACH DATABASE ? AS {schema} KEY {secret}"
    if key is None:
        with _KEYING:
            conn.execute(statement, (str(path),))
        return
    with _keyed_as(conn, layout, hmac):
        conn.execute(statement, (str(path),))


_DEFAULTS = ("cipher_default_page_size", "cipher_default_hmac_algorithm", "cipher_default_use_hmac")


@contextlib.contextmanager
def _keyed_as(conn: sqlite3.Connection, layout: Layout, hmac: bool) -> Iterator[None]:
    """Key a database (``PRAGMA key``, ``ATTACH … KEY``) laid out as ``layout``, with an
    HMAC or not.

    SQLCipher sets up a database's cipher when it is keyed, from the process-wide defaults;
    settings changed on the connection afterwards change how pages are encrypted but not
    what a new file's header leaves at each page's end for the cipher (set from the
    defaults: 80 bytes for HMAC-SHA512), and an attached file is read at once. So the
    defaults are set to ``layout`` for the keying and put back after, under `_KEYING`: no
    other database of the process is keyed in between, and every file made is laid out
    exactly as ``layout`` says (`reserved_bytes`).
    """
    with _KEYING:
        before = [(name, conn.execute(f"PRAGMA {name}").fetchone()[0]) for name in _DEFAULTS]
        for pragma in layout.defaults():
            conn.execute(pragma)
        conn.execute(f"PRAGMA cipher_default_use_hmac = {'ON' if hmac else 'OFF'}")
        try:
            yield
        finally:
            for name, value in before:
                conn.execute(f"PRAGMA {name} = {value}")


def layout_of(path: Path | str, key: bytes, *, hmac: bool = True) -> Layout | None:
    """The layout (`LAYOUTS`) the SQLCipher file at ``path`` opens with under ``key``, told
    by decrypting its first page as each would have it; None for a wrong key, a damaged or
    empty file, or a layout this app does not know."""
    for layout in LAYOUTS:
        if reserved_bytes(path, key, hmac=hmac, layout=layout) is not None:
            return layout
    return None


def reserved_bytes(
    path: Path | str, key: bytes, *, hmac: bool = True, layout: Layout = REPLICA
) -> int | None:
    """The bytes at the end of each page of the SQLCipher file at ``path`` that its B-trees
    leave to the cipher (its header's byte 20), read from its first page decrypted with
    ``key`` as ``layout`` lays it out; None when that page does not decrypt to a SQLite
    header of that page size (not such a file).

    SQLite's backup copies pages as they are, this byte with them. SQLCipher writes a page's
    IV and HMAC in its last `Layout.reserve` bytes; a file written without HMAC needs only
    the IV's 16, and unless it was laid out with the HMAC's space (`export` lays it out so)
    its rows reach into bytes a replica with HMAC then overwrites: the replica copied into
    reads back damaged once reopened. A snapshot's pages are copied only when this matches
    the replica's.
    """
    size = layout.page_bytes
    tail = layout.reserve if hmac else _IV_BYTES
    with open(path, "rb") as f:
        page = f.read(size)
    if len(page) < size:
        return None
    iv = page[size - tail : size - tail + _IV_BYTES]
    clear = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    header = clear.update(page[_SALT_BYTES : size - tail])
    # a SQLite header after the salt: the page size (1 for 65,536), then the file format (1
    # or 2) twice
    stored = size if size < 65536 else 1
    if header[:2] != stored.to_bytes(2, "big") or header[2] not in (1, 2):
        return None
    return header[4]


class Row(tuple[Any, ...]):
    """A row of an encrypted replica, read by index or by column name like ``sqlite3.Row``.

    The binding's own ``Row`` finds a name by comparing it with each column's in turn, so
    ``dict(row)`` of a 30-column material cost eight times what it does on a plain replica,
    and reading search results off an encrypted replica took three times as long for that
    alone (`bench/encryption.py`). This one looks names up in a map built once per query.
    """

    __slots__ = ()
    _names: ClassVar[tuple[str, ...]] = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            index = self._index.get(key)
            if index is None:
                index = self._index.get(key.lower())
                if index is None:
                    raise IndexError("No item with that key")
            return tuple.__getitem__(self, index)
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


#: the row class for each list of column names, and the one for each cursor description seen
#: (by its id: a cursor keeps one description object per query)
_ROW_CLASSES: dict[tuple[str, ...], type[Row]] = {}
_BY_DESCRIPTION: dict[int, tuple[Any, type[Row]]] = {}


def _row_class(names: tuple[str, ...]) -> type[Row]:
    made = _ROW_CLASSES.get(names)
    if made is None:
        index: dict[str, int] = {}
        for i, name in enumerate(names):  # the first of equal names wins, as in sqlite3.Row
            index.setdefault(name, i)
            index.setdefault(name.lower(), i)
        made = type("Row", (Row,), {"__slots__": (), "_names": names, "_index": index})
        if len(_ROW_CLASSES) < 4096:  # queries made up on the fly do not grow it for ever
            _ROW_CLASSES[names] = made
    return made


def _encrypted_row(cursor: Any, values: tuple[Any, ...]) -> Row:
    description = cursor.description
    seen = _BY_DESCRIPTION.get(id(description))
    if seen is None or seen[0] is not description:
        if len(_BY_DESCRIPTION) > 256:
            _BY_DESCRIPTION.clear()
        seen = (description, _row_class(tuple(column[0] for column in description)))
        _BY_DESCRIPTION[id(description)] = seen
    return seen[1](values)


def as_dict(row: Any) -> dict[str, Any]:
    """A row of either binding as a dict of its columns, for rows whose column names differ.

    ``dict(row)`` looks each name up through the row's ``__getitem__``, which for `Row` is a
    Python call per column: 50 materials of a search page took 0.75 ms that way against
    0.35 ms for ``sqlite3.Row``, where pairing the names with the values takes 0.23 ms and
    0.12 ms (`bench/encryption.py`'s search figure reads them so).
    """
    return dict(zip(row.keys(), row, strict=True))


def row_factory(conn: sqlite3.Connection) -> Any:
    """The row factory for ``conn``: ``sqlite3.Row`` on a plain file, `Row` on an encrypted
    one (name and index access both)."""
    return sqlite3.Row if isinstance(conn, sqlite3.Connection) else _encrypted_row


def export(
    source: Path | str,
    target: Path | str,
    key: bytes,
    *,
    hmac: bool = True,
    layout: Layout = REPLICA,
    source_key: bytes | None = None,
    source_layout: Layout = REPLICA,
) -> None:
    """Copy the SQLite file ``source`` (plain, or under ``source_key`` laid out as
    ``source_layout``) into a new file ``target`` encrypted with ``key`` as ``layout`` lays
    it out (schema, rows and ``user_version``), with SQLCipher's ``sqlcipher_export``.

    ``hmac`` False: its pages carry no HMAC (a snapshot's ``sqlcipher-8k`` form), laid
    out as a file with HMAC would be (`Layout.reserve` bytes left at each page's end, the
    HMAC's space unused): the file is attached with HMAC and turned off before anything is
    written, and SQLite never shrinks what an open file leaves at a page's end. Its pages
    can then be copied into a replica with HMAC (`reserved_bytes`).
    """
    Path(target).unlink(missing_ok=True)
    if source_key is None:
        conn = sqlcipher.connect(str(source), isolation_level=None)
    else:
        conn = connect(source, source_key, layout=source_layout, isolation_level=None)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        attach(conn, target, "encrypted", key, layout=layout)
        if not hmac:
            conn.execute("PRAGMA encrypted.cipher_use_hmac = OFF")
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    with open(target, "rb+") as f:
        os.fsync(f.fileno())


def encrypt_file(path: Path | str, key: bytes) -> None:
    """Turn the plain SQLite file at ``path`` into an encrypted one with ``key``, in place.

    The encrypted copy is made beside it (`export`) and then replaces it in one rename; the
    old file's write-ahead log is checkpointed into it first and goes with it. Until the
    rename the plain file is untouched: a crash half-way leaves the replica as it was, and
    the next open tries again. See `_rewritten` for another process opening it meanwhile.
    """
    _rewritten(
        path,
        lambda: is_plain(path),
        lambda partial: export(path, partial, key),
        ".encrypting",
    )


def relaid(path: Path | str, key: bytes) -> bool:
    """Lay the replica at ``path``, encrypted with ``key``, out as `REPLICA` if it is laid
    out otherwise (`LEGACY`: made before 2026-12-08), in place and as `encrypt_file` does:
    a copy beside it replaces it in one rename, so a crash half-way leaves it as it was and
    the next open tries again. Whether it was converted here; a file this key does not open
    is left for `connect` to refuse."""
    if layout_of(path, key) in (None, REPLICA):
        return False
    found: list[Layout] = []

    def still_needed() -> bool:
        layout = layout_of(path, key)
        found[:] = [layout] if layout not in (None, REPLICA) else []
        return bool(found)

    return _rewritten(
        path,
        still_needed,
        lambda partial: export(path, partial, key, source_key=key, source_layout=found[0]),
        ".relaying",
    )


#: How long a process waits for another rewriting the same replica before giving up
REWRITE_WAIT_S = 120.0


def _rewritten(
    path: Path | str, needed: Callable[[], bool], write: Callable[[Path], None], suffix: str
) -> bool:
    """The file at ``path`` replaced by the one ``write`` makes beside it (named ``path`` +
    ``suffix``), with its write-ahead log and shared memory gone, if ``needed()`` still says
    so once this process holds the file's rewrite lock; whether it was.

    The app and the command line (``workbench sync``) may open the same replica at once, both
    finding it in the old form: unlocked, both would write the new copy to the same name, and
    the one renaming last would put its copy over the file the other had already opened and
    written to. So the rewrite is done under a lock file beside it (``.lock``), and whoever
    comes second finds it done. A process of an older version does not take the lock: no
    other process of the app may have the file open then, as before.
    """
    path = Path(path)
    with FileLock(f"{path}.lock", timeout=REWRITE_WAIT_S):
        if not needed():
            return False
        partial = path.with_name(path.name + suffix)
        write(partial)
        for extra in ("-wal", "-shm"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        os.replace(partial, path)
        return True


# -- other files beside the replica --------------------------------------------------------


def _subkey(key: bytes, purpose: str) -> bytes:
    """A key of its own for each kind of file (HKDF-SHA256 over the replica's key), so that
    no two kinds of data are ever encrypted under the same key."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose.encode()).derive(key)


def is_sealed(data: bytes) -> bool:
    return data.startswith(SEALED_HEADER)


def seal(data: bytes | memoryview, key: bytes, purpose: str) -> bytes:
    """``data`` encrypted and authenticated (AES-256-GCM under a key for ``purpose`` derived
    from the replica's key), for a derived file that holds money (the dashboards' order
    file): a random nonce per file, the header authenticated with it."""
    nonce = os.urandom(_NONCE_BYTES)
    aad = SEALED_HEADER + purpose.encode()
    return SEALED_HEADER + nonce + AESGCM(_subkey(key, purpose)).encrypt(nonce, data, aad)


def unseal(blob: bytes, key: bytes, purpose: str) -> bytes:
    """What `seal` sealed; `WrongKey` when the key or purpose differs or a byte changed."""
    if not is_sealed(blob):
        raise WrongKey("the file is not sealed")
    start = len(SEALED_HEADER)
    nonce = blob[start : start + _NONCE_BYTES]
    sealed = memoryview(blob)[start + _NONCE_BYTES :]  # no copy of a file of tens of MB
    aad = SEALED_HEADER + purpose.encode()
    try:
        return AESGCM(_subkey(key, purpose)).decrypt(nonce, sealed, aad)
    except InvalidTag as exc:
        raise WrongKey("the file was sealed with another key, or it was changed") from exc


#: the nonce a `Stream` file starts with
STREAM_NONCE_BYTES = 16


class Stream:
    """AES-256-CTR over a file written in pieces and resumed (a download's partial file),
    under a key for ``purpose`` derived from the replica's. CTR lets a resumed write or a read
    start at any byte. It only hides the bytes: what they must be is checked separately (a
    download's SHA-256 against the server's)."""

    def __init__(self, key: bytes, purpose: str, nonce: bytes) -> None:
        self._key = _subkey(key, purpose)
        self.nonce = nonce

    def at(self, offset: int) -> Any:
        """A cipher context positioned at byte ``offset`` (encrypts and decrypts alike)."""
        block = (int.from_bytes(self.nonce, "big") + offset // 16) % (1 << 128)
        context = Cipher(algorithms.AES(self._key), modes.CTR(block.to_bytes(16, "big")))
        encryptor = context.encryptor()
        encryptor.update(bytes(offset % 16))
        return encryptor
