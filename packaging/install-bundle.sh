#!/usr/bin/env bash
# Installs this kubewallet bundle for the current user (default PREFIX: ~/.local):
#   PREFIX/lib/kubewallet/           the bundle folder (interpreter, app, Qt)
#   PREFIX/bin/kubewallet, kubectl-wallet, kubectl_complete-wallet   symlinks (kubectl finds the
#                                    plugin and its completion on PATH)
#   PREFIX/share/applications, metainfo, icons/hicolor, man/man1, shell completions
# usage: ./install.sh [PREFIX]        uninstall: ./install.sh --uninstall [PREFIX]
set -euo pipefail
src=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = --uninstall ]; then uninstall=1; shift; else uninstall=0; fi
PREFIX=${1:-$HOME/.local}
lib=$PREFIX/lib/kubewallet
share=$PREFIX/share
files=(applications/kubewallet.desktop metainfo/io.github.kubewallet.kubewallet.metainfo.xml
       man/man1/kubewallet.1 bash-completion/completions/kubewallet zsh/site-functions/_kubewallet
       fish/vendor_completions.d/kubewallet.fish)
icons=$(cd "$src/share" && find icons -type f)
refresh_caches() {   # the menu and icon caches are shared with other applications: refresh, never delete
  if command -v update-desktop-database >/dev/null && [ -d "$share/applications" ]; then
    update-desktop-database -q "$share/applications" || true
  fi
  if command -v gtk-update-icon-cache >/dev/null && [ -f "$share/icons/hicolor/index.theme" ]; then
    gtk-update-icon-cache -q -t "$share/icons/hicolor" 2>/dev/null || true
  fi
}
if [ $uninstall = 1 ]; then
  rm -rf "$lib"
  rm -f "$PREFIX/bin/kubewallet" "$PREFIX/bin/kubectl-wallet" "$PREFIX/bin/kubectl_complete-wallet"
  for f in "${files[@]}" $icons; do rm -f "$share/$f"; done
  refresh_caches
  echo "kubewallet removed from $PREFIX"
  exit 0
fi
mkdir -p "$lib" "$PREFIX/bin"
rm -rf "$lib"
cp -a "$src" "$lib"
rm -rf "$lib/share"
ln -sfn "$lib/kubewallet" "$PREFIX/bin/kubewallet"
ln -sfn "$lib/kubewallet" "$PREFIX/bin/kubectl-wallet"
ln -sfn "$lib/kubewallet" "$PREFIX/bin/kubectl_complete-wallet"
for f in "${files[@]}" $icons; do install -D -m 0644 "$src/share/$f" "$share/$f"; done
# the menu entry runs the installed binary even when PREFIX/bin is not on the session's PATH
sed -i "s|^Exec=kubewallet|Exec=$lib/kubewallet|; s|^TryExec=kubewallet|TryExec=$lib/kubewallet|" \
  "$share/applications/kubewallet.desktop"
refresh_caches
echo "kubewallet installed in $lib; commands in $PREFIX/bin (put it on PATH), menu entry and icons in $share"
