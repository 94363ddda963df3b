"""The register of saved cost sheets: finding them, their status and their versions.

A sheet's status moves draft → submitted → approved; a submitted sheet may be sent back to
draft, an approved one is final. An approved sheet is never changed in place: a change is a
new version, a new row of the same family (``family_id``: the first sheet's id) with the
next ``revision``, starting as a draft, so what was approved stays as it was approved. A copy
starts a family of its own. Status, revision and family are columns of ``cost_sheets``
(declared in `workbench.replica.declaration`), so they sync and are validated like any field.

Qt-free: the sheet browser (`ui.cost_sheet.browser`) and the editor call these.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from workbench.errors import WorkbenchError

STATUSES: tuple[str, ...] = ("draft", "submitted", "approved")

#: where each status may go next, and the words of the step
NEXT: dict[str, tuple[tuple[str, str], ...]] = {
    "draft": (("submitted", "Submit for approval"),),
    "submitted": (("approved", "Approve"), ("draft", "Send back to draft")),
    "approved": (),
}


class RegisterError(WorkbenchError, ValueError):
    """A step the register refuses, in words for the user."""


@dataclass(frozen=True)
class SheetFilter:
    """What the browser narrows the sheets to; empty fields narrow nothing. ``text`` is
    matched in the style code and the title; the dates bound the day the sheet was saved."""

    text: str = ""
    brand_id: str = ""
    season: str = ""
    status: str = ""
    saved_from: date | None = None
    saved_to: date | None = None
    #: a sheet never offered (Compare offers every sheet but the one on screen)
    exclude_id: str = ""


def find_sheets(conn: sqlite3.Connection, where: SheetFilter) -> list[dict[str, Any]]:
    """The sheets ``where`` lets through, the last saved first, with their brand's code."""
    clauses, args = ["s.deleted = 0"], []
    text = where.text.strip()
    if text:
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append("(s.style_code LIKE ? ESCAPE '\\' OR s.title LIKE ? ESCAPE '\\')")
        args += [pattern, pattern]
    for column, value in (
        ("s.brand_id", where.brand_id),
        ("s.season", where.season),
        ("s.status", where.status),
    ):
        if value:
            clauses.append(f"{column} = ?")
            args.append(value)
    if where.saved_from is not None:
        clauses.append("substr(s.updated_at, 1, 10) >= ?")
        args.append(where.saved_from.isoformat())
    if where.saved_to is not None:
        clauses.append("substr(s.updated_at, 1, 10) <= ?")
        args.append(where.saved_to.isoformat())
    if where.exclude_id:
        clauses.append("s.id <> ?")
        args.append(where.exclude_id)
    rows = conn.execute(
        "SELECT s.*, COALESCE(b.code, '') AS brand_code FROM cost_sheets s "
        "LEFT JOIN brands b ON b.id = s.brand_id "
        f"WHERE {' AND '.join(clauses)} ORDER BY s.updated_at DESC, s.style_code",
        args,
    )
    return [dict(r) for r in rows]


def seasons(conn: sqlite3.Connection) -> list[str]:
    """The seasons saved sheets name, for the browser's filter."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT season FROM cost_sheets WHERE deleted = 0 AND season <> '' "
            "ORDER BY season"
        )
    ]


def sheet_row(
    conn: sqlite3.Connection, sheet_id: str, *, deleted_too: bool = False
) -> dict[str, Any] | None:
    """The saved sheet ``sheet_id`` as its row, or None. A deleted sheet only with
    ``deleted_too``: a comparison chosen before a sync deleted the other sheet still shows it."""
    live = "" if deleted_too else " AND deleted = 0"
    row = conn.execute(f"SELECT * FROM cost_sheets WHERE id = ?{live}", (sheet_id,)).fetchone()
    return None if row is None else dict(row)


def sheet_count(conn: sqlite3.Connection, exclude_id: str = "") -> int:
    """How many sheets are saved, leaving out ``exclude_id``: the browser says "N of M"."""
    row = conn.execute(
        "SELECT COUNT(*) FROM cost_sheets WHERE deleted = 0 AND id <> ?", (exclude_id,)
    ).fetchone()
    return int(row[0])


def recent_sheets(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Every saved sheet, the last saved first, with what tells its versions apart (revision,
    status): the list a proposal's sheets are ticked in."""
    return [
        dict(r)
        for r in conn.execute(
            "SELECT id, style_code, title, revision, status, updated_at FROM cost_sheets "
            "WHERE deleted = 0 ORDER BY updated_at DESC"
        )
    ]


def status_step(row: dict[str, Any], status: str) -> dict[str, Any]:
    """The values that move the sheet ``row`` to ``status``; RegisterError when the step is
    not one its status allows."""
    current = row.get("status") or "draft"
    if status not in {to for to, _words in NEXT.get(current, ())}:
        raise RegisterError(
            f"a {current} cost sheet cannot become {status}"
            + (": save it as a new version to change it" if current == "approved" else "")
        )
    return {"id": row["id"], "status": status}


def next_version(conn: sqlite3.Connection, row: dict[str, Any]) -> dict[str, Any]:
    """A new row of ``row``'s family with the next revision, a draft, holding ``row``'s
    contents (the caller lays the edited contents over it)."""
    family = row.get("family_id") or row["id"]
    (latest,) = conn.execute(
        "SELECT COALESCE(MAX(revision), 1) FROM cost_sheets WHERE id = ? OR family_id = ?",
        (family, family),
    ).fetchone()
    return {
        **_contents(row),
        "id": str(uuid.uuid4()),
        "family_id": family,
        "revision": int(latest) + 1,
        "status": "draft",
    }


def copy_of(row: dict[str, Any]) -> dict[str, Any]:
    """A new sheet of its own family holding ``row``'s contents: a draft, revision 1."""
    return {
        **_contents(row),
        "id": str(uuid.uuid4()),
        "family_id": None,
        "revision": 1,
        "status": "draft",
    }


def _contents(row: dict[str, Any]) -> dict[str, Any]:
    keep = ("style_code", "title", "brand_id", "body", "created_by", "season")
    return {k: row[k] for k in keep if k in row}


#: sync bookkeeping, which a final sheet's row may still change
_BOOKKEEPING = frozenset({"id", "version", "deleted", "updated_at"})


def _body(text: Any) -> dict[str, Any]:
    try:
        body = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _drops_colourways(current: Mapping[str, Any], row: Mapping[str, Any]) -> str | None:
    """Why a body from an app that does not know colourways cannot replace one that has
    them (None: it may)."""
    if "body" not in row or row["body"] == current.get("body"):
        return None
    before, after = _body(current.get("body")), _body(row["body"])
    if not before.get("colourways") or "colourways" in after:
        return None
    version = after.get("sheet_version", 1)
    if isinstance(version, int) and version >= 2:
        return None  # an app that knows colourways took them off
    return (
        f"cost sheet {current.get('style_code', '')} has colourways, which the app that sent "
        "this edit does not know and would drop: update Mill Workbench to edit it"
    )


def refused_change(current: Mapping[str, Any] | None, row: Mapping[str, Any]) -> str | None:
    """Why writing ``row`` over the stored sheet ``current`` is refused, or None: an approved
    sheet is final, on every laptop and on the server, whoever writes it and however the edit
    reached it (an edit made to the draft on another laptop while it was being approved
    included). And an edit from an app older than colourways (a body of sheet version 1) over
    a sheet that has them: that app saves what its form shows, without them. A row without a
    status comes from an app older than sheet statuses, which has no "Save as new version": its
    user is told to update first."""
    if current is None:
        return None
    dropped = _drops_colourways(current, row)
    if dropped:
        return dropped
    if current.get("status") != "approved":
        return None
    changed = sorted(
        k for k, v in row.items() if k not in _BOOKKEEPING and k in current and current[k] != v
    )
    if not changed:
        return None
    how = "save the change as a new version"
    if "status" not in row:
        how = f"update Mill Workbench, then {how}"
    return (
        f"cost sheet {current.get('style_code', '')} v{current.get('revision') or 1} is "
        f"approved and is never changed ({', '.join(changed)}): {how}"
    )


def describe(row: dict[str, Any]) -> str:
    """A sheet in a few words: "TS-100 v2 · approved"."""
    return f"{row['style_code']} v{row.get('revision') or 1} · {row.get('status') or 'draft'}"
