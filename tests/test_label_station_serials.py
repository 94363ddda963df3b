"""A serial run at the label station under pytest-qt: the operator ticks "Serial run", and the
labels print with the server's consecutive serials; with the network cut, from the block the
station reserved after its last run online."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QPoint, Qt
from pytestqt.qtbot import QtBot

from sync import session
from sync.session import sign_in, sync_workspace
from tests import test_label_station
from tests.sync_fixtures import PASSWORD, Server, material, write_rows
from tests.test_label_station import decoded_pages, open_station, scan
from workbench.labels.serials import reserved

SERIES = "material/FAB-88"
#: the station tests' fixture: the stations a test opened, closed after it
stations = test_label_station.stations


class Unplugged(httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("the network cable is out", request=request)


def _print(qtbot: QtBot, station: Any, pdf: Path, copies: int) -> Any:
    station.set_printer(f"pdf:{pdf}")
    station.copies.setValue(copies)
    with qtbot.waitSignal(station.printed, timeout=30_000) as printed:
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    return printed.args[0]


def _serials(pdf: Path) -> list[str]:
    codes, _texts = decoded_pages(pdf.read_bytes())
    return [page[0].rsplit("/21/", 1)[1].split("?")[0] for page in codes]


@pytest.mark.parametrize("server_db", ["sqlite"], indirect=True)
def test_a_serial_run_prints_server_serials_then_reserved_ones_offline(
    qtbot: QtBot, server: Server, tmp_path: Path, stations: list, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_rows(
        server.engine,
        server.workspaces["alpha"],
        "materials",
        [material("FAB-88", name="Pique 220", colour="Ecru")],
    )
    workspace, _info, _warning = sign_in(server.url, "floor@alpha", PASSWORD, base=tmp_path)
    try:
        sync_workspace(workspace)
        station = open_station(qtbot, workspace, stations)
        found = scan(qtbot, station, "FAB-88")
        assert getattr(found, "kind", None) == "material", found
        box = station.serial_run
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))
        assert box.isChecked()

        job = _print(qtbot, station, tmp_path / "online.pdf", 3)
        assert _serials(tmp_path / "online.pdf") == ["1", "2", "3"]
        assert [item.serial for item in job.items] == ["1", "2", "3"] and job.copies == 1
        assert reserved(workspace.replica, SERIES) == session.RESERVE_BLOCK  # 4 to 503

        connect = session.client_for
        monkeypatch.setattr(
            session,
            "client_for",
            lambda ws, **options: connect(ws, **{**options, "transport": Unplugged()}),
        )
        _print(qtbot, station, tmp_path / "offline.pdf", 2)
        assert _serials(tmp_path / "offline.pdf") == ["4", "5"]
        assert reserved(workspace.replica, SERIES) == session.RESERVE_BLOCK - 2
        station.grab().save(str(tmp_path / "station.png"))
    finally:
        for station in stations:
            station.close()
        stations.clear()
        workspace.close()
