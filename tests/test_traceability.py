"""The traceability page a label's QR code opens, over HTTP: the item, lot, production date,
mill, materials, certifications and fibre footprint, as HTML or JSON; nothing priced; a
proper 404 page for codes that name nothing (unknown, deleted)."""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from pathlib import Path

import httpx
import pytest
from PIL import Image

from tests.sync_fixtures import Server, material, write_rows

pytestmark = pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)


def seed(server: Server) -> None:
    ws = server.workspaces["alpha"]
    fabric = material("FAB-1", id="m-1", name="Single Jersey 180 Organic Cotton Navy",
                      composition="100% Organic Cotton", certifications="GOTS,OEKO-TEX",
                      price="412.50")  # fmt: skip
    write_rows(server.engine, ws, "materials", [fabric])
    write_rows(server.engine, ws, "orders", [{
        "id": "o-1", "order_no": "PO-2026-0001", "brand_id": "b-1", "style_code": "TEE-101",
        "material_id": "m-1", "season": "SS27", "mill": "Kongu Unit 1", "uom": "pc",
        "quantity": 4600, "unit_price": "3.45", "currency": "EUR", "order_date": "2026-11-01",
        "deleted": 0, "updated_at": "2026-11-01T00:00:00Z"}])  # fmt: skip


def test_an_order_label_opens_its_page(server: Server) -> None:
    seed(server)
    url = f"{server.url}/id/alpha/order/PO-2026-0001/10/L2411-07?11=261125"
    page = httpx.get(url)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    text = page.text
    for shown in ("PO-2026-0001", "L2411-07", "2026-11-25", "TEE-101", "Kongu Unit 1",
                  "Single Jersey 180 Organic Cotton Navy", "100% Organic Cotton", "GOTS",
                  "kg CO2-eq per kg of fibre", "cradle-to-gate fibre"):  # fmt: skip
        assert shown in text, shown
    assert "412.50" not in text and "3.45" not in text
    assert "price" not in text.lower().replace("no prices are shown", "")
    data = httpx.get(url, headers={"Accept": "application/json"}).json()
    assert data["item"] == {"kind": "order", "code": "PO-2026-0001", "style": "TEE-101",
                            "season": "SS27", "mill": "Kongu Unit 1", "quantity": 4600,
                            "uom": "pc"}  # fmt: skip
    assert data["lot"] == "L2411-07" and data["production_date"] == "2026-11-25"
    [fabric] = data["materials"]
    assert fabric["certifications"] == ["GOTS", "OEKO-TEX"] and "price" not in fabric
    assert float(fabric["footprint"]["global_warming_kg_co2e_per_kg_fibre"]) > 0


def test_a_material_label_and_the_404s(server: Server) -> None:
    seed(server)
    ok = httpx.get(f"{server.url}/id/alpha/material/FAB-1",
                   headers={"Accept": "application/json"})  # fmt: skip
    assert ok.status_code == 200 and ok.json()["materials"][0]["code"] == "FAB-1"
    for path, reason in (("/id/alpha/order/PO-NOPE", "no order 'PO-NOPE'"),
                         ("/id/nowhere/material/FAB-1", "no workspace 'nowhere'"),
                         ("/01/09506000134352/10/L1", "is not registered"),
                         ("/id/alpha/material/FAB%20X%23", "")):  # fmt: skip
        page = httpx.get(f"{server.url}{path}")
        assert page.status_code == 404 and "Code not found" in page.text, path
        assert reason in html.unescape(page.text)
        api = httpx.get(f"{server.url}{path}", headers={"Accept": "application/json"})
        assert api.status_code == 404 and api.json()["error"] == "not_found"
    # a withdrawn (deleted) material is not found any more
    write_rows(server.engine, server.workspaces["alpha"], "materials",
               [material("FAB-1", id="m-1", deleted=1)])  # fmt: skip
    assert httpx.get(f"{server.url}/id/alpha/material/FAB-1").status_code == 404


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/id/alpha/material/FAB-1", ("FAB-1", "Material · alpha", "100% Organic Cotton")),
        ("/id/alpha/material/FAB-1/10/L2411-07?11=261125",
         ("FAB-1", "lot L2411-07", "2026-11-25", "GOTS")),
        ("/id/alpha/order/PO-2026-0001/10/L2411-07/21/S-9",
         ("PO-2026-0001", "TEE-101", "Serial", "S-9", "Kongu Unit 1")),
        ("/id/alpha/order/PO-2026-0001", ("PO-2026-0001", "SS27", "FAB-1")),
    ],
)  # fmt: skip
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
    assert "bundle codes are not traced here" in page.text


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
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
         "--no-first-run", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}", "--hide-scrollbars",
         "--window-size=480,900", f"--screenshot={shot}",
         f"{server.url}/id/alpha/order/PO-2026-0001/10/L2411-07?11=261125"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (480, 900)
    # the page's dark header band is there: the browser drew the page, not a blank
    assert image.getpixel((240, 20)) == (0x1F, 0x3A, 0x4D)
    keep = os.environ.get("WORKBENCH_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / "traceability.png")
