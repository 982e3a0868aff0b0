#!/usr/bin/env bash
# Generates the kubewallet(1) manual page from the command parsers (kubewallet man) and checks
# that groff renders it without a warning. The page is build output: dist/man/kubewallet.1.
# usage: packaging/build-man.sh [OUT_FILE]     (run scripts/bootstrap.sh first, for the venv)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$here/dist/man/kubewallet.1}
"$here/.venv/bin/kubewallet" man -o "$out"
warnings=$(groff -man -Tutf8 -ww -z "$out" 2>&1 || true)
if [ -n "$warnings" ]; then
  printf '%s\n' "$warnings" >&2
  echo "build-man: groff warns about $out" >&2
  exit 1
fi
echo "$out"
