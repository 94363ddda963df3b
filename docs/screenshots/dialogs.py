"""The desk's dialogs, each as it opens over a demo workspace: the bill of materials matched,
sync conflicts, the label printer's print dialog, sign-in, the workspace switch, the offer
before a wipe and the material picker. ``desk.py`` takes them with the windows;
``python docs/screenshots/dialogs.py [folder]`` takes only these."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QLocale
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from docs.screenshots.desk import save, wait
from ui.bom_dialog import BomDialog
from ui.cost_sheet.material_picker import MaterialPicker
from ui.dialogs import ConflictsDialog, LoginDialog, WorkspacePicker
from ui.ops import OpRunner
from ui.print_dialog import choose_system_printer
from ui.unsent_export_dialog import UnsentExportDialog
from workbench.documents import Conflict
from workbench.paths import use_data_dir
from workbench.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


def _shown(app: QApplication, dialog: QWidget) -> QWidget:
    dialog.show()
    QTest.qWait(100)
    app.processEvents()
    return dialog


def _conflict(workspace: Workspace) -> Conflict:
    """A cost sheet edited here while a colleague changed it on the server."""
    row = dict(
        workspace.replica.conn.execute(
            "SELECT id, style_code, title, season, status FROM cost_sheets ORDER BY style_code"
        ).fetchone()
    )
    mine = {**row, "title": f"{row['title']} (lighter jersey)", "status": "draft"}
    theirs = {
        **row,
        "title": f"{row['title']} (buyer's revision)",
        "status": "submitted",
        "season": "AW27",
    }
    return Conflict(1, "cost_sheets", row["id"], mine, theirs, "2026-12-07T09:41:00+00:00")


def dialog_pictures(
    app: QApplication, workspace: Workspace, ops: OpRunner, out: Path, temp: Path
) -> None:
    """Write each dialog's picture into ``out``; ``workspace`` needs materials and at least
    one cost sheet."""
    bom = BomDialog(workspace, ops, ROOT / "tests" / "data" / "ingest" / "clo3d_bom.csv")
    _shown(app, bom)
    wait(app, lambda: bom.result is not None)
    save(app, bom, out / "bom-dialog.png")
    bom.close()

    conflicts = ConflictsDialog([_conflict(workspace)])
    _shown(app, conflicts)
    save(app, conflicts, out / "conflicts-dialog.png")
    conflicts.close()

    owner = QWidget()
    printing = choose_system_printer(owner, "", lambda _name: None)
    QTest.qWait(300)
    app.processEvents()
    save(app, printing, out / "print-dialog.png")
    printing.reject()

    login = LoginDialog(ops, lambda *_args: None, "https://sync.kongu-mills.example")
    _shown(app, login)
    login.username.setText("priya")
    save(app, login, out / "sign-in.png")
    login.close()

    folders = [workspace.root, workspace.root.parent / "kongu-mills"]
    picker = WorkspacePicker(folders, workspace.root)
    _shown(app, picker)
    save(app, picker, out / "workspace-picker.png")
    picker.close()

    wipe = UnsentExportDialog(workspace.name, temp, 3)
    _shown(app, wipe)
    save(app, wipe, out / "unsent-export.png")
    wipe.close()

    material = MaterialPicker(workspace, "fabric", None)
    _shown(app, material)
    QTest.keyClicks(material.box, "jersey")
    wait(app, lambda: material.results.count() > 0)
    save(app, material, out / "material-picker.png")
    material.close()


def main(out: Path) -> None:
    from docs.screenshots.desk import demo

    app = QApplication.instance() or QApplication(sys.argv[:1])
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    app.setStyleSheet((ROOT / "resources" / "styles" / "app.qss").read_text("utf-8"))
    with tempfile.TemporaryDirectory() as temp:
        use_data_dir(temp)
        workspace = demo(Path(temp))
        ops = OpRunner()
        dialog_pictures(app, workspace, ops, out, Path(temp))
        ops.shutdown()
        workspace.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
