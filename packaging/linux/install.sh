#!/usr/bin/env bash
# Installs the desktop bundle for one user (or, with --prefix /usr/local or /opt/..., for all):
#
#   packaging/linux/install.sh [--prefix DIR] [--bundle DIR]
#   packaging/linux/install.sh --uninstall [--prefix DIR]
#
#   DIR/lib/mill-workbench/                                  the bundle (replaced if there)
#   DIR/bin/mill-workbench                                   a symlink to its program
#   DIR/share/applications/mill-workbench.desktop            the menu entry
#   DIR/share/icons/hicolor/scalable/apps/mill-workbench.svg its icon
#
# The prefix defaults to ~/.local, which desktops read menu entries and icons from. The menu
# entry names the program by its full path, so it starts even when DIR/bin is not on the
# desktop session's PATH. The bundle defaults to build/bundle/mill-workbench (what
# packaging/build.sh makes); the workspaces and logs in the user's data folders are never
# touched, not even by --uninstall.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PREFIX="$HOME/.local"
BUNDLE="$ROOT/build/bundle/mill-workbench"
UNINSTALL=0

while [ $# -gt 0 ]; do
  case "$1" in
    --prefix)
      PREFIX="${2:?--prefix needs a folder}"
      shift 2
      ;;
    --prefix=*)
      PREFIX="${1#--prefix=}"
      shift
      ;;
    --bundle)
      BUNDLE="${2:?--bundle needs a folder}"
      shift 2
      ;;
    --bundle=*)
      BUNDLE="${1#--bundle=}"
      shift
      ;;
    --uninstall)
      UNINSTALL=1
      shift
      ;;
    -h | --help)
      sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "install.sh: unknown option $1 (try --help)" >&2
      exit 2
      ;;
  esac
done

mkdir -p "$PREFIX"
PREFIX="$(cd "$PREFIX" && pwd)"
APP_DIR="$PREFIX/lib/mill-workbench"
LINK="$PREFIX/bin/mill-workbench"
DESKTOP="$PREFIX/share/applications/mill-workbench.desktop"
ICON="$PREFIX/share/icons/hicolor/scalable/apps/mill-workbench.svg"

refresh_caches() {
  # optional: desktops also notice new files on their own, only more slowly
  if command -v update-desktop-database >/dev/null 2>&1; then
    update-desktop-database -q "$PREFIX/share/applications" 2>/dev/null || true
  fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 \
    && [ -f "$PREFIX/share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$PREFIX/share/icons/hicolor" 2>/dev/null || true
  fi
}

if [ "$UNINSTALL" -eq 1 ]; then
  rm -rf "$APP_DIR"
  rm -f "$LINK" "$DESKTOP" "$ICON"
  refresh_caches
  echo "Removed Mill Workbench from $PREFIX"
  exit 0
fi

if [ ! -x "$BUNDLE/mill-workbench" ]; then
  echo "install.sh: no bundle at $BUNDLE (build it with packaging/build.sh)" >&2
  exit 1
fi
# the icon as the bundle carries it; from the checkout when installing some other way
SOURCE_ICON="$BUNDLE/_internal/resources/icons/app.svg"
[ -f "$SOURCE_ICON" ] || SOURCE_ICON="$ROOT/resources/icons/app.svg"

mkdir -p "$PREFIX/lib" "$PREFIX/bin" "$(dirname "$DESKTOP")" "$(dirname "$ICON")"
# copied beside the old one, then swapped in: a failed copy leaves the old install working
rm -rf "$APP_DIR.new"
cp -a "$BUNDLE" "$APP_DIR.new"
rm -rf "$APP_DIR"
mv "$APP_DIR.new" "$APP_DIR"
ln -sfn "$APP_DIR/mill-workbench" "$LINK"
install -m 0644 "$SOURCE_ICON" "$ICON"

program="$APP_DIR/mill-workbench"
quoted="$program"
case "$program" in
  *[[:space:]]*) quoted="\"$program\"" ;;  # the Exec key splits on spaces unless quoted
esac
sed -e "s|^Exec=mill-workbench|Exec=$quoted|" -e "s|^TryExec=mill-workbench|TryExec=$program|" \
  "$HERE/mill-workbench.desktop" >"$DESKTOP.tmp"
chmod 0644 "$DESKTOP.tmp"
mv "$DESKTOP.tmp" "$DESKTOP"
refresh_caches

echo "Installed Mill Workbench $("$program" --version | awk '{print $NF}') to $APP_DIR"
case ":$PATH:" in
  *":$PREFIX/bin:"*) ;;
  *) echo "Add $PREFIX/bin to PATH to start it as 'mill-workbench' from a terminal." ;;
esac
