#!/usr/bin/env bash
# Builds the desktop app into a one-folder bundle with PyInstaller (packaging/workbench.spec).
#
#   packaging/build.sh              set up, then build into build/bundle/
#   packaging/build.sh --smoke      ... then start the built app offscreen on a fresh demo
#                                   workspace, screenshot it, and check it exited 0 with a PNG;
#                                   then open its dashboards, and run `check-install` (order
#                                   file, label PDFs, Excel, proposal PDF) and read its PDFs
#   packaging/build.sh --no-setup   skip installing (the .venv already has the package extra)
#
# Prints one JSON line on stdout (everything else goes to stderr), e.g.
#   {"bundle": "linux-x86_64", "bundle_mb": 412.3, "files": 1234, "build_s": 95.2,
#    "smoke_s": 31.0, "checks_s": 12.0, "screenshot": "build/bundle-smoke.png"}
# and exits non-zero if the build or the smoke check fails.
#
# Linux is the platform CI builds on. Windows (Git Bash / MSYS2) and macOS differ in where the
# virtualenv's Python and the built program are, and in how setup works (./dev.sh installs
# Debian packages); those branches are below and in packaging/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SMOKE=0
SETUP=1
for arg in "$@"; do
  case "$arg" in
    --smoke) SMOKE=1 ;;
    --no-setup) SETUP=0 ;;
    -h | --help)
      sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "build.sh: unknown option $arg (try --help)" >&2
      exit 2
      ;;
  esac
done

DIST=build/bundle
WORK=build/pyinstaller
SCREENSHOT=build/bundle-smoke.png
DASHBOARDS=build/bundle-dashboards.png
ARCH="$(uname -m)"

case "$(uname -s)" in
  Linux)
    PLATFORM="linux-$ARCH"
    PY=.venv/bin/python
    BUNDLE="$DIST/mill-workbench"
    BINARY="$BUNDLE/mill-workbench"
    ;;
  Darwin)
    PLATFORM="macos-$ARCH"
    PY=.venv/bin/python
    BUNDLE="$DIST/Mill Workbench.app"
    BINARY="$BUNDLE/Contents/MacOS/mill-workbench"
    ;;
  MINGW* | MSYS* | CYGWIN*)
    PLATFORM="windows-$ARCH"
    PY=.venv/Scripts/python.exe
    BUNDLE="$DIST/mill-workbench"
    # the console build of the same program: the windowed .exe has no stdout to check
    BINARY="$BUNDLE/mill-workbench-cli.exe"
    ;;
  *)
    echo "build.sh: no bundle recipe for $(uname -s)" >&2
    exit 2
    ;;
esac

log() { echo "build.sh: $*" >&2; }

# Fails unless $1 is a real PNG of at least 400x300 (a window the app saved).
check_png() {
  "$PY" - "$1" <<'EOF' >&2 || exit 1
import struct
import sys
from pathlib import Path

path = Path(sys.argv[1])
data = path.read_bytes() if path.is_file() else b""
ok = data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
width, height = struct.unpack(">II", data[16:24]) if ok else (0, 0)
if not (ok and width >= 400 and height >= 300):
    sys.exit(f"{path} is not the app's screenshot (a PNG of at least 400x300)")
print(f"build.sh: {path}: PNG {width}x{height}, {len(data)} bytes")
EOF
}

setup() {
  if [ "$(uname -s)" = Linux ]; then
    ./dev.sh setup >&2
  else
    # ./dev.sh installs Debian packages; elsewhere WeasyPrint's libraries come from Homebrew
    # (macOS: brew install pango) or MSYS2 (Windows: pacman -S mingw-w64-ucrt-x86_64-pango),
    # as packaging/README.md describes, and the virtualenv is made here.
    if [ ! -x "$PY" ]; then
      python3 -m venv .venv
    fi
    "$PY" -m pip install -q --disable-pip-version-check --upgrade pip >&2
  fi
  "$PY" -m pip install -q --disable-pip-version-check -e '.[package]' >&2
}

# Seconds since the epoch with a fraction (macOS date has no %N).
now() { "$PY" -c 'import time; print(f"{time.time():.3f}")'; }
elapsed() { "$PY" -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 1))" "$1" "$2"; }

if [ "$SETUP" -eq 1 ]; then
  log "setting up"
  setup
fi

log "building $PLATFORM into $BUNDLE"
started="$(now)"
"$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/workbench.spec >&2
build_s="$(elapsed "$started" "$(now)")"
if [ ! -x "$BINARY" ]; then
  log "the build left no program at $BINARY"
  exit 1
fi

smoke_s=null
checks_s=null
screenshot=null
if [ "$SMOKE" -eq 1 ]; then
  expected="$("$PY" -c 'import workbench; print(workbench.__version__)')"
  version_line="$("$BINARY" --version)"
  case "$version_line" in
    *"$expected"*) log "$BINARY --version: $version_line" ;;
    *)
      log "$BINARY --version printed '$version_line', expected version $expected"
      exit 1
      ;;
  esac

  data="$(mktemp -d "${TMPDIR:-/tmp}/workbench-smoke.XXXXXX")"
  trap 'rm -rf "$data"' EXIT
  rm -f "$SCREENSHOT"
  limit=()
  if command -v timeout >/dev/null 2>&1; then
    limit=(timeout 600)  # the app gives up on its own after 300 s; this is the backstop
  fi
  log "starting the bundle offscreen on a fresh demo workspace in $data"
  started="$(now)"
  code=0
  QT_QPA_PLATFORM=offscreen ${limit[@]+"${limit[@]}"} "$BINARY" --demo --demo-size 2000 \
    --data-dir "$data/data" --screenshot "$SCREENSHOT" >&2 || code=$?
  smoke_s="$(elapsed "$started" "$(now)")"
  if [ "$code" -ne 0 ]; then
    log "the bundled app exited with code $code"
    exit 1
  fi
  check_png "$SCREENSHOT"
  screenshot="\"$SCREENSHOT\""
  started="$(now)"

  # the dashboards over the same workspace: pyqtgraph's charts from the order file
  log "starting the bundle again for the dashboards"
  rm -f "$DASHBOARDS"
  QT_QPA_PLATFORM=offscreen ${limit[@]+"${limit[@]}"} "$BINARY" --demo --dashboards \
    --data-dir "$data/data" --screenshot "$DASHBOARDS" >&2 || {
    log "the bundled app's dashboards run failed"
    exit 1
  }
  check_png "$DASHBOARDS"

  # the features whose libraries the spec trims, run in the bundle on the workspace just made:
  # the order file (pyarrow), label PDFs (fpdf2 + HarfBuzz, WeasyPrint), Excel (openpyxl +
  # calamine), a proposal PDF (WeasyPrint + Babel); then the PDFs are read here, outside it
  log "checking the bundle's order file, label and proposal PDFs and Excel"
  checks="$(QT_QPA_PLATFORM=offscreen ${limit[@]+"${limit[@]}"} "$BINARY" --data-dir "$data/data" \
    check-install --out "$data/check")" || {
    log "the bundled app's check-install failed"
    exit 1
  }
  echo "$checks" >&2
  if ! "$PY" - "$data/check" "$checks" "$(uname -s)" <<'EOF' >&2; then
import json
import sys
from pathlib import Path

import pypdfium2 as pdfium

folder, lines, system = Path(sys.argv[1]), sys.argv[2].splitlines(), sys.argv[3]
done = {line["check"]: line["detail"] for line in map(json.loads, lines)}
wanted = {"order file", "label PDF (WeasyPrint)", "Excel", "proposal PDF"}
# Linux builders have DejaVu and a Devanagari font (./dev.sh setup installs them), so there
# both engines must set the Devanagari name; elsewhere, what the fonts installed allow
if system == "Linux":
    wanted.add("label PDF (direct)")
if wanted - set(done):
    sys.exit(f"check-install did not run: {', '.join(sorted(wanted - set(done)))}")
devanagari = done["label PDF (WeasyPrint)"].startswith("Devanagari")
if system == "Linux" and not devanagari:
    sys.exit("check-install found no Devanagari font: install fonts-lohit-deva")


def text(name: str) -> str:
    """The PDF's text, without the control characters HarfBuzz leaves where it joins glyphs;
    every page must also render to something other than a blank page."""
    pdf = pdfium.PdfDocument(folder / name)
    for number, page in enumerate(pdf, 1):
        image = page.render(scale=1).to_pil().convert("L")
        if image.getextrema()[0] > 128:
            sys.exit(f"{name}: page {number} renders blank")
    pages = [page.get_textpage().get_text_range() for page in pdf]
    return "".join(ch for ch in "\n".join(pages) if ch >= " " or ch == "\n")


# the direct engine's text reads back whole; WeasyPrint's maps some shaped Devanagari glyphs
# back out of order, so only a word of it is looked for there
for name, words in (
    ("label.pdf", ("Mill कावेरी मिल", "सूती जर्सी 180", "Colour Écru", "CHECK-1")),
    ("label-weasyprint.pdf", ("कावेरी", "Colour Écru", "CHECK-1")),
):
    if name == "label.pdf" and "label PDF (direct)" not in done:
        continue
    if not devanagari:
        words = tuple(word for word in words if word.isascii() or word == "Colour Écru")
    found = text(name)
    for expected in words:
        if expected not in found:
            sys.exit(f"{name}: no {expected!r} in its text ({found!r})")
found = text("proposal.pdf")
for expected in ("1.200", "4,25 EUR"):  # German grouping and decimal comma
    if expected not in found:
        sys.exit(f"proposal.pdf: no {expected!r} in its text")
script = "Devanagari shaped" if devanagari else "Latin only (no Devanagari font)"
print(f"build.sh: check-install's PDFs read back: {script}, German figures")
EOF
    exit 1
  fi
  checks_s="$(elapsed "$started" "$(now)")"
fi

# the size of what is shipped: every file in the bundle folder (or .app), symlinks not followed
"$PY" - "$BUNDLE" "$PLATFORM" "$build_s" "$smoke_s" "$checks_s" "$screenshot" <<'EOF'
import json
import os
import sys

bundle, platform, build_s, smoke_s, checks_s, screenshot = sys.argv[1:]
size = files = 0
for folder, _dirs, names in os.walk(bundle):
    for name in names:
        path = os.path.join(folder, name)
        if not os.path.islink(path):
            size += os.path.getsize(path)
            files += 1
print(json.dumps({
    "bundle": platform,
    "bundle_mb": round(size / 1e6, 1),
    "files": files,
    "build_s": float(build_s),
    "smoke_s": json.loads(smoke_s),
    "checks_s": json.loads(checks_s),
    "screenshot": json.loads(screenshot),
}))
EOF
