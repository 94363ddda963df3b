"""The desk's windows at 1366×768, on a demo workspace made for the picture (in a temporary
folder): ``python docs/screenshots/desk.py [folder]`` writes dashboards.png, capacity.png,
settings.png, cost-sheet.png, cost-sheet-refused.png, sheet-browser.png, cost-compare.png,
proposal-builder.png, the proposal's pages, import.png, drill-down.png and the dialogs of
``dialogs.py`` into ``folder`` (by default this one)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import pypdfium2 as pdfium
from PIL import Image
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from ui.capacity_view import CapacityWindow
from ui.cost_sheet import CostSheetWindow
from ui.cost_sheet.browser import SheetBrowser
from ui.dashboards import DashboardsWindow
from ui.import_dialog import ImportDialog
from ui.ops import OpRunner
from ui.proposal_builder import ProposalBuilder
from ui.settings_dialog import SettingsDialog
from workbench import documents
from workbench.costing.choices import starting_style
from workbench.costing.sheet import CostSheet, sheet_to_dict
from workbench.demo import generate_demo
from workbench.paths import use_data_dir
from workbench.settings import Settings, save_settings
from workbench.workspace import Workspace, open_workspace

SIZE = (1366, 768)


def demo(folder: Path) -> Workspace:
    workspace = open_workspace(folder / "workspaces" / "demo")
    generate_demo(workspace.replica, materials=2000, orders=6000, seed=7)
    conn = workspace.replica.conn
    fabrics = conn.execute(
        "SELECT id FROM materials WHERE material_type = 'fabric' ORDER BY code LIMIT 3"
    ).fetchall()
    brands = [r[0] for r in conn.execute("SELECT id FROM brands WHERE code = 'NORDV'")]
    for n, (fabric_id,) in enumerate(fabrics):
        style = starting_style(conn, fabric_id, f"SS27-TEE-0{n + 1}")
        body = sheet_to_dict(
            CostSheet(style, "NORDV", title=f"Crew neck tee {n + 1}", season="SS27")
        )
        documents.save_document(
            workspace.replica,
            "cost_sheets",
            {
                "style_code": style.style_code,
                "body": json.dumps(body),
                "season": "SS27",
                "title": f"Crew neck tee {n + 1}",
                "brand_id": brands[0] if brands else None,
                "status": ("draft", "submitted", "draft")[n],
            },
        )
    return workspace


def logo(folder: str) -> Path:
    """A made-up company logo for the proposal's cover."""
    path = Path(folder) / "logo.png"
    Image.new("RGB", (320, 120), "#2b6f97").save(path)
    return path


def wait(app: QApplication, done: object, seconds: float = 60) -> None:
    for _ in range(int(seconds * 20)):
        app.processEvents()
        if done():  # type: ignore[operator]
            return
        QTest.qWait(50)
    raise TimeoutError("the window did not finish loading")


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    QTest.qWait(300)  # axes lay out their tick labels
    app.processEvents()
    assert widget.grab().save(str(path)), path
    print(f"saved {path} ({widget.width()}×{widget.height()})")


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    style = Path(__file__).resolve().parents[2] / "resources" / "styles" / "app.qss"
    app.setStyleSheet(style.read_text("utf-8"))
    with tempfile.TemporaryDirectory() as temp:
        use_data_dir(temp)
        workspace = demo(Path(temp))
        ops = OpRunner()
        board = DashboardsWindow(workspace, ops, currency="USD")
        board.resize(*SIZE)
        board.show()
        wait(app, lambda: "orders" in board.frames and board.date_from.anchor is not None)
        save(app, board, out / "dashboards.png")
        drill = board.drill("orders", brand="NORDV")
        wait(app, lambda: drill.frame is not None)
        save(app, drill, out / "drill-down.png")
        drill.close()
        board.close()

        capacity = CapacityWindow(workspace, ops)
        capacity.resize(*SIZE)
        capacity.show()
        wait(app, lambda: bool(capacity.weeks_shown))
        save(app, capacity, out / "capacity.png")
        capacity.close()

        sheets = [
            dict(r)
            for r in workspace.replica.conn.execute("SELECT * FROM cost_sheets ORDER BY style_code")
        ]
        sheet = CostSheetWindow(workspace, ops, None, sheets[1])
        sheet.resize(*SIZE)
        sheet.show()
        wait(app, lambda: sheet.price is not None)
        save(app, sheet, out / "cost-sheet.png")
        browser = SheetBrowser(workspace.replica.conn, sheet)
        browser.resize(1100, 600)
        browser.show()
        QTest.keyClicks(browser.search, "tee")
        save(app, browser, out / "sheet-browser.png")
        browser.close()
        sheet.comparison.compare_with(sheets[0]["id"])
        wait(app, lambda: sheet.comparison.compare_dialog is not None)
        compare = sheet.comparison.compare_dialog
        save(app, compare, out / "cost-compare.png")
        compare.close()
        sheet.inputs.consumption.method.setCurrentIndex(
            0
        )  # from body measurements: the length is costed
        QTest.qWait(300)
        sheet.inputs.consumption.body_length.clear()
        sheet.inputs.consumption.body_length.setFocus()
        QTest.keyClicks(
            sheet.inputs.consumption.body_length, "1,200"
        )  # "1,200" under English: refused
        wait(app, lambda: sheet.panel.is_stale)
        save(app, sheet, out / "cost-sheet-refused.png")
        sheet.discard_changes()
        sheet.close()

        save_settings(
            Settings(
                company_name="Kongu Mills Ltd",
                company_logo=str(logo(temp)),
                incoterm="FOB",
                incoterm_place="Tuticorin",
            )
        )
        builder = ProposalBuilder(workspace, ops)
        builder.resize(*SIZE)
        builder.show()
        wait(app, lambda: builder.is_listed)
        builder.brand.setCurrentIndex(builder.brand.findData("NORDV"))
        builder.title_edit.setText("Spring/Summer 2027 knits")
        builder.check(*(s["id"] for s in sheets[:2]))
        builder.build()
        wait(app, lambda: builder.result is not None)
        save(app, builder, out / "proposal-builder.png")
        assert builder.result is not None
        pdf = pdfium.PdfDocument(builder.result.pdf)
        for name, page in (
            ("proposal-cover.png", 0),
            ("proposal-page.png", 1),
            ("proposal-summary.png", len(pdf) - 1),
        ):
            pdf[page].render(scale=1.4).to_pil().save(out / name)
            print(f"saved {out / name}")
        builder.discard()  # pictured, not kept: closing asks nothing
        builder.close()

        importing = ImportDialog(workspace, ops, upload=lambda *_args: {})
        importing.resize(*SIZE)
        importing.show()
        corpus = Path(__file__).resolve().parents[2] / "tests" / "data" / "ingest"
        importing.open_file(corpus / "sap_mara_makt_de.csv")
        wait(app, lambda: importing.table is not None)
        save(app, importing, out / "import.png")
        importing.close()

        dialog = SettingsDialog(
            Settings(
                server_url="https://sync.kongu-mills.example",
                company_name="Kongu Mills Ltd",
                incoterm_place="Tuticorin",
            ),
            Path(temp),
        )
        dialog.show()
        dialog.printer.setText("zpl://nowhere")
        dialog.check_printer()
        wait(app, lambda: dialog.printer.property("state") == "refused")
        dialog.currency.setText("dollars!")
        dialog.check_currency()
        QTest.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        dialog.adjustSize()
        assert dialog.height() <= SIZE[1], dialog.height()
        save(app, dialog, out / "settings.png")
        dialog.close()

        from docs.screenshots.dialogs import dialog_pictures  # it imports this module's parts

        dialog_pictures(app, workspace, ops, out, Path(temp))
        ops.shutdown()
        workspace.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
