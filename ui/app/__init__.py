"""Starting the desktop app: the QApplication, the workspace, the main window (or the label
station, with ``station`` or for a signed-in user of the ``floor`` role).

`run_app` is the entry point for the command line (`ui/cli.py`); `AppRun` (`run`) is one run
of the app, step by step:

1. `prepare_application`: the QApplication, styled and named, logging into the data directory
   in use (`application`, `data_dir`);
2. `open_first`: what this start opens (`start.choose_start`): the demo with ``demo``, the
   folder given with ``workspace_dir``, otherwise the workspace used last on this laptop, and
   on a first start the welcome, which offers to sign in to the company's server or to try
   the demo (`sign_in`);
3. `open_workspace`: the workspace, or the demo behind its embedded sync server, opened on a
   worker behind a progress dialog, since generating the demo takes seconds (`opening`);
4. `show_window`: the main window or the label station, syncing when the workspace has a
   server (`syncing`); with ``screenshot`` the window is searched, photographed and closed
   instead (`screenshots`): how we look at the app from scripts and CI;
5. `run`: the event loop until the last window closes, then `close_down`: the workers, the
   demo servers and every workspace opened are stopped, and the exit code returned.
"""

from __future__ import annotations

from ui.app.run import AppRun, run_app
from ui.app.start import AppOptions, Start, choose_start

__all__ = ["AppOptions", "AppRun", "Start", "choose_start", "run_app"]
