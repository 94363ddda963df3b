"""The traceability page a label's QR code opens, over HTTP: the item, lot, production date,
mill, materials, certifications and fibre footprint, as HTML or JSON; nothing priced; only
codes a printed label or an admin published, every other code the same 404; suppliers only
where the workspace allows."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from sync.server import trace
from tests.sync_fixtures import Server, material, write_rows

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)


def seed(server: Server) -> None:
    ws = server.workspaces["alpha"]
    fabric = material(
        "FAB-1",
        id="m-1",
        name="Single Jersey 180 Organic Cotton Navy",
        composition="100% Organic Cotton",
        certifications="GOTS,OEKO-TEX",
        price="412.50",
    )
    write_rows(server.engine, ws, "materials", [fabric])
    write_rows(
        server.engine,
        ws,
        "orders",
        [
            {
                "id": "o-1",
                "order_no": "PO-2026-0001",
                "brand_id": "b-1",
                "style_code": "TEE-101",
                "material_id": "m-1",
                "season": "SS27",
                "mill": "Kongu Unit 1",
                "uom": "pc",
                "quantity": 4600,
                "unit_price": "3.45",
                "currency": "EUR",
                "order_date": "2026-11-01",
                "deleted": 0,
                "updated_at": "2026-11-01T00:00:00Z",
            }
        ],
    )
    trace.publish_codes(server.engine, "alpha", "material", ["FAB-1"], "test")
    trace.publish_codes(server.engine, "alpha", "order", ["PO-2026-0001"], "test")


def test_an_order_label_opens_its_page(server: Server) -> None:
    seed(server)
    url = f"{server.url}/id/alpha/order/PO-2026-0001/10/L2411-07?11=261125"
    page = httpx.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for shown in (
        "PO-2026-0001",
        "L2411-07",
        "2026-11-25",
        "TEE-101",
        "Kongu Unit 1",
        "Single Jersey 180 Organic Cotton Navy",
        "100% Organic Cotton",
        "GOTS",
        "kg CO2-eq per kg of fibre",
        "cradle-to-gate fibre",
    ):
        assert shown in text, shown
    assert "412.50" not in text and "3.45" not in text
    assert "price" not in text.lower().replace("no prices are shown", "")
    data = httpx.get(url, headers={"Accept": "application/json"}).json()
    assert data["item"] == {
        "kind": "order",
        "code": "PO-2026-0001",
        "style": "TEE-101",
        "season": "SS27",
        "mill": "Kongu Unit 1",
        "quantity": 4600,
        "uom": "pc",
    }
    assert data["lot"] == "L2411-07" and data["production_date"] == "2026-11-25"
    [fabric] = data["materials"]
    assert fabric["certifications"] == ["GOTS", "OEKO-TEX"] and "price" not in fabric
    assert float(fabric["footprint"]["global_warming_kg_co2e_per_kg_fibre"]) > 0


def test_a_material_label_and_the_404s(server: Server) -> None:
    seed(server)
    ok = httpx.get(f"{server.url}/id/alpha/material/FAB-1", headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.json()["materials"][0]["code"] == "FAB-1"
    for path in (
        "/id/alpha/order/PO-NOPE",
        "/id/nowhere/material/FAB-1",
        "/01/09506000134352/10/L1",
        "/id/alpha/material/FAB%20X%23",
    ):
        page = httpx.get(f"{server.url}{path}")
        assert page.status_code == 404 and "Code not found" in page.text, path
        assert trace.UNPUBLISHED in html.unescape(page.text)
        api = httpx.get(f"{server.url}{path}", headers={"Accept": "application/json"})
        assert api.status_code == 404 and api.json()["error"] == "not_found"
    # a withdrawn (deleted) material is not found any more
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material("FAB-1", id="m-1", deleted=1)],
    )
    assert httpx.get(f"{server.url}/id/alpha/material/FAB-1").status_code == 404


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/id/alpha/material/FAB-1", ("FAB-1", "Material · alpha", "100% Organic Cotton")),
        (
            "/id/alpha/material/FAB-1/10/L2411-07?11=261125",
            ("FAB-1", "lot L2411-07", "2026-11-25", "GOTS"),
        ),
        (
            "/id/alpha/order/PO-2026-0001/10/L2411-07/21/S-9",
            ("PO-2026-0001", "TEE-101", "Serial", "S-9", "Kongu Unit 1"),
        ),
        ("/id/alpha/order/PO-2026-0001", ("PO-2026-0001", "SS27", "FAB-1")),
    ],
)
def test_every_kind_of_label_opens_as_a_page(
    server: Server, path: str, shown: tuple[str, ...]
) -> None:
    """The HTML page of each kind the server traces, with and without lot and serial."""
    seed(server)
    page = httpx.get(f"{server.url}{path}")
    assert page.status_code == 200, page.text[:500]
    assert page.headers["content-type"].startswith("text/html")
    text = html.unescape(page.text)
    for expected in shown:
        assert expected in text, expected
    assert "412.50" not in text and "3.45" not in text


def test_a_kind_that_is_not_traced_is_a_404_page(server: Server) -> None:
    seed(server)
    page = httpx.get(f"{server.url}/id/alpha/bundle/B-1/10/L1")
    assert page.status_code == 404 and "Code not found" in page.text
    assert trace.UNPUBLISHED in page.text


def test_the_page_in_a_real_browser(server: Server, tmp_path: Path) -> None:
    """Headless Chromium opens the page a phone would, and a screenshot is kept (set
    WORKBENCH_SCREENSHOTS to a folder to keep it there too: the README links one)."""
    browser = shutil.which("chromium")
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium must be installed in CI (dev.sh installs it)")
        pytest.skip("Chromium is not installed here")
    seed(server)
    shot = tmp_path / "traceability.png"
    done = subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--hide-scrollbars",
            "--window-size=480,900",
            f"--screenshot={shot}",
            f"{server.url}/id/alpha/order/PO-2026-0001/10/L2411-07?11=261125",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (480, 900)
    # the page's dark header band is there: the browser drew the page, not a blank
    assert image.getpixel((240, 20)) == (0x1F, 0x3A, 0x4D)
    keep = os.environ.get("WORKBENCH_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "traceability.png")


def test_a_printed_label_publishes_its_code(server: Server, tmp_path: Path) -> None:
    """A floor laptop prints a label and syncs: the code answers from then on, and only it."""
    from sync.session import sign_in, sync_workspace
    from tests.sync_fixtures import PASSWORD
    from workbench.labels import LabelItem
    from workbench.labels import jobs as label_jobs

    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material("FAB-7"), material("FAB-8")])
    url = f"{server.url}/id/alpha/material/FAB-7"
    assert httpx.get(url).status_code == 404  # in the master data, never printed
    workspace, _, _ = sign_in(server.url, "floor@alpha", PASSWORD, base=tmp_path)
    try:
        sync_workspace(workspace)
        label_jobs.print_labels(
            workspace.replica,
            [LabelItem(code="FAB-7", lot="L1")],
            "thermal-100x50",
            f"pdf:{tmp_path / 'labels.pdf'}",
        )
        sync_workspace(workspace)
    finally:
        workspace.close()
    assert httpx.get(url).status_code == 200
    assert httpx.get(f"{server.url}/id/alpha/material/FAB-8").status_code == 404
    from sync.server.audit import entries

    with server.engine.connect() as conn:
        jobs = [e for e in entries(conn, ws) if e.action == "label.job"]
    assert jobs[-1].details["published"] == ["material/FAB-7"]


def test_guessing_a_thousand_codes_finds_only_the_published(server: Server) -> None:
    ws = server.workspaces["alpha"]
    write_rows(server.engine, ws, "materials", [material(f"FAB-{n:04d}") for n in range(60)])
    trace.publish_codes(server.engine, "alpha", "material", ["FAB-0003", "FAB-0042"], "test")
    found, refusals = [], set()
    with httpx.Client(base_url=server.url, headers={"Accept": "application/json"}) as http:
        for n in range(1000):
            answer = http.get(f"/id/alpha/material/FAB-{n:04d}")
            if answer.status_code == 200:
                found.append(answer.json()["item"]["code"])
            else:
                assert answer.status_code == 404
                body = answer.json()
                refusals.add((body["error"], body["message"], body["field"]))
    assert found == ["FAB-0003", "FAB-0042"]
    assert refusals == {("not_found", trace.UNPUBLISHED, None)}  # the same for all 998


def test_an_unpublished_code_is_looked_up_as_an_unknown_one(server: Server) -> None:
    """Equal timing: the same statements run for a code in the master data that was never
    published as for one that does not exist, or a workspace that does not exist."""
    import sqlalchemy as sa

    write_rows(server.engine, server.workspaces["alpha"], "materials", [material("REAL-1")])
    ran: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        ran.append(statement)

    sa.event.listen(server.engine, "before_cursor_execute", record)
    try:
        shapes = []
        for path in (
            "/id/alpha/material/REAL-1",
            "/id/alpha/material/NONE-1",
            "/id/nowhere/material/REAL-1",
            "/id/alpha/bundle/REAL-1",
        ):
            ran.clear()
            answer = httpx.get(f"{server.url}{path}", headers={"Accept": "application/json"})
            assert answer.status_code == 404
            shapes.append((answer.json()["message"], tuple(ran)))
    finally:
        sa.event.remove(server.engine, "before_cursor_execute", record)
    assert len(set(shapes)) == 1
    assert [q.split()[0] for q in shapes[0][1] if q != "BEGIN"] == ["SELECT", "SELECT"]


def test_suppliers_are_named_only_where_the_workspace_says(server: Server) -> None:
    seed(server)
    url = f"{server.url}/id/alpha/material/FAB-1"
    hidden = httpx.get(url, headers={"Accept": "application/json"}).json()["materials"][0]
    assert hidden["supplier"] is None and hidden["mill"] is None
    page = httpx.get(url).text
    assert "Test Supplier" not in page and "Test Mill" not in page
    trace.show_suppliers(server.engine, "alpha", True, "test")
    shown = httpx.get(url, headers={"Accept": "application/json"}).json()["materials"][0]
    assert (shown["supplier"], shown["mill"]) == ("Test Supplier", "Test Mill")
    assert "Test Mill" in httpx.get(url).text
