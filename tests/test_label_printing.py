"""Printing label jobs (workbench.labels.printing and .jobs) and their audit on the server.

The Zebra here is a loopback TCP listener on a thread: it records what arrives on each
connection, and can look at the replica at the moment the printer is contacted, which is
how the tests see that a job is saved (and queued for the server) before anything prints.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sync.server import audit
from sync.session import sign_in, sync_workspace
from tests.sync_fixtures import PASSWORD, Server
from workbench.labels import (
    IdScheme,
    LabelError,
    LabelItem,
    parse_zpl,
    printing,
    render_labels_zpl,
)
from workbench.labels import jobs as label_jobs
from workbench.labels.printing import PrinterError, PrinterUnreachable, parse_printer
from workbench.replica import Replica, open_replica

SCHEME = IdScheme("id.example-mill.com", "acme-mills")


class ZebraStub:
    """A raw-port printer: accepts connections on 127.0.0.1 and keeps what each one sent."""

    def __init__(
        self, on_accept: Callable[[], Any] | None = None, port: int = 0, read: bool = True
    ) -> None:
        self.sock = socket.create_server(("127.0.0.1", port))
        self.port = self.sock.getsockname()[1]
        self.on_accept, self.read = on_accept, read
        self.received: list[bytes] = []
        self.seen_at_accept: list[Any] = []
        self.errors: list[BaseException] = []
        self.done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def printer(self) -> str:
        return f"zpl://127.0.0.1:{self.port}?dpi=203"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return  # closed
            if self.done.is_set():
                conn.close()
                return
            with conn:
                try:
                    if self.on_accept is not None:
                        self.seen_at_accept.append(self.on_accept())
                    if not self.read:
                        self.done.wait(10)
                        continue
                    chunks = []
                    while chunk := conn.recv(65536):
                        chunks.append(chunk)
                    self.received.append(b"".join(chunks))
                except BaseException as exc:
                    self.errors.append(exc)

    def wait_for(self, jobs: int, timeout_s: float = 10) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.received) < jobs and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.received) >= jobs, f"the printer received {len(self.received)} job(s)"

    def close(self) -> None:
        self.done.set()
        with contextlib.suppress(OSError):  # wakes the accept() so the thread can end
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        self._thread.join(5)
        self.sock.close()


@pytest.fixture
def zebras() -> Iterator[list[ZebraStub]]:
    started: list[ZebraStub] = []
    yield started
    for zebra in started:
        zebra.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then let go)."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    opened = open_replica(tmp_path / "acme-mills" / "replica.sqlite")
    opened.set_state("username", "floor@acme")
    yield opened
    opened.close()


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(printing, "RETRY_PAUSE_S", 0.05)


def items() -> list[LabelItem]:
    return [
        LabelItem(
            code="PO-2026-0000042",
            kind="order",
            lot="L2411-07",
            style="TS-041",
            colour="Écru",
            quantity=Decimal("1200"),
            unit="pc",
            production_date=date(2026, 11, 24),
            mill="Unit 2",
            description="Single Jersey 180",
        ),
        LabelItem(
            gtin="09506000134352",
            lot="A/B12",
            serial="000101",
            quantity=Decimal("52.25"),
            unit="kg",
        ),
    ]


def job_row(replica: Replica, job_id: str | None = None) -> dict[str, Any] | None:
    sql = "SELECT * FROM label_jobs" + (" WHERE id = ?" if job_id else "")
    row = replica.conn.execute(sql, (job_id,) if job_id else ()).fetchone()
    return dict(row) if row else None


def outbox_states(replica: Replica) -> list[str]:
    return [
        json.loads(r["payload"])["state"]
        for r in replica.conn.execute(
            "SELECT payload FROM outbox WHERE table_name = 'label_jobs' ORDER BY seq"
        )
    ]


# --- printer strings ------------------------------------------------------------------------


def test_printer_strings() -> None:
    zebra = parse_printer("zpl://10.0.0.7:6101?dpi=300")
    assert (zebra.kind, zebra.target, zebra.port, zebra.dpi) == ("zpl", "10.0.0.7", 6101, 300)
    assert str(parse_printer("zpl://zebra-3")) == "zpl://zebra-3:9100?dpi=203"
    assert parse_printer("zpl://[fe80::1]:9100").description == "Zebra at [fe80::1]:9100 (203 dpi)"
    assert parse_printer("pdf:/tmp/x/labels.pdf") == printing.Printer("pdf", "/tmp/x/labels.pdf")
    assert parse_printer("system:Office Laser").target == "Office Laser"
    assert parse_printer("system:").description == "the default printer"
    with pytest.raises(PrinterError, match=r"dpi '250'"):
        parse_printer("zpl://zebra?dpi=250")
    with pytest.raises(PrinterError, match=r"port must be a number"):
        parse_printer("zpl://zebra:99999")
    with pytest.raises(PrinterError, match=r"'lpt1' is not a printer"):
        parse_printer("lpt1")


def test_items_survive_json() -> None:
    original = items()
    text = label_jobs.items_to_json(original)
    assert json.loads(text)[0]["quantity"] == "1200" and "Écru" in text
    assert label_jobs.items_from_json(text) == original
    with pytest.raises(LabelError, match=r"item 1 of the job"):
        label_jobs.items_from_json('[{"code": "X", "quantity": "lots", "unit": "kg"}]')


def test_scheme_follows_the_replica(replica: Replica) -> None:
    assert label_jobs.scheme_for(replica) == IdScheme("id.mill-workbench.example", "acme-mills")
    replica.set_state("server_url", "https://sync.acme.example:8443")
    replica.set_state("workspace_name", "acme")
    assert label_jobs.scheme_for(replica) == IdScheme("sync.acme.example", "acme")


# --- the Zebra over TCP ---------------------------------------------------------------------


def test_a_job_is_saved_and_queued_before_the_printer_gets_its_exact_zpl(
    replica: Replica, zebras: list[ZebraStub], monkeypatch: pytest.MonkeyPatch
) -> None:
    def in_replica() -> tuple[dict[str, Any] | None, list[str]]:
        return job_row(replica), outbox_states(replica)

    zebra = ZebraStub(in_replica)  # looks again when it accepts the connection
    zebras.append(zebra)
    at_connect = []
    connect = socket.create_connection

    def connecting(*args: Any, **kwargs: Any) -> socket.socket:
        at_connect.append(in_replica())  # the moment the printer is contacted
        return connect(*args, **kwargs)

    monkeypatch.setattr(printing.socket, "create_connection", connecting)
    job = label_jobs.print_labels(
        replica, items(), "thermal-100x50", zebra.printer, copies=2, scheme=SCHEME
    )
    zebra.wait_for(1)
    assert zebra.errors == []
    [(row_then, outbox_then)] = at_connect
    assert row_then is not None and row_then["id"] == job.id
    assert (row_then["state"], row_then["printed_at"]) == ("queued", None)
    assert outbox_then == ["queued"]
    [(row_seen, outbox_seen)] = zebra.seen_at_accept
    assert row_seen is not None and row_seen["id"] == job.id and outbox_seen[0] == "queued"

    expected = render_labels_zpl(items(), "thermal-100x50", 203, scheme=SCHEME, copies=2)
    assert zebra.received == [expected.encode("utf-8")]
    labels = parse_zpl(zebra.received[0].decode("utf-8"))
    assert [qr.data for label in labels for qr in label.qr] == [i.uri(SCHEME) for i in items()]
    assert {label.copies for label in labels} == {2}
    assert "Colour Écru" in labels[0].texts

    row = job_row(replica, job.id)
    assert row is not None
    assert (row["state"], row["error"], row["created_by"]) == ("printed", None, "floor@acme")
    assert row["printed_at"] and row["printer"] == zebra.printer and row["copies"] == 2
    assert label_jobs.items_from_json(row["items"]) == items()
    assert outbox_states(replica) == ["queued", "printed"]
    assert label_jobs.pending_jobs(replica) == []
    assert [j.id for j in label_jobs.todays_jobs(replica)] == [job.id]


def test_an_unreachable_printer_fails_after_a_retry_and_the_job_is_kept(
    replica: Replica, zebras: list[ZebraStub]
) -> None:
    port = closed_port()
    with pytest.raises(PrinterUnreachable) as caught:
        label_jobs.print_labels(
            replica, items(), "thermal-50x25", f"zpl://127.0.0.1:{port}", scheme=SCHEME
        )
    assert caught.value.attempts == 2
    assert f"printer 127.0.0.1:{port} is unreachable: connection refused" in str(caught.value)
    [failed] = label_jobs.pending_jobs(replica)
    assert failed.state == "failed" and failed.error == str(caught.value)
    assert failed.items == tuple(items()) and failed.printed_at is None
    assert outbox_states(replica) == ["queued", "failed"]

    # the printer is back (here: another one): the same job prints, nothing is lost
    zebra = ZebraStub()
    zebras.append(zebra)
    retried = label_jobs.retry_job(replica, failed.id, printer=zebra.printer, scheme=SCHEME)
    zebra.wait_for(1)
    assert zebra.received == [
        render_labels_zpl(items(), "thermal-50x25", 203, scheme=SCHEME).encode("utf-8")
    ]
    assert (retried.id, retried.state, retried.error) == (failed.id, "printed", None)
    assert retried.printer == zebra.printer
    assert label_jobs.pending_jobs(replica) == []
    assert outbox_states(replica) == ["queued", "failed", "queued", "printed"]
    with pytest.raises(PrinterError, match=r"was printed at .*: reprint it"):
        label_jobs.retry_job(replica, failed.id, scheme=SCHEME)
    again = label_jobs.reprint_job(replica, failed.id, scheme=SCHEME)
    zebra.wait_for(2)
    assert (again.id, again.state) != (failed.id, "queued") and again.state == "printed"
    assert zebra.received[1] == zebra.received[0]


def test_the_retry_reaches_a_printer_that_comes_up_meanwhile(zebras: list[ZebraStub]) -> None:
    port = closed_port()

    def switch_on() -> None:
        time.sleep(0.2)
        zebras.append(ZebraStub(port=port))

    threading.Thread(target=switch_on, daemon=True).start()
    sent = printing.send_zpl("127.0.0.1", port, "^XA^XZ\n", retry_pause_s=1.0)
    assert sent == 7
    zebras[0].wait_for(1)
    assert zebras[0].received == [b"^XA^XZ\n"]
    with pytest.raises(PrinterUnreachable, match=r"tried once"):
        printing.send_zpl("127.0.0.1", closed_port(), "^XA^XZ\n", retries=0)


def test_a_printer_that_stops_reading_times_out(zebras: list[ZebraStub]) -> None:
    stalled = ZebraStub(read=False)
    zebras.append(stalled)
    started = time.monotonic()
    with pytest.raises(PrinterUnreachable, match=r"no answer \(timed out\) \(tried 2 times\)"):
        printing.send_zpl("127.0.0.1", stalled.port, b"^XA" + b"x" * 64_000_000, send_timeout_s=0.3)
    assert time.monotonic() - started < 10


def test_jobs_that_could_never_print_are_refused_before_they_are_saved(
    replica: Replica, tmp_path: Path
) -> None:
    with pytest.raises(LabelError, match=r"a4-sheet-3x8 is a sheet template"):
        label_jobs.print_labels(replica, items(), "a4-sheet-3x8", "zpl://zebra", scheme=SCHEME)
    with pytest.raises(LabelError, match=r"item 1: lot 'bad lot'"):
        label_jobs.print_labels(
            replica,
            [LabelItem(code="X", lot="bad lot")],
            "thermal-50x25",
            f"pdf:{tmp_path / 'x.pdf'}",
            scheme=SCHEME,
        )
    with pytest.raises(PrinterError, match=r"is not a printer"):
        label_jobs.print_labels(replica, items(), "thermal-50x25", "lpt1", scheme=SCHEME)
    assert job_row(replica) is None and outbox_states(replica) == []


def test_pdf_printers_write_whole_files_and_failures_are_kept(
    replica: Replica, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "labels.pdf"
    job = label_jobs.print_labels(
        replica, items(), "a4-sheet-3x8", f"pdf:{target}", copies=3, scheme=SCHEME
    )
    assert job.state == "printed" and job.labels == 6
    assert target.read_bytes().startswith(b"%PDF-") and list(target.parent.iterdir()) == [target]
    blocked = tmp_path / "a-folder.pdf"
    blocked.mkdir()
    with pytest.raises(PrinterError, match=r"cannot write .*a-folder.pdf"):
        label_jobs.print_labels(replica, items(), "a4-sheet-3x8", f"pdf:{blocked}", scheme=SCHEME)
    [failed] = label_jobs.pending_jobs(replica)
    assert failed.state == "failed" and "cannot write" in (failed.error or "")
    with pytest.raises(PrinterError, match=r"is a system printer"):
        label_jobs.print_labels(replica, items(), "a4-sheet-3x8", "system:", scheme=SCHEME)


# --- the server's audit trail ---------------------------------------------------------------


def test_pushed_label_jobs_are_audited_with_their_printer_and_state(
    server: Server, tmp_path: Path, zebras: list[ZebraStub]
) -> None:
    workspace, _info, _warning = sign_in(server.url, "floor@alpha", PASSWORD, base=tmp_path)
    try:
        sync_workspace(workspace)
        replica = workspace.replica
        zebra = ZebraStub()
        zebras.append(zebra)
        scheme = label_jobs.scheme_for(replica)
        assert scheme.workspace == "alpha"
        printed = label_jobs.print_labels(
            replica, items(), "thermal-100x50", zebra.printer, copies=3
        )
        with pytest.raises(PrinterUnreachable):
            label_jobs.print_labels(
                replica, items()[:1], "thermal-50x25", f"zpl://127.0.0.1:{closed_port()}"
            )
        report = sync_workspace(workspace)
        assert (report.pushed, report.rejected, report.pending) == (4, 0, 0)
    finally:
        workspace.close()
    with server.engine.connect() as conn:
        trail = list(audit.entries(conn, server.workspaces["alpha"]))
    jobs = [e for e in trail if e.action == "label.job"]
    assert [(e.actor, e.details["state"]) for e in jobs] == [
        ("floor@alpha", "queued"),
        ("floor@alpha", "printed"),
        ("floor@alpha", "queued"),
        ("floor@alpha", "failed"),
    ]
    assert jobs[1].subject == printed.id
    assert jobs[1].details == {
        "template": "thermal-100x50",
        "printer": zebra.printer,
        "copies": 3,
        "state": "printed",
        "items": 2,
        # its order code's traceability page answers from now on
        "published": ["order/PO-2026-0000042"],
    }
    assert jobs[3].details["items"] == 1 and "unreachable" in jobs[3].details["error"]
    assert audit.verify(server.engine, "alpha")[0].ok
