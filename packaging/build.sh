#!/usr/bin/env bash
# Builds the desktop app into a one-folder bundle with PyInstaller (packaging/workbench.spec).
#
#   packaging/build.sh              set up, then build into build/bundle/
#   packaging/build.sh --smoke      ... then start the built app offscreen on a fresh demo
#                                   workspace, screenshot it, and check it exited 0 with a PNG
#   packaging/build.sh --no-setup   skip installing (the .venv already has the package extra)
#
# Prints one JSON line on stdout (everything else goes to stderr), e.g.
#   {"bundle": "linux-x86_64", "bundle_mb": 412.3, "files": 1234, "build_s": 95.2,
#    "smoke_s": 31.0, "screenshot": "build/bundle-smoke.png"}
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
      sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'
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
  if ! "$PY" - "$SCREENSHOT" <<'EOF' >&2; then
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
    exit 1
  fi
  screenshot="\"$SCREENSHOT\""
fi

# the size of what is shipped: every file in the bundle folder (or .app), symlinks not followed
"$PY" - "$BUNDLE" "$PLATFORM" "$build_s" "$smoke_s" "$screenshot" <<'EOF'
import json
import os
import sys

bundle, platform, build_s, smoke_s, screenshot = sys.argv[1:]
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
    "screenshot": json.loads(screenshot),
}))
EOF
