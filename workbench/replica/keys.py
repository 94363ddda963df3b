"""Where a laptop's replica keys live: the OS keyring, one random key per replica file.

Each replica file has a key id beside it (``replica.sqlite.key-id``: a random name, not a
secret) and its key in the keyring under that name. The id travels with the file: a
workspace folder restored from a backup or moved to another data directory still finds its
key, and a thief who copies the folder gets the id but not the key.

Where the OS offers no keyring the app says so and stops, unless a passphrase is allowed and
set in ``WORKBENCH_PASSPHRASE``: the key is then derived from it with scrypt (the salt kept in
the key-id file). Whether it is allowed is the workspace's policy on the server, told to the
laptop as it signs in (``passphrase_allowed``): a workspace that forbids it refuses the
passphrase, even set, both for a new key and for a replica already keyed with one. A local
workspace that never met a server (None) leaves it to the machine's administrator, who sets
the variable or not. Nothing ever falls back to keeping the key in a file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import keyring
import keyring.errors

from workbench.errors import WorkbenchError
from workbench.replica import cipher

SERVICE = "mill-workbench-replica"
PASSPHRASE_ENV = "WORKBENCH_PASSPHRASE"
#: scrypt's cost: about 0.1 s and 16 MB on a laptop, once per start
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}

#: the keys this process has opened replicas with, by key id (like the device tokens in
#: `workbench.credentials`): the open database needs its key in memory anyway, and a keyring
#: locked or reset while the app runs does not shut the workspace out mid-session
_in_memory: dict[str, bytes] = {}


class NoKeyError(WorkbenchError, RuntimeError):
    """This laptop holds no key for the replica, and none can be made or derived."""


class KeyLost(NoKeyError):
    """The replica's key was in the keyring and is not any more (a keyring reset, another
    user profile): the file can never be read again on this laptop."""


def key_id_file(replica_path: Path) -> Path:
    return replica_path.with_name(replica_path.name + ".key-id")


def _read_id(replica_path: Path) -> dict[str, str] | None:
    try:
        found = json.loads(key_id_file(replica_path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, OSError) as exc:
        raise NoKeyError(f"{key_id_file(replica_path)} is damaged ({exc})") from exc
    return found if isinstance(found, dict) else None


def _write_id(replica_path: Path, record: dict[str, str]) -> None:
    target = key_id_file(replica_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_text(json.dumps(record), encoding="utf-8")
    os.replace(partial, target)


def forbidden(replica_path: Path) -> NoKeyError:
    """The error for a workspace whose policy forbids a passphrase where there is no keyring."""
    return NoKeyError(
        f"your administrator does not allow {replica_path.parent.name} to be kept with a "
        "passphrase: install and unlock a system keyring such as GNOME Keyring or KWallet, "
        "then sign in again"
    )


def uses_passphrase(replica_path: Path | str) -> bool:
    """Whether the replica's key is derived from a passphrase rather than kept in a keyring."""
    record = _read_id(Path(replica_path))
    return record is not None and record.get("kind") == "passphrase"


def replica_key(
    replica_path: Path | str, *, create: bool = True, passphrase_allowed: bool | None = None
) -> bytes:
    """The key that opens the replica at ``replica_path`` (made and stored on first use when
    ``create``). ``passphrase_allowed``: the workspace's policy (None: none known, the
    environment decides). Raises `NoKeyError` with a message for the user when there is
    none."""
    replica_path = Path(replica_path)
    record = _read_id(replica_path)
    if record is not None and record.get("kind") == "passphrase":
        if passphrase_allowed is False:
            raise forbidden(replica_path)
        return _from_passphrase(replica_path, record["salt"])
    if record is not None:
        if record["id"] not in _in_memory:
            _in_memory[record["id"]] = _from_keyring(replica_path, record["id"])
        return _in_memory[record["id"]]
    if not create:
        raise NoKeyError(f"no key was ever made for {replica_path}")
    key = cipher.new_key()
    key_id = str(uuid.uuid4())
    try:
        keyring.set_password(SERVICE, key_id, base64.b64encode(key).decode())
    except keyring.errors.KeyringError as exc:
        if passphrase_allowed is False:
            raise forbidden(replica_path) from exc
        if not os.environ.get(PASSPHRASE_ENV):
            raise NoKeyError(
                "no system keyring is available to keep the key that encrypts this "
                f"workspace ({exc.__class__.__name__}). Install and unlock a keyring such as "
                f"GNOME Keyring or KWallet, or set {PASSPHRASE_ENV} where your "
                "administrator allows a passphrase"
            ) from exc
        salt = base64.b64encode(os.urandom(16)).decode()
        _write_id(replica_path, {"kind": "passphrase", "salt": salt})
        return _from_passphrase(replica_path, salt)
    _write_id(replica_path, {"kind": "keyring", "id": key_id})
    _in_memory[key_id] = key
    return key


def _from_keyring(replica_path: Path, key_id: str) -> bytes:
    try:
        stored = keyring.get_password(SERVICE, key_id)
    except keyring.errors.KeyringError as exc:
        raise NoKeyError(
            f"the keyring that holds this workspace's key cannot be read ({exc}); unlock it "
            "and start again"
        ) from exc
    if not stored:
        raise KeyLost(
            f"this laptop's keyring holds no key for {replica_path.parent.name}: the data "
            "there cannot be read. Sign in again to download the workspace afresh"
        )
    return base64.b64decode(stored)


def _from_passphrase(replica_path: Path, salt: str) -> bytes:
    passphrase = os.environ.get(PASSPHRASE_ENV)
    if not passphrase:
        raise NoKeyError(
            f"{replica_path.parent.name} is encrypted with a passphrase: set {PASSPHRASE_ENV}"
        )
    return hashlib.scrypt(
        passphrase.encode(), salt=base64.b64decode(salt), dklen=cipher.KEY_BYTES, **_SCRYPT
    )


def forget(replica_path: Path | str) -> None:
    """Delete the replica's key from the keyring and its key id (a remote wipe, a reset):
    whatever copies of the file remain can no longer be read."""
    replica_path = Path(replica_path)
    record = _read_id(replica_path)
    if record is not None and record.get("kind") == "keyring":
        _in_memory.pop(record["id"], None)
        with contextlib.suppress(keyring.errors.KeyringError):
            keyring.delete_password(SERVICE, record["id"])
    key_id_file(replica_path).unlink(missing_ok=True)


def set_aside(replica_path: Path | str) -> Path:
    """Move a replica whose key is lost out of the way (with its write-ahead log and key id),
    so that signing in again starts a new one; returns where it went. Nothing is deleted: if
    the key turns up again (another keyring unlocked), the file still opens with it."""
    replica_path = Path(replica_path)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = replica_path.with_name(f"{replica_path.name}.unreadable-{stamp}")
    for suffix in ("", "-wal", "-shm", ".key-id"):
        source = Path(f"{replica_path}{suffix}")
        if source.exists():
            os.replace(source, Path(f"{aside}{suffix}"))
    return aside


def drop_keys_in_memory() -> None:
    """Forget the keys this process holds, as a restart does (the next open asks the
    keyring again)."""
    _in_memory.clear()
