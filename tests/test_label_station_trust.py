"""The label station on the floor's screens, under pytest-qt with real mouse and key events:
laid out whole at 1024×768 and 1280×800 with touch-sized buttons; failed jobs retried without
hunting for them; a number that names nothing asked about before it becomes a lot; a preview
that is the label that prints; the PDF's path shown whole or elided in the middle."""

from __future__ import annotations

import io
import itertools
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from tests.test_label_station import (
    LOCAL_SCHEME,
    an_order,
    decoded_pages,
    open_station,
    scan,
    stations,
    workspace,
)
from ui.station import LabelStation
from workbench.labels import LabelItem
from workbench.labels import jobs as label_jobs
from workbench.workspace import Workspace

__all__ = ["stations", "workspace"]  # fixtures shared with the station's other tests


def _rect(widget: QWidget, window: QWidget) -> QRect:
    return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())


def main_controls(station: LabelStation) -> dict[str, QWidget]:
    return {
        "scan box": station.scan_box,
        **{f"field {name}": edit for name, edit in station.fields.items()},
        "message": station.message,
        "retry all": station.retry_button,
        "jobs": station.jobs_table,
        "stock": station.template_box,
        "copies": station.copies,
        "printer kind": station.printer_kind,
        "choose": station.choose_button,
        "pdf path": station.printer_path,
        "print": station.print_button,
        "reprint": station.reprint_button,
        "preview": station.preview,
    }


@pytest.mark.parametrize("size", [(1024, 768), (1280, 800)])
def test_the_station_fits_the_floors_screens(
    qtbot: QtBot, workspace: Workspace, stations: list, size: tuple[int, int]
) -> None:
    station = open_station(qtbot, workspace, stations)
    scan(qtbot, station, an_order(workspace)["order_no"])
    station.resize(*size)
    qtbot.waitUntil(lambda: (station.width(), station.height()) == size)
    QApplication.processEvents()
    window = station.rect()
    inside = [
        w
        for w in station.findChildren(QWidget)
        if w.isVisible() and not station.jobs_table.isAncestorOf(w)
    ]
    outside = [
        w.objectName() or type(w).__name__ for w in inside if not window.contains(_rect(w, station))
    ]
    assert outside == []
    controls = main_controls(station)
    assert all(widget.isVisible() for widget in controls.values())
    overlapping = [
        (a, b)
        for (a, wa), (b, wb) in itertools.combinations(controls.items(), 2)
        if _rect(wa, station).intersects(_rect(wb, station))
    ]
    assert overlapping == []
    buttons = [w for w in station.centralWidget().findChildren(QPushButton) if w.isVisible()]
    assert buttons and min(b.height() for b in buttons) >= 40  # touch-sized
    assert station.print_button.height() >= 60 and station.print_button.width() >= 200
    assert station.jobs_table.height() >= 150  # the jobs list in view, a few rows of it
    assert station.preview.image.height() >= 80


def test_the_station_opens_within_the_screen(
    qtbot: QtBot, workspace: Workspace, stations: list
) -> None:
    station = open_station(qtbot, workspace, stations)
    room = station.screen().availableGeometry()
    assert station.width() <= max(room.width(), 1024)
    assert station.height() <= max(room.height(), 768)
    assert station.minimumSizeHint().width() <= 1024
    assert station.minimumSizeHint().height() <= 768


def _failed_jobs(workspace: Workspace, count: int) -> list[str]:
    """Jobs that failed on a printer that cannot be written (a PDF in a missing folder)."""
    ids = []
    for number in range(count):
        item = LabelItem(code=f"LOT-{number}", kind="lot", lot=f"LOT-{number}")
        with pytest.raises(label_jobs.PrinterError):
            label_jobs.print_labels(
                workspace.replica,
                [item],
                "thermal-100x50",
                "pdf:/proc/no-such-folder/labels.pdf",
                scheme=LOCAL_SCHEME,
            )
        ids.append(label_jobs.pending_jobs(workspace.replica)[-1].id)
    return ids


def test_retry_failed_is_enabled_whenever_a_job_failed_and_reprints_them_all(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    failed = _failed_jobs(workspace, 2)
    station = open_station(qtbot, workspace, stations)
    qtbot.waitUntil(lambda: len(station.jobs) == 2)
    assert station.selected_job() is None
    assert station.retry_button.isEnabled()  # no row to find and select first
    assert station.retry_button.text() == "Retry failed (2)"
    assert set(station.jobs_list.row_buttons) == set(failed)
    target = tmp_path / "retried.pdf"
    station.set_printer(f"pdf:{target}")
    with qtbot.waitSignals([station.printed, station.printed], timeout=30_000):
        qtbot.mouseClick(station.retry_button, Qt.MouseButton.LeftButton)
    assert label_jobs.pending_jobs(workspace.replica) == []
    states = {job_id: label_jobs.get_job(workspace.replica, job_id) for job_id in failed}
    assert {job.state for job in states.values()} == {"printed"}
    assert {job.printer for job in states.values()} == {f"pdf:{target}"}
    assert "2 of 2 jobs printed" in station.message.text()
    qtbot.waitUntil(lambda: not station.retry_button.isEnabled())
    assert station.jobs_list.row_buttons == {}
    assert decoded_pages(target.read_bytes())[0] == [
        [LabelItem(code="LOT-1", kind="lot", lot="LOT-1").uri(LOCAL_SCHEME)]
    ]  # the last one retried


def _question(qtbot: QtBot, station: LabelStation) -> QMessageBox:
    qtbot.waitUntil(
        lambda: station.unknown_question is not None and station.unknown_question.isVisible()
    )
    question = station.unknown_question
    assert question is not None
    return question


def test_an_unknown_number_is_asked_about_and_no_creates_nothing(
    qtbot: QtBot, workspace: Workspace, stations: list
) -> None:
    station = open_station(qtbot, workspace, stations)
    found = scan(qtbot, station, "XQ-99871")
    assert getattr(found, "found", None) is False
    question = _question(qtbot, station)
    assert "XQ-99871 is not an order, material or lot" in question.text()
    assert question.defaultButton() is question.button(QMessageBox.StandardButton.No)
    assert station.fields["lot"].text() == "" and station.scan is None  # nothing to print yet
    # a scanner's Enter (or the operator's) answers the default: No
    with qtbot.waitSignal(station.unknown_answered) as answer:
        qtbot.keyClick(question, Qt.Key.Key_Return)
    assert answer.args == [False]
    assert station.scan is None and station.fields["lot"].text() == ""
    assert "XQ-99871 not used" in station.message.text()
    with qtbot.waitSignal(station.print_failed) as refused:
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    assert refused.args[0] == "scan or type an order or lot number first"
    assert workspace.replica.conn.execute("SELECT count(*) FROM label_jobs").fetchone()[0] == 0


def test_yes_makes_a_new_lot_which_is_known_the_next_time(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    station = open_station(qtbot, workspace, stations)
    scan(qtbot, station, "DL-4471")
    question = _question(qtbot, station)
    with qtbot.waitSignal(station.unknown_answered) as answer:
        qtbot.mouseClick(question.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    assert answer.args == [True]
    assert station.fields["lot"].text() == "DL-4471" and station.scan is not None
    station.set_printer(f"pdf:{tmp_path / 'lot.pdf'}")
    with qtbot.waitSignal(station.printed, timeout=30_000):
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    again = scan(qtbot, station, "dl-4471")  # printed once: a lot of this workspace now
    assert getattr(again, "found", None) is True and "printed before" in again.summary
    assert station.unknown_question is None and station.fields["lot"].text() == "DL-4471"


def _qr_of_png(png: bytes) -> list[str]:
    return [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def test_the_preview_is_the_label_that_prints(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    station = open_station(qtbot, workspace, stations)
    with qtbot.waitSignal(station.preview_shown, timeout=30_000) as shown:
        scan(qtbot, station, an_order(workspace)["order_no"])
    assert isinstance(shown.args[0], bytes)
    assert station.preview.pixmap is not None and not station.preview.image.pixmap().isNull()
    station.scan_box.clearFocus()
    with qtbot.waitSignal(station.preview_shown, timeout=30_000) as shown:
        qtbot.mouseClick(station.fields["lot"], Qt.MouseButton.LeftButton)
        qtbot.keyClicks(station.fields["lot"], "L2411-07")
    png = shown.args[0]
    target = tmp_path / "printed.pdf"
    station.set_printer(f"pdf:{target}")
    with qtbot.waitSignal(station.printed, timeout=30_000):
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    printed_codes, printed_texts = decoded_pages(target.read_bytes())
    assert _qr_of_png(png) == printed_codes[0] and "L2411-07" in printed_codes[0][0]
    page = pdfium.PdfDocument(target.read_bytes())[0].render(scale=200 / 72).to_pil()
    assert Image.open(io.BytesIO(png)).size == page.size  # the same page, pixel for pixel
    assert "Lot L2411-07" in printed_texts[0]
    # a label that cannot print says why in the preview, before Print is pressed
    with qtbot.waitSignal(station.preview_shown, timeout=10_000) as shown:
        qtbot.keyClicks(station.fields["lot"], " bad")
    assert isinstance(shown.args[0], str) and "lot" in shown.args[0]
    assert station.preview.pixmap is None
    assert station.preview.image.text().startswith("Cannot print:")


def test_the_pdf_path_is_shown_whole_or_elided_in_the_middle(
    qtbot: QtBot, workspace: Workspace, stations: list, tmp_path: Path
) -> None:
    station = open_station(qtbot, workspace, stations)
    station.resize(1024, 768)
    deep = tmp_path.joinpath(*[f"folder-{n:02d}" for n in range(12)]) / "shift-2-labels.pdf"
    station.set_printer(f"pdf:{deep}")
    QApplication.processEvents()
    path = station.printer_path
    assert path.isVisible() and not station.printer_target.isVisible()
    assert path.full_text() == str(deep) and path.toolTip() == str(deep)
    shown = path.shown_text()
    assert "…" in shown and shown != str(deep)
    head, tail = shown.split("…")
    assert str(deep).startswith(head) and str(deep).endswith(tail)
    assert tail.endswith("shift-2-labels.pdf")  # the file's name is never the part cut
    assert path.fontMetrics().horizontalAdvance(shown) <= path.contentsRect().width()
    assert station.printer_string() == f"pdf:{deep}"
    station.set_printer("pdf:/srv/labels/a.pdf")
    assert path.shown_text() == "/srv/labels/a.pdf"  # short: whole


def _fits(edit: QWidget) -> bool:
    """A line edit shows its whole text (nothing scrolled out of sight at either end)."""
    text = edit.text()  # type: ignore[attr-defined]
    margins = edit.textMargins()  # type: ignore[attr-defined]
    padding = 2 * 8 + 2 * 2  # the station's padding each side, and QLineEdit's own margin
    room = edit.contentsRect().width() - margins.left() - margins.right() - padding
    return edit.fontMetrics().horizontalAdvance(text) <= room


def an_order_with_the_longest_mill(workspace: Workspace) -> str:
    """The order whose mill has the longest name, whatever the day: the demo's orders are dated
    back from today and numbered by year, so a fixed position names another order each year."""
    row = workspace.replica.conn.execute(
        "SELECT order_no FROM orders ORDER BY length(mill) DESC, order_no LIMIT 1"
    ).fetchone()
    return str(row[0])


@pytest.mark.parametrize("size", [None, (1024, 768), (1280, 800)])
def test_a_failed_print_message_and_the_mill_show_whole(
    qtbot: QtBot, workspace: Workspace, stations: list, size: tuple[int, int] | None
) -> None:
    station = open_station(qtbot, workspace, stations)  # None: at the size it opens at
    if size is not None:
        station.resize(*size)
        qtbot.waitUntil(lambda: (station.width(), station.height()) == size)
    scan(qtbot, station, an_order_with_the_longest_mill(workspace))
    mill = station.fields["mill"]
    if size is not None:  # the screens it is laid out for (it opens narrower on a narrower one)
        assert len(mill.text()) > 20 and _fits(mill), (mill.text(), mill.width())
    folder = "/proc/no-such-folder/" + "/".join(f"shift-{n}-labels" for n in range(14))
    station.set_printer(f"pdf:{folder}/labels.pdf")
    with qtbot.waitSignal(station.print_failed, timeout=30_000):
        qtbot.mouseClick(station.print_button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    message = station.message
    assert "Not printed" in message.text() and folder in message.text()
    assert message.height() >= message.heightForWidth(message.width())  # no line cut off
    assert _rect(message, station).bottom() <= station.jobs_table.mapTo(station, QPoint(0, 0)).y()
    assert station.jobs_table.height() >= 150


def test_the_wheel_over_the_stock_copies_or_printer_changes_nothing(
    qtbot: QtBot, workspace: Workspace, stations: list
) -> None:
    """A mouse wheel turned over the print controls leaves the label stock, the number of
    copies and the printer as the operator set them; the scan field keeps the focus."""
    from tests.cost_sheet_helpers import wheel

    station = open_station(qtbot, workspace, stations)
    panel = station.print_panel
    boxes = (panel.template_box, panel.printer_kind, panel.printer_dpi)
    before = [box.currentIndex() for box in boxes], panel.copies.value()
    for box in boxes:
        wheel(box, -1)  # towards the next stock or printer
    wheel(panel.copies, +1)  # towards more copies
    assert ([box.currentIndex() for box in boxes], panel.copies.value()) == before
    assert all(box.focusPolicy() == Qt.FocusPolicy.NoFocus for box in boxes)  # as designed
