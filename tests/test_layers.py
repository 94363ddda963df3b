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


# -- no SQL in the UI ------------------------------------------------------------------------

SQL_WORDS = ("SELECT", "INSERT", "UPDATE", "DELETE", "PRAGMA", "WITH", "CREATE", "REPLACE")
CURSOR_CALLS = frozenset({"execute", "executemany", "executescript"})


def _sql_text(node: ast.AST) -> str | None:
    """The text a string (or the start of an f-string) holds, when it reads as SQL."""
    if isinstance(node, ast.JoinedStr) and node.values:
        node = node.values[0]
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        words = node.value.split(maxsplit=1)
        if words and words[0] in SQL_WORDS and len(words) > 1:
            return node.value
    return None


def raw_sql(root: Path = ROOT) -> list[str]:
    """One line per SQL string and per cursor call (``.execute`` and its kin) in ``ui/``:
    replica reads and writes belong in ``workbench/`` functions run by ``ui/ops.py``."""
    found = []
    for path in sorted((root / "ui").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))
        in_fstrings = {
            id(part) for n in ast.walk(tree) if isinstance(n, ast.JoinedStr) for part in n.values
        }
        seen: set[tuple[int, str]] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                if node.func.attr in CURSOR_CALLS:
                    seen.add((node.lineno, f"calls .{node.func.attr}"))
            elif id(node) not in in_fstrings and (text := _sql_text(node)) is not None:
                seen.add((node.lineno, f"SQL {text.split()[0]} …"))
        found += [f"{where}:{line}: {what}" for line, what in sorted(seen)]
    return found


def test_the_ui_holds_no_sql() -> None:
    assert raw_sql() == []


def test_sql_in_the_ui_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ui").mkdir()
    (tmp_path / "ui" / "view.py").write_text(
        "def brands(conn):\n"
        '    return conn.execute("SELECT code FROM brands").fetchall()\n'
        "def count(conn, table):\n"
        '    query = f"SELECT COUNT(*) FROM {table}"\n'
        '    label = "Select a brand"\n',
        "utf-8",
    )
    assert raw_sql(tmp_path) == [
        "ui/view.py:2: SQL SELECT …",
        "ui/view.py:2: calls .execute",
        "ui/view.py:4: SQL SELECT …",
    ]


# -- a window's parts know what they need of it, not the window ------------------------------

#: each part of a window, and the window modules it may not import (it types its host with a
#: Protocol of what it needs instead: `SyncHost`, `MenusHost`, `SearchHost`)
PART_HOSTS: dict[str, frozenset[str]] = {
    "ui/sync_controller.py": frozenset(
        {"ui.main_window", "ui.main_window.window", "ui.station", "ui.station.window"}
    ),
    "ui/main_window/menus.py": frozenset({"ui.main_window", "ui.main_window.window"}),
    "ui/main_window/search_view.py": frozenset({"ui.main_window", "ui.main_window.window"}),
    "ui/main_window/columns.py": frozenset({"ui.main_window", "ui.main_window.window"}),
    "ui/main_window/no_results.py": frozenset({"ui.main_window", "ui.main_window.window"}),
}


def window_imports(root: Path = ROOT) -> list[str]:
    """One line per import of its window by a window's part."""
    found = []
    for part, windows in PART_HOSTS.items():
        for line, module in imported(root / part, root):
            if module in windows:
                found.append(f"{part}:{line}: imports {module}")
    return found


def test_no_part_imports_its_window() -> None:
    assert window_imports() == []


def test_a_part_importing_its_window_is_named(tmp_path: Path) -> None:
    for part in PART_HOSTS:
        (tmp_path / part).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / part).write_text("", "utf-8")
    (tmp_path / "ui/sync_controller.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from ui.main_window import MainWindow\n",
        "utf-8",
    )
    assert window_imports(tmp_path) == ["ui/sync_controller.py:3: imports ui.main_window"]
