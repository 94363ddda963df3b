"""Every tab of the dashboards window at 1366×768, as a laptop opens it on its second day: the
first session reads the orders table and leaves the sealed order file beside the encrypted
replica, the workspace is closed, and the window of the second session opens from the file.

    python docs/screenshots/dashboards_tabs.py [folder] [--name after]

writes ``dashboards-NAME-orders.png``, ``-lead_times``, ``-prices``, ``-capacity`` and
``-costs`` into ``folder`` (by default this one). Two sets taken on either side of a change to
the order file are compared by eye: the same figures must come back from either file.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # desk.py, beside this one

import keyring
from desk import SIZE, demo, save, wait
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from bench.sync import ProcessKeyring
from ui.dashboards import DashboardsWindow
from ui.dashboards.tabs import TABS
from ui.ops import OpRunner
from workbench.analytics import Analytics
from workbench.paths import use_data_dir
from workbench.workspace import open_workspace

HERE = Path(__file__).resolve().parent


def main(out: Path, name: str) -> None:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    app.setStyleSheet((HERE.parents[1] / "resources" / "styles" / "app.qss").read_text("utf-8"))
    keyring.set_keyring(ProcessKeyring())  # the replica encrypted, its key in this process
    with tempfile.TemporaryDirectory() as temp:
        use_data_dir(temp)
        first = demo(Path(temp))
        root = first.root
        analytics = Analytics(first.replica)
        analytics.orders()  # the first day: the table read, the order file written
        analytics.wait_saved()
        first.close()
        workspace = open_workspace(root)
        assert workspace.replica.key is not None, "the replica is encrypted"
        board = DashboardsWindow(workspace, OpRunner(), currency="USD")
        board.resize(*SIZE)
        board.show()
        for index, key in enumerate(TABS):
            board.tabs.setCurrentIndex(index)
            wait(app, lambda key=key: key in board.frames and board.date_from.anchor is not None)
            save(app, board, out / f"dashboards-{name}-{key}.png")
        print("order frame:", board.analytics.last_refresh)
        board.close()
        workspace.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=HERE)
    parser.add_argument("--name", default="after")
    args = parser.parse_args()
    main(args.folder, args.name)
