"""Serial numbers for labels (GS1 AI 21), handed out so that no two stations print the same one.

A serial is unique within its series: the item's GTIN (a GTIN with a serial is one physical
item, GS1's SGTIN), else the item's workspace kind and code. The server keeps each series'
last serial and hands out consecutive blocks:

- a label run asks for as many serials as it prints (``purpose`` "run");
- a station that may print offline asks in advance for a block it keeps (``reserve``) and
  prints from it with no connection.

Each block is taken in one transaction whose UPDATE holds the series' row lock (PostgreSQL)
or the write lock (SQLite), so two stations asking at once get consecutive blocks, and
recorded with the device, user and purpose, and audited. A block whose answer is lost on the
way back, or a reserved block never printed, leaves a gap in the numbers; a gap costs nothing,
a serial printed twice is two items with one identity.
"""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from sync.server import audit
from sync.server.accounts import Caller
from sync.server.db import writing
from sync.server.scoping import WorkspaceScope
from workbench.errors import WorkbenchError
from workbench.replica.store import utc_now

#: who may take serials: the roles that print labels at a station
SERIAL_ROLES = ("floor", "admin")
#: serials are printed in at most 20 characters (AI 21); this leaves room for any prefix
MAX_SERIAL = 999_999_999_999
#: tries when two stations start the same new series at the same moment
_TRIES = 3


class SeriesExhausted(WorkbenchError, ValueError):
    """The series has no serials left to hand out."""


def allocate(
    engine: sa.Engine, caller: Caller, series: str, count: int, purpose: str
) -> dict[str, Any]:
    """Hand ``caller``'s device the next ``count`` serials of ``series``; the block."""
    for attempt in range(_TRIES):
        try:
            with writing(engine).begin() as conn:
                scope = WorkspaceScope(conn, caller.workspace_id)
                first = scope.take_serials(series, count)
                if first is None:
                    first = scope.start_serials(series, count)
                last = first + count - 1
                if last > MAX_SERIAL:
                    raise SeriesExhausted(
                        f"series {series!r} has {max(0, MAX_SERIAL - first + 1)} serials left "
                        f"of the {MAX_SERIAL} it may number; {count} were asked for"
                    )
                block = {
                    "series": series,
                    "first": first,
                    "last": last,
                    "count": count,
                    "purpose": purpose,
                    "allocated_at": utc_now(),
                }
                scope.record_serial_block(
                    {
                        "id": str(uuid.uuid4()),
                        "series": series,
                        "first_serial": first,
                        "last_serial": last,
                        "purpose": purpose,
                        "device_id": caller.device_id,
                        "username": caller.username,
                        "allocated_at": block["allocated_at"],
                    }
                )
                audit.append(
                    conn,
                    caller.workspace_id,
                    actor=caller.username,
                    action="serials.allocated",
                    subject=series,
                    details={
                        "first": first,
                        "last": last,
                        "purpose": purpose,
                        "device_id": caller.device_id,
                    },
                )
            return block
        except sa.exc.IntegrityError:
            # another station started this series first: its row exists now; take from it
            if attempt == _TRIES - 1:
                raise
    raise AssertionError("unreachable")
