"""Serial-number runs over real HTTP: no serial is printed twice, across stations, online or off.

Two floor stations and an admin's laptop, each with its own replica, run seeded scripts at
the same time against a sync server on a loopback port (SQLite and PostgreSQL): runs printed
online, blocks reserved in advance, and runs printed from those blocks while their
connection is cut. Every serial any of them printed is then checked against the others and
against the blocks the server recorded for that device.
"""

from __future__ import annotations

import random
import tempfile
import threading
from collections import Counter
from itertools import pairwise
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
import zxingcpp
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from sync.client import SyncClient
from sync.client.api import SyncError
from sync.server import schema
from tests.sync_fixtures import Server
from workbench.labels import IdScheme, LabelError, LabelItem, render_labels_pdf
from workbench.labels.gs1_128 import parse_element_string
from workbench.labels.serials import (
    add_block,
    reserved,
    serial_items,
    series_of,
    take_reserved,
)
from workbench.replica import open_replica

GTIN = "09506000134352"
SERIES = GTIN


class Cable(httpx.HTTPTransport):
    """A station's network: unplugged, every request fails to connect."""

    def __init__(self) -> None:
        super().__init__()
        self.plugged = True

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if not self.plugged:
            raise httpx.ConnectError("the network cable is out", request=request)
        return super().handle_request(request)


def _station(server: Server, username: str, folder: Path) -> tuple[SyncClient, Cable]:
    folder.mkdir()
    cable = Cable()
    client = SyncClient(
        open_replica(folder / "replica.sqlite"),
        server.url,
        server.login(username),
        retries=0,
        backoff_s=0.01,
        transport=cable,
    )
    return client, cable


def _script(client: SyncClient, cable: Cable, seed: int, printed: list[int]) -> None:
    """Twenty steps of a station's day: reserve a block, print runs online, print offline."""
    rng = random.Random(seed)
    client.reserve_serials(SERIES, rng.randint(5, 40))
    for _ in range(20):
        step = rng.random()
        if step < 0.2:
            cable.plugged = True
            client.reserve_serials(SERIES, rng.randint(1, 30))
        elif step < 0.6:
            cable.plugged = True
            printed.extend(client.serial_run(SERIES, rng.randint(1, 25)))
        else:
            cable.plugged = False
            held = reserved(client.replica, SERIES)
            if held:
                printed.extend(client.serial_run(SERIES, rng.randint(1, held)))
            else:
                with pytest.raises(LabelError, match="holds 0 reserved serials"):
                    client.serial_run(SERIES, 1)


def _server_blocks(server: Server, workspace: str) -> list[dict[str, Any]]:
    b = schema.serial_blocks
    with server.engine.connect() as conn:
        rows = conn.execute(
            sa.select(b.c.first_serial, b.c.last_serial, b.c.device_id, b.c.purpose)
            .where(b.c.workspace_id == server.workspaces[workspace], b.c.series == SERIES)
            .order_by(b.c.first_serial)
        )
        return [dict(r._mapping) for r in rows]


@pytest.mark.parametrize("seed", [1, 2])
def test_stations_printing_at_once_never_print_the_same_serial(
    server: Server, tmp_path: Path, seed: int
) -> None:
    users = ["floor@alpha", "floor@alpha", "admin@alpha"]
    stations = [_station(server, u, tmp_path / f"station-{n}") for n, u in enumerate(users)]
    printed: list[list[int]] = [[] for _ in stations]
    errors: list[BaseException] = []
    start = threading.Barrier(len(stations))

    def work(n: int) -> None:
        try:
            start.wait()
            _script(*stations[n], seed * 10 + n, printed[n])
        except BaseException as exc:  # reported below, with its station
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(len(stations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    everything = [serial for run in printed for serial in run]
    twice = [serial for serial, times in Counter(everything).items() if times > 1]
    assert not twice, f"printed more than once: {twice[:10]}"
    assert all(run for run in printed)  # every station printed something

    blocks = _server_blocks(server, "alpha")
    # the server's blocks are consecutive and never overlap: 1..N handed out exactly once
    assert blocks[0]["first_serial"] == 1
    for before, after in pairwise(blocks):
        assert after["first_serial"] == before["last_serial"] + 1
    # what a station printed lies in blocks handed to that station's device
    device_of = {}
    for block in blocks:
        for serial in range(block["first_serial"], block["last_serial"] + 1):
            device_of[serial] = block["device_id"]
    for run in printed:
        assert len({device_of[serial] for serial in run}) == 1
    assert len({device_of[run[0]] for run in printed}) == 3  # three devices, three owners
    # offline blocks were used: some serials printed came from "reserve" blocks
    reserve = {
        s
        for b in blocks
        if b["purpose"] == "reserve"
        for s in range(b["first_serial"], b["last_serial"] + 1)
    }
    assert reserve & set(everything)
    for client, _cable in stations:
        client.close()


def test_serials_are_counted_per_workspace(server: Server, tmp_path: Path) -> None:
    alpha, _ = _station(server, "floor@alpha", tmp_path / "alpha")
    beta, _ = _station(server, "floor@beta", tmp_path / "beta")
    assert alpha.serial_run(SERIES, 3) == [1, 2, 3]
    assert beta.serial_run(SERIES, 2) == [1, 2]  # another workspace's series of the same GTIN
    assert alpha.serial_run(SERIES, 1) == [4]
    assert alpha.serial_run("roll/FAB-7731", 2) == [1, 2]
    alpha.close()
    beta.close()


def test_who_may_take_serials_and_what_is_refused(server: Server) -> None:
    with server.client(server.login("merchandiser@alpha")) as http:
        answer = http.post("/v1/serials", json={"series": SERIES, "count": 5})
        assert answer.status_code == 403 and answer.json()["error"] == "forbidden"
    with server.client(server.login("floor@alpha")) as http:
        for body, field in (
            ({"series": SERIES, "count": 0}, "count"),
            ({"series": SERIES, "count": 10_001}, "count"),
            ({"series": "", "count": 1}, "series"),
            ({"series": "a\nb", "count": 1}, "series"),
            ({"series": SERIES, "count": 1, "purpose": "gift"}, "purpose"),
        ):
            answer = http.post("/v1/serials", json=body)
            assert answer.status_code == 422, body
            assert answer.json()["field"] == field
        answer = http.post("/v1/serials", json={"series": "half", "count": 2.5})
        assert answer.status_code == 422 and answer.json()["field"] == "count"
        answer = http.post("/v1/serials", json={"series": "whole", "count": 3.0})
        assert answer.status_code == 200 and answer.json()["last"] == 3  # JSON's integer 3.0
        answer = http.post("/v1/serials", content=b"{not json")
        assert answer.status_code == 400 and answer.json()["error"] == "bad_json"
    with server.client() as http:
        assert http.post("/v1/serials", json={"series": SERIES, "count": 1}).status_code == 401
    assert _server_blocks(server, "alpha") == []  # nothing refused was handed out of SERIES


def test_offline_without_enough_reserved_takes_nothing(server: Server, tmp_path: Path) -> None:
    client, cable = _station(server, "floor@alpha", tmp_path / "station")
    client.reserve_serials(SERIES, 5)
    cable.plugged = False
    with pytest.raises(LabelError, match="holds 5 reserved serials and the run needs 6"):
        client.serial_run(SERIES, 6)
    assert client.serial_run(SERIES, 5) == [1, 2, 3, 4, 5]
    assert reserved(client.replica, SERIES) == 0
    with pytest.raises(SyncError):
        client.reserve_serials(SERIES, 5)  # reserving needs the server
    client.close()


def test_a_run_prints_each_label_with_its_own_serial_in_both_codes() -> None:
    import pypdfium2 as pdfium

    item = LabelItem(gtin=GTIN, lot="L2411-07", description="Jersey 180")
    assert series_of(item) == GTIN
    assert series_of(LabelItem(code="FAB-7731", kind="roll")) == "roll/FAB-7731"
    items = serial_items(item, [41, 42, 43])
    pdf = render_labels_pdf(items, "thermal-100x50", scheme=IdScheme("id.example-mill.com", "a"))
    for page, serial in zip(pdfium.PdfDocument(pdf), ["41", "42", "43"], strict=True):
        image = page.render(scale=300 / 72).to_pil()
        found = zxingcpp.read_barcodes(image, text_mode=zxingcpp.TextMode.Plain)
        qr = next(r.text for r in found if r.format == zxingcpp.BarcodeFormat.QRCode)
        linear = next(r.text for r in found if r.format == zxingcpp.BarcodeFormat.Code128)
        assert qr.endswith(f"/10/L2411-07/21/{serial}")
        assert parse_element_string(linear)["21"] == serial
        assert f"Serial {serial}" in page.get_textpage().get_text_range()
    with pytest.raises(LabelError, match="already has serial"):
        serial_items(LabelItem(gtin=GTIN, serial="7"), [1])


def test_a_users_serial_blocks_are_in_their_data_export(server: Server, tmp_path: Path) -> None:
    from sync.server.privacy import export_user

    floor, _ = _station(server, "floor@alpha", tmp_path / "floor")
    admin, _ = _station(server, "admin@alpha", tmp_path / "admin")
    floor.reserve_serials(SERIES, 10)
    admin.serial_run(SERIES, 2)
    floor.close()
    admin.close()
    blocks = export_user(server.engine, "floor@alpha")["serial_blocks"]
    assert [(b["series"], b["first_serial"], b["last_serial"], b["purpose"]) for b in blocks] == [
        (SERIES, 1, 10, "reserve")
    ]


class ReserveBook(RuleBasedStateMachine):
    """The station's reserve against a model: the serials held, lowest handed out first, none
    twice, and a run that needs more than are held takes nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.folder = tempfile.TemporaryDirectory()
        self.replica = open_replica(Path(self.folder.name) / "replica.sqlite")
        self.held: list[int] = []
        self.printed: set[int] = set()
        self.next_first = 1

    @rule(gap=st.integers(0, 5), size=st.integers(1, 20))
    def reserve(self, gap: int, size: int) -> None:
        first = self.next_first + gap  # the server's blocks only go up; gaps are allowed
        add_block(self.replica, SERIES, first, first + size - 1)
        self.held = sorted(self.held + list(range(first, first + size)))
        self.next_first = first + size

    @rule(count=st.integers(1, 30))
    def run(self, count: int) -> None:
        if count > len(self.held):
            with pytest.raises(LabelError, match=f"holds {len(self.held)} reserved"):
                take_reserved(self.replica, SERIES, count)
            return
        taken = take_reserved(self.replica, SERIES, count)
        assert taken == self.held[:count]
        assert not self.printed & set(taken)
        self.printed |= set(taken)
        self.held = self.held[count:]

    @invariant()
    def holds_what_the_model_holds(self) -> None:
        assert reserved(self.replica, SERIES) == len(self.held)

    def teardown(self) -> None:
        self.replica.close()
        self.folder.cleanup()


ReserveBook.TestCase.settings = settings(max_examples=60, stateful_step_count=25, deadline=None)
test_the_reserve_hands_out_each_serial_once = ReserveBook.TestCase
