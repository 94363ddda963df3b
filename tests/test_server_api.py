"""The sync server over real HTTP on a loopback port: auth, scoping, change feed, errors."""

from __future__ import annotations

import threading
import time

import pytest
import sqlalchemy as sa

from sync import protocol
from sync.server import accounts
from sync.server.app import ROUTES
from sync.server.db import reading
from sync.server.openapi import PATHS
from tests.sync_fixtures import PASSWORD, Server, material, write_rows

AUTHENTICATED = ["/v1/changes", "/v1/counts", "/v1/wait?timeout=0", "/v1/snapshot"]
PUSH = {"mutations": []}


def test_health_needs_no_token(server: Server) -> None:
    with server.client() as http:
        answer = http.get("/v1/health")
    assert answer.status_code == 200
    assert answer.json()["protocol"] == protocol.PROTOCOL_VERSION


def test_login_issues_a_device_token(server: Server) -> None:
    with server.client() as http:
        answer = http.post(
            "/v1/login",
            json={"username": "merchandiser@alpha", "password": PASSWORD, "device_name": "lt-1"},
        )
    assert answer.status_code == 200
    body = answer.json()
    assert body["workspace"]["name"] == "alpha"
    assert body["user"]["role"] == "merchandiser"
    assert len(body["token"]) >= 40
    devices = accounts.list_devices(server.engine, "alpha")
    assert [d["name"] for d in devices] == ["lt-1"]


@pytest.mark.parametrize(
    ("username", "password"),
    [("merchandiser@alpha", "wrong password"), ("nobody@alpha", PASSWORD)],
)
def test_login_refuses_bad_credentials_with_one_message(
    server: Server, username: str, password: str
) -> None:
    with server.client() as http:
        answer = http.post("/v1/login", json={"username": username, "password": password})
    assert answer.status_code == 401
    assert answer.json()["message"] == "unknown username or wrong password"


@pytest.mark.parametrize("path", AUTHENTICATED)
def test_every_endpoint_rejects_missing_bad_and_revoked_tokens(server: Server, path: str) -> None:
    with server.client() as http:
        assert http.get(path).status_code == 401
    with server.client("not-a-token") as http:
        assert http.get(path).status_code == 401
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        assert http.get(path).status_code == 200
    device = accounts.list_devices(server.engine, "alpha")[-1]
    accounts.revoke_device(server.engine, device["id"])
    with server.client(token) as http:
        answer = http.get(path)
    assert answer.status_code == 401
    assert "revoked" in answer.json()["message"]


def test_push_and_snapshot_files_reject_missing_bad_and_revoked_tokens(server: Server) -> None:
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        name = http.get("/v1/snapshot").json()["name"]
        assert http.post("/v1/push", json=PUSH).status_code == 200
        assert http.get(f"/v1/snapshot/{name}").status_code == 200
    for bad in (None, "not-a-token"):
        with server.client(bad) as http:
            assert http.post("/v1/push", json=PUSH).status_code == 401
            assert http.get(f"/v1/snapshot/{name}").status_code == 401
    accounts.revoke_device(server.engine, accounts.list_devices(server.engine, "alpha")[-1]["id"])
    with server.client(token) as http:
        assert http.post("/v1/push", json=PUSH).status_code == 401
        assert http.get(f"/v1/snapshot/{name}").status_code == 401


def test_another_workspaces_snapshot_cannot_be_fetched(server: Server) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("ALPHA-1")])
    alpha, beta = server.login("admin@alpha"), server.login("admin@beta")
    with server.client(alpha) as http:
        info = http.get("/v1/snapshot").json()
        name, index = info["name"], info["search"]["name"]
        assert http.get(f"/v1/snapshot/{index}").status_code == 200
    with server.client(beta) as http:
        answer = http.get(f"/v1/snapshot/{name}")
        assert http.get(f"/v1/snapshot/{index}").status_code == 404
        floor_name = name.replace("-admin-", "-floor-")
        assert http.get(f"/v1/snapshot/{floor_name}").status_code == 404
        assert http.get("/v1/snapshot/..%2Fserver.sqlite").status_code == 404
    assert answer.status_code == 404
    floor = server.login("floor@alpha")
    with server.client(floor) as http:  # same workspace, but the admin's (priced) files
        assert http.get(f"/v1/snapshot/{name}").status_code == 404
        assert http.get(f"/v1/snapshot/{index}").status_code == 404


def test_disabling_a_user_revokes_their_tokens(server: Server) -> None:
    token = server.login("floor@alpha")
    accounts.disable_user(server.engine, "floor@alpha")
    with server.client(token) as http:
        assert http.get("/v1/counts").status_code == 401
    with server.client() as http:
        answer = http.post("/v1/login", json={"username": "floor@alpha", "password": PASSWORD})
    assert answer.status_code == 401
    assert "disabled" in answer.json()["message"]


def test_an_old_app_is_told_to_update(server: Server) -> None:
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        answer = http.get("/v1/changes", headers={protocol.PROTOCOL_HEADER: "0"})
    assert answer.status_code == 426
    assert answer.json()["error"] == "update_required"
    assert "please update Mill Workbench" in answer.json()["message"]


def test_change_feed_pages_in_version_order_without_gaps(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"FAB-{i:03d}") for i in range(25)])
    token = server.login("merchandiser@alpha")
    seen: list[int] = []
    cursor, pages = 0, 0
    with server.client(token) as http:
        while True:
            page = http.get("/v1/changes", params={"after": cursor, "limit": 10}).json()
            seen += [c["row"]["version"] for c in page["changes"]]
            cursor, pages = page["next"], pages + 1
            if not page["more"]:
                break
    assert pages == 3
    assert seen == sorted(seen) and len(seen) == len(set(seen)) == 25
    assert cursor == seen[-1]


def test_an_updated_row_is_sent_once_at_its_new_version(server: Server) -> None:
    ws = server.workspaces["alpha"]
    row = material("FAB-1")
    write_rows(server.engine, ws, "materials", [row])
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        first = http.get("/v1/changes").json()
        write_rows(server.engine, ws, "materials", [{**row, "price": "500.00"}])
        second = http.get("/v1/changes", params={"after": first["next"]}).json()
    assert [c["row"]["price"] for c in second["changes"]] == ["500.00"]
    assert second["next"] == first["next"] + 1


def test_no_endpoint_returns_another_workspaces_rows(server: Server) -> None:
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("ALPHA-1")])
    write_rows(server.engine, server.workspaces["beta"], "materials", [material("BETA-1")])
    token = server.login("admin@beta")
    with server.client(token) as http:
        changes = http.get("/v1/changes").json()
        counts = http.get("/v1/counts").json()
    assert [c["row"]["code"] for c in changes["changes"]] == ["BETA-1"]
    assert counts["counts"]["materials"] == 1
    assert "workspace_id" not in changes["changes"][0]["row"]


def test_floor_staff_receive_no_costs(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("FAB-1", price="412.50")])
    rate = {
        "id": "rate-1",
        "rate_code": "DYE-R-D",
        "process": "dyeing",
        "description": "",
        "material_id": None,
        "dye_class": "reactive",
        "shade_depth": "dark",
        "technique": None,
        "basis": "per kg",
        "rate": "95.00",
        "currency": "INR",
        "valid_from": "2026-01-01",
        "source": "test",
        "deleted": 0,
        "updated_at": "2026-01-01T00:00:00Z",
    }
    write_rows(server.engine, ws, "cost_rates", [rate])
    floor, merch = server.login("floor@alpha"), server.login("merchandiser@alpha")
    with server.client(floor) as http:
        floor_changes = http.get("/v1/changes").json()["changes"]
        floor_counts = http.get("/v1/counts").json()["counts"]
    with server.client(merch) as http:
        merch_changes = http.get("/v1/changes").json()["changes"]
    assert {c["table"] for c in floor_changes} == {"materials"}
    assert floor_changes[0]["row"]["price"] is None
    assert "cost_rates" not in floor_counts and "margin_rules" not in floor_counts
    assert {c["table"] for c in merch_changes} == {"materials", "cost_rates"}


def test_a_cursor_older_than_retention_must_refetch(server: Server) -> None:
    import sqlalchemy as sa

    from sync.server import schema

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("FAB-1")])
    with server.engine.begin() as conn:
        conn.execute(
            sa.update(schema.workspaces).where(schema.workspaces.c.id == ws).values(min_seq=1)
        )
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        answer = http.get("/v1/changes", params={"after": 0})
        assert http.get("/v1/changes", params={"after": 1}).status_code == 200
    assert answer.status_code == 410
    assert answer.json()["error"] == "must_refetch"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 422),
        (b'{"username": 5, "password": "x"}', 422),
        (b'{"username": "a"}', 422),
        (b'{"username": "' + b"a" * 600 + b'", "password": "x"}', 422),
        (b'{"username": "a", "password": "' + b"x" * (9 * 1024 * 1024) + b'"}', 413),
    ],
)
def test_malformed_login_payloads_get_4xx_with_a_message(
    server: Server, body: bytes, status: int
) -> None:
    with server.client() as http:
        answer = http.post("/v1/login", content=body)
    assert answer.status_code == status
    assert answer.json()["message"]


@pytest.mark.parametrize("params", [{"after": "x"}, {"after": "-1"}, {"limit": "0"}])
def test_bad_query_parameters_get_400(server: Server, params: dict[str, str]) -> None:
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        answer = http.get("/v1/changes", params=params)
    assert answer.status_code == 400
    assert answer.json()["message"]


def test_long_poll_answers_when_a_change_arrives(server: Server) -> None:
    import threading

    ws = server.workspaces["alpha"]
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        seq = http.get("/v1/counts").json()["seq"]
        timer = threading.Timer(0.3, write_rows, (server.engine, ws, "materials", [material("X")]))
        timer.start()
        answer = http.get("/v1/wait", params={"after": seq, "timeout": 5}).json()
        timer.join()
    assert answer == {"seq": seq + 1, "changed": True}


def test_openapi_document_matches_the_routes(server: Server) -> None:
    with server.client() as http:
        doc = http.get("/v1/openapi.json").json()
    # Starlette's {rest:path} is OpenAPI's {rest}
    served = {
        (path.replace(":path}", "}"), m.lower()) for path, _, methods in ROUTES for m in methods
    }
    documented = {(path, m) for path, ops in PATHS.items() for m in ops}
    assert served == documented
    assert doc["paths"].keys() == PATHS.keys()


def test_status_reports_devices_and_how_far_behind_they_are(server: Server) -> None:
    from sync.server.admin import server_status

    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        http.get("/v1/changes")
    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("F-1")])
    report = server_status(server.engine)
    alpha = next(w for w in report["workspaces"] if w["workspace"] == "alpha")
    assert alpha["seq"] == 1 and alpha["users"] == 3
    [device] = alpha["devices"]
    assert device["user"] == "merchandiser@alpha" and device["behind"] == 1
    assert report["db_bytes"] > 0


def test_backup_while_serving_is_a_consistent_copy(server: Server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import threading

    from sync.server.admin import backup
    from sync.server.db import create_schema, make_engine

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"F-{i}") for i in range(200)])
    stop = threading.Event()

    def keep_writing() -> None:  # the server keeps taking writes during the backup
        n = 0
        while not stop.is_set():
            write_rows(server.engine, ws, "materials", [material(f"W-{n}")])
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        target = backup(server.engine, tmp_path / "backup.db")
    finally:
        stop.set()
        writer.join()
    if server.engine.dialect.name != "sqlite":
        assert target.stat().st_size > 0  # a pg_dump archive; restoring it is pg_restore's job
        return
    copy = make_engine(str(target))
    create_schema(copy)
    import sqlalchemy as sa

    from sync.server import schema

    with copy.connect() as conn:
        seq = conn.execute(
            sa.select(schema.workspaces.c.last_seq).where(schema.workspaces.c.id == ws)
        ).scalar_one()
        rows = conn.execute(sa.select(sa.func.count()).select_from(schema.replicated["materials"]))
        # consistent: the sequence counts exactly the rows written up to the copy
        assert rows.scalar_one() == seq >= 200


def test_the_feed_asks_only_tables_with_news_but_never_misses_a_change(server: Server) -> None:
    import sqlalchemy as sa

    from sync.server import schema

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("F-1")])
    token = server.login("merchandiser@alpha")
    with server.client(token) as http:
        cursor = http.get("/v1/changes").json()["next"]
        with server.engine.begin() as conn:  # marks lost (a database from before they existed)
            conn.execute(sa.delete(schema.table_versions))
        write_rows(server.engine, ws, "materials", [material("F-2")])
        write_rows(
            server.engine,
            ws,
            "brands",
            [
                {
                    "id": "b1",
                    "code": "B",
                    "name": "Brand",
                    "country": "SE",
                    "currency": "EUR",
                    "deleted": 0,
                    "updated_at": "2026-01-01T00:00:00Z",
                }
            ],
        )
        page = http.get("/v1/changes", params={"after": cursor}).json()
    assert sorted(c["row"].get("code") for c in page["changes"]) == ["B", "F-2"]


def test_hot_reads_have_a_small_pool_and_no_transaction_on_postgresql(server: Server) -> None:
    """`reading`: on PostgreSQL a pool of its own that never grows past its size, whose
    statements each stand alone (no BEGIN and ROLLBACK round trips); on SQLite the same
    engine, whose reads keep their transaction, which costs nothing there."""
    engine = server.engine
    if engine.dialect.name != "postgresql":
        assert reading(engine) is engine
        return
    reader = reading(engine, 3)
    assert reader is not engine and reader.pool.size() == 3
    held = [reader.connect() for _ in range(3)]
    fourth: list[sa.Connection] = []
    waiting = threading.Thread(target=lambda: fourth.append(reader.connect()))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive() and not fourth  # queued: the pool does not grow
    held.pop().close()
    waiting.join(10)
    assert len(fourth) == 1
    for conn in [*held, *fourth]:
        conn.close()
    reader.dispose()
    with reading(engine).connect() as conn:
        first = conn.exec_driver_sql("SELECT clock_timestamp(), now()").one()
        time.sleep(0.01)
        later = conn.exec_driver_sql("SELECT now()").scalar_one()
        # now() is when the transaction began: inside one, the later statement would share it
        assert later > first[1]
