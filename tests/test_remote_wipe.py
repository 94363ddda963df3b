"""An admin orders a lost laptop wiped: at its next sync the workspace's data, key and token
are deleted there, the unsent edits exported first only where the admin allowed it, and the
wipe is reported and audited; the device's token then stops working. Over real HTTP."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from sync.cli import cli as admin_cli
from sync.client import SyncError
from sync.server import accounts, schema
from sync.server.audit import verify
from sync.session import client_for, sign_in, sync_workspace
from tests.conftest import MemoryKeyring
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from workbench import documents, wipe
from workbench.replica import cipher, keys
from workbench.replica.store import ReplicaClosed, open_replica

PRICE = "24680.1357"


def _laptop(server: Server, base: Path):  # type: ignore[no-untyped-def]
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material(f"W-{i}", price=PRICE) for i in range(5)],
    )
    workspace, _, _ = sign_in(server.url, "merchandiser@alpha", PASSWORD, base=base)
    sync_workspace(workspace)
    return workspace


def _device_id(workspace) -> str:  # type: ignore[no-untyped-def]
    return str(workspace.replica.get_state("device_id"))


def _audit_actions(server: Server) -> list[str]:
    with server.engine.connect() as conn:
        return [
            r.action
            for r in conn.execute(
                sa.select(schema.audit_log.c.action).order_by(schema.audit_log.c.seq)
            )
        ]


def test_an_ordered_wipe_deletes_the_workspace_and_reports_it(
    server: Server, tmp_path: Path, memory_keyring: MemoryKeyring
) -> None:
    data = tmp_path / "laptop"
    workspace = _laptop(server, data)
    root, device = workspace.root, _device_id(workspace)
    documents.save_document(workspace.replica, "cost_sheets", {"style_code": "UNSENT"})
    result = CliRunner().invoke(
        admin_cli, ["--db", str(server.engine.url), "device", "wipe", device]
    )
    assert result.exit_code == 0, result.output
    offered: list[int] = []

    def offer(unsent: int) -> None:
        offered.append(unsent)

    with pytest.raises(SyncError) as raised:
        sync_workspace(workspace, offer_export=offer)
    assert raised.value.code == "wiped"
    assert "deleted from this laptop" in str(raised.value)
    assert offered == []  # the admin did not allow an export
    # nothing of the workspace is left on the laptop, neither in files nor in the keyring
    assert not root.exists()
    assert not list(data.rglob("replica.sqlite*"))
    for path in data.rglob("*"):
        assert not path.is_file() or PRICE.encode() not in path.read_bytes(), path
    assert memory_keyring.secrets == {}
    # the server recorded it, and the token no longer works
    [row] = [d for d in accounts.list_devices(server.engine) if d["id"] == device]
    assert row["wiped_at"] and row["revoked_at"]
    actions = _audit_actions(server)
    assert actions[-2:] == ["device.wipe_ordered", "device.wiped"]
    assert verify(server.engine, "alpha")[0].ok
    again = _laptop(server, tmp_path / "again")  # signing in again gives a fresh laptop
    again.close()


def test_where_the_admin_allows_it_unsent_edits_are_exported_sealed(
    server: Server, tmp_path: Path
) -> None:
    workspace = _laptop(server, tmp_path / "data")
    for n in range(3):
        documents.save_document(workspace.replica, "cost_sheets", {"style_code": f"KEEP-{n}"})
    accounts.order_wipe(server.engine, _device_id(workspace), allow_export=True)
    target = tmp_path / "unsent.mwx"
    with pytest.raises(SyncError) as raised:
        sync_workspace(workspace, offer_export=lambda n: (target, "a passphrase of mine"))
    assert raised.value.details["unsent"] == 3
    assert str(target) in str(raised.value)
    blob = target.read_bytes()
    assert b"KEEP-0" not in blob
    exported = wipe.read_export(target, "a passphrase of mine")
    assert [json.loads(e["payload"])["style_code"] for e in exported["edits"]] == [
        "KEEP-0",
        "KEEP-1",
        "KEEP-2",
    ]
    with pytest.raises(cipher.WrongKey):
        wipe.read_export(target, "another passphrase")
    assert not workspace.root.exists()


def test_a_device_not_ordered_wiped_cannot_report_a_wipe(server: Server, tmp_path: Path) -> None:
    workspace = _laptop(server, tmp_path)
    client = client_for(workspace)
    with pytest.raises(SyncError) as raised:
        client.request(
            "POST", "/v1/device/wiped", json={"removed": [], "unsent": 0, "exported": False}
        )
    client.close()
    assert raised.value.code == "no_wipe_ordered"
    assert keys.key_id_file(workspace.replica.path).exists()
    workspace.close()


def test_an_unknown_device_cannot_be_ordered_wiped(server: Server) -> None:
    result = CliRunner().invoke(
        admin_cli, ["--db", str(server.engine.url), "device", "wipe", "no-such-device"]
    )
    assert result.exit_code != 0
    assert "no active device" in result.output


def test_a_closed_replica_is_never_opened_again_behind_its_owner(tmp_path: Path) -> None:
    """A wipe closes the workspace, then deletes its folder. A thread still reading it (the
    window painting its table) must not connect afresh: that made an empty replica file in
    the folder being deleted, and the folder stayed behind."""
    folder = tmp_path / "alpha"
    folder.mkdir()
    replica = open_replica(folder / "replica.sqlite")
    replica.conn.execute("SELECT count(*) FROM materials").fetchone()
    replica.close(for_good=True)  # as a wipe closes it, before deleting the folder
    (folder / "replica.sqlite").unlink()
    found: list[BaseException] = []

    def painting() -> None:
        try:
            replica.conn.execute("SELECT count(*) FROM materials")
        except BaseException as exc:  # what the reading thread met is the point
            found.append(exc)

    reader = threading.Thread(target=painting)
    reader.start()
    reader.join()
    assert [type(e) for e in found] == [ReplicaClosed]
    assert list(folder.iterdir()) == []
