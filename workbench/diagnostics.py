"""A diagnostics bundle for support: logs, versions, and the shape of each workspace (schema
version, cursor, row counts, outbox), zipped, with no secrets.

What goes in is chosen, not swept up: no replica data, no settings values that could hold a
key, and every text file passes through the same redaction as the log; a last check refuses
to write the bundle if anything secret-looking is still in it.
"""

from __future__ import annotations

import importlib.metadata
import json
import platform
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from workbench import __version__
from workbench.errors import WorkbenchError
from workbench.logs import SECRET_PATTERNS, log_dir, redact
from workbench.paths import data_dir

PACKAGES = (
    "PySide6-Essentials",
    "tantivy",
    "SQLAlchemy",
    "httpx",
    "starlette",
    "uvicorn",
    "pandas",
    "python-calamine",
    "openpyxl",
    "weasyprint",
    "qrcode",
    "keyring",
    "psycopg",
    "pyqtgraph",
    "jinja2",
    "pypdfium2",
)


class DiagnosticsError(WorkbenchError, RuntimeError):
    pass


def versions() -> dict[str, Any]:
    found: dict[str, str | None] = {}
    for name in PACKAGES:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = None
    return {
        "mill_workbench": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "packages": found,
    }


def workspaces(base: Path | None = None) -> list[dict[str, Any]]:
    from workbench.documents import outbox_counts
    from workbench.replica import REPLICATED_TABLES
    from workbench.replica.queries import table_counts
    from workbench.workspace import open_laptop_replica

    found = []
    for folder in sorted((data_dir(base) / "workspaces").glob("*")):
        replica_file = folder / "replica.sqlite"
        if not replica_file.exists():
            continue
        replica = open_laptop_replica(replica_file, plain_without_keyring=True)
        try:
            found.append(
                {
                    "workspace": folder.name,
                    "schema": replica.schema_version,
                    "cursor": replica.cursor,
                    "server": replica.get_state("server_url"),
                    "role": replica.get_state("role"),
                    "outbox": outbox_counts(replica),
                    "counts": table_counts(replica.conn, REPLICATED_TABLES),
                    "replica_mb": round(replica_file.stat().st_size / 1e6, 1),
                }
            )
        finally:
            replica.close()
    return found


def export_diagnostics(
    destination: Path, *, base: Path | None = None, logs: Path | None = None
) -> Path:
    """Write the bundle to ``destination`` (.zip); returns its path."""
    destination = Path(destination)
    entries: dict[str, str] = {
        "versions.json": json.dumps(versions(), indent=2),
        "workspaces.json": json.dumps(workspaces(base), indent=2, default=str),
        "created.txt": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    folder = logs or log_dir()
    for path in sorted(folder.glob("workbench.log*")) if folder.exists() else []:
        entries[f"logs/{path.name}"] = redact(path.read_text("utf-8", errors="replace"))
    for name, text in entries.items():
        for pattern in SECRET_PATTERNS:
            for match in pattern.finditer(text):
                if "[redacted]" not in match.group(0):
                    raise DiagnosticsError(
                        f"{name} still holds something like a secret; nothing was written"
                    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in entries.items():
            bundle.writestr(name, text)
    return destination
