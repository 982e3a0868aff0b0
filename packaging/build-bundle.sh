#!/usr/bin/env bash
# Builds kubewallet's self-contained Linux desktop bundle: a PyInstaller one-folder build (the
# interpreter, the app, PySide6 trimmed to QtCore/QtGui/QtWidgets/QtSvg and the xcb, offscreen and
# minimal platform plugins), the .desktop entry, the AppStream metainfo and the hicolor icons
# rendered from the one SVG, packed as a tarball with an install.sh for ~/.local (or any prefix).
#
# Why PyInstaller: it is on PyPI (no download from elsewhere), its PySide6 hooks know Qt's plugin
# layout, and a one-folder build starts as fast as the venv (no unpacking at each start as with
# --onefile). Why a tarball and not an AppImage: an AppImage needs FUSE at run time and
# appimagetool plus its runtime downloaded from GitHub, neither of which this build may rely on;
# the tarball holds the same folder and installs with one command.
#
# usage: packaging/build-bundle.sh [OUT_DIR]      (default OUT_DIR: dist/bundle)
# Idempotent: the build venv lives in .cache/bundle/venv, and when no input changed (app/,
# packaging/, pyproject.toml) since the last build, the existing bundle is kept.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
OUT=${1:-$here/dist/bundle}
CACHE=$here/.cache/bundle
VENV=$CACHE/venv
PY=${PYTHON:-python3.11}
PYINSTALLER_SPEC='pyinstaller>=6.10,<7'
log() { printf '[bundle] %s\n' "$*" >&2; }
exec 3>&1 1>&2            # everything on stderr; stdout carries the bundle folder's path only
mkdir -p "$CACHE" "$OUT"

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' app/kubewallet/__init__.py)
name=kubewallet-$version-linux-$(uname -m)
folder=$OUT/$name
tarball=$OUT/$name.tar.gz

inputs=$(find app packaging pyproject.toml -type f \( -name '*.py' -o -name '*.sh' -o -name '*.toml' \
           -o -path '*/resources/*' \) -not -path '*/__pycache__/*' -print0 | sort -z \
         | xargs -0 sha256sum | sha256sum | cut -c1-16)
if [ -f "$tarball" ] && [ -x "$folder/kubewallet" ] && [ "$(cat "$OUT/.stamp" 2>/dev/null)" = "$inputs" ]; then
  log "up to date: $tarball ($(du -sh "$folder" | cut -f1) unpacked, $(du -h "$tarball" | cut -f1) packed)"
  echo "$folder" >&3
  exit 0
fi

# --- the build venv: the app (not editable, from the working tree) and PyInstaller -------------
deps_sum=$( (sha256sum pyproject.toml; echo "$PYINSTALLER_SPEC") | sha256sum | cut -c1-16)
[ -x "$VENV/bin/python" ] || { log "creating the build venv"; "$PY" -m venv "$VENV"; }
if [ "$(cat "$VENV/.deps-stamp" 2>/dev/null)" != "$deps_sum" ]; then
  log "installing the dependencies and PyInstaller into the build venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip setuptools wheel 2> >(grep -v '^WARNING: Location' >&2)
  "$VENV/bin/python" -m pip install -q --no-build-isolation "$here" "$PYINSTALLER_SPEC" 2> >(grep -v '^WARNING: Location' >&2)
  echo "$deps_sum" > "$VENV/.deps-stamp"
fi
log "installing kubewallet $version into the build venv"
"$VENV/bin/python" -m pip install -q --no-build-isolation --no-deps --force-reinstall "$here" 2> >(grep -v '^WARNING: Location' >&2)
rm -rf "$here/build/lib" "$here/build/bdist."*   # setuptools' scratch space, not ours to keep

# --- PyInstaller ---------------------------------------------------------------------------------
# Every PySide6 module except the four the app uses is excluded, so its hooks do not pull in
# their libraries; prune_bundle.py then removes the plugins and libraries nothing loads.
excludes=()
while read -r mod; do excludes+=(--exclude-module "$mod"); done < <("$VENV/bin/python" - <<'PY'
import pkgutil, PySide6
keep = {"QtCore", "QtGui", "QtWidgets", "QtSvg"}
for m in pkgutil.iter_modules(PySide6.__path__):
    if m.name.startswith("Qt") and m.name not in keep:
        print(f"PySide6.{m.name}")
PY
)
log "running PyInstaller (one folder)"
export PYINSTALLER_CONFIG_DIR=$CACHE/pyinstaller-config   # its binary cache survives between builds
rm -rf "$CACHE/dist"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --onedir --name kubewallet \
  --distpath "$CACHE/dist" --workpath "$CACHE/work" --specpath "$CACHE" \
  --additional-hooks-dir "$here/packaging/pyi-hooks" \
  --collect-submodules kubewallet --collect-data kubewallet \
  --collect-submodules keyring.backends --copy-metadata keyring --copy-metadata kubewallet \
  --hidden-import PySide6.QtSvg \
  --exclude-module tkinter --exclude-module _tkinter "${excludes[@]}" \
  "$here/packaging/entry.py"
"$VENV/bin/python" packaging/prune_bundle.py "$CACHE/dist/kubewallet" | sed -n '1p' >&2

# --- the folder: binary, kubectl plugin name, desktop files, icons, installer --------------------
rm -rf "$folder" "$tarball"
mkdir -p "$folder"
cp -a "$CACHE/dist/kubewallet/." "$folder/"
ln -s kubewallet "$folder/kubectl-wallet"          # `kubectl wallet ...` finds it on PATH
ln -s kubewallet "$folder/kubectl_complete-wallet" # and `kubectl wallet <TAB>` (kubectl 1.26+)
share=$folder/share
install -D -m 0644 app/kubewallet/resources/desktop/kubewallet.desktop "$share/applications/kubewallet.desktop"
install -D -m 0644 app/kubewallet/resources/desktop/io.github.kubewallet.kubewallet.metainfo.xml \
  "$share/metainfo/io.github.kubewallet.kubewallet.metainfo.xml"
QT_QPA_PLATFORM=offscreen "$VENV/bin/python" packaging/render_icons.py \
  app/kubewallet/resources/icons/kubewallet.svg "$share/icons" >/dev/null
mkdir -p "$share/man/man1"
"$folder/kubewallet" man > "$share/man/man1/kubewallet.1"
mkdir -p "$share/bash-completion/completions" "$share/zsh/site-functions" "$share/fish/vendor_completions.d"
"$folder/kubewallet" completion bash > "$share/bash-completion/completions/kubewallet"
"$folder/kubewallet" completion zsh > "$share/zsh/site-functions/_kubewallet"
"$folder/kubewallet" completion fish > "$share/fish/vendor_completions.d/kubewallet.fish"
install -m 0755 packaging/install-bundle.sh "$folder/install.sh"

log "packing $tarball"
tar -C "$OUT" -czf "$tarball" "$name"
echo "$inputs" > "$OUT/.stamp"
log "bundle: $folder ($(du -sh "$folder" | cut -f1) unpacked), tarball $(du -h "$tarball" | cut -f1)"
echo "$folder" >&3
