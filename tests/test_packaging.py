"""The desktop bundle's recipe, checked without building it (a build takes minutes):
the spec's lists stay in step with the code, the menu entry names a real program and icon,
and the bundled app finds its resources."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import workbench
from workbench import diagnostics
from workbench.paths import resources_dir

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
SPEC = PACKAGING / "workbench.spec"


def spec_tree() -> ast.Module:
    return ast.parse(SPEC.read_text("utf-8"), filename=str(SPEC))


def spec_function(name: str):  # type: ignore[no-untyped-def]
    """A helper function of the spec, runnable without PyInstaller's build namespace."""
    node = next(n for n in spec_tree().body if isinstance(n, ast.FunctionDef) and n.name == name)
    namespace: dict = {"ROOT": ROOT, "re": re, "Path": Path}
    exec(compile(ast.Module(body=[node], type_ignores=[]), str(SPEC), "exec"), namespace)
    return namespace[name]


def spec_list(name: str) -> list[str]:
    """The string items written out in the spec's ``name = [...]`` list."""
    for node in spec_tree().body:
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
            and isinstance(node.value, ast.List)
        ):
            return [e.value for e in node.value.elts if isinstance(e, ast.Constant)]
    raise AssertionError(f"no list {name} in {SPEC}")


def test_spec_reads_the_version_and_package_list_the_code_has() -> None:
    assert spec_function("project_version")() == workbench.__version__
    assert spec_function("diagnostics_packages")() == list(diagnostics.PACKAGES)


def test_spec_bundles_the_resources_and_the_migrations() -> None:
    text = SPEC.read_text("utf-8")
    assert '(str(ROOT / "resources"), "resources")' in text
    assert '"workbench/replica/migrations"' in text
    assert '[str(ROOT / "main.py")]' in text
    assert any((ROOT / "workbench" / "replica" / "migrations").glob("*.sql"))


def test_spec_hidden_imports_exist() -> None:
    """Modules imported by name (uvicorn's loop, protocol and lifespan choices) must still
    exist under those names, or the bundle's embedded server fails at its first start."""
    names = [n for n in spec_list("hiddenimports") if n.startswith(("uvicorn.", "sqlalchemy."))]
    assert "uvicorn.lifespan.on" in names and "uvicorn.protocols.http.auto" in names
    assert [n for n in names if importlib.util.find_spec(n) is None] == []


def test_spec_leaves_the_test_tools_out() -> None:
    excludes = spec_list("excludes")
    for name in ("pytest", "pytestqt", "hypothesis", "zxingcpp", "ruff", "tkinter"):
        assert name in excludes


def test_desktop_entry_names_the_program_and_an_icon_that_exists() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(PACKAGING / "linux" / "mill-workbench.desktop", encoding="utf-8")
    main = entry["Desktop Entry"]
    assert main["Type"] == "Application"
    assert main["Name"] == "Mill Workbench"
    assert main["Exec"].split()[0] == "mill-workbench"
    assert main["Icon"] == "mill-workbench"
    assert main["Terminal"] == "false"
    assert "Office" in main["Categories"].split(";")
    for action in filter(None, main.get("Actions", "").split(";")):
        assert entry[f"Desktop Action {action}"]["Exec"].startswith("mill-workbench ")
    # the installer puts the app's svg where the Icon name is looked up
    installer = (PACKAGING / "linux" / "install.sh").read_text("utf-8")
    assert "share/icons/hicolor/scalable/apps/mill-workbench.svg" in installer
    icon = ET.parse(ROOT / "resources" / "icons" / "app.svg").getroot()
    assert icon.tag == "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("script", ["build.sh", "linux/install.sh"])
def test_scripts_are_valid_bash(script: str) -> None:
    path = PACKAGING / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    subprocess.run(["bash", "-n", str(path)], check=True)


def test_resources_dir_from_a_checkout() -> None:
    assert resources_dir() == ROOT / "resources"
    assert (resources_dir() / "templates" / "proposal.html").is_file()


def test_resources_dir_in_the_bundle(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"


def test_system_programs_run_with_the_systems_libraries_in_the_bundle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from workbench.labels.fonts import system_env

    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/mill-workbench/_internal")
    assert system_env()["LD_LIBRARY_PATH"] == "/opt/mill-workbench/_internal"  # from source
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert "LD_LIBRARY_PATH" not in system_env()
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/usr/local/lib")
    env = system_env()
    assert env["LD_LIBRARY_PATH"] == "/usr/local/lib" and "LD_LIBRARY_PATH_ORIG" not in env
