"""The label station opens before its start-up reads have arrived (they run on a worker):
it says it is opening and nothing can print, be scanned or be chosen until they are shown;
then the stock, printer, user and jobs last kept on this laptop fill in."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests import test_label_station as station_tests
from tests.test_label_station import scan
from ui.ops import OpRunner
from ui.station import LabelStation
from workbench.labels import jobs as label_jobs
from workbench.labels import station as label_station
from workbench.labels.station import PRINTER_KEY, TEMPLATE_KEY
from workbench.replica import queries
from workbench.workspace import Workspace

workspace, stations = station_tests.workspace, station_tests.stations  # fixtures


def held_start(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold the station's start-up reads back on their worker until the second event is set;
    the first is set once they are being read."""
    reading, release = threading.Event(), threading.Event()
    original = label_station.station_start

    def held(*args: Any, **kwargs: Any) -> label_station.StationStart:
        reading.set()
        release.wait(30)
        return original(*args, **kwargs)

    monkeypatch.setattr(label_station, "station_start", held)
    return reading, release


def test_the_station_cannot_print_or_scan_until_its_start_up_reads_arrive(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    pdf = tmp_path / "kept.pdf"
    workspace.replica.set_state(TEMPLATE_KEY, "thermal-50x25")
    workspace.replica.set_state(PRINTER_KEY, f"pdf:{pdf}")
    reading, release = held_start(monkeypatch)
    station = LabelStation(workspace, OpRunner())
    qtbot.addWidget(station)
    stations.append(station)
    station.show()
    qtbot.waitUntil(reading.is_set, timeout=10_000)
    printed: list[object] = []
    station.printed.connect(printed.append)
    station.print_failed.connect(printed.append)

    assert not station.is_open
    assert "Opening" in station.message.text()
    assert "Opening" in station.scan_box.placeholderText()
    assert not station.print_button.isEnabled() and not station.scan_box.isEnabled()
    assert not station.template_box.isEnabled() and not station.copies.isEnabled()
    qtbot.keyClick(station, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    qtbot.keyClicks(station.scan_box, "ORD-1")
    assert station.scan_box.text() == "" and printed == []

    with qtbot.waitSignal(station.opened, timeout=10_000):
        release.set()
    assert station.is_open and station.print_button.isEnabled()
    assert station.template_box.currentText() == "thermal-50x25"  # what this laptop used last
    assert station.printer_string() == f"pdf:{pdf}"
    assert station.scheme == label_jobs.scheme_for(workspace.replica, workspace.name)
    assert "Scan" in station.message.text() and "Scan" in station.scan_box.placeholderText()
    qtbot.waitUntil(station.scan_box.hasFocus)
    order = queries.newest_order_no(workspace.replica.conn)
    assert order is not None
    assert getattr(scan(qtbot, station, order), "found", False)
    with qtbot.waitSignal(station.printed, timeout=30_000):
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    assert pdf.exists() and len(printed) == 1


def test_a_station_whose_start_up_reads_fail_says_so_and_stays_shut(
    qtbot: QtBot,
    workspace: Workspace,
    stations: list[LabelStation],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> label_station.StationStart:
        raise RuntimeError("the replica could not be read")

    monkeypatch.setattr(label_station, "station_start", broken)
    station = LabelStation(workspace, OpRunner())
    qtbot.addWidget(station)
    stations.append(station)
    station.show()
    qtbot.waitUntil(lambda: "could not be read" in station.message.text(), timeout=10_000)
    assert not station.is_open and not station.print_button.isEnabled()
    assert not station.scan_box.isEnabled()
