"""The label station (ui.station) under pytest-qt: scanning, printing, retrying, system
printers, the ``--station`` option and the floor's default window, and a floor user's job
reaching the server's audit trail."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
import zxingcpp
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from sync.server import audit, schema
from sync.session import SyncReport, sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from tests.test_label_printing import ZebraStub, closed_port
from ui.ops import OpRunner
from ui.print_dialog import print_pdf
from ui.station import LabelStation, look_up, parse_quantity
from ui.station.jobs_list import RETRY_COLUMN
from workbench.demo import generate_demo
from workbench.labels import IdScheme, LabelError, LabelItem, render_labels_pdf
from workbench.labels import jobs as label_jobs
from workbench.workspace import Workspace, open_workspace

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SCHEME = IdScheme("id.mill-workbench.example", "acme")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    opened = open_workspace(tmp_path / "workspaces" / "acme")
    generate_demo(opened.replica, materials=300, orders=200, seed=11)
    yield opened
    opened.close()


@pytest.fixture
def stations() -> Iterator[list[LabelStation]]:
    opened: list[LabelStation] = []
    yield opened
    for station in opened:
        station.close()


def open_station(qtbot: QtBot, workspace: Workspace, stations: list, **kwargs: Any) -> LabelStation:
    station = LabelStation(workspace, OpRunner(), **kwargs)
    qtbot.addWidget(station)
    stations.append(station)
    station.show()
    qtbot.waitUntil(
        lambda: station.is_open and station.jobs_table.rowCount() == len(station.jobs),
        timeout=10_000,
    )
    return station


def an_order(workspace: Workspace) -> dict[str, Any]:
    return dict(
        workspace.replica.conn.execute(
            "SELECT o.order_no, o.style_code, o.quantity, o.uom, o.mill, m.colour, m.name "
            "FROM orders o JOIN materials m ON m.id = o.material_id "
            "ORDER BY o.order_no LIMIT 1 OFFSET 17"
        ).fetchone()
    )


def scan(qtbot: QtBot, station: LabelStation, text: str) -> object:
    """Type ``text`` into the scan box and press Enter, as a barcode scanner does."""
    station.scan_box.clear()
    with qtbot.waitSignal(station.looked_up, timeout=10_000) as blocker:
        qtbot.keyClicks(station.scan_box, text)
        qtbot.keyClick(station.scan_box, Qt.Key.Key_Return)
    return blocker.args[0]


def decoded_pages(pdf: bytes) -> tuple[list[list[str]], list[str]]:
    """Each page's QR codes (decoded at 300 dpi) and text."""
    codes, texts = [], []
    for page in pdfium.PdfDocument(pdf):
        image = page.render(scale=300 / 72).to_pil()
        codes.append([r.text for r in zxingcpp.read_barcodes(image)])
        texts.append(page.get_textpage().get_text_range().replace("\r\n", "\n"))
    return codes, texts


def outbox_states(workspace: Workspace, job_id: str) -> list[str]:
    import json

    return [
        json.loads(r["payload"])["state"]
        for r in workspace.replica.conn.execute(
            "SELECT payload FROM outbox WHERE table_name = 'label_jobs' AND row_id = ? "
            "ORDER BY seq",
            (job_id,),
        )
    ]


# --- scanning -------------------------------------------------------------------------------


def test_look_up_finds_orders_materials_our_own_labels_and_else_lots(workspace: Workspace) -> None:
    order = an_order(workspace)
    today = date(2026, 11, 25)
    found = look_up(workspace.replica, f"  {order['order_no'].lower()} ", today)
    assert (found.kind, found.found, found.item.code) == ("order", True, order["order_no"])
    assert (found.item.style, found.item.colour) == (order["style_code"], order["colour"])
    assert (found.item.quantity, found.item.unit) == (Decimal(order["quantity"]), order["uom"])
    assert (found.item.description, found.item.production_date) == (order["name"], today)
    uri = LabelItem(code=order["order_no"], kind="order", lot="L-7").uri(LOCAL_SCHEME)
    from_label = look_up(workspace.replica, uri, today)
    assert (from_label.kind, from_label.item.code, from_label.item.lot) == (
        "order",
        order["order_no"],
        "L-7",
    )
    code = workspace.replica.conn.execute("SELECT code FROM materials LIMIT 1").fetchone()[0]
    assert look_up(workspace.replica, code, today).kind == "material"
    lot = look_up(workspace.replica, "DL-4471", today)
    assert (lot.kind, lot.found, lot.item.lot) == ("lot", False, "DL-4471")
    with pytest.raises(LabelError, match="scan or type"):
        look_up(workspace.replica, "  ")
    assert parse_quantity("52,5 kg", None) == (Decimal("52.5"), "kg")
    assert parse_quantity("40", "pc") == (Decimal(40), "pc")
    with pytest.raises(LabelError, match="give its unit"):
        parse_quantity("40", None)


# --- printing from the station --------------------------------------------------------------


def test_scan_and_print_three_labels_to_a_pdf(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    order = an_order(workspace)
    station = open_station(qtbot, workspace, stations)
    assert station.scheme == LOCAL_SCHEME
    found = scan(qtbot, station, order["order_no"])
    assert not isinstance(found, BaseException), found
    assert station.fields["style"].text() == order["style_code"]
    assert station.fields["colour"].text() == order["colour"]
    assert station.fields["quantity"].text() == f"{order['quantity']} {order['uom']}"
    assert station.scan_box.hasFocus()  # the next scan lands in the box
    station.fields["lot"].setText("L2411-07")

    target = tmp_path / "out" / "labels.pdf"
    station.set_printer(f"pdf:{target}")
    station.template_box.setCurrentText("thermal-100x50")
    station.copies.setValue(3)
    with qtbot.waitSignal(station.printed, timeout=30_000) as blocker:
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    job = blocker.args[0]

    expected = LabelItem(
        code=order["order_no"],
        kind="order",
        lot="L2411-07",
        production_date=date.today(),
        quantity=Decimal(order["quantity"]),
        unit=order["uom"],
    ).uri(LOCAL_SCHEME)
    codes, texts = decoded_pages(target.read_bytes())
    assert codes == [[expected]] * 3
    for text in texts:
        lines = text.split("\n")
        assert f"Style {order['style_code']}" in lines and "Lot L2411-07" in lines
        assert f"Colour {order['colour']}" in lines and order["order_no"] in lines

    row = dict(
        workspace.replica.conn.execute(
            "SELECT * FROM label_jobs WHERE id = ?", (job.id,)
        ).fetchone()
    )
    assert (row["state"], row["copies"], row["template"]) == ("printed", 3, "thermal-100x50")
    assert row["printer"] == f"pdf:{target}" and row["printed_at"]
    assert outbox_states(workspace, job.id) == ["queued", "printed"]
    qtbot.waitUntil(lambda: [j.id for j in station.jobs] == [job.id])
    assert station.jobs_table.item(0, 4).text() == "printed"
    assert station.jobs_table.item(0, 1).text() == "3"
    assert "Printed 3 labels" in station.message.text()

    # the printer and stock are remembered on this laptop
    again = open_station(qtbot, workspace, stations)
    assert again.printer_string() == f"pdf:{target}"
    assert again.template_box.currentText() == "thermal-100x50"

    shot = tmp_path / "label-station.png"
    assert station.grab().save(str(shot))
    print(f"screenshot: {shot}")

    # reprint: the same labels as a new job
    with qtbot.waitSignal(station.printed, timeout=30_000) as blocker:
        qtbot.mouseClick(station.reprint_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].id != job.id and blocker.args[0].items == job.items
    assert decoded_pages(target.read_bytes())[0] == [[expected]] * 3


def test_a_failed_job_is_listed_and_retried_from_the_station(
    qtbot: QtBot, workspace: Workspace, stations: list, zebras: list[ZebraStub]
) -> None:
    station = open_station(qtbot, workspace, stations)
    scan(qtbot, station, an_order(workspace)["order_no"])
    station.set_printer(f"zpl://127.0.0.1:{closed_port()}")
    station.copies.setValue(2)
    with qtbot.waitSignal(station.print_failed, timeout=30_000) as blocker:
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    assert "unreachable" in blocker.args[0]
    assert "The job is kept: retry it below." in station.message.text()
    qtbot.waitUntil(lambda: len(station.jobs) == 1 and station.jobs[0].state == "failed")
    assert station.jobs_table.item(0, 4).text().startswith("failed: printer 127.0.0.1:")
    # nothing to find and select first: the failed job has its Retry, and so has the list
    qtbot.waitUntil(station.retry_button.isEnabled)
    assert station.retry_button.text() == "Retry failed (1)"
    row_button = station.jobs_table.cellWidget(0, RETRY_COLUMN)
    assert row_button is station.jobs_list.row_buttons[station.jobs[0].id]
    assert row_button.isEnabled() and row_button.height() >= 40

    zebra = ZebraStub()
    zebras.append(zebra)
    station.set_printer(zebra.printer)
    with qtbot.waitSignal(station.printed, timeout=30_000) as blocker:
        qtbot.mouseClick(row_button, Qt.MouseButton.LeftButton)
    retried = blocker.args[0]
    assert retried.id == station.jobs[0].id and retried.state == "printed"
    zebra.wait_for(1)
    assert b"^PQ2" in zebra.received[0]
    qtbot.waitUntil(lambda: station.jobs_table.item(0, 4).text() == "printed")
    assert label_jobs.pending_jobs(workspace.replica) == []
    assert station.jobs_table.cellWidget(0, RETRY_COLUMN) is None  # printed: no Retry
    assert not station.retry_button.isEnabled() and station.retry_button.text() == "Retry failed"


def test_mistakes_are_said_and_nothing_is_saved(
    qtbot: QtBot, workspace: Workspace, stations: list
) -> None:
    station = open_station(qtbot, workspace, stations)
    with qtbot.waitSignal(station.print_failed) as blocker:
        station.print_labels()
    assert blocker.args[0] == "scan or type an order or lot number first"
    scan(qtbot, station, an_order(workspace)["order_no"])
    station.fields["lot"].setText("bad lot")
    with qtbot.waitSignal(station.print_failed, timeout=10_000) as blocker:
        station.print_labels()
    assert "lot 'bad lot'" in blocker.args[0]
    station.fields["lot"].setText("")
    station.set_printer("system:")  # this machine has no printers
    with qtbot.waitSignal(station.print_failed, timeout=10_000) as blocker:
        station.print_labels()
    assert "no default printer" in blocker.args[0]
    rows = workspace.replica.conn.execute("SELECT state FROM label_jobs").fetchall()
    assert [r[0] for r in rows] == ["failed"]  # only the job that reached a printer


def test_printers_are_chosen_in_their_dialogs(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    station = open_station(qtbot, workspace, stations)
    station.set_printer("system:")
    dialog = station.choose_printer()
    assert isinstance(dialog, QPrintDialog) and dialog.isVisible()
    dialog.accept()
    assert station.printer_string() == "system:"  # no printers here: the default one
    station.set_printer(f"pdf:{tmp_path / 'a.pdf'}")
    files = station.choose_printer()
    assert isinstance(files, QFileDialog)
    files.fileSelected.emit(str(tmp_path / "chosen.pdf"))
    files.reject()
    assert station.printer_string() == f"pdf:{tmp_path / 'chosen.pdf'}"
    station.set_printer("zpl://10.0.0.7:6101?dpi=300")
    assert station.choose_printer() is None
    assert (station.printer_target.text(), station.printer_dpi.currentData()) == (
        "10.0.0.7:6101",
        300,
    )
    station.printer_target.setText("zebra-2")
    assert station.printer_string() == "zpl://zebra-2:9100?dpi=300"


@pytest.fixture
def zebras() -> Iterator[list[ZebraStub]]:
    started: list[ZebraStub] = []
    yield started
    for zebra in started:
        zebra.close()


# --- system printers ------------------------------------------------------------------------


@pytest.mark.parametrize("template", ["thermal-50x25", "a4-sheet-3x8"])
def test_system_printing_paints_scannable_pages_at_the_label_size(
    qtbot: QtBot, tmp_path: Path, template: str
) -> None:
    items = [LabelItem(code=f"PO-2026-{n:07d}", kind="order", lot=f"L{n}") for n in range(3)]
    pdf = render_labels_pdf(items, template, scheme=LOCAL_SCHEME)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # a printer that writes a file
    printer.setResolution(300)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    pages = print_pdf(printer, pdf)
    printed = pdfium.PdfDocument(out.read_bytes())
    source = pdfium.PdfDocument(pdf)
    assert pages == len(printed) == len(source)
    for ours, theirs in zip(printed, source, strict=True):
        assert ours.get_size() == pytest.approx(theirs.get_size(), abs=1.0)
    found = [
        r.text
        for page in printed
        for r in zxingcpp.read_barcodes(page.render(scale=300 / 72).to_pil())
    ]
    assert sorted(found) == sorted(item.uri(LOCAL_SCHEME) for item in items)


# --- the app: --station and the floor's default window --------------------------------------


def run_app(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            *args,
            "--data-dir",
            str(tmp_path / "data"),
            "--screenshot",
            str(tmp_path / "shot.png"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        cwd=ROOT,
    )


def test_demo_with_station_opens_the_label_station(tmp_path: Path) -> None:
    done = run_app(tmp_path, "--demo", "--demo-size", "1500", "--station")
    assert done.returncode == 0, done.stderr
    assert "saved a screenshot of the label station" in done.stdout
    assert (tmp_path / "shot.png").stat().st_size > 0


def test_a_floor_user_gets_the_station_by_default(
    tmp_path: Path, passphrase_instead_of_keyring: str
) -> None:
    folder = tmp_path / "data" / "workspaces" / "alpha"
    workspace = open_workspace(folder)
    workspace.replica.set_state("username", "floor@alpha")
    workspace.replica.set_state("role", "floor")
    workspace.close()
    done = run_app(tmp_path, "--workspace", str(folder))
    assert done.returncode == 0, done.stderr
    assert "saved a screenshot of the label station" in done.stdout


# --- a floor user's job on the server -------------------------------------------------------


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_a_floor_users_job_reaches_the_server_and_its_audit_trail(
    qtbot: QtBot, server: Server, tmp_path: Path, stations: list
) -> None:
    # Materials, not orders: a floor replica cannot take orders from the server yet (their
    # unit_price is withheld as NULL from a NOT NULL column), so the floor scans a fabric.
    alpha = server.workspaces["alpha"]
    fabric = material("FAB-88", name="Pique 220 GSM Cotton Ecru", colour="Ecru")
    write_rows(server.engine, alpha, "materials", [fabric])
    workspace, _info, _warning = sign_in(server.url, "floor@alpha", PASSWORD, base=tmp_path)
    try:
        sync_workspace(workspace)
        station = open_station(
            qtbot,
            workspace,
            stations,
            syncer=lambda ctx: sync_workspace(workspace, cancel=ctx.cancel_event),
        )
        host = server.url.split("//")[1].split(":")[0]
        assert station.scheme == IdScheme(host, "alpha")
        found = scan(qtbot, station, "FAB-88")
        assert getattr(found, "kind", None) == "material", found
        assert station.fields["colour"].text() == "Ecru"
        assert station.fields["description"].text() == "Pique 220 GSM Cotton Ecru"
        station.set_printer(f"pdf:{tmp_path / 'floor.pdf'}")
        station.copies.setValue(3)
        with qtbot.waitSignal(station.printed, timeout=30_000) as printed:
            station.print_labels()
        job = printed.args[0]
        assert job.created_by == "floor@alpha"
        codes, _texts = decoded_pages((tmp_path / "floor.pdf").read_bytes())
        assert codes == [[job.items[0].uri(station.scheme)]] * 3
        # a print starts a sync: the job goes to the server without anyone asking
        qtbot.waitUntil(
            lambda: (
                not workspace.replica.conn.execute(
                    "SELECT 1 FROM outbox WHERE table_name = 'label_jobs'"
                ).fetchone()
            ),
            timeout=20_000,
        )
        with qtbot.waitSignal(station.sync.synced, timeout=20_000) as synced:
            station.sync.sync_now()
        assert isinstance(synced.args[0], SyncReport) and synced.args[0].pending == 0
    finally:
        for station in stations:
            station.close()
        stations.clear()
        workspace.close()

    jobs_table = schema.replicated["label_jobs"]
    with server.engine.connect() as conn:
        stored = (
            conn.execute(sa.select(jobs_table).where(jobs_table.c.id == job.id)).mappings().one()
        )
        trail = [e for e in audit.entries(conn, alpha) if e.action == "label.job"]
    assert (stored["state"], stored["copies"], stored["created_by"]) == (
        "printed",
        3,
        "floor@alpha",
    )
    assert [(e.subject, e.actor, e.details["state"]) for e in trail] == [
        (job.id, "floor@alpha", "queued"),
        (job.id, "floor@alpha", "printed"),
    ]
    assert trail[1].details == {
        "template": "thermal-100x50",
        "printer": job.printer,
        "copies": 3,
        "state": "printed",
        "items": 1,
        "published": ["material/FAB-88"],
    }
    assert audit.verify(server.engine, "alpha")[0].ok
