"""The shared libraries an ELF file asks the dynamic loader for (its DT_NEEDED entries), and
how to drop some of them from a copy.

Why: pyarrow's `lib` and `_compute` modules and `libarrow_python` are linked against Parquet,
Dataset, Acero and Substrait without using a single symbol of theirs (the linker was not told
`--as-needed`), so the loader maps 18 MB that nothing calls. A copy without those entries
loads without them; `unused_needed` finds which entries are dead by comparing the file's
undefined symbols with what each library defines, so only a library nothing binds to is
dropped. Read and written with `struct` (64-bit little-endian ELF, as on x86_64 and aarch64
Linux), in the spirit of ``patchelf --remove-needed``, which the build machine need not have.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys
from collections.abc import Collection
from pathlib import Path

from derived_copies import derived

DT_NULL, DT_NEEDED, DT_STRTAB = 0, 1, 5
PT_LOAD, PT_DYNAMIC = 1, 2


def _segments(data: bytes) -> list[tuple[int, int, int, int]]:
    """Each program header as (type, file offset, virtual address, size in the file)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    phoff, phentsize, phnum = (
        struct.unpack_from("<Q", data, 32)[0],
        *struct.unpack_from("<HH", data, 54),
    )
    headers = []
    for index in range(phnum):
        kind, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from(
            "<IIQQQQ", data, phoff + index * phentsize
        )
        headers.append((kind, offset, vaddr, filesz))
    return headers


def _dynamic(data: bytes) -> tuple[int, list[tuple[int, int]]]:
    """The dynamic section's file offset and its entries up to DT_NULL (tag, value)."""
    dynamic = next((h for h in _segments(data) if h[0] == PT_DYNAMIC), None)
    if dynamic is None:
        raise ValueError("no dynamic section: not a shared library")
    offset, size = dynamic[1], dynamic[3]
    entries = []
    for at in range(offset, offset + size, 16):
        tag, value = struct.unpack_from("<qQ", data, at)
        if tag == DT_NULL:
            break
        entries.append((tag, value))
    return offset, entries


def _string(data: bytes, entries: list[tuple[int, int]], index: int) -> str:
    """The dynamic string table's string at ``index`` (DT_STRTAB is an address: mapped
    to its file offset through the LOAD segment that holds it)."""
    address = next(value for tag, value in entries if tag == DT_STRTAB)
    for kind, offset, vaddr, filesz in _segments(data):
        if kind == PT_LOAD and vaddr <= address < vaddr + filesz:
            start = offset + (address - vaddr) + index
            return data[start : data.index(b"\0", start)].decode()
    raise ValueError("the string table is in no LOAD segment")


def needed(path: Path) -> list[str]:
    """The names of the libraries ``path`` asks the loader for, in order."""
    data = path.read_bytes()
    _offset, entries = _dynamic(data)
    return [_string(data, entries, value) for tag, value in entries if tag == DT_NEEDED]


def drop_needed(path: Path, names: set[str]) -> list[str]:
    """Rewrite ``path`` in place without the DT_NEEDED entries for ``names``: the entries
    after each dropped one move up and DT_NULL fills the end, so the section keeps its size
    and every other entry its meaning. Returns the names dropped."""
    data = bytearray(path.read_bytes())
    offset, entries = _dynamic(bytes(data))
    dropped = [
        name
        for tag, value in entries
        if tag == DT_NEEDED and (name := _string(bytes(data), entries, value)) in names
    ]
    if not dropped:
        return []
    left = [
        (tag, value)
        for tag, value in entries
        if not (tag == DT_NEEDED and _string(bytes(data), entries, value) in names)
    ]
    for index in range(len(entries) + 1):  # the old DT_NULL included
        tag, value = left[index] if index < len(left) else (DT_NULL, 0)
        struct.pack_into("<qQ", data, offset + index * 16, tag, value)
    path.write_bytes(bytes(data))
    return dropped


def _symbols(path: Path, which: str) -> set[str]:
    """``path``'s dynamic symbols, ``which`` being "--defined-only" or "--undefined-only"."""
    done = subprocess.run(
        ["nm", "-D", which, str(path)], capture_output=True, text=True, check=True
    )
    return {line.split()[-1] for line in done.stdout.splitlines() if line.strip()}


def unused_needed(path: Path, libraries: dict[str, Path]) -> set[str]:
    """Which of ``libraries`` (name as in DT_NEEDED: its file) ``path`` asks for and binds
    no symbol from: dropping those changes nothing it calls (binutils' nm reads the
    symbols)."""
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
    is the same file). If any file binds one, ``toc`` comes back as it was: every library
    stays, and the build log says which file holds them in."""
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
                return drop_needed(target, names) == [n for n in needed(Path(source)) if n in names]

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
