"""The desktop bundle's recipe, checked without building it (a build takes minutes):
the spec's lists stay in step with the code, the menu entry names a real program and icon,
and the bundled app finds its resources."""

from __future__ import annotations

import ast
import configparser
import importlib.util
import json
import os
import re
import shutil
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


def spec_function(name: str, **names: object):  # type: ignore[no-untyped-def]
    """A helper function of the spec, runnable without PyInstaller's build namespace
    (``names``: the spec's globals it reads)."""
    node = next(n for n in spec_tree().body if isinstance(n, ast.FunctionDef) and n.name == name)
    namespace: dict = {"ROOT": ROOT, "re": re, "Path": Path, "subprocess": subprocess, **names}
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


# --- what the bundle leaves out, and the libraries it strips ---------------------------------


def spec_value(name: str):  # type: ignore[no-untyped-def]
    """The value of the spec's top-level ``name = ...`` (a pure expression)."""
    node = next(
        n
        for n in spec_tree().body
        if isinstance(n, ast.Assign)
        and isinstance(n.targets[0], ast.Name)
        and n.targets[0].id == name
    )
    return eval(compile(ast.Expression(node.value), str(SPEC), "eval"), {"re": re})


#: run in a fresh interpreter: every feature whose libraries the spec trims, then what it
#: loaded (modules, and the shared libraries mapped into the process)
_EXERCISE = """
import json, sys
from pathlib import Path
out = Path(sys.argv[1])
from PySide6.QtWidgets import QApplication
app = QApplication([])
import ui.dashboards.window, ui.main_window.window
from workbench.demo import generate_demo
from workbench.install_check import check_install
from workbench.replica import open_replica
replica = open_replica(out / "r.sqlite")
generate_demo(replica, materials=200, orders=300, seed=2)
checked = check_install(out / "check", replica)
maps = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}
files = sorted(
    {getattr(m, "__file__", None) or "" for m in list(sys.modules.values())} | maps
)
print(json.dumps({"modules": sorted(sys.modules), "files": files, "checks": len(checked)}))
"""


def test_what_the_spec_leaves_out_is_never_loaded(tmp_path: Path) -> None:
    """The desktop's features (dashboards' windows, the order file, label PDFs from both
    engines, Excel, a proposal PDF) run from source load no module the spec excludes and no
    file it filters out: a trim that would break one fails here, before a build."""
    import sysconfig

    done = subprocess.run(
        [sys.executable, "-c", _EXERCISE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded["checks"] >= 5
    excluded = set(spec_value("excludes"))
    assert "pyarrow.flight" in excluded and "pyarrow.parquet" in excluded
    assert [m for m in loaded["modules"] if m in excluded] == []
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    bundle_paths = [
        Path(f).resolve().relative_to(site).as_posix()
        for f in loaded["files"]
        if f and Path(f).resolve().is_relative_to(site)
    ]
    assert "pyarrow/libarrow.so.2600" in {re.sub(r"\.so\.\d+", ".so.2600", p) for p in bundle_paths}
    left_out = spec_value("LEFT_OUT")
    assert [p for p in bundle_paths if left_out.match(p)] == []


def test_the_trims_name_what_they_mean() -> None:
    left_out = spec_value("LEFT_OUT")
    for path in (
        "pyarrow/libarrow_flight.so.2600",
        "pyarrow/libarrow_s3.so.2600",
        "pyarrow/include/arrow/api.h",
        "pyarrow/libarrow_python.so",
        "pyarrow/libarrow_python.so.2600.1.0",
        "PySide6/Qt/translations/qtbase_de.qm",
        "pycountry/locales/de/LC_MESSAGES/iso3166-1.mo",
        "pycountry/databases/iso3166-1.json",
        "pyphen/dictionaries/hyph_de_DE.dic",
    ):
        assert left_out.match(path), path
    for path in (
        "pyarrow/libarrow.so.2600",
        "pyarrow/libarrow_compute.so.2600",
        "pyarrow/libarrow_python.so.2600",
        "pyarrow/libparquet.so.2600",  # pyarrow.lib links to it
        "pycountry/databases/iso4217.json",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "babel/locale-data/hi_IN.dat",
        "pyphen/dictionaries/README_hyph_de.txt",  # pyphen lists the folder on import
    ):
        assert not left_out.match(path), path


def test_no_template_or_style_asks_for_hyphenation() -> None:
    """The bundle leaves pyphen's dictionaries out: WeasyPrint opens one only for
    ``hyphens: auto``."""
    asking = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "resources").rglob("*")
        if path.suffix in (".css", ".html")
        and re.search(r"hyphens\s*:\s*auto", path.read_text("utf-8"))
    ]
    assert asking == []


@pytest.mark.skipif(shutil.which("strip") is None, reason="no binutils")
def test_a_stripped_library_the_loader_would_refuse_is_noticed(tmp_path: Path) -> None:
    """strip rearranges numpy's OpenBLAS (patchelf rewrote it) so that glibc refuses it;
    `loadable` tells it from a library that strips well."""
    import ctypes

    import numpy

    loadable = spec_function("loadable")
    site = Path(numpy.__file__).parent.parent
    blas = next((site / "numpy.libs").glob("libscipy_openblas*.so"))
    arrow = next((site / "pyarrow").glob("libarrow.so.*"))
    for source, expected in ((blas, False), (arrow, True)):
        copy = tmp_path / source.name
        shutil.copyfile(source, copy)
        subprocess.run(["strip", "--strip-unneeded", str(copy)], check=True)
        assert loadable(source) and loadable(copy) is expected, source.name
    with pytest.raises(OSError, match="page-aligned"):
        ctypes.CDLL(str(tmp_path / blas.name))


@pytest.mark.skipif(shutil.which("strip") is None, reason="no binutils")
def test_stripped_copies_stand_for_their_own_source_only(tmp_path: Path) -> None:
    """A rebuild reuses a stripped copy only while its source is the same file; OpenBLAS,
    which strip would break, goes in as it is."""
    import numpy
    import yaml

    stripped = spec_function(
        "stripped",
        STRIP=True,
        WORKPATH=tmp_path / "work",
        os=os,
        sys=sys,
        shutil=shutil,
        loadable=spec_function("loadable"),
    )
    blas = next((Path(numpy.__file__).parent.parent / "numpy.libs").glob("libscipy_openblas*"))
    source = tmp_path / "site" / "_yaml.so"
    source.parent.mkdir()
    shutil.copyfile(next(Path(yaml.__file__).parent.glob("_yaml*.so")), source)
    toc = [("yaml/_yaml.so", str(source), "EXTENSION"), ("numpy.libs/blas.so", str(blas), "BINARY")]
    toc += [("resources/x.txt", str(source), "DATA")]
    first = stripped(toc)
    copy = Path(first[0][1])
    assert copy.parent.parent == tmp_path / "work" / "stripped"
    assert copy.stat().st_size < source.stat().st_size
    assert first[1:] == toc[1:]  # OpenBLAS and data as they were
    made = copy.stat().st_mtime_ns
    assert stripped(toc)[0][1] == str(copy) and copy.stat().st_mtime_ns == made
    source.write_bytes(source.read_bytes() + b"\0")  # another build of the library
    os.utime(source, ns=(made - 10**9, made - 10**9))  # older than the copy
    stripped(toc)
    assert copy.stat().st_mtime_ns != made
