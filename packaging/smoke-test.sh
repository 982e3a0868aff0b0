#!/usr/bin/env bash
# Smoke test of a built bundle folder (packaging/build-bundle.sh prints its path):
#   --version; `config view` on a sample file (secrets redacted); the kubectl-wallet name;
#   completion and the man page from the binary; `shell` with the bundled binary inside;
#   the GUI starting offscreen and saving its window to a PNG, and again on a real X server
#   (Xvfb) through the bundled xcb plugin; only the platform plugins we keep; the desktop files
#   valid; install.sh into a temporary prefix and back out.
# usage: packaging/smoke-test.sh BUNDLE_DIR [SCREENSHOT_DIR]   (default SCREENSHOT_DIR: artifacts/)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bundle=$(cd "$1" && pwd)
shots=${2:-$here/artifacts}
mkdir -p "$shots"
kw=$bundle/kubewallet
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "smoke test FAILED: $*" >&2; exit 1; }
ok() { echo "  ok  $*"; }
export HOME=$work/home XDG_CONFIG_HOME=$work/home/.config XDG_CACHE_HOME=$work/home/.cache
mkdir -p "$HOME"
unset KUBECONFIG KUBEWALLET_SHELL_CONTEXT KUBEWALLET_SHELL_SOURCE

version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$here/app/kubewallet/__init__.py")
[ "$("$kw" --version)" = "kubewallet $version" ] || fail "--version"
ok "--version: kubewallet $version"
# the command line must not load Qt (packaging/pyi-hooks replaces PyInstaller's eager Qt hook)
if LD_DEBUG=files "$kw" config current-context 2>&1 >/dev/null | grep -q 'file=.*libQt6Core'; then
  fail "the command line loads Qt at start-up"
fi
ok "the command line starts without loading Qt"

cat > "$work/config" <<'YAML'
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://127.0.0.1:6443"}
- name: c2
  cluster: {server: "https://127.0.0.2:6443"}
users:
- name: u1
  user: {token: "secret-token"}
contexts:
- name: ctx
  context: {cluster: c1, user: u1, namespace: ns1}
- name: other
  context: {cluster: c2, user: u1, namespace: ns2}
current-context: ctx
YAML
export KUBECONFIG=$work/config
view=$("$kw" config view)
grep -q 'token: REDACTED' <<<"$view" || fail "config view does not redact the token"
grep -q 'secret-token' <<<"$view" && fail "config view printed the token"
names=$("$kw" config view -o json | python3 -c 'import json, sys; print(*(c["name"] for c in json.load(sys.stdin)["contexts"]))')
[ "$names" = "ctx other" ] || fail "config view -o json: $names"
ok "config view on a sample file (token REDACTED)"
[ "$("$bundle/kubectl-wallet" config current-context)" = ctx ] || fail "kubectl-wallet"
[ "$("$bundle/kubectl_complete-wallet" use o | tr '\n' ' ')" = "other :4 " ] || fail "kubectl_complete-wallet"
ok "kubectl-wallet and kubectl_complete-wallet (kubectl plugin and its completion)"

"$kw" completion bash | bash -n || fail "completion bash"
[ "$("$kw" completion --list contexts | tr '\n' ' ')" = "ctx other " ] || fail "completion --list"
ok "completion (bash script parses; names from the kubeconfig)"
"$kw" man > "$work/kubewallet.1"
[ -z "$(groff -man -Tutf8 -ww -z "$work/kubewallet.1" 2>&1)" ] || fail "man page has groff warnings"
ok "man page renders"
[ "$(SHELL=/bin/sh "$kw" shell other -- "$kw" config current-context)" = other ] || fail "shell"
[ "$("$kw" config current-context)" = ctx ] || fail "shell changed the global current-context"
ok "shell other -- ... (and the global current-context stayed ctx)"

plugins=$(find "$bundle" -path '*/plugins/platforms/*' -name '*.so' -printf '%f\n' | sort | tr '\n' ' ')
[ "$plugins" = "libqminimal.so libqoffscreen.so libqxcb.so " ] || fail "platform plugins: $plugins"
for unwanted in libQt6Network libQt6Qml libQt6Quick libQt6WaylandClient libgtk-3; do
  if find "$bundle" -name "$unwanted*" | grep -q .; then fail "bundle carries $unwanted"; fi
done
ok "Qt: platforms $plugins; no QtNetwork/Qml/Quick/Wayland/GTK"

check_png() {   # a real image of a window: PNG signature, and at least 400x300
  python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
w, h = struct.unpack(">II", data[16:24])
assert w >= 400 and h >= 300, f"window too small: {w}x{h}"
print(f"{w}x{h}")
PY
}
rm -f "$shots/bundle-window-offscreen.png" "$shots/bundle-window-xcb.png"
QT_QPA_PLATFORM=offscreen KUBEWALLET_BUNDLE_SCREENSHOT=$shots/bundle-window-offscreen.png \
  timeout 60 "$kw" gui --kubeconfig "$work/config" 2>"$work/gui.err" || { cat "$work/gui.err" >&2; fail "GUI offscreen"; }
size=$(check_png "$shots/bundle-window-offscreen.png") || fail "offscreen screenshot"
ok "GUI offscreen: $shots/bundle-window-offscreen.png ($size)"
if command -v xvfb-run >/dev/null; then
  QT_QPA_PLATFORM=xcb KUBEWALLET_BUNDLE_SCREENSHOT=$shots/bundle-window-xcb.png \
    timeout 60 xvfb-run -a "$kw" gui --kubeconfig "$work/config" 2>"$work/gui-xcb.err" \
    || { cat "$work/gui-xcb.err" >&2; fail "GUI on Xvfb (xcb)"; }
  size=$(check_png "$shots/bundle-window-xcb.png") || fail "xcb screenshot"
  ok "GUI on Xvfb through the bundled xcb plugin ($size)"
fi

desktop-file-validate "$bundle/share/applications/kubewallet.desktop" || fail "desktop-file-validate"
appstreamcli validate --no-net --pedantic "$bundle"/share/metainfo/*.metainfo.xml >/dev/null || fail "appstreamcli validate"
for s in 16 22 24 32 48 64 128 256 512; do
  python3 - "$bundle/share/icons/hicolor/${s}x${s}/apps/kubewallet.png" "$s" <<'PY' || fail "icon ${s}x${s}"
import struct, sys
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (int(sys.argv[2]),) * 2
PY
done
ok "desktop entry and metainfo valid; icons 16..512"

prefix=$work/prefix
"$bundle/install.sh" "$prefix" >/dev/null
[ "$("$prefix/bin/kubewallet" --version)" = "kubewallet $version" ] || fail "installed kubewallet"
grep -q "^Exec=$prefix/lib/kubewallet/kubewallet gui$" "$prefix/share/applications/kubewallet.desktop" || fail "installed Exec"
desktop-file-validate "$prefix/share/applications/kubewallet.desktop" || fail "installed desktop file"
"$bundle/install.sh" --uninstall "$prefix" >/dev/null
left=$(find "$prefix" -type f -not -name '*.cache')   # menu/icon caches are shared: refreshed, kept
[ -z "$left" ] || fail "uninstall left files: $left"
ok "install.sh into a prefix, run from there, uninstall"
echo "bundle smoke test: ok ($(du -sh "$bundle" | cut -f1) unpacked)"
