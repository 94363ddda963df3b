"""The cost sheet editor under pytest-qt: start from a fabric of the demo workspace, see the
breakdown and the price move as parameters change, add a trim, flag old rates, save, export,
compare, see a lead time; a firm quote from the server, or queued when there is none. And the
capacity view."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QImage, QPainter
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QSplitter, QStyle
from pytestqt.qtbot import QtBot

from tests import cost_sheet_helpers as helpers
from tests.cost_sheet_helpers import answer_prompt, discard_unsaved, knit_fabric
from tests.costing_examples import TSHIRT
from ui.bom_dialog import BomDialog
from ui.capacity_view import CapacityWindow
from ui.cost_sheet import CostSheetWindow
from ui.main_window import MainWindow
from ui.ops import OpRunner
from ui.share_chart import ShareChart
from workbench import quotes
from workbench.costing.sheet import CostSheet
from workbench.demo import generate_demo
from workbench.workspace import Workspace, open_workspace


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("costing") / "demo"
    workspace = open_workspace(root)
    generate_demo(workspace.replica, materials=600, seed=5)
    workspace.search.rebuild()
    workspace.close()
    return root


@pytest.fixture
def window(qtbot: QtBot, demo_path: Path) -> Iterator[MainWindow]:
    workspace: Workspace = open_workspace(demo_path)
    win = MainWindow(workspace, OpRunner())
    qtbot.addWidget(win, before_close_func=discard_unsaved)
    win.show()
    yield win
    discard_unsaved(win)
    for other in win.menus.cost_windows:
        other.close()
    win.close()
    workspace.close()


def open_sheet(qtbot: QtBot, win: MainWindow, fabric_id: str | None) -> CostSheetWindow:
    with qtbot.waitSignal(win.ops.busy_changed, timeout=10_000, check_params_cb=lambda b: not b):
        sheet = win.menus.new_cost_sheet(fabric_id)
    qtbot.waitUntil(lambda: sheet.loaded is not None, timeout=10_000)
    if fabric_id is not None:
        qtbot.waitUntil(lambda: sheet.price is not None, timeout=10_000)
    return sheet


def test_costing_a_style_from_a_demo_fabric(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    price = sheet.price
    assert price is not None and price.price_per_piece > price.cost_per_piece > 0
    components = [
        sheet.panel.breakdown.item(r, 0).text() for r in range(sheet.panel.breakdown.rowCount())
    ]
    assert components[:2] == [f"Yarn {sheet.costed_style.fabric.yarn_count}", "Knitting"]
    assert "Making" in components and "Factory overhead" in components
    assert len(sheet.panel.chart.shares) == len(components)
    assert "Cost" in sheet.panel.cost_label.text() and "Estimate" in sheet.panel.price_label.text()
    assert sheet.plan is not None and sheet.plan.completion > sheet.plan.start
    assert "bottleneck" in sheet.panel.lead_label.text()

    # more wastage costs more, at once
    before = price.cost.total
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        sheet.inputs.consumption.wastage.setText("15")
    assert blocker.args[0].cost.total > before

    # a trim is a new line
    trim_id = window.workspace.replica.conn.execute(
        "SELECT id FROM materials WHERE material_type = 'trim' AND category = 'button' "
        "ORDER BY code LIMIT 1"
    ).fetchone()[0]
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        sheet.materials.add_trim(trim_id, Decimal(6))
    lines = {line.component: line for line in blocker.args[0].cost.lines}
    assert lines["Trims: button"].quantity == 6

    # old rates are flagged: the demo's rates are valid from the 1st of this month
    assert sheet.panel.stale_label.text() == "all rates recent"  # within 180 days
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.panel.max_age.setValue(1)
    if date.today().day > 2:
        assert "highlighted" in sheet.panel.stale_label.text()
        assert sheet.panel.breakdown.item(0, 0).toolTip().startswith("rate valid from")

    # a bad number names the field and keeps the last good figures out of sight
    with qtbot.waitSignal(sheet.computed, timeout=5_000) as blocker:
        sheet.inputs.sam.setText("twelve")
    assert blocker.args[0] is None and sheet.message.text() == "SAM: 'twelve' is not a number"
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.sam.setText("14")

    row = helpers.save(qtbot, sheet)
    stored = json.loads(row["body"])
    assert stored["style"]["making"]["sam"] == "14"
    outbox = "SELECT count(*) FROM outbox WHERE table_name = 'cost_sheets'"
    assert window.workspace.replica.conn.execute(outbox).fetchone()[0] == 1

    written = sheet.exports.export(tmp_path / "sheet.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "sheet.xlsx").active.iter_rows(values_only=True))
    table = next(i for i, r in enumerate(rows) if r and r[0] == "Component")
    assert rows[table][:5] == ("Component", "Quantity", "Unit", "Rate (₹)", "Amount (₹)")
    assert written == sheet.panel.breakdown.rowCount() and any(r[0] == "Making" for r in rows)

    # a second version with a leaner line, compared side by side
    first_total = sheet.price.cost.total
    sheet.sheet_id = None
    sheet.inputs.style_code.setText("SECOND")
    with qtbot.waitSignal(sheet.computed, timeout=5_000):
        sheet.inputs.efficiency.setText("75")
    other = helpers.save(qtbot, sheet)
    assert other["id"] != row["id"]
    dialog = helpers.compare(qtbot, sheet, row["id"])
    names = [r[0] for r in dialog.rows]
    making = dialog.rows[names.index("Making")]
    assert making[2] > making[1]  # the first sheet's line ran at 60 %: dearer
    assert dialog.rows[names.index("Total cost per piece (₹)")][2] == first_total
    sheet.grab().save(str(tmp_path / "cost-sheet.png"))


def test_without_a_server_a_firm_quote_is_queued(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.quoted, timeout=5_000) as blocker:
        sheet.ask_quote()
    request_id = blocker.args[0]
    [queued] = quotes.requests(window.workspace.replica, "queued")
    assert queued.id == request_id and queued.cost_sheet_id == sheet.sheet_id
    assert queued.sheet["style"]["style_code"] == sheet.costed_style.style_code
    assert "queued" in sheet.quote_label.text()


def test_the_sheet_window_draws_with_qts_style(qtbot: QtBot, window: MainWindow) -> None:
    """The style last costed is the window's `costed_style`; its ``style()`` stays the QStyle
    Qt draws it and its widgets with."""
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    assert isinstance(sheet.style(), QStyle)
    qtbot.waitUntil(lambda: sheet.costed_style is not None)
    assert sheet.style() is QApplication.style()


def test_a_saved_sheet_opens_as_it_was_saved(qtbot: QtBot, window: MainWindow) -> None:
    first = open_sheet(qtbot, window, knit_fabric(window.workspace))
    first.inputs.style_code.setText("REOPEN-1")
    first.inputs.quantity.setValue(4200)
    qtbot.waitUntil(
        lambda: first.costed_style is not None and first.costed_style.style_code == "REOPEN-1"
    )
    row = helpers.save(qtbot, first)
    again = window.menus.new_cost_sheet(document=row)
    qtbot.waitUntil(lambda: again.price is not None, timeout=10_000)
    assert again.inputs.style_code.text() == "REOPEN-1" and again.inputs.quantity.value() == 4200
    assert again.price.price_per_piece == first.price.price_per_piece


def test_the_capacity_view_charts_a_centre(qtbot: QtBot, window: MainWindow) -> None:
    view: CapacityWindow = window.menus.show_capacity()
    with qtbot.waitSignal(view.shown, timeout=10_000) as blocker:
        pass
    code, weeks = blocker.args
    assert code == view.centre.currentData() and len(weeks) == 12
    assert view.table.rowCount() == 12
    with qtbot.waitSignal(view.shown, timeout=5_000) as blocker:
        view.centre.setCurrentIndex(view.centre.count() - 1)
    assert blocker.args[0] != code


def test_a_sheet_from_the_worked_example_prices_like_the_engine(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Inputs typed in the form reach the engine unchanged (the example's yarn and trims are
    not in the demo master, so this checks the form's reading, not the demo's rates)."""
    sheet = open_sheet(qtbot, window, None)
    sheet.show_sheet(CostSheet(TSHIRT, "NORDV", 3000))
    read = sheet.current_sheet()
    assert read.style.consumption == TSHIRT.consumption
    assert read.style.making == TSHIRT.making and read.style.wastage == TSHIRT.wastage
    assert [t.material_id for t in read.style.trims] == [t.material_id for t in TSHIRT.trims]
    assert read.brand == "NORDV" and read.quantity == 3000


def test_a_clo_bom_fills_the_sheet_after_confirmation(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    conn = window.workspace.replica.conn
    buttons = (
        "SELECT code, name FROM materials WHERE material_type = 'trim' "
        "AND category = 'button' ORDER BY code LIMIT 1"
    )
    button = conn.execute(buttons).fetchone()
    fabric = conn.execute(
        "SELECT id, name FROM materials WHERE id = ?", (knit_fabric(window.workspace),)
    ).fetchone()
    book = openpyxl.Workbook()
    sheet_xl = book.active
    sheet_xl.append(["BOM — Style TS-200", None])
    sheet_xl.append(["No.", "Name", "Type", "Item No.", "Placement", "Usage", "Unit"])
    sheet_xl.append([1, fabric[1], "Fabric", None, "Body", 0.24, "kg"])
    sheet_xl.append([2, "any button", "Button", button[0], "Placket", 4, "pcs"])
    sheet_xl.append([3, "woven main label", "Label", None, "Neck", 1, "pc"])
    sheet_xl.append([4, "reflective piping tape 3M", "Tape", None, "Sleeve", 0.5, "m"])
    path = tmp_path / "TS-200 BOM.xlsx"
    book.save(path)

    sheet = open_sheet(qtbot, window, None)
    dialog = sheet.materials.open_bom(path)
    with qtbot.waitSignal(dialog.matched, timeout=10_000) as blocker:
        pass
    result = blocker.args[0]
    assert [line.status for line in result.lines] == ["confirm", "matched", "confirm", "unmatched"]
    assert "1 matched by code, 2 to confirm, 1 without a match" in dialog.summary.text()
    dialog.choose(0, fabric[0])  # the right fabric, confirmed
    offered = result.lines[2].candidates
    assert len(offered) > 1 and all(c.code.startswith("TRM") for c in offered)
    label_id = offered[-1].material_id
    dialog.choose(2, label_id)  # another of the labels offered than the first
    dialog.choose(3, "")  # no such tape here: it can only be left out
    chosen = dialog.chosen()
    assert [(c.material_type, c.material_id) for c in chosen][1:] == [
        (
            "trim",
            conn.execute("SELECT id FROM materials WHERE code = ?", (button[0],)).fetchone()[0],
        ),
        ("trim", label_id),
    ]
    with qtbot.waitSignal(sheet.computed, timeout=10_000):
        sheet.materials.use_bom(chosen)
    qtbot.waitUntil(lambda: sheet.price is not None, timeout=5_000)
    assert sheet.costed_style.fabric.material_id == fabric[0]
    assert [(t.material_id, t.quantity) for t in sheet.costed_style.trims] == [
        (chosen[1].material_id, 4),
        (label_id, 1),
    ]


def matched_bom(qtbot: QtBot, window: MainWindow) -> BomDialog:
    """A CLO 3D BOM opened from a new sheet, its lines matched and the dialog on screen."""
    corpus = Path(__file__).parent / "data" / "ingest" / "clo3d_bom.csv"
    sheet = open_sheet(qtbot, window, None)
    dialog = sheet.materials.open_bom(corpus)
    dialog.show()
    qtbot.waitUntil(lambda: dialog.match is not None, timeout=10_000)
    qtbot.waitExposed(dialog)
    return dialog


def test_the_bom_dialog_fits_its_materials_in_view(qtbot: QtBot, window: MainWindow) -> None:
    dialog = matched_bom(qtbot, window)
    table = dialog.table
    assert table.rowCount() >= 5
    assert table.horizontalScrollBar().maximum() == 0  # nothing to scroll sideways for
    for row in range(table.rowCount()):  # each material's box inside its column, whole
        box = table.cellWidget(row, 4)
        assert box.width() <= table.columnWidth(4)
        # however long a material's name, the box can narrow to the room the column has
        assert box.minimumSizeHint().width() <= 320, box.currentText()
        assert box.toolTip() == box.currentText()
    assert not dialog.problems.isVisible()  # no problems: no empty box for them


def test_the_bom_dialog_says_how_the_user_answered_it(qtbot: QtBot, window: MainWindow) -> None:
    """The dialog keeps its matches apart from Qt's answer: once the user clicks "Use these
    materials", ``result()`` says the dialog was accepted (matches kept as ``result`` hid it)."""
    corpus = Path(__file__).parent / "data" / "ingest" / "clo3d_bom.csv"
    sheet = open_sheet(qtbot, window, None)
    with qtbot.waitSignal(sheet.materials.open_bom(corpus).matched, timeout=10_000):
        dialog = sheet.materials.bom_dialog
        assert dialog is not None
        dialog.show()
    qtbot.waitExposed(dialog)
    buttons = dialog.findChild(QDialogButtonBox)
    use = buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert use.text() == "Use these materials"
    qtbot.mouseClick(use, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Accepted.value


def test_a_long_fabric_name_shows_whole_beside_its_button(qtbot: QtBot, window: MainWindow) -> None:
    conn = window.workspace.replica.conn
    fabric_id, name = conn.execute(
        "SELECT id, name FROM materials WHERE material_type = 'fabric' "
        "ORDER BY length(name) DESC LIMIT 1"
    ).fetchone()
    sheet = open_sheet(qtbot, window, None)
    sheet.resize(1366, 768)
    qtbot.wait(100)  # laid out with "no fabric chosen" on one line
    with qtbot.waitSignal(sheet.computed, timeout=10_000):
        sheet.materials.use_fabric(fabric_id)
    qtbot.wait(100)  # the layout settles
    label = sheet.inputs.fabric.fabric_label
    assert label.text() == name
    lines = label.heightForWidth(label.width())
    assert lines > label.fontMetrics().height()  # two lines at this width
    assert label.height() >= lines and label.minimumHeight() >= lines  # and neither cut off
    discard_unsaved(window)


def test_the_breakdown_keeps_its_lines_in_view_on_a_768_pixel_screen(
    qtbot: QtBot, window: MainWindow
) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.resize(1366, 768)
    qtbot.wait(100)  # the layout settles
    table = sheet.panel.breakdown
    assert table.rowCount() >= 5
    assert table.viewport().height() >= 3 * table.rowHeight(0)  # three lines at the least
    terms = sheet.panel.terms_label
    assert terms.isVisible() and terms.height() >= terms.heightForWidth(terms.width())
    discard_unsaved(window)


def test_the_wheel_over_a_bom_lines_material_changes_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Scrolling down the matched BOM past a line's material box leaves the material matched:
    a turn over it scrolls the table."""
    from tests.cost_sheet_helpers import wheel

    dialog = matched_bom(qtbot, window)
    boxes = [dialog.table.cellWidget(row, 4) for row in range(dialog.table.rowCount())]
    chosen = [box.currentIndex() for box in boxes]
    for box in boxes:
        wheel(box, -1)
    assert [box.currentIndex() for box in boxes] == chosen
    dialog.reject()
    discard_unsaved(window)


def chart_labels(chart: ShareChart) -> list[tuple[str, QRectF]]:
    """Each text the chart draws and where, in its view's pixels: the left axis's names (as
    the axis lays them out, at their font's full height) and the shares at the bars' ends."""
    axis = chart.getPlotItem().getAxis("left")
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    painter.setFont(chart.font())
    _, _, texts = axis.generateDrawSpecs(painter)
    painter.end()
    full = QFontMetricsF(chart.font()).height()
    placed = []
    for rect, _, text in texts:
        middle = axis.mapToScene(rect.center())
        placed.append(
            (text, QRectF(middle.x() - rect.width() / 2, middle.y() - full / 2, rect.width(), full))
        )
    for item in chart.getPlotItem().items:
        if isinstance(item, pg.TextItem):
            placed.append((item.toPlainText(), item.sceneBoundingRect()))
    return placed


def overlapping(labels: list[tuple[str, QRectF]]) -> list[tuple[str, str]]:
    """Each pair of labels whose rectangles cross."""
    return [
        (a, b) for i, (a, ra) in enumerate(labels) for b, rb in labels[i + 1 :] if ra.intersects(rb)
    ]


def test_no_two_chart_labels_overlap_at_1366_by_768(qtbot: QtBot, window: MainWindow) -> None:
    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.resize(1366, 768)
    qtbot.wait(200)  # the layout settles
    chart = sheet.panel.chart
    assert len(chart.shares) >= 8
    labels = chart_labels(chart)
    assert len(labels) >= 2 * 5  # a name and a share per bar shown
    crossed = overlapping(labels)
    assert not crossed, crossed
    # every component is still there to read: drawn, or named in the chart's tooltip
    drawn = {text for text, _ in labels}
    for name, _ in chart.shares:
        assert name in drawn or name in chart.toolTip()
    # the user drags the chart as short as it goes: the smallest fold into one bar, and
    # still no two labels cross; dragged tall again, every component has its bar
    split = chart.parentWidget()
    assert isinstance(split, QSplitter)
    split.setSizes([600, 1, 60])
    qtbot.waitUntil(lambda: len(chart.shown) < len(chart.shares), timeout=2_000)
    assert chart.shown[0][0].startswith("Other (") and not overlapping(chart_labels(chart))
    split.setSizes([60, 400, 60])
    qtbot.waitUntil(lambda: len(chart.shown) == len(chart.shares), timeout=2_000)
    assert not overlapping(chart_labels(chart))
    discard_unsaved(window)


def test_the_proposal_builder_previews_exports_and_issues(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    import hashlib

    from ui.proposal_builder import ProposalBuilder

    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    sheet.inputs.style_code.setText("PROP-01")
    qtbot.waitUntil(
        lambda: sheet.costed_style is not None and sheet.costed_style.style_code == "PROP-01"
    )
    row = helpers.save(qtbot, sheet)
    builder: ProposalBuilder = window.menus.show_proposal_builder()
    qtbot.waitUntil(lambda: builder.is_listed, timeout=10_000)
    builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
    builder.title_edit.setText("SS27 knits")
    builder.check(row["id"])
    with qtbot.waitSignal(builder.rendered, timeout=30_000) as blocker:
        builder.preview_button.click()
    rendered = blocker.args[0]
    assert len(rendered.pages) == 3 and builder.pages_layout.count() == 3
    assert "standard text" in builder.message.text() and "estimates" in builder.message.text()
    assert builder.export_line_sheet(tmp_path / "lines.xlsx") == 1
    answer_prompt(qtbot, "Issue", [])
    with qtbot.waitSignal(builder.issued, timeout=30_000) as issuing:
        qtbot.mouseClick(builder.issue_button, Qt.MouseButton.LeftButton)
    issued = issuing.args[0]
    assert issued["state"] == "issued"
    assert issued["pdf_sha256"] == hashlib.sha256(builder.result.pdf).hexdigest()
    outbox = window.workspace.replica.conn.execute(
        "SELECT count(*) FROM outbox WHERE table_name = 'proposals'"
    ).fetchone()[0]
    assert outbox >= 1
    qtbot.wait(200)  # let the preview lay out before the picture is taken
    builder.grab().save(str(tmp_path / "proposal-builder.png"))


def test_the_esg_sheet_of_a_cost_sheet(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    import csv
    import json as json_module

    import pypdfium2 as pdfium

    sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
    with qtbot.waitSignal(sheet.exports.esg_written, timeout=20_000) as blocker:
        sheet.exports.export_esg_sheet(tmp_path / "style-esg.pdf")
    pdf_path, json_path, csv_path = blocker.args[0]
    text = pdfium.PdfDocument(pdf_path.read_bytes())[0].get_textpage().get_text_range()
    assert "ESG sheet" in text and "Global warming" in text
    data = json_module.loads(json_path.read_text("utf-8"))
    assert data["style_code"] == sheet.costed_style.style_code and data["sources"]
    with csv_path.open(encoding="utf-8-sig") as f:
        rows = list(csv.reader(f))
    assert len(rows) > 5


def test_the_settings_dialog(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    import os

    from workbench.credentials import load_api_key
    from workbench.settings import load_settings

    dialog = window.menus.show_settings()
    dialog.ai_url.setText("http://127.0.0.1:11434")
    dialog.ai_key.setText("sk-settings-test-123456")
    dialog.chat_model.setText("llama3")
    dialog.currency.setText("eur")
    dialog.weight.setCurrentText("lb")
    saved = dialog.save()
    assert saved is not None and saved.reporting_currency == "EUR"
    stored = load_settings()
    assert (stored.ai.base_url, stored.ai.chat_model, stored.weight_unit) == (
        "http://127.0.0.1:11434",
        "llama3",
        "lb",
    )
    assert load_api_key("http://127.0.0.1:11434") == "sk-settings-test-123456"
    settings_file = Path(os.environ["WORKBENCH_DATA_DIR"]) / "settings.json"
    assert "sk-settings" not in settings_file.read_text("utf-8")
    bad = window.menus.show_settings()
    bad.currency.setText("E1")
    assert bad.save() is None and "3-letter ISO 4217 code" in bad.note_for(bad.currency).text()
    settings_file.unlink()


def test_a_proposal_written_and_illustrated_by_the_ai_service(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from tests.fake_ai import FakeAI, chat_answer, image_answer
    from workbench.settings import Settings, save_settings, with_ai

    fake = FakeAI()
    try:
        save_settings(with_ai(Settings(), base_url=fake.url, chat_model="fake-chat-1"))
        sheet = open_sheet(qtbot, window, knit_fabric(window.workspace))
        sheet.inputs.style_code.setText("AI-01")
        qtbot.waitUntil(
            lambda: sheet.costed_style is not None and sheet.costed_style.style_code == "AI-01"
        )
        row = helpers.save(qtbot, sheet)
        builder = window.menus.show_proposal_builder()
        qtbot.waitUntil(lambda: builder.is_listed, timeout=10_000)
        builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
        builder.check(row["id"])
        builder.illustrate.setChecked(True)
        fake.script.extend([chat_answer("A clean, soft jersey tee."), image_answer()])
        with qtbot.waitSignal(builder.rendered, timeout=30_000) as blocker:
            builder.preview_button.click()
        [style] = blocker.args[0].proposal.styles
        assert (style.description, style.description_source) == ("A clean, soft jersey tee.", "ai")
        assert style.image is not None and "generated" in style.image_source
        # the same preview again asks nothing new; "write again" does
        calls = len(fake.requests)
        with qtbot.waitSignal(builder.rendered, timeout=30_000):
            builder.preview_button.click()
        assert len(fake.requests) == calls
        fake.script.append(chat_answer("A second take on the tee."))
        with qtbot.waitSignal(builder.rendered, timeout=30_000) as blocker:
            builder.rewrite_button.click()
        assert blocker.args[0].proposal.styles[0].description == "A second take on the tee."
    finally:
        fake.close()
        (Path(__import__("os").environ["WORKBENCH_DATA_DIR"]) / "settings.json").unlink(
            missing_ok=True
        )
