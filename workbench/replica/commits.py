"""Whether anything was committed to a replica since a moment, told without a statement.

A replica is in WAL mode (architecture D2), and SQLite keeps the WAL's index in the shared
memory file beside it (``<replica>-shm``), mapped by every connection of every process that
has the replica open. Its first 48 bytes are the WAL-index header (sqlite.org/walformat.html,
"The WAL-Index Header"), which every commit rewrites, through any connection of any process:
a transaction counter, the last frame, its checksum and the WAL's salts. Reading those bytes
from a mapping of the file costs a fraction of a microsecond; asking the replica anything
costs a statement, a read lock taken and released, about 5 µs on a plain replica and more
through SQLCipher's binding. The dashboards ask on every call whether their data changed
(`workbench.analytics.cache`), so this is where they look first, and only when the header
moved do they ask the replica what changed.

The header holds no row data (frame numbers, checksums), so it is not encrypted by SQLCipher
and reveals nothing. The file stays the same file only while a connection to the replica is
open (SQLite deletes it when the last one closes), so a `Replica` maps it after it has opened
a connection and lets the mapping go when it closes its connections (`Replica.close`).
"""

from __future__ import annotations

import mmap
from pathlib import Path

#: the first copy of the WAL-index header; SQLite writes a second copy after it
HEADER_BYTES = 48


class WalHeader:
    """A read-only mapping of the WAL-index header of the database at ``path``."""

    def __init__(self, path: Path) -> None:
        """Raises OSError (or ValueError) when there is no such file yet or it is shorter
        than a header: the caller then asks the replica instead."""
        with open(f"{path}-shm", "rb") as f:
            self._map = mmap.mmap(f.fileno(), HEADER_BYTES, access=mmap.ACCESS_READ)

    def read(self) -> bytes:
        """The header as it is now: a different value after every commit."""
        return self._map[:HEADER_BYTES]

    def close(self) -> None:
        self._map.close()
