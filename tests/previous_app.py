"""A laptop running the previous version of the app, for `test_version_window`: this file is
run by a Python whose path holds that version's ``sync`` and ``workbench`` (taken from git),
not this one's, so everything below is the previous app's own code.

    python previous_app.py SERVER_URL USERNAME PASSWORD FOLDER

It signs in, syncs (a first sync: the snapshot), writes ``ready`` and waits for a line on
standard input (the test writes rows on the server meanwhile), then saves a cost sheet and
syncs again (push and pull), and writes one JSON line: what each sync reported, the replica's
schema and columns, and every answer the server gave (path, status, whether it said an update
is due).

Given ``edit SHEET_ID BODY`` on that line instead, it changes that cost sheet's body as its
user would (the previous app knows nothing of a sheet's status), syncs twice, and writes what
the user is left with: the sheet as the laptop then holds it, and the edits the server
refused as the laptop keeps them (its outbox's rejected rows: the message and the values).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import httpx
import keyring
import keyring.backends.fail

from sync import protocol
from sync.session import sync_workspace

answers: list[dict[str, Any]] = []


def _record(response: httpx.Response) -> None:
    answers.append(
        {
            "path": response.request.url.path,
            "status": response.status_code,
            "schema_sent": response.request.headers.get(protocol.SCHEMA_HEADER),
            "update_due": response.headers.get("X-Workbench-Update-Due"),
        }
    )


_init = httpx.Client.__init__


def _observed_init(self: httpx.Client, *args: Any, **kwargs: Any) -> None:
    """Every client the app makes reports its answers here (they are made deep inside sign-in
    and sync)."""
    hooks = kwargs.setdefault("event_hooks", {})
    hooks.setdefault("response", []).append(_record)
    _init(self, *args, **kwargs)


def main() -> None:
    url, username, password, folder = sys.argv[1:5]
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the token stays in this process
    httpx.Client.__init__ = _observed_init  # type: ignore[method-assign]
    from sync.session import sign_in
    from workbench import documents

    workspace, _, _ = sign_in(url, username, password, base=folder, device_name="previous")
    try:
        first = sync_workspace(workspace)
        print("ready", flush=True)
        command = sys.stdin.readline().split(maxsplit=2)
        if command and command[0] == "edit":
            result = _edit(workspace, command[1], command[2].strip())
            print(json.dumps({**result, "first": _report(first)}), flush=True)
            return
        sheet = documents.save_document(workspace.replica, "cost_sheets", {"style_code": "PV-1"})
        second = sync_workspace(workspace)
        conn = workspace.replica.conn
        result = {
            "schema_version": protocol.SCHEMA_VERSION,
            "replica_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "material_columns": [r[1] for r in conn.execute("PRAGMA table_info(materials)")],
            "sheet_columns": [r[1] for r in conn.execute("PRAGMA table_info(cost_sheets)")],
            "tables": [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ],
            "materials": conn.execute("SELECT count(*) FROM materials").fetchone()[0],
            "sheet_id": sheet["id"],
            "first": _report(first),
            "second": _report(second),
            "answers": answers,
        }
    finally:
        workspace.close()
    print(json.dumps(result), flush=True)


def _edit(workspace: Any, sheet_id: str, body: str) -> dict[str, Any]:
    """Change a sheet's body on this laptop and sync it (twice: the second sync shows what a
    later one leaves), then read back what the laptop holds."""
    from workbench import documents

    documents.save_document(workspace.replica, "cost_sheets", {"id": sheet_id, "body": body})
    pushed = sync_workspace(workspace)
    again = sync_workspace(workspace)
    conn = workspace.replica.conn
    held = conn.execute("SELECT body FROM cost_sheets WHERE id = ?", (sheet_id,)).fetchone()
    refused = [
        {"row_id": r[0], "message": r[1], "payload": json.loads(r[2])}
        for r in conn.execute(
            "SELECT row_id, message, payload FROM outbox WHERE status = 'rejected' ORDER BY seq"
        )
    ]
    return {
        "pushed": _report(pushed),
        "again": _report(again),
        "held_body": held[0] if held else None,
        "rejected": refused,
        "listed": [dict(r) for r in documents.rejected_mutations(workspace.replica)],
        "answers": answers,
    }


def _report(report: Any) -> dict[str, Any]:
    mismatches = {table: list(counts) for table, counts in report.count_mismatches.items()}
    return {
        "pushed": report.pushed,
        "pulled": report.pulled,
        "rejected": report.rejected,
        "count_mismatches": mismatches,
    }


if __name__ == "__main__":
    main()
