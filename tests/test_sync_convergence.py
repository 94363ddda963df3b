"""Several laptops editing the same documents in random order, online and offline, converge:
after everyone syncs, every replica equals the server, and no edit was silently dropped."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import sqlalchemy as sa

from sync.client import SyncClient, login
from sync.server import accounts, schema
from tests.sync_fixtures import FAST_HASH, PASSWORD, Server, material, write_rows
from workbench import documents
from workbench.replica import open_replica

FIELDS = ("id", "style_code", "title", "body", "deleted", "version")


def state(client: SyncClient) -> dict[str, tuple]:
    rows = client.replica.conn.execute(f"SELECT {', '.join(FIELDS)} FROM cost_sheets")
    notes = client.replica.conn.execute("SELECT id, body, version FROM annotations")
    return {r[0]: tuple(r) for r in rows} | {n[0]: tuple(n) for n in notes}


def server_state(server: Server) -> dict[str, tuple]:
    sheets, notes = schema.replicated["cost_sheets"], schema.replicated["annotations"]
    ws = server.workspaces["alpha"]
    with server.engine.connect() as conn:
        rows = conn.execute(
            sa.select(*(sheets.c[f] for f in FIELDS)).where(sheets.c.workspace_id == ws)
        )
        found = {r[0]: tuple(r) for r in rows}
        for n in conn.execute(
            sa.select(notes.c.id, notes.c.body, notes.c.version).where(notes.c.workspace_id == ws)
        ):
            found[n[0]] = tuple(n)
    return found


def _deleted(row: tuple) -> bool:
    return len(row) == len(FIELDS) and row[FIELDS.index("deleted")] == 1


@pytest.mark.parametrize("seed", list(range(1, 7)))
def test_random_edits_on_three_laptops_converge(server: Server, tmp_path: Path, seed: int) -> None:
    rng = random.Random(seed)
    accounts.add_user(
        server.engine, "alpha", "second@alpha", PASSWORD, "merchandiser", password_cost=FAST_HASH
    )
    clients = []
    for n, user in enumerate(("merchandiser@alpha", "admin@alpha", "second@alpha")):
        info = login(server.url, user, PASSWORD, f"laptop {n}")
        clients.append(SyncClient(open_replica(tmp_path / f"{n}.sqlite"), server.url, info.token))
    fabric = material("FAB-NOTES")  # notes are on a material the workspace has
    write_rows(server.engine, server.workspaces["alpha"], "materials", [fabric])
    offline = [False] * len(clients)
    written_titles: set[str] = set()

    for step in range(150):
        client = rng.choice(clients)
        i = clients.index(client)
        live = [
            r[0]
            for r in client.replica.conn.execute("SELECT id FROM cost_sheets WHERE deleted = 0")
        ]
        roll = rng.random()
        if roll < 0.25 or not live:
            documents.save_document(
                client.replica, "cost_sheets", {"style_code": f"S{step}", "title": f"t{step}"}
            )
        elif roll < 0.5:
            title = f"edit {step} by {i}"
            written_titles.add(title)
            documents.save_document(
                client.replica, "cost_sheets", {"id": rng.choice(live), "title": title}
            )
        elif roll < 0.6:
            documents.save_document(
                client.replica,
                "cost_sheets",
                {"id": rng.choice(live), "body": json.dumps({"step": step})},
            )
        elif roll < 0.68:
            documents.delete_document(client.replica, "cost_sheets", rng.choice(live))
        elif roll < 0.75:
            documents.add_annotation(client.replica, fabric["id"], f"note {step}", str(i))
        elif roll < 0.85:
            offline[i] = not offline[i]  # the laptop loses or regains the network
        elif not offline[i]:
            client.sync()
            for conflict in documents.conflicts(client.replica):
                documents.resolve_conflict(
                    client.replica, conflict.id, rng.choice(["mine", "theirs"])
                )

    for _ in range(6):  # everyone back online; settle what conflicts remain, keeping theirs
        for client in clients:
            client.sync()
            for conflict in documents.conflicts(client.replica):
                documents.resolve_conflict(client.replica, conflict.id, "theirs")
    for client in clients:
        client.sync()
    expected = server_state(server)
    assert expected
    for client in clients:
        assert documents.outbox_counts(client.replica)["pending"] == 0
        assert documents.conflicts(client.replica) == []
        mine = state(client)
        # A laptop whose first sync came from a snapshot never saw rows created and deleted
        # before it: tombstones only matter for rows a laptop holds.
        missing = {k: v for k, v in expected.items() if k not in mine and not _deleted(v)}
        extra = {k: v for k, v in mine.items() if k not in expected}
        differ = {k: (mine[k], v) for k, v in expected.items() if k in mine and mine[k] != v}
        assert (missing, extra, differ) == ({}, {}, {}), f"laptop {clients.index(client)}"
