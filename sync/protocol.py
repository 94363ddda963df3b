"""The sync protocol shared by client and server (architecture D4).

What travels, and the rules both sides agree on: protocol and schema versions, which tables
each role receives and which columns are withheld from it, how a change and a mutation look
on the wire. Plain data and functions, no I/O, so the client, the server and the tests read
the same definitions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError
from workbench.replica import (
    DOCUMENT_TABLES,
    LATEST_VERSION,
    REFERENCE_TABLES,
    REPLICATED_TABLES,
    declaration,
)
from workbench.replica.declaration import ROLES, Role

#: Bumped when a request or answer changes shape.
PROTOCOL_VERSION = 1
#: The replica schema this code writes and reads.
SCHEMA_VERSION = LATEST_VERSION

#: The version window: a server serves apps of its own versions and of the versions before
#: them, so laptops can be updated over weeks, not on the day the server is. An app at the
#: window's low end is told an update is due (`UPDATE_DUE_HEADER`); one below it is refused
#: (426, "please update"). Protocol 1 is the first, so it has no previous version yet. For the
#: replica schema, "previous" is the schema before this one: an app on it sends the same
#: requests, takes a newer snapshot table by table into its own tables, ignores columns it
#: does not have, is neither counted nor sent a table added since (`Table.since`), and a row
#: it inserts takes the declared defaults of the columns it does not know (schema 11, against
#: 10, added the calendar days and the cost sheets' status and versions;
#: `tests/test_version_window` runs that version's code). Changes that ship together go in one
#: migration, so the app of the release before stays inside the window. A migration that
#: changes what a request or answer carries must bump PROTOCOL_VERSION.
MIN_PROTOCOL_VERSION = max(1, PROTOCOL_VERSION - 1)
MIN_SCHEMA_VERSION = SCHEMA_VERSION - 1
#: An answer to an app at the window's low end says, in this header, that an update is due.
UPDATE_DUE_HEADER = "X-Workbench-Update-Due"

PROTOCOL_HEADER = "X-Workbench-Protocol"
SCHEMA_HEADER = "X-Workbench-Schema"

# re-exported: the roles, and which tables are reference data (never pushed)
__all__ = ["DOCUMENT_TABLES", "REFERENCE_TABLES", "ROLES", "Role"]

#: Tables a role never receives at all (architecture D6: floor staff get no costs or margins), as
#: the declaration of each table says.
WITHHELD_TABLES: Mapping[str, frozenset[str]] = {
    role: frozenset(t.name for t in declaration.TABLES if role not in t.readers) for role in ROLES
}

#: Columns a role receives as NULL: prices are costs, and floor replicas hold none.
WITHHELD_COLUMNS: Mapping[str, Mapping[str, frozenset[str]]] = {
    role: {t.name: t.withheld_columns(role) for t in declaration.TABLES if t.withheld_columns(role)}
    for role in ROLES
}


def tables_for(role: str, schema: int = SCHEMA_VERSION) -> tuple[str, ...]:
    """The replicated tables a replica of this role and schema holds, in dependency-friendly
    order (an app a schema behind has no table added since)."""
    withheld = WITHHELD_TABLES[role]
    return tuple(t for t in REPLICATED_TABLES if t not in withheld and _SINCE[t] <= schema)


#: the schema that added each table
_SINCE: Mapping[str, int] = {t.name: t.since for t in declaration.TABLES}


def pushable_tables(role: str) -> frozenset[str]:
    """The document tables a role may write (reference data is authored on the server)."""
    return frozenset(t.name for t in declaration.TABLES if role in t.writers)


def redact(role: str, table: str, row: dict[str, Any]) -> dict[str, Any]:
    """``row`` as this role may see it (withheld columns set to None)."""
    hidden = WITHHELD_COLUMNS[role].get(table)
    if not hidden:
        return row
    return {k: (None if k in hidden else v) for k, v in row.items()}


@dataclass(frozen=True)
class Change:
    """One row as the server last wrote it; ``row["deleted"]`` marks a tombstone."""

    table: str
    row: Mapping[str, Any]

    @property
    def version(self) -> int:
        return int(self.row["version"])


@dataclass(frozen=True)
class Login:
    """What a successful sign-in gives a device (the token is shown once, then kept only in
    the device's keyring; the server stores its hash)."""

    token: str
    device_id: str
    workspace_id: str
    workspace_name: str
    username: str
    role: str
    #: the workspace's policy: whether a laptop without a keyring may derive its replica's key
    #: from a passphrase (``WORKBENCH_PASSPHRASE``); an older server's answer says nothing: no
    passphrase_allowed: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "token": self.token,
            "device_id": self.device_id,
            "workspace": {
                "id": self.workspace_id,
                "name": self.workspace_name,
                "passphrase_allowed": self.passphrase_allowed,
            },
            "user": {"username": self.username, "role": self.role},
        }

    @classmethod
    def from_json(cls, body: Mapping[str, Any]) -> Login:
        try:
            return cls(
                token=body["token"],
                device_id=body["device_id"],
                workspace_id=body["workspace"]["id"],
                workspace_name=body["workspace"]["name"],
                username=body["user"]["username"],
                role=body["user"]["role"],
                passphrase_allowed=bool(body["workspace"].get("passphrase_allowed", False)),
            )
        except (KeyError, TypeError) as exc:
            raise ProtocolError(f"the sign-in answer lacks {exc}") from None


class ProtocolError(WorkbenchError, ValueError):
    """A request or answer that does not follow the protocol; the message says what is wrong."""


def version_problem(protocol: str | None, schema: str | None) -> str | None:
    """Why a peer announcing these versions cannot sync with this code, or None if it can."""
    if protocol is None or schema is None:
        return (
            f"requests must carry the {PROTOCOL_HEADER} and {SCHEMA_HEADER} headers; "
            "please update Mill Workbench"
        )
    try:
        p, s = int(protocol), int(schema)
    except ValueError:
        return f"{PROTOCOL_HEADER} and {SCHEMA_HEADER} must be whole numbers"
    if p > PROTOCOL_VERSION or s > SCHEMA_VERSION:
        return (
            f"this server speaks sync protocol {PROTOCOL_VERSION} with replica schema "
            f"{SCHEMA_VERSION}, older than the app's protocol {p} with schema {s}: ask your "
            "administrator to upgrade the sync server"
        )
    if p < MIN_PROTOCOL_VERSION or s < MIN_SCHEMA_VERSION:
        return (
            f"this server speaks sync protocol {PROTOCOL_VERSION} with replica schema "
            f"{SCHEMA_VERSION} (and the versions before, down to protocol "
            f"{MIN_PROTOCOL_VERSION} and schema {MIN_SCHEMA_VERSION}), the app speaks protocol "
            f"{p} with schema {s}: please update Mill Workbench"
        )
    return None


def update_due(protocol: str | None, schema: str | None) -> str | None:
    """What to tell the user of an app this server still serves but its next version will
    not (the app is a version behind), or None."""
    try:
        p, s = int(protocol or PROTOCOL_VERSION), int(schema or SCHEMA_VERSION)
    except ValueError:
        return None
    if p < PROTOCOL_VERSION or s < SCHEMA_VERSION:
        return (
            "an update of Mill Workbench is due: the sync server has moved on to a newer "
            "version, and its next version will stop syncing with this one"
        )
    return None
