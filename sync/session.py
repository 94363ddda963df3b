"""A laptop's connection to its server: signing in, and syncing a workspace end to end.

What the app's sync worker and the headless ``workbench login`` / ``workbench sync`` commands
share. The server address, user and device are kept in the replica's ``sync_state`` (they are
not secret); the token lives in the keyring (`workbench.credentials`).
"""

from __future__ import annotations

import logging
import platform
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sync.client import SyncClient, SyncError, api, login
from sync.protocol import Login
from workbench import credentials, wipe
from workbench.derived import ReplicaChange
from workbench.documents import conflicts, outbox_counts
from workbench.labels import serials as label_serials
from workbench.paths import workspace_dir
from workbench.replica import keys
from workbench.workspace import PASSPHRASE_POLICY, REPLICA_FILE, Workspace, open_workspace

log = logging.getLogger("workbench.sync")

SERVER_KEYS = (
    "server_url",
    "username",
    "device_id",
    "workspace_id",
    "workspace_name",
    "role",
    PASSPHRASE_POLICY,
)


@dataclass(frozen=True)
class SyncReport:
    pulled: int  # rows received: from the snapshot on a first sync, then the change feed
    pushed: int
    conflicts: int
    rejected: int
    pending: int  # edits still waiting in the outbox
    cursor: int
    pages: int
    seconds: float
    indexed: int
    count_mismatches: dict[str, Any]
    #: firm quotes asked for offline and answered by this sync
    quotes: int = 0
    #: what to tell the user when the server says this app is due for an update (else None)
    update_due: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def sign_in(
    server_url: str,
    username: str,
    password: str,
    *,
    base: Path | str | None = None,
    device_name: str | None = None,
    keep_token: bool = True,
) -> tuple[Workspace, Login, str | None]:
    """Sign in and open (creating) the workspace's local folder.

    Returns the workspace, the login, and a warning to show when the token could be kept for
    this session only (no keyring). With ``keep_token`` False the token is not kept at all:
    the caller hands it on (``workbench login --print-token``, for ``WORKBENCH_TOKEN``).
    """
    info = login(server_url, username, password, device_name or platform.node() or "laptop")
    return _connect(server_url, info, base, keep_token)


def connect(server_url: str, token: str, base: Path | str | None = None) -> Workspace:
    """Open (creating) the local folder of the workspace a device token signs in to, for a
    machine given a token rather than a password (``WORKBENCH_TOKEN``: a headless job)."""
    with api.open_http(server_url, token, 30.0, None) as http:
        me = api.request(http, "GET", "/v1/me", retries=2, backoff_s=0.5)
    info = Login.from_json({**me, "token": token})
    return _connect(server_url, info, base, keep_token=False)[0]


def _connect(
    server_url: str, info: Login, base: Path | str | None, keep_token: bool
) -> tuple[Workspace, Login, str | None]:
    folder = workspace_dir(_folder_name(info.workspace_name), base)
    allowed = info.passphrase_allowed  # the workspace's policy: the key is made or opened by it
    try:
        workspace = open_workspace(folder, passphrase_allowed=allowed)
    except keys.KeyLost:
        # signing in again is how the user gets a workspace whose key is gone back: the
        # unreadable file is kept aside and the workspace downloaded afresh
        aside = keys.set_aside(folder / REPLICA_FILE)
        log.warning("the key of %s is lost; its replica is kept as %s", folder.name, aside.name)
        workspace = open_workspace(folder, passphrase_allowed=allowed)
    replica = workspace.replica
    known = replica.get_state("workspace_id")
    if known is None and replica.cursor > 0:
        workspace.close()
        raise SyncError(
            f"the folder {workspace.root} holds a workspace that did not come from this "
            "server; choose another data directory"
        )
    if known and known != info.workspace_id:
        workspace.close()
        raise SyncError(
            f"the local folder for {info.workspace_name!r} belongs to another workspace; "
            "choose another data directory"
        )
    held_role = replica.get_state("role") if replica.cursor > 0 else None
    with replica.transaction() as conn:
        for key in SERVER_KEYS:
            if key == "role" and held_role is not None:
                continue  # the role the rows were sent for: a new one is taken by the next sync
            value = getattr(info, key, None) if key != "server_url" else server_url.rstrip("/")
            replica.set_state(key, str(value), conn)
    warning = None
    if keep_token:
        try:
            credentials.save_token(server_url, info.username, info.token)
        except credentials.NoKeyringError as exc:
            warning = str(exc)
    return workspace, info, warning


def sign_out(workspace: Workspace) -> None:
    url, user = _server(workspace)
    credentials.forget_token(url, user)


def _folder_name(workspace_name: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_." else "-" for c in workspace_name).strip("-.")
    return safe[:64] or "workspace"


def _server(workspace: Workspace) -> tuple[str, str]:
    url = workspace.replica.get_state("server_url")
    user = workspace.replica.get_state("username")
    if not url or not user:
        raise SyncError("this workspace is not connected to a server: sign in first", "signed_out")
    return url, user


#: a station tops its offline reserve of a series up to a new block when it holds fewer
RESERVE_LOW = 100
RESERVE_BLOCK = 500


def serial_run(
    workspace: Workspace, series: str, count: int, cancel: threading.Event | None = None
) -> list[int]:
    """Serials for a label run at a station: the server's when it answers, else the ones this
    station reserved (`sync.client.serials`). After a run online, a reserve below
    `RESERVE_LOW` is topped up with a block of `RESERVE_BLOCK`, so the station can go on
    printing runs when its connection drops."""
    if not workspace.replica.get_state("server_url"):
        return label_serials.take_reserved(workspace.replica, series, count)
    client = client_for(workspace, retries=1)
    try:
        serials = client.serial_run(series, count, cancel)
        if label_serials.reserved(workspace.replica, series) < RESERVE_LOW:
            try:
                client.reserve_serials(series, RESERVE_BLOCK, cancel)
            except SyncError as exc:  # the run has its serials; the next run tries again
                log.info("serials for %s not reserved: %s", series, exc)
        return serials
    finally:
        client.close()


def client_for(workspace: Workspace, **options: Any) -> SyncClient:
    """A client signed in with the workspace's kept token; a new token the server hands it
    (tokens are replaced as they age) is kept in its place."""
    url, user = _server(workspace)
    token = credentials.load_token(url, user)
    if not token:
        raise SyncError(f"sign in to {url} as {user} again: no saved sign-in", "signed_out")
    client = SyncClient(workspace.replica, url, token, **options)

    def keep(fresh: str) -> None:
        try:
            credentials.save_token(url, user, fresh)
        except credentials.NoKeyringError:
            log.info("the server replaced this device's token; kept for this session only")

    client.on_new_token = keep
    client.token_source = lambda: credentials.load_token(url, user)
    return client


#: asked, when an admin ordered this laptop wiped and allowed it, with the number of unsent
#: edits: where to save them and the passphrase to seal them with, or None to let them go
ExportOffer = Callable[[int], "tuple[Path, str] | None"]


def sync_workspace(
    workspace: Workspace,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
    offer_export: ExportOffer | None = None,
    **options: Any,
) -> SyncReport:
    """Push, pull (from a snapshot first when empty), re-index search, check counts.

    When the server says an admin ordered this laptop wiped, the workspace is deleted here
    (`workbench.wipe`; its unsent edits first offered for export through ``offer_export``
    where the admin allowed it), the wipe reported, and `SyncError` ``wiped`` raised: the
    workspace is closed and gone, and the app goes back to its start."""
    started = time.perf_counter()
    client = client_for(workspace, **options)
    derived = workspace.derived
    # A first sync takes the server's index of the snapshot, or builds one while the order
    # history is still importing (the second core builds it meanwhile).
    client.on_table_imported = lambda table, shipped: derived.snapshot_table_imported(
        table, shipped, cancel
    )
    try:
        _check_passphrase_policy(workspace, client)
        try:
            outcome = client.sync(progress, cancel)
        except SyncError as exc:
            if exc.code == "device_wipe":
                _carry_out_wipe(workspace, client, exc, offer_export)
            raise
        if outcome.bootstrapped:  # the import's pages into the file now, not at the next edit
            workspace.replica.checkpoint()
        change = outcome.change
        mismatches = client.count_mismatches()
        if mismatches:
            # Rows went missing or astray (a restored backup, a damaged file): replace those
            # tables from a snapshot and pull again from it.
            log.warning("row counts differ from the server's, repairing: %s", mismatches)
            repaired = client.bootstrap(cancel=cancel, only=frozenset(mismatches))
            again = client.pull(progress, cancel)
            change = ReplicaChange(
                change.tables | again.tables | repaired.tables, change.replaced | repaired.tables
            )
            mismatches = client.count_mismatches()
        # last: the order file's write it may start shares the cores with nothing of the sync
        indexed = derived.update(change, cancel=cancel).indexed
    finally:
        client.close()
    pulled, pushed = outcome.pulled, outcome.pushed
    return SyncReport(
        pulled=pulled.rows + outcome.snapshot_rows,
        pushed=pushed.applied,
        conflicts=len(conflicts(workspace.replica)),
        rejected=outbox_counts(workspace.replica)["rejected"],
        pending=outbox_counts(workspace.replica)["pending"],
        cursor=pulled.cursor,
        pages=pulled.pages,
        seconds=round(time.perf_counter() - started, 3),
        indexed=indexed,
        count_mismatches={t: list(v) for t, v in mismatches.items()},
        quotes=outcome.quotes_answered,
        update_due=client.update_due,
    )


def _check_passphrase_policy(workspace: Workspace, client: SyncClient) -> None:
    """A laptop whose key comes from a passphrase asks, each sync, whether its workspace still
    allows that, and remembers the answer; forbidden, it stops syncing with `SyncError`
    ``passphrase_forbidden``, and the workspace no longer opens here (`open_laptop_replica`)
    until its user installs a keyring and signs in again."""
    path = workspace.replica.path
    if not keys.uses_passphrase(path):
        return
    me = client.request("GET", "/v1/me")
    allowed = bool(me.get("workspace", {}).get("passphrase_allowed", False))
    workspace.replica.set_state(PASSPHRASE_POLICY, str(allowed))
    if not allowed:
        raise SyncError(str(keys.forbidden(path)), "passphrase_forbidden")


def _carry_out_wipe(
    workspace: Workspace, client: SyncClient, order: SyncError, offer: ExportOffer | None
) -> None:
    """Delete the workspace on an admin's order, report it, and raise `SyncError` ``wiped``."""
    unsent = len(wipe.unsent_edits(workspace.replica))
    export = None
    if order.details.get("export_allowed") and unsent and offer is not None:
        export = offer(unsent)
    name = workspace.name
    outcome = wipe.wipe_workspace(workspace, export)
    log.warning(
        "workspace %s wiped on the server's order (%d unsent edits, exported: %s)",
        name,
        outcome.unsent,
        outcome.exported is not None,
    )
    try:
        client.request(
            "POST",
            "/v1/device/wiped",
            json={
                "removed": outcome.removed[:100],
                "unsent": outcome.unsent,
                "exported": outcome.exported is not None,
            },
        )
    except SyncError as exc:  # the data is gone either way; the admin sees "not confirmed"
        log.warning("the wipe of %s could not be reported: %s", name, exc)
    raise SyncError(
        f"your administrator had the workspace {name!r} deleted from this laptop"
        + (
            f"; your {outcome.unsent} unsent edits are saved in {outcome.exported}"
            if outcome.exported
            else ""
        ),
        "wiped",
        {"unsent": outcome.unsent, "exported": str(outcome.exported or "")},
    ) from order


class LiveUpdates:
    """The server's long-poll for one workspace: `wait` returns True as soon as another
    laptop's change has reached the server, so an online window syncs within moments.

    `stop` closes the connection, which ends a wait in progress at once (the window calls it
    when it closes, so quitting never waits out a long-poll).
    """

    def __init__(self, workspace: Workspace) -> None:
        self._client = client_for(workspace, retries=0)

    def wait(self, timeout_s: int = 25, cancel: threading.Event | None = None) -> bool:
        return self._client.wait_for_changes(timeout_s, cancel)

    def stop(self) -> None:
        self._client.close()
