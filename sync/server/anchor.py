"""What anchors the audit trail outside the database: the key its hashes are made with, and
the checkpoint log its chains' heads are written to.

The key (``WORKBENCH_SYNC_AUDIT_KEY``, or the file ``[audit] key_file`` names, readable by the
service's user only) makes each entry's hash an HMAC: someone who can edit the database but
does not hold the key cannot write an entry, or a chain, that verifies.

The checkpoint log (``[audit] checkpoint_log``) is a file of JSON lines, only ever appended
to: each workspace's last entry number and hash at a moment, with an HMAC of the line when a
key is set. The serving process writes it every ``checkpoint_every_s``, and ``workbench-sync
audit checkpoint`` whenever it is run (and prints what it wrote, for an admin to keep
elsewhere). ``audit verify`` then holds the database to the last checkpoint of each workspace:
entries cut off the end, a head moved back, a trail wiped and a chain recomputed all show.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import json
import logging
import os
import stat
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sync.server import schema
from sync.server.config import AuditSettings
from workbench.errors import WorkbenchError
from workbench.replica.store import utc_now

KEY_ENV = "WORKBENCH_SYNC_AUDIT_KEY"
#: the fewest bytes a key may have
MIN_KEY_BYTES = 16

log = logging.getLogger("sync.server")


class AnchorError(WorkbenchError, ValueError):
    """The key or the checkpoint log cannot be used; the message says why and what to do."""


def load_key(settings: AuditSettings) -> bytes | None:
    """The audit key: ``WORKBENCH_SYNC_AUDIT_KEY``, else the key file's contents; None when
    neither is set (plain SHA-256 chains)."""
    given = os.environ.get(KEY_ENV)
    if given:
        key = given.encode()
    elif settings.key_file:
        path = Path(settings.key_file)
        try:
            mode = path.stat().st_mode
            key = path.read_bytes().strip()
        except OSError as exc:
            raise AnchorError(f"cannot read the audit key file {path}: {exc.strerror}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise AnchorError(
                f"the audit key file {path} may be read by others: make it "
                f"readable by its owner only (chmod 600 {path})"
            )
    else:
        return None
    if len(key) < MIN_KEY_BYTES:
        raise AnchorError(
            f"the audit key must be at least {MIN_KEY_BYTES} bytes long (e.g. openssl rand -hex 32)"
        )
    return key


def _mac(key: bytes, line: dict[str, Any]) -> str:
    body = json.dumps(
        {k: v for k, v in line.items() if k != "mac"}, sort_keys=True, separators=(",", ":")
    )
    return hmac.new(key, body.encode(), hashlib.sha256).hexdigest()


def heads(engine: sa.Engine) -> list[dict[str, Any]]:
    """Each workspace's chain head: its id, name, last entry number and hash."""
    h, w = schema.audit_heads, schema.workspaces
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(w.c.id, w.c.name, h.c.seq, h.c.hash)
            .join(h, h.c.workspace_id == w.c.id)
            .order_by(w.c.name)
        ).all()
    return [
        {"workspace_id": r.id, "workspace": r.name, "seq": int(r.seq), "hash": r.hash} for r in rows
    ]


def write_checkpoints(engine: sa.Engine, path: Path, key: bytes | None) -> list[dict[str, Any]]:
    """Append every workspace's head to the checkpoint log; the lines written."""
    at = utc_now()
    lines = []
    for head in heads(engine):
        line = {"at": at, **head}
        if key is not None:
            line["mac"] = _mac(key, line)
        lines.append(line)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)  # several server processes append whole lines
        out.write("".join(json.dumps(line, sort_keys=True) + "\n" for line in lines))
        out.flush()
        os.fsync(out.fileno())
    return lines


def last_checkpoints(path: Path, key: bytes | None) -> dict[str, dict[str, Any]]:
    """Each workspace's last checkpoint in the log, by workspace id (empty: no log yet). A
    line that does not verify with the key is an `AnchorError`: the log was edited."""
    if not path.exists():
        return {}
    found: dict[str, dict[str, Any]] = {}
    for number, text in enumerate(path.read_text("utf-8").splitlines(), start=1):
        if not text.strip():
            continue
        try:
            line = json.loads(text)
            workspace_id, seq = str(line["workspace_id"]), int(line["seq"])
        except (ValueError, KeyError, TypeError):
            raise AnchorError(
                f"line {number} of the checkpoint log {path} is not a "
                "checkpoint: the log was edited"
            ) from None
        if (
            key is not None
            and "mac" in line
            and not hmac.compare_digest(str(line["mac"]), _mac(key, line))
        ):
            raise AnchorError(
                f"line {number} of the checkpoint log {path} does not verify "
                "with the audit key: the log was edited"
            ) from None
        if seq >= int(found.get(workspace_id, {"seq": -1})["seq"]):
            found[workspace_id] = line
    return found


def checkpoint_age_s(path: Path) -> float | None:
    """Seconds since the checkpoint log was last written (None: never)."""
    with contextlib.suppress(OSError):
        return max(0.0, time.time() - path.stat().st_mtime)
    return None


class Checkpointer:
    """Writes the checkpoint log every ``every_s`` seconds on a thread of the server process,
    until `stop`."""

    def __init__(self, engine: sa.Engine, path: Path, key: bytes | None, every_s: float) -> None:
        self.engine, self.path, self.key, self.every_s = engine, path, key, every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-checkpoints", daemon=True)

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                write_checkpoints(self.engine, self.path, self.key)
            except (OSError, sa.exc.SQLAlchemyError):
                log.exception("could not write the audit checkpoint log %s", self.path)
            self._stop.wait(self.every_s)

    def stop(self) -> None:
        self._stop.set()
