#!/usr/bin/env bash
# Runs the benchmarks in tests/benchmarks/ (side by side with kubectl and the other tools a user
# would reach for) and prints the tables the README's performance section is filled from.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
"$here/scripts/bootstrap.sh" test
cd "$here"
export QT_QPA_PLATFORM=offscreen KUBECTL="$here/.cache/kubectl/kubectl" PATH="$here/.venv/bin:$PATH"
for b in tests/benchmarks/bench_*.py; do
  [ -n "${1:-}" ] && [[ "$b" != *"$1"* ]] && continue
  echo "== $b"
  "$here/.venv/bin/python" "$b"
done
