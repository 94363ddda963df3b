"""Carrying out a remote wipe on the laptop: an admin ordered the workspace's data deleted
here (a lost or stolen laptop, a leaver's machine).

What goes: the replica's key from the keyring first (after that no copy of the file, in a
backup or in the recycle bin, can be read), then the whole workspace folder (the replica and
its write-ahead log, the search index, the dashboards' order file, drafts, cached documents)
and the device token. Where the admin allowed it, the user may first save the edits the
laptop had not sent, sealed with a passphrase of their choosing (`export_unsent`), to hand
to a colleague or bring back after signing in on another laptop (`read_export`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench import credentials
from workbench.replica import Replica, cipher, keys
from workbench.workspace import Workspace

#: what an export of unsent edits starts with, then its scrypt salt
EXPORT_HEADER = b"MWUNSENT1\x00"
_SALT_BYTES = 16
_PURPOSE = "unsent-edits"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1, "maxmem": 2**26}  # 32 MB, about 0.1 s
#: the shortest passphrase an export is sealed with
MIN_PASSPHRASE = 8


@dataclass(frozen=True)
class WipeOutcome:
    """What the wipe removed, how many edits were unsent, and where they were exported."""

    removed: list[str]
    unsent: int
    exported: Path | None


def unsent_edits(replica: Replica) -> list[dict[str, Any]]:
    """The edits still waiting in the outbox (pending or refused), oldest first."""
    return [
        dict(r)
        for r in replica.conn.execute(
            "SELECT mutation_id, table_name, row_id, op, payload, status, message, created_at "
            "FROM outbox ORDER BY seq"
        )
    ]


def _key(passphrase: str, salt: bytes) -> bytes:
    return hashlib.scrypt(passphrase.encode(), salt=salt, dklen=cipher.KEY_BYTES, **_SCRYPT)


def export_unsent(replica: Replica, target: Path, passphrase: str) -> Path:
    """The unsent edits as JSON, sealed (AES-256-GCM) under a key derived from
    ``passphrase`` with scrypt; written whole under a temporary name, then renamed."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise ValueError(f"choose a passphrase of at least {MIN_PASSPHRASE} characters")
    salt = os.urandom(_SALT_BYTES)
    body = json.dumps(
        {"workspace": replica.get_state("workspace_name"), "edits": unsent_edits(replica)}
    ).encode()
    partial = target.with_name(target.name + ".part")
    partial.write_bytes(EXPORT_HEADER + salt + cipher.seal(body, _key(passphrase, salt), _PURPOSE))
    os.replace(partial, target)
    return target


def read_export(path: Path, passphrase: str) -> dict[str, Any]:
    """What `export_unsent` wrote; `cipher.WrongKey` for a wrong passphrase."""
    blob = path.read_bytes()
    if not blob.startswith(EXPORT_HEADER):
        raise ValueError(f"{path.name} is not an export of unsent edits")
    salt = blob[len(EXPORT_HEADER) : len(EXPORT_HEADER) + _SALT_BYTES]
    sealed = blob[len(EXPORT_HEADER) + _SALT_BYTES :]
    found: dict[str, Any] = json.loads(cipher.unseal(sealed, _key(passphrase, salt), _PURPOSE))
    return found


def wipe_workspace(workspace: Workspace, export: tuple[Path, str] | None = None) -> WipeOutcome:
    """Delete ``workspace`` (closed here) from this laptop, after exporting its unsent edits
    to ``export`` = (file, passphrase) when given and there are any. The export's folder must
    lie outside the workspace's."""
    root, replica = workspace.root, workspace.replica
    edits = unsent_edits(replica)
    exported = None
    if export is not None and edits:
        target, passphrase = export
        if root.resolve() in target.resolve().parents:
            raise ValueError("save the export outside the workspace's folder: it is deleted")
        exported = export_unsent(replica, target, passphrase)
    server, user = replica.get_state("server_url"), replica.get_state("username")
    replica_path = replica.path
    workspace.replica.close(for_good=True)  # no thread may open it again while it goes
    workspace.close()
    keys.forget(replica_path)
    removed = sorted(p.name for p in root.iterdir()) if root.exists() else []
    shutil.rmtree(root, ignore_errors=True)
    if server and user:
        credentials.forget_token(server, user)
    return WipeOutcome(removed, len(edits), exported)
