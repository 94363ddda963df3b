"""The app's log: a rotating file in the user's log directory, with secrets taken out.

Why a redacting filter rather than care at each call site: a token or key can reach a log
inside an exception message or a URL nobody thought of; the filter rewrites every record
before any handler sees it, so what is on disk (and in a diagnostics bundle) holds none.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

import platformdirs

from workbench.paths import APP_NAME, data_dir_in_use

LOG_FILE = "workbench.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUPS = 5

#: what a secret looks like in text: bearer tokens, key=value secrets, provider keys
SECRET_PATTERNS = (
    re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(
        r"(?i)\b(token|password|passwd|api[_-]?key|secret|authorization)"
        r"([\"']?\s*[=:]\s*[\"']?)(?!bearer\b|\[redacted\])[^\s\"',;&]+"
    ),
    re.compile(r"\b(sk-)[A-Za-z0-9_-]{8,}"),
    re.compile(r"(postgresql(?:\+\w+)?://[^:/\s]+:)[^@\s]+(@)"),
)


def redact(text: str) -> str:
    """``text`` with anything that looks like a secret replaced by ``[redacted]``."""
    text = SECRET_PATTERNS[0].sub(r"\1[redacted]", text)
    text = SECRET_PATTERNS[1].sub(r"\1\2[redacted]", text)
    text = SECRET_PATTERNS[2].sub(r"\1[redacted]", text)
    return SECRET_PATTERNS[3].sub(r"\1[redacted]\2", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = redact(message), None
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def log_dir() -> Path:
    """``WORKBENCH_LOG_DIR``, else ``logs`` in the data directory the app was told to use
    (``--data-dir``: nothing goes to the user's home), else the platform's log directory."""
    env = os.environ.get("WORKBENCH_LOG_DIR")
    if env:
        return Path(env).expanduser()
    in_use = data_dir_in_use()
    if in_use is not None:
        return in_use / "logs"
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def setup_logging(directory: Path | None = None, level: int = logging.INFO) -> Path:
    """Log to ``<log dir>/workbench.log`` (5 × 2 MB, rotated); returns the file's path.
    Calling it again changes nothing (the handler is installed once)."""
    folder = directory or log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / LOG_FILE
    root = logging.getLogger()
    for handler in root.handlers:
        if getattr(handler, "baseFilename", None) == str(path):
            return path
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
    return path
