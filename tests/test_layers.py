"""The layers hold: ``workbench/`` (the Qt-free core) imports neither the sync layer, the UI,
Qt nor the server's web stack, and ``sync/`` imports neither the UI nor Qt
(docs/architecture.md). Read from the source with `ast`, nothing imported, so an import inside
a function or under ``TYPE_CHECKING`` counts too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: each layer, and the top-level packages its modules may not import
FORBIDDEN: dict[str, frozenset[str]] = {
    "workbench": frozenset({"sync", "ui", "PySide6", "starlette", "uvicorn"}),
    "sync": frozenset({"ui", "PySide6"}),
    "ui": frozenset(),
}


def imported(path: Path, root: Path = ROOT) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in the file at ``path`` (under
    ``root``); a relative import is resolved against the file's package."""
    package = path.relative_to(root).with_suffix("").parts[:-1]
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            yield node.lineno, module


def violations(layer: str, root: Path = ROOT) -> list[str]:
    """One line per forbidden import in the layer's modules: file, line and module."""
    forbidden = FORBIDDEN[layer]
    found = []
    for path in sorted((root / layer).rglob("*.py")):
        for line, module in imported(path, root):
            if module.split(".")[0] in forbidden:
                where = path.relative_to(root).as_posix()
                found.append(f"{where}:{line}: imports {module} ({layer}/ may not import it)")
    return found


def test_workbench_imports_no_sync_ui_qt_or_web_server() -> None:
    assert violations("workbench") == []


def test_sync_imports_no_ui_or_qt() -> None:
    assert violations("sync") == []


def test_every_module_of_the_three_layers_is_read() -> None:
    for layer in FORBIDDEN:
        files = list((ROOT / layer).rglob("*.py"))
        assert len(files) > 10, layer
        for path in files:
            list(imported(path))  # each parses


def test_a_forbidden_import_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    # the shapes an import can take, in a module of workbench/costing/
    source = (
        "import os\n"
        "from . import rates\n"
        "from ..search import index\n"
        "def later():\n"
        "    import PySide6.QtCore\n"
    )
    path = tmp_path / "workbench" / "costing" / "probe.py"
    path.parent.mkdir(parents=True)
    path.write_text(source, "utf-8")
    assert list(imported(path, tmp_path)) == [
        (1, "os"),
        (2, "workbench.costing"),
        (3, "workbench.search"),
        (5, "PySide6.QtCore"),
    ]
    assert violations("workbench", tmp_path) == [
        "workbench/costing/probe.py:5: imports PySide6.QtCore (workbench/ may not import it)"
    ]
    (tmp_path / "sync").mkdir()
    (tmp_path / "sync" / "client.py").write_text("from ui.app import run_app\n", "utf-8")
    assert violations("sync", tmp_path) == [
        "sync/client.py:1: imports ui.app (sync/ may not import it)"
    ]
