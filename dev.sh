#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for Mill Workbench, then runs what you ask for.
#
#   ./dev.sh demo [app options]   install, then start the app on its demo workspace
#   ./dev.sh test [pytest args]   install, then run the linter, the type checker and the tests
#   ./dev.sh setup                install only
#
# It installs the Debian packages Qt, WeasyPrint and the tests need (with sudo when not root),
# creates .venv beside this file and installs the project into it with its test extras.
# Running it again is quick: installed packages are skipped.
set -euo pipefail
cd "$(dirname "$0")"

APT_PACKAGES=(
  # Python
  python3 python3-venv
  # Qt (offscreen and on a desktop, xcb)
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3
  libglib2.0-0 libx11-6 libx11-xcb1 libxcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0
  libxcb-keysyms1 libxcb-randr0 libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0
  libxcb-sync1 libxcb-util1 libxcb-xfixes0 libxcb-xkb1 fonts-dejavu-core
  # WeasyPrint
  libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0
  # looking at PDFs
  poppler-utils
  # a Devanagari font: labels with Hindi names print in the PDF and as ZPL graphics (tests too)
  fonts-lohit-deva
  # a Japanese font (Katakana, Hiragana, Kanji) for labels: 3.5 MB to download, 12 MB installed,
  # TrueType files the label PDF embeds (fonts-noto-cjk: 57 MB, 91 MB, .ttc collections)
  fonts-ipafont-gothic
  # the traceability page is looked at in a real browser by the tests
  chromium
  # the sync server's tests run on PostgreSQL too (a private cluster per test run)
  postgresql
)

sudo_if_needed() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

install_system_packages() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    sudo_if_needed apt-get update -qq
    sudo_if_needed env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

pick_python() {
  # The newest Python >= 3.11 on PATH.
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 \
      && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "Mill Workbench needs Python 3.11 or newer; none found on PATH." >&2
  exit 1
}

install_python_packages() {
  if [ ! -x .venv/bin/python ]; then
    "$(pick_python)" -m venv .venv
  fi
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]'
}

setup() {
  install_system_packages
  install_python_packages
}

command="${1:-}"
[ $# -gt 0 ] && shift
case "$command" in
  setup)
    setup
    ;;
  demo)
    setup
    exec .venv/bin/python main.py --demo "$@"
    ;;
  test)
    setup
    .venv/bin/ruff check .
    .venv/bin/ruff format --check .
    .venv/bin/python -m mypy  # strict on workbench/, sync/, ui/, main.py (pyproject [tool.mypy])
    QT_QPA_PLATFORM=offscreen exec .venv/bin/python -m pytest -q "$@"
    ;;
  *)
    echo "usage: ./dev.sh demo [app options] | test [pytest args] | setup" >&2
    exit 2
    ;;
esac
