"""Who is acting on the server: the `Caller` a device token stands for, the name the audit
trail gives the admin's command line, the time stamp accounts are written with, and
`AccountError`, the refusal every account function raises (architecture D6)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from workbench.errors import WorkbenchError


class AccountError(WorkbenchError, ValueError):
    """A request about users, devices or workspaces that cannot be carried out."""


#: how often a device's "last seen" and pull position are written (not on every request)
SEEN_EVERY_S = 30


@dataclass(frozen=True)
class Caller:
    """Who is asking: resolved from a device token on every request."""

    workspace_id: str
    user_id: str
    username: str
    role: str
    device_id: str
    #: the device was last recorded as seen more than SEEN_EVERY_S ago (or never)
    seen_long_ago: bool = True
    #: the token is due to be replaced by a new one (`rotate_token`)
    rotate: bool = False
    #: the token is the device's new one, used for the first time: the one it replaced stops
    settle: bool = False
    #: the token is one already replaced, whose successor the device has not used yet
    previous_token: bool = False
    #: an admin ordered this device wiped: every request but the wipe report is refused
    wipe_ordered: bool = False
    #: …and its user may first export the unsent edits, encrypted
    wipe_export_allowed: bool = False

    @property
    def token_work(self) -> bool:
        return self.rotate or self.settle


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


#: who is named in the audit trail for what an admin does on the server's command line
CLI_ACTOR = "admin (command line)"
