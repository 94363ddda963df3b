"""Babel's locale data as the desktop bundle carries it (each pickle packed:
`packaging/packed_pickles.py`) against the installed files, read by Babel's own loader.

    python bench/locale_data.py [--repeat 3]

A document in a locale the process has not used yet loads that locale's data (with its
parents: de_DE, de, root). For each of the two folders, every locale Babel has is loaded
once with Babel's caches cleared before each, as the first document in it would; the
figures are the median and the slowest single locale, and the whole folder's size. One JSON
line per folder, best of ``--repeat`` (interleaved), ``ratio`` = the packed folder's median
over the installed one's. The figures are in BENCHMARKS.md (desktop bundle).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import babel
from babel import localedata

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "packaging"))

from packed_pickles import pack  # a loose module beside the spec


def packed_copy(source: Path, folder: Path) -> Path:
    """``source``'s .dat files, packed, in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*.dat"):
        (folder / path.name).write_bytes(pack(path.read_bytes()))
    return folder


def first_loads(folder: Path, names: list[str]) -> list[float]:
    """Seconds to load each locale from ``folder`` with Babel's caches empty."""
    localedata._dirname = str(folder)
    seconds = []
    for name in names:
        localedata.clear_caches()
        started = time.perf_counter()
        localedata.load(name)
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    installed = Path(babel.__file__).parent / "locale-data"
    names = sorted(localedata.locale_identifiers())
    with tempfile.TemporaryDirectory() as tmp:
        packed = packed_copy(installed, Path(tmp) / "packed")
        folders = {"installed": installed, "packed": packed}
        best: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for label, folder in folders.items():
                seconds = first_loads(folder, names)
                if label not in best or sum(seconds) < sum(best[label]):
                    best[label] = seconds
        sizes = {
            label: sum(p.stat().st_size for p in folder.glob("*.dat"))
            for label, folder in folders.items()
        }
    base = statistics.median(best["installed"])
    for label, seconds in best.items():
        median = statistics.median(seconds)
        print(
            json.dumps(
                {
                    "bench": "locale_data",
                    "data": label,
                    "locales": len(names),
                    "mb": round(sizes[label] / 1e6, 1),
                    "first_load_median_ms": round(median * 1000, 2),
                    "first_load_max_ms": round(max(seconds) * 1000, 2),
                    "all_s": round(sum(seconds), 2),
                    "ratio": round(median / base, 2),
                    "load": os.getloadavg()[0],
                }
            )
        )


if __name__ == "__main__":
    main()
